#!/usr/bin/env node
// Flex interactions benchmark (on demand, after `npm run build`):
//
//   node bench/interactions.js
//
// An emulator (file DB, WAL, group commit) with the Flex account set-up; 100 available agents
// with sms capacity 10 each; then 1,000 api-initiated interactions over HTTP (each a new
// customer: a conversation in the Flex Chat Service, the customer added, a task routed through
// "Assign to Anyone"). Reports interactions created per second and, for each interaction, the
// time from the create's response to the task's pending reservation being listed (p50/p99).
//
// The emulator runs in a child process (bench/serve-emulator.js, manual clock), as
// `flexconv emulator start` does: the client here never shares its event loop, so the figures
// are the emulator's own. BENCH_IN_PROCESS=1 runs it in this process instead (the way this
// benchmark first ran: the client's HTTP work then adds to every latency).
//
// Environment: BENCH_INTERACTIONS=1000  BENCH_AGENTS=100  BENCH_CAPACITY=10  BENCH_CONCURRENCY=16
//              BENCH_IN_PROCESS=1  BENCH_CPU_PROF=<dir> (the emulator child under --cpu-prof)
// Targets: ≥ 300 interactions/s; p99 ≤ 20 ms.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {Agent, request} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {DEFAULT_ACCOUNT, startEmulator} from '../dist/lib/emulator/index.js';
import {basicAuth, spawnServer} from './lib.js';

const N = Number(process.env.BENCH_INTERACTIONS ?? 1000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const IN_PROCESS = process.env.BENCH_IN_PROCESS === '1';

const dir = IN_PROCESS ? mkdtempSync(join(tmpdir(), 'flexconv-interactions-')) : undefined;
const emu = IN_PROCESS
  ? await startEmulator({db: join(dir, 'bench.db'), clock: 'manual'})
  : await spawnServer(new URL('./serve-emulator.js', import.meta.url).pathname, {
      env: {...process.env, BENCH_EMULATOR_CLOCK: 'manual'},
      nodeArgs: process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [],
    });
const serverPid = IN_PROCESS ? process.pid : emu.pid;
const agent = new Agent({keepAlive: true, maxSockets: CONCURRENCY * 2});
const auth = basicAuth(DEFAULT_ACCOUNT.accountSid, DEFAULT_ACCOUNT.authToken);

function call(method, path, form) {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const headers = {Authorization: auth};
  if (body !== undefined) Object.assign(headers, {'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body)});
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${path}`, {method, headers, agent}, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode >= 400 ? reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)) : resolve(JSON.parse(text))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** utime + stime of a /proc stat file in seconds (Linux; undefined elsewhere). */
function statCpu(path) {
  try {
    const stat = readFileSync(path, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ ticks
  } catch {
    return undefined;
  }
}
/** CPU seconds of the emulator's main thread alone: no GC helpers, no checkpointer. */
const mainThreadCpu = () => statCpu(`/proc/${serverPid}/task/${serverPid}/stat`);
/** CPU seconds of the emulator process (all its threads). */
const processCpu = () => statCpu(`/proc/${serverPid}/stat`);

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

try {
  const config = await call('GET', '/flex-api/v1/Configuration');
  const ws = config.taskrouter_workspace_sid;
  const TR = `/taskrouter/v1/Workspaces/${ws}`;
  const acts = (await call('GET', `${TR}/Activities`)).activities;
  const available = acts.find((a) => a.friendly_name === 'Available').sid;
  for (let i = 0; i < AGENTS; i++) {
    const w = await call('POST', `${TR}/Workers`, {FriendlyName: `agent-${i}`, Attributes: JSON.stringify({contact_uri: `client:agent_${i}`})});
    await call('POST', `${TR}/Workers/${w.sid}/Channels/sms`, {Capacity: String(CAPACITY)});
    await call('POST', `${TR}/Workers/${w.sid}`, {ActivitySid: available});
  }
  const routing = JSON.stringify({properties: {workspace_sid: ws, workflow_sid: config.taskrouter_target_workflow_sid, task_channel_unique_name: 'sms'}});
  const toPending = [];
  let next = 0;
  let missing = 0;
  const t0 = performance.now();
  const cpu0 = processCpu();
  const main0 = mainThreadCpu();
  async function worker() {
    while (next < N) {
      const i = next++;
      const channel = JSON.stringify({type: 'sms', initiated_by: 'api', participants: [{address: `+1555${String(1_000_000 + i)}`, proxy_address: '+15559990000'}]});
      const kd = await call('POST', '/flex-api/v1/Interactions', {Channel: channel, Routing: routing});
      const answered = performance.now();
      const wt = kd.routing.properties.sid;
      for (;;) {
        const rs = (await call('GET', `${TR}/Tasks/${wt}/Reservations`)).reservations;
        if (rs.some((r) => r.reservation_status === 'pending')) break;
        if (performance.now() - answered > 1000) {
          missing++;
          break;
        }
      }
      toPending.push(performance.now() - answered);
    }
  }
  await Promise.all(Array.from({length: CONCURRENCY}, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = processCpu();
  const main1 = mainThreadCpu();
  toPending.sort((a, b) => a - b);
  const result = {
    interactions: N,
    agents: AGENTS,
    capacity: CAPACITY,
    concurrency: CONCURRENCY,
    interactions_per_s: Math.round(N / seconds),
    create_to_pending_reservation_ms: {p50: +pct(toPending, 50).toFixed(2), p90: +pct(toPending, 90).toFixed(2), p95: +pct(toPending, 95).toFixed(2), p99: +pct(toPending, 99).toFixed(2), max: +toPending.at(-1).toFixed(2)},
    without_reservation: missing,
    emulator: IN_PROCESS ? 'in this process (with the client)' : 'child process',
    // in-process, this is the CPU of both sides (the creates, the polls, HTTP)
    cpu_us_per_interaction: cpu0 === undefined || cpu1 === undefined ? null : Math.round(((cpu1 - cpu0) * 1e6) / N),
    main_thread_cpu_us_per_interaction: main0 === undefined ? null : Math.round(((main1 - main0) * 1e6) / N),
    note: 'interactions/s counts each create plus its reservation poll (one GET) end to end; cpu_us_per_interaction is the emulator process (all threads) per interaction',
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  agent.destroy();
  await emu.stop();
  if (dir) rmSync(dir, {recursive: true, force: true});
}
