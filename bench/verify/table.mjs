// Runs a group of variants side by side and prints them as a markdown table.
import { Bench } from 'tinybench';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Runs `tasks` ([name, fn] pairs) in `rounds` interleaved tinybench runs of `timeMs / rounds` per
 * task, and reports each task's median mean latency, and the median of its per-round ratio to the
 * first task (the baseline). Interleaving keeps a burst of load on a shared machine from landing on
 * one variant only.
 */
export async function runGroup(title, tasks, timeMs, rounds = 5) {
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: timeMs / rounds, warmupTime: Math.min(200, timeMs / rounds / 2) });
    for (const [name, fn] of tasks) bench.add(name, fn);
    await bench.run();
    perRound.push(
      bench.tasks.map((task) => {
        const result = task.result;
        if (result?.state !== 'completed') throw new Error(`${task.name}: ${result?.state} ${result?.error ?? ''}`);
        return { mean: result.period * 1000, p99: result.latency.p99 * 1000 };
      }),
    );
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
