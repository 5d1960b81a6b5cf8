#!/usr/bin/env node
// `flexconv demo` wall time (on demand, after `npm run build`):
//
//   node bench/demo.js
//
// Runs the built CLI's `demo --json` (a new process each time: start-up, an in-process emulator,
// the whole story, stop) BENCH_RUNS times (default 5) and reports the median and the spread of the
// wall time, with bare `node -e 0` measured in the same run for scale. Target: median < 5 s on
// this 2-core machine. Every run must exit 0 (each step observed through the API).
import {spawnSync} from 'node:child_process';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const time = (args) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {cwd: root, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return {ms, out: r.stdout};
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = [];
const demo = [];
let steps = 0;
for (let i = 0; i < RUNS; i++) {
  bare.push(time(['-e', '0']).ms);
  const r = time([join(root, 'bin/run.js'), 'demo', '--json']);
  steps = JSON.parse(r.out).steps.length;
  demo.push(r.ms);
}
const m = median(demo);
console.log(JSON.stringify({
  runs: RUNS,
  steps_observed: steps,
  demo_ms: {median: Math.round(m), min: Math.round(Math.min(...demo)), max: Math.round(Math.max(...demo))},
  bare_node_ms: Math.round(median(bare)),
  target_ms: 5000,
  result: m < 5000 ? 'PASS' : 'FAIL',
}, null, 2));
process.exit(m < 5000 ? 0 : 1);
