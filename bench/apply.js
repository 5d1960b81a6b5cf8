#!/usr/bin/env node
// Declarative provisioning benchmark (issue 13), all in the same run:
//   A. `flexconv apply` of a file of N chat addresses to a fresh emulator (one process, --concurrency 8)
//   B. N sequential `flexconv addresses create` processes against another fresh emulator
//      target: A at least 20× faster than B
//   C. `flexconv plan --detailed-exitcode` over those N unchanged addresses (median of BENCH_PLAN_RUNS)
//      target: under 2 s
// Not part of the test suite; run on demand after building dist/:
//
//   npm run build && node bench/apply.js
//
// Environment: BENCH_N=500 (addresses), BENCH_PLAN_RUNS=3. The emulators are child processes
// (bench/serve-emulator.js, a file database each), so the CLI never shares their event loop.
// Every CLI run gets an isolated environment (temp HOME/XDG, no TWILIO_*/FLEXCONV_* but the
// emulator URL). The exit code is 1 when a target is missed or a run fails.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {basicAuth, median, spawnServer, table} from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const RUN_JS = join(root, 'bin/run.js');
const N = Number(process.env.BENCH_N || 500);
const PLAN_RUNS = Number(process.env.BENCH_PLAN_RUNS || 3);

function runOnce(args, env, cwd) {
  return new Promise((resolvePromise) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [RUN_JS, ...args], {env, cwd, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolvePromise({ms: Number(process.hrtime.bigint() - t0) / 1e6, code: code ?? signal, stdout, stderr}));
  });
}

function cleanEnv(home, url) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(TWILIO_|FLEXCONV_|NODE_OPTIONS$|XDG_|NODE_EXTRA_CA_CERTS$)/.test(k)) env[k] = v;
  return {...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.local/state'), XDG_CACHE_HOME: join(home, '.cache'), NO_COLOR: '1', FLEXCONV_TARGET: 'emulator', FLEXCONV_EMULATOR_URL: url};
}

const {DEFAULT_ACCOUNT: account} = await import('../dist/lib/emulator/index.js');
async function countAddresses(url) {
  let n = 0;
  let next = `${url}/conversations/v1/Configuration/Addresses?PageSize=50`;
  while (next) {
    const res = await fetch(next, {headers: {authorization: basicAuth(account.accountSid, account.authToken)}});
    const body = await res.json();
    n += body.address_configurations.length;
    next = body.meta.next_page_url;
  }
  return n;
}

const home = mkdtempSync(join(tmpdir(), 'flexconv-apply-bench-'));
const servers = [];
let exitCode = 0;
const rows = [];
try {
  const [a, b] = await Promise.all([spawnServer(join(here, 'serve-emulator.js')), spawnServer(join(here, 'serve-emulator.js'))]);
  servers.push(a, b);
  const file = join(home, 'flexconv.yaml');
  writeFileSync(file, `addresses:\n${Array.from({length: N}, (_, i) => `  - {type: chat, address: bench-apply-${i}, friendly_name: Bench ${i}}`).join('\n')}\n`);

  // A: one apply
  const apply = await runOnce(['apply', '-f', file, '--json'], cleanEnv(home, a.url), home);
  if (apply.code !== 0) throw new Error(`apply failed (exit ${apply.code}): ${apply.stderr.slice(0, 400)} ${apply.stdout.slice(0, 400)}`);
  const made = await countAddresses(a.url);
  if (made !== N) throw new Error(`apply made ${made} addresses, expected ${N}`);

  // B: N processes, one after the other
  const envB = cleanEnv(home, b.url);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const r = await runOnce(['addresses', 'create', '--type', 'chat', '--address', `bench-seq-${i}`, '--friendly-name', `Bench ${i}`, '--json'], envB, home);
    if (r.code !== 0) throw new Error(`addresses create #${i} failed (exit ${r.code}): ${r.stderr.slice(0, 300)}`);
  }
  const seqMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if ((await countAddresses(b.url)) !== N) throw new Error('the sequential creates did not make every address');
  const speedup = seqMs / apply.ms;
  const okSpeed = speedup >= 20;
  rows.push([`apply ${N} addresses (1 process)`, `${apply.ms.toFixed(0)} ms`, `${((N / apply.ms) * 1000).toFixed(0)}/s`, '', '']);
  rows.push([`${N} × addresses create (sequential)`, `${seqMs.toFixed(0)} ms`, `${((N / seqMs) * 1000).toFixed(1)}/s`, `${speedup.toFixed(1)}× faster`, `≥ 20× ${okSpeed ? 'PASS' : 'FAIL'}`]);

  // C: plan over N unchanged resources
  const times = [];
  for (let i = 0; i < PLAN_RUNS; i++) {
    const r = await runOnce(['plan', '-f', file, '--detailed-exitcode'], cleanEnv(home, a.url), home);
    if (r.code !== 0) throw new Error(`plan found changes or failed (exit ${r.code}): ${r.stderr.slice(0, 300)}`);
    times.push(r.ms);
  }
  const planMs = median(times);
  const okPlan = planMs < 2000;
  rows.push([`plan over ${N} unchanged (median of ${PLAN_RUNS})`, `${planMs.toFixed(0)} ms`, '', `min ${Math.min(...times).toFixed(0)} ms`, `< 2 s ${okPlan ? 'PASS' : 'FAIL'}`]);
  if (!okSpeed || !okPlan) exitCode = 1;
} catch (error) {
  console.error(`apply bench aborted: ${error.stack ?? error}`);
  exitCode = 1;
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(home, {recursive: true, force: true});
}
if (rows.length) console.log(table(['case', 'wall time', 'rate', 'ratio', 'target'], rows));
process.exit(exitCode);
