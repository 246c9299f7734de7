import { runAsWorker } from "synckit";

runAsWorker(async (a, b) => {
  await new Promise((resolve) => setImmediate(resolve));
  return a + b;
});
