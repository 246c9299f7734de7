// Four worker threads move money between two accounts. Each transfer takes both account locks
// with acquireAll (one global order, all or nothing), so transfers in opposite directions
// cannot deadlock, and the total stays what it was.
import { Lock, Thread, acquireAllSync, threadArgs } from "threadlens";
import { isMainThread } from "node:worker_threads";

if (isMainThread) {
  const balances = new Int32Array(new SharedArrayBuffer(8));
  balances[0] = 1000;
  balances[1] = 1000;
  const locks = [new Lock("account0"), new Lock("account1")];
  const tellers = [0, 1, 2, 3].map((i) =>
    new Thread(new URL(import.meta.url), {
      name: `teller-${i}`,
      args: [i % 2, balances, locks],
    }).start(),
  );
  for (const t of tellers) await t.join();
  console.log(
    `balances ${balances[0]} + ${balances[1]} = ${(balances[0] ?? 0) + (balances[1] ?? 0)}`,
  );
} else {
  const [from, balances, locks] = threadArgs<[number, Int32Array, Lock[]]>();
  const to = 1 - from;
  for (let i = 0; i < 10_000; i++) {
    using _both = acquireAllSync([locks[from] as Lock, locks[to] as Lock]);
    balances[from] = (balances[from] ?? 0) - 1;
    balances[to] = (balances[to] ?? 0) + 1;
  }
}
