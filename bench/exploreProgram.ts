// The small program `npm run bench:explore` explores: three async tasks of one thread take
// lockA then lockB (one order: no schedule deadlocks it) and count under both, so every run
// of explore goes to its end and the runs per second measure the exploring itself.
import { Lock, spawn } from "threadlens";

const lockA = new Lock();
const lockB = new Lock();
let counter = 0;
const task = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) {
    await lockA.acquire();
    await lockB.acquire();
    counter++;
    lockB.release();
    lockA.release();
  }
};
const tasks = ["t1", "t2", "t3"].map((name) => spawn(task, { name }));
for (const t of tasks) await t.join();
if (counter !== 15) throw new Error(`counted ${counter}, expected 15`);
