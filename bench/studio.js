#!/usr/bin/env node
// Studio executions benchmark (on demand, after `npm run build`):
//
//   node bench/studio.js
//
// First runs bench/interactions.js (a child process, its own emulator) for the figure to compare
// with; then an emulator (file DB, WAL, group commit) with the Flex account set-up, 100 available
// agents with sms capacity 10 each, a published 3-widget flow (set-variables → split-based-on →
// send-to-flex) on an SMS address with Studio auto-creation, and 1,000 inbound SMS over the
// control API, each from a new customer: a conversation auto-created, its studio webhook, an
// execution of the three widgets, a customer-initiated interaction and its task routed through
// "Assign to Anyone". Reports Studio executions per second (each inbound request answered with
// its execution ended and its task created) next to interactions/s of the same run.
//
// Environment: BENCH_EXECUTIONS=1000  BENCH_AGENTS=100  BENCH_CAPACITY=10  BENCH_CONCURRENCY=16
//              BENCH_SKIP_INTERACTIONS=1 (skip the comparison run)
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {Agent, request} from 'node:http';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {startEmulator} from '../dist/lib/emulator/index.js';

const N = Number(process.env.BENCH_EXECUTIONS ?? 1000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const here = dirname(fileURLToPath(import.meta.url));

// the comparison figure first, in a process of its own (same machine, same minute)
let interactions;
if (!process.env.BENCH_SKIP_INTERACTIONS) {
  const out = execFileSync(process.execPath, [join(here, 'interactions.js')], {encoding: 'utf8', env: {...process.env, BENCH_INTERACTIONS: String(N)}});
  interactions = JSON.parse(out.slice(out.indexOf('{')));
}

const dir = mkdtempSync(join(tmpdir(), 'flexconv-studio-'));
const emu = await startEmulator({db: join(dir, 'bench.db'), clock: 'manual'});
const agent = new Agent({keepAlive: true, maxSockets: CONCURRENCY * 2});
const auth = `Basic ${Buffer.from(`${emu.accountSid}:${emu.authToken}`).toString('base64')}`;

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
  const definition = {
    initial_state: 'Trigger',
    states: [
      {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'remember'}], properties: {}},
      {name: 'remember', type: 'set-variables', transitions: [{event: 'next', next: 'route'}], properties: {variables: [{key: 'topic', value: '{{trigger.conversation.Body | downcase}}'}]}},
      {
        name: 'route',
        type: 'split-based-on',
        transitions: [
          {event: 'noMatch', next: 'flex'},
          {event: 'match', next: 'flex', conditions: [{friendly_name: 'billing', arguments: ['{{flow.variables.topic}}'], type: 'contains', value: 'bill'}]},
        ],
        properties: {input: '{{flow.variables.topic}}'},
      },
      {
        name: 'flex',
        type: 'send-to-flex',
        transitions: [{event: 'callComplete'}, {event: 'failedToEnqueue'}],
        properties: {workflow: config.taskrouter_target_workflow_sid, channel: 'sms', attributes: '{"topic": "{{flow.variables.topic}}"}'},
      },
    ],
  };
  const flow = await call('POST', '/studio/v2/Flows', {FriendlyName: 'bench', Status: 'published', Definition: JSON.stringify(definition)});
  const address = '+15558880000';
  await call('POST', '/conversations/v1/Configuration/Addresses', {
    Type: 'sms',
    Address: address,
    'AutoCreation.Enabled': 'true',
    'AutoCreation.Type': 'studio',
    'AutoCreation.StudioFlowSid': flow.sid,
  });
  let next = 0;
  const t0 = performance.now();
  async function customer() {
    while (next < N) {
      const i = next++;
      await call('POST', '/_emulator/inbound', {From: `+1555${String(1_000_000 + i)}`, To: address, Body: i % 2 ? 'My bill is wrong' : 'Hello'});
    }
  }
  await Promise.all(Array.from({length: CONCURRENCY}, customer));
  const seconds = (performance.now() - t0) / 1000;
  // every execution observed through the API: ended, its last step the hand-off
  let ended = 0;
  for (let page = `/studio/v2/Flows/${flow.sid}/Executions?PageSize=1000`; page; ) {
    const body = await call('GET', page);
    ended += body.executions.filter((e) => e.status === 'ended').length;
    page = body.meta.next_page_url ? body.meta.next_page_url.slice(emu.url.length) : undefined;
  }
  const result = {
    executions: N,
    ended,
    agents: AGENTS,
    capacity: CAPACITY,
    concurrency: CONCURRENCY,
    executions_per_s: Math.round(N / seconds),
    interactions_per_s: interactions?.interactions_per_s ?? null,
    ratio_executions_to_interactions: interactions ? +(N / seconds / interactions.interactions_per_s).toFixed(2) : null,
    note: 'one execution = an inbound SMS answered: conversation + participant + message + 3 widgets + interaction + task + its reservation; figures are noisy on a shared 2-core machine',
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  agent.destroy();
  await emu.stop();
  rmSync(dir, {recursive: true, force: true});
}
