#!/usr/bin/env node
// CLI start-up benchmark: median wall time of
//   node -e 0                                   (the baseline, measured in the same run)
//   node bin/run.js --version                   (target ≤ 3× baseline)
//   node bin/run.js addresses list --json       (target ≤ 5× baseline; against an emulator child)
//   node bin/run.js workers list --json         (target ≤ 5× baseline; TaskRouter, the workspace found by a list)
//   node bin/run.js interactions show KD… --json (target ≤ 5× baseline; Flex: the interaction, its channel, task)
//   node bin/run.js messages list CH… --json    (target ≤ 5× baseline; Conversations: 10 messages of a conversation)
//   node bin/run.js init --no-interactive --target emulator --json (target ≤ 5× baseline; the CI form, a re-run that changes nothing)
//   node bin/run.js doctor --json               (target ≤ 5× baseline; every check against the emulator child)
// Not part of the test suite; run on demand after building dist/:
//
//   npm run build && node bench/startup.js
//
// Environment: BENCH_RUNS=15 (measured runs per command), BENCH_WARMUPS=2.
// Every command runs in the same isolated environment: a temp HOME/XDG dirs and cwd, no TWILIO_*
// or FLEXCONV_* variables, and no NODE_OPTIONS or NODE_EXTRA_CA_CERTS (the latter makes Node
// parse a CA bundle at start: ~80 ms per process here, which would inflate the baseline and
// flatter the ratios; BENCH_KEEP_CA_CERTS=1 keeps it).
// Commands that cannot run yet (bin/run.js or the command missing, dist/ not built) are skipped
// with a message saying why; the exit code is 1 when a target is missed or a command fails.
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {basicAuth, median, spawnServer, table} from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const RUNS = Number(process.env.BENCH_RUNS || 15);
const WARMUPS = Number(process.env.BENCH_WARMUPS ?? 2);
const RUN_JS = join(root, 'bin/run.js');

// Default emulator account (src/lib/emulator/defaults.ts); read from dist when it is built.
let account = {accountSid: 'ACf1ec0000000000000000000000000001', authToken: 'f1ec0000000000000000000000000001'};

/** Run once; resolve {ms, code, stdout, stderr}. */
function runOnce(args, env, cwd) {
  return new Promise((resolvePromise) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {env, cwd, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      resolvePromise({ms, code: code ?? signal, stdout, stderr});
    });
  });
}

/** Isolated environment: no user profiles/config/state, no ambient Twilio credentials. */
function cleanEnv(home, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TWILIO_|FLEXCONV_|NODE_OPTIONS$|XDG_)/.test(k)) continue;
    if (k === 'NODE_EXTRA_CA_CERTS' && !process.env.BENCH_KEEP_CA_CERTS) continue;
    env[k] = v;
  }
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local/state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    NO_COLOR: '1',
    ...extra,
  };
}

/** The gist of a failed run: the CLI's JSON error message when it printed one. */
function errorText(r) {
  for (const out of [r.stdout, r.stderr]) {
    try {
      const e = JSON.parse(out);
      if (e?.error?.message) return e.error.message;
    } catch {
      // not JSON
    }
  }
  return (r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ');
}

/** A check that the command printed a JSON array of `n` items. */
function listOf(n, what) {
  return (r) => {
    try {
      const list = JSON.parse(r.stdout);
      return Array.isArray(list) && list.length === n ? undefined : `expected ${n} ${what}, got ${r.stdout.slice(0, 200)}`;
    } catch {
      return 'stdout is not JSON';
    }
  };
}

const cases = [];
const skipped = [];
const home = mkdtempSync(join(tmpdir(), 'flexconv-startup-'));
let emu;
let exitCode = 0;

try {
  const base = cleanEnv(home);
  cases.push({name: 'node -e 0', args: ['-e', '0'], env: base, baseline: true});

  if (!existsSync(RUN_JS)) {
    skipped.push(['node bin/run.js --version', 'bin/run.js does not exist yet']);
    skipped.push(['node bin/run.js addresses list --json', 'bin/run.js does not exist yet']);
  } else {
    cases.push({name: 'node bin/run.js --version', args: [RUN_JS, '--version'], env: base, target: 3});

    if (!existsSync(join(root, 'dist/lib/emulator/index.js'))) {
      skipped.push(['node bin/run.js addresses list --json', 'dist/ is not built (run `npm run build`): no emulator to list from']);
    } else {
      ({DEFAULT_ACCOUNT: account} = await import('../dist/lib/emulator/index.js'));
      emu = await spawnServer(join(here, 'serve-emulator.js'));
      // 10 addresses to list
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${emu.url}/conversations/v1/Configuration/Addresses`, {
          method: 'POST',
          headers: {authorization: basicAuth(account.accountSid, account.authToken), 'content-type': 'application/x-www-form-urlencoded'},
          body: `Type=chat&Address=startup-bench-${i}`,
        });
        if (res.status !== 201) throw new Error(`seeding the emulator failed: ${res.status} ${await res.text()}`);
      }
      const env = cleanEnv(home, {FLEXCONV_EMULATOR_URL: emu.url, FLEXCONV_TARGET: 'emulator'});
      cases.push({
        name: 'node bin/run.js addresses list --json',
        args: [RUN_JS, 'addresses', 'list', '--json'],
        env,
        target: 5,
        // the command must really have listed the 10 addresses
        check: (r) => {
          let body;
          try {
            body = JSON.parse(r.stdout);
          } catch {
            return 'stdout is not JSON';
          }
          const list = Array.isArray(body) ? body : (body.address_configurations ?? body.addresses ?? body.items);
          return Array.isArray(list) && list.length === 10 ? undefined : `expected 10 addresses in the JSON output, got ${JSON.stringify(body).slice(0, 200)}`;
        },
      });
      // TaskRouter: the account's one workspace (Flex Task Assignment, used without --workspace) with 10 workers to list
      const auth = {authorization: basicAuth(account.accountSid, account.authToken), 'content-type': 'application/x-www-form-urlencoded'};
      const wsRes = await fetch(`${emu.url}/taskrouter/v1/Workspaces`, {headers: auth});
      const spaces = wsRes.status === 200 ? (await wsRes.json()).workspaces : [];
      if (spaces.length !== 1) throw new Error(`seeding the emulator failed: expected the one Flex workspace, got ${wsRes.status} ${JSON.stringify(spaces).slice(0, 200)}`);
      const ws = spaces[0].sid;
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${emu.url}/taskrouter/v1/Workspaces/${ws}/Workers`, {method: 'POST', headers: auth, body: `FriendlyName=agent-${i}`});
        if (res.status !== 201) throw new Error(`seeding the emulator failed: ${res.status} ${await res.text()}`);
      }
      cases.push({
        name: 'node bin/run.js workers list --json',
        args: [RUN_JS, 'workers', 'list', '--json'],
        env,
        target: 5,
        check: listOf(10, 'workers'),
      });
      // Flex: one api-initiated interaction, shown (FlexApi from the bundle, TaskRouter for its task)
      const cfg = await (await fetch(`${emu.url}/flex-api/v1/Configuration`, {headers: auth})).json();
      const routing = {properties: {workspace_sid: cfg.taskrouter_workspace_sid, workflow_sid: cfg.taskrouter_target_workflow_sid, task_channel_unique_name: 'sms'}};
      const channel = {type: 'sms', initiated_by: 'api', participants: [{address: '+15557990001', proxy_address: '+15005550006'}]};
      const kdRes = await fetch(`${emu.url}/flex-api/v1/Interactions`, {method: 'POST', headers: auth, body: new URLSearchParams({Channel: JSON.stringify(channel), Routing: JSON.stringify(routing)}).toString()});
      if (kdRes.status !== 200) throw new Error(`seeding the emulator failed: ${kdRes.status} ${await kdRes.text()}`);
      const kd = (await kdRes.json()).sid;
      cases.push({
        name: 'node bin/run.js interactions show KD… --json',
        args: [RUN_JS, 'interactions', 'show', kd, '--json'],
        env,
        target: 5,
        check: (r) => {
          try {
            const view = JSON.parse(r.stdout);
            return view.interaction?.sid === kd && view.channels?.[0]?.tasks?.length === 1 ? undefined : `expected the interaction with its task, got ${r.stdout.slice(0, 200)}`;
          } catch {
            return 'stdout is not JSON';
          }
        },
      });
      // Conversations: a conversation with 10 messages, listed
      const chRes = await fetch(`${emu.url}/conversations/v1/Conversations`, {method: 'POST', headers: auth, body: 'FriendlyName=startup-bench'});
      if (chRes.status !== 201) throw new Error(`seeding the emulator failed: ${chRes.status} ${await chRes.text()}`);
      const ch = (await chRes.json()).sid;
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${emu.url}/conversations/v1/Conversations/${ch}/Messages`, {method: 'POST', headers: auth, body: `Author=bench&Body=message-${i}`});
        if (res.status !== 201) throw new Error(`seeding the emulator failed: ${res.status} ${await res.text()}`);
      }
      cases.push({
        name: 'node bin/run.js messages list CH… --json',
        args: [RUN_JS, 'messages', 'list', ch, '--json'],
        env,
        target: 5,
        check: listOf(10, 'messages'),
      });
      // The wizard's and the checker's start-up: a whole init re-run and a whole doctor run.
      // init as CI runs it: non-interactive, against the emulator child. The probe run writes the
      // project config; each timed run is the re-run that checks everything and changes nothing.
      cases.push({
        name: 'node bin/run.js init --no-interactive --target emulator --json',
        args: [RUN_JS, 'init', '--no-interactive', '--target', 'emulator', '--emulator-url', emu.url, '--json'],
        env,
        target: 5,
        check: (r) => {
          try {
            return ['written', 'unchanged'].includes(JSON.parse(r.stdout).config_action) ? undefined : `unexpected: ${r.stdout.slice(0, 200)}`;
          } catch {
            return 'stdout is not JSON';
          }
        },
      });
      cases.push({
        name: 'node bin/run.js doctor --json',
        args: [RUN_JS, 'doctor', '--json'],
        env,
        target: 5,
        check: (r) => {
          try {
            return JSON.parse(r.stdout).ok === true ? undefined : `a check failed: ${r.stdout.slice(0, 300)}`;
          } catch {
            return 'stdout is not JSON';
          }
        },
      });
    }
  }

  // Probe each command once: a command that does not work yet is skipped, not timed.
  for (const c of [...cases]) {
    const r = await runOnce(c.args, c.env, home);
    const problem = r.code !== 0 ? `exit code ${r.code}: ${errorText(r)}` : c.check?.(r);
    if (problem) {
      cases.splice(cases.indexOf(c), 1);
      skipped.push([c.name, problem]);
    }
  }

  // Interleave the commands run by run, so a slow patch of the machine hits all of them alike.
  for (const c of cases) c.times = [];
  for (let i = 0; i < WARMUPS + RUNS; i++) {
    for (const c of cases) {
      const r = await runOnce(c.args, c.env, home);
      if (r.code !== 0) throw new Error(`${c.name} failed on run ${i + 1} (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`);
      if (i >= WARMUPS) c.times.push(r.ms);
    }
  }
} catch (error) {
  console.error(`startup bench aborted: ${error.stack ?? error}`);
  exitCode = 1;
} finally {
  await emu?.stop();
  rmSync(home, {recursive: true, force: true});
}

const baseline = cases.find((c) => c.baseline && c.times?.length);
const rows = [];
for (const c of cases) {
  if (!c.times?.length) continue;
  const med = median(c.times);
  const ratio = baseline ? med / median(baseline.times) : undefined;
  const ok = c.target === undefined ? undefined : ratio <= c.target;
  if (ok === false) exitCode = 1;
  rows.push([
    c.name,
    `${med.toFixed(1)} ms`,
    `${Math.min(...c.times).toFixed(1)} ms`,
    `${Math.max(...c.times).toFixed(1)} ms`,
    ratio === undefined ? '' : `${ratio.toFixed(2)}×`,
    c.target ? `≤ ${c.target}×` : '(baseline)',
    ok === undefined ? '' : ok ? 'PASS' : 'FAIL',
  ]);
}
console.log(`\nflexconv start-up bench — node ${process.version}, median of ${RUNS} runs after ${WARMUPS} warm-ups (interleaved)\n`);
console.log(table(['command', 'median', 'min', 'max', 'vs node -e 0', 'target', 'result'], rows));
for (const [name, why] of skipped) console.log(`SKIPPED  ${name}: ${why}`);
process.exitCode = exitCode;
