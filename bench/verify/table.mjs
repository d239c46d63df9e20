// Runs a group of variants side by side and prints them as a markdown table.
import { Bench } from 'tinybench';

/** CPU time of this process (all threads), in ms. */
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Runs `tasks` ([name, fn] pairs) in `rounds` interleaved tinybench runs of `timeMs / rounds` per
 * task, and reports each task's median mean latency, and the median of its per-round ratio to the
 * first task (the baseline). Interleaving keeps a burst of load on a shared machine from landing on
 * one variant only. With `{ fair: true }`, each round starts with another task and, when Node runs
 * with `--expose-gc`, each task starts after a full collection, so that no task pays for the
 * garbage of the one before it. With `{ cpu: true }`, time is the process's CPU time
 * (`process.cpuUsage`), not the wall clock: on a busy shared machine, waiting for a core is not
 * counted against the variant that happened to be running.
 */
export async function runGroup(title, tasks, timeMs, rounds = 5, { fair = false, cpu = false } = {}) {
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: timeMs / rounds,
      warmupTime: Math.min(200, timeMs / rounds / 2),
      ...(cpu ? { now: cpuNow } : {}),
    });
    const order = tasks.map((_, i) => (fair ? (i + round) % tasks.length : i));
    const collect = fair && typeof globalThis.gc === 'function' ? { beforeAll: () => globalThis.gc() } : {};
    for (const i of order) bench.add(String(i), tasks[i][1], collect);
    await bench.run();
    const byTask = [];
    for (const task of bench.tasks) {
      const result = task.result;
      const name = tasks[Number(task.name)][0];
      if (result?.state !== 'completed') throw new Error(`${name}: ${result?.state} ${result?.error ?? ''}`);
      byTask[Number(task.name)] = { mean: result.period * 1000, p99: result.latency.p99 * 1000 };
    }
    perRound.push(byTask);
  }
  const rows = tasks.map(([name], i) => ({
    name,
    mean: median(perRound.map((r) => r[i].mean)),
    p99: median(perRound.map((r) => r[i].p99)),
    ratio: median(perRound.map((r) => r[i].mean / r[0].mean)),
  }));
  console.log(`### ${title}\n`);
  console.log('| variant | ops/s | mean µs | p99 µs | × baseline |');
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows) {
    const ops = Math.round(1e6 / row.mean).toLocaleString('en-US');
    console.log(`| ${row.name} | ${ops} | ${row.mean.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.ratio.toFixed(2)}× |`);
  }
  console.log('');
  return rows;
}
