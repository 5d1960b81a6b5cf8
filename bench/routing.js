#!/usr/bin/env node
// TaskRouter routing benchmark (on demand, after `npx tsc -p tsconfig.json`):
//
//   node bench/routing.js
//
// 1,000 then 10,000 available workers with attributes, then 100,000 tasks routed through a
// 3-filter workflow (each filter to its own skill queue, a target expression on worker
// attributes). Each task is created, matched, reserved and committed (file DB, WAL, group
// commit: 200 tasks per event-loop turn). The engine is driven in-process through its operations,
// so the figures are the routing engine's, not HTTP's. Worker capacity is raised so that no task
// waits (every task is routed at once).
//
// Environment: BENCH_TASKS=100000  BENCH_SIZES=1000,10000  BENCH_BATCH=200
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Store} from '../dist/lib/emulator/store/index.js';
import {Tx} from '../dist/lib/emulator/store/tx.js';
import {TABLES} from '../dist/lib/emulator/model/index.js';
import {ManualClock} from '../dist/lib/emulator/engine/clock.js';
import {createCore, startCore, stopCore} from '../dist/lib/emulator/engine/core.js';
import {installEngines} from '../dist/lib/emulator/engine/index.js';
import * as ops from '../dist/lib/emulator/engine/taskrouter/ops.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const BATCH = Number(process.env.BENCH_BATCH ?? 200);
const SKILLS = ['sales', 'support', 'billing'];
const account = {accountSid: `AC${'b'.repeat(32)}`, authToken: 'bench'};

async function run(workers) {
  const dir = mkdtempSync(join(tmpdir(), 'flexconv-routing-'));
  // a manual clock: no reservation times out while the benchmark runs (it measures routing, not timeouts)
  const clock = new ManualClock();
  const store = new Store(join(dir, 'bench.db'), [account], () => clock.now(), {tables: TABLES});
  const core = createCore(store, clock);
  installEngines(core);
  startCore(core);
  const tx = () => new Tx(store, account.accountSid, clock.now());
  try {
    const ws = store.tx(() => ops.createWorkspace(tx(), {friendly_name: 'bench'}));
    const ix = ops.index(tx(), ws.sid);
    const available = [...ix.activities.values()].find((a) => a.friendly_name === 'Available').sid;
    const queues = store.tx(() => SKILLS.map((s) => ops.createQueue(tx(), ws.sid, {friendly_name: s, target_workers: `skills HAS '${s}'`})));
    const config = {
      task_routing: {
        filters: SKILLS.map((s, i) => ({
          filter_friendly_name: s,
          expression: `type == '${s}'`,
          targets: [{queue: queues[i].sid, expression: 'worker.level >= task.level', priority: i}],
        })),
        default_filter: {queue: queues[0].sid},
      },
    };
    const wf = store.tx(() => ops.createWorkflow(tx(), ws.sid, {friendly_name: 'bench', configuration: JSON.stringify(config)}));
    const capacity = Math.ceil((TASKS / workers) * 1.2) + 2;
    const t0 = performance.now();
    for (let i = 0; i < workers; i += 500) {
      store.tx(() => {
        for (let j = i; j < Math.min(i + 500, workers); j++) {
          const w = ops.createWorker(tx(), ws.sid, {
            friendly_name: `agent-${j}`,
            activity_sid: available,
            attributes: JSON.stringify({skills: [SKILLS[j % 3]], level: 1 + (j % 5), languages: ['en'], team: `team-${j % 20}`}),
          });
          const state = ops.index(tx(), ws.sid).workers.get(w.sid);
          const def = [...state.channels.values()].find((c) => c.task_channel_unique_name === 'default');
          ops.updateWorkerChannel(tx(), ws.sid, def, {capacity});
        }
      });
      await store.settled();
    }
    const setup = performance.now() - t0;
    let routed = 0;
    const start = performance.now();
    for (let i = 0; i < TASKS; i += BATCH) {
      for (let j = i; j < Math.min(i + BATCH, TASKS); j++) {
        const t = store.tx(() => ops.createTask(tx(), ws.sid, {workflow_sid: wf.sid, attributes: JSON.stringify({type: SKILLS[j % 3], level: 1, customer: `+1555${j}`})}));
        if (t.assignment_status === 'reserved') routed++;
      }
      await store.settled();
    }
    const ms = performance.now() - start;
    return {workers, routed, ms, perTaskUs: (ms * 1000) / TASKS, tasksPerSecond: (TASKS / ms) * 1000, setupMs: setup, builds: ops.routingIndexes(store).builds};
  } finally {
    stopCore(core);
    await store.close();
    rmSync(dir, {recursive: true, force: true});
  }
}

const results = [];
for (const n of SIZES) {
  const r = await run(n);
  results.push(r);
  console.log(
    `${String(n).padStart(6)} workers: ${r.routed}/${TASKS} tasks routed in ${(r.ms / 1000).toFixed(1)} s — ${Math.round(r.tasksPerSecond)} tasks/s, ${r.perTaskUs.toFixed(0)} µs/task (setup ${(r.setupMs / 1000).toFixed(1)} s)`,
  );
}
if (results.length >= 2) {
  const ratio = results.at(-1).perTaskUs / results[0].perTaskUs;
  const last = results.at(-1);
  console.log(`per-task cost ratio ${results.at(-1).workers}÷${results[0].workers}: ${ratio.toFixed(2)} (target ≤ 2)`);
  console.log(`tasks/s at ${last.workers} workers: ${Math.round(last.tasksPerSecond)} (target ≥ 1000)`);
  if (ratio > 2 || last.tasksPerSecond < 1000) process.exitCode = 1;
}
