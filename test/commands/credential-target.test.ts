/**
 * Credential flags and the target, for every command that takes them (read from the built
 * manifest, so a new command is covered the day it lands):
 * - an Account SID of the recorded emulator (its test account, or one made with POST
 *   /_emulator/accounts) selects the emulator, not Twilio;
 * - otherwise, when the flags alone made the target Twilio, every error (and whoami) says so and
 *   suggests --target emulator. "Twilio" is reached through a recording HTTP proxy on loopback
 *   (HTTP_PROXY, which the SDK honours), so no test leaves the machine;
 * - half a pair names the missing half; --region/--edge are checked as `profiles add` checks them;
 * - commands without a target refuse credential flags (exit 2) instead of ignoring them.
 */
import {expect} from 'chai';
import {readFileSync, writeFileSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {join} from 'node:path';
import {ROOT, runCli, sandbox, type CliResult, type Sandbox} from '../helpers/cli.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, unknown>}>;
};
const ids = Object.keys(manifest.commands);
/** Commands whose --account-sid/--auth-token mean something else: the account to create or to store (init: to set up; test/commands/init.test.ts). */
const OWN_ACCOUNT_FLAGS = ['emulator:start', 'profiles:add', 'init'];
const targeted = ids.filter((id) => 'target' in manifest.commands[id].flags && !OWN_ACCOUNT_FLAGS.includes(id));

const UNKNOWN_SID = 'AC00000000000000000000000000000009';
const CH = 'CH00000000000000000000000000000009';
/** Commands that only the emulator serves (its control API): on Twilio they refuse at once (EMULATOR_ONLY). */
const EMULATOR_ONLY = ['simulate:inbound', 'simulate:outbox', 'webhooks:tail', 'webhooks:replay'];
/** Commands that follow a stream until Ctrl-C once they reach the emulator (tested on their own). */
const FOLLOWING = ['webhooks:tail'];
const ADDRESS = '+15550009999';
const WS = 'WS00000000000000000000000000000009';
const WK = 'WK00000000000000000000000000000009';
const WT = 'WT00000000000000000000000000000009';
const WR = 'WR00000000000000000000000000000009';
/** A valid workflow configuration file (in the sandbox) for workflows create/update. */
function workflowFile(): string {
  const file = join(box.root, 'workflow.json');
  writeFileSync(file, JSON.stringify({task_routing: {default_filter: {queue: 'WQ00000000000000000000000000000009'}}}));
  return file;
}
/** A valid Studio flow definition file (in the sandbox) for studio deploy/validate. */
function flowFile(): string {
  const file = join(box.root, 'flow.json');
  writeFileSync(file, JSON.stringify({description: 'cred flow', initial_state: 'Trigger', states: [
    {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'hi'}], properties: {}},
    {name: 'hi', type: 'send-message', transitions: [{event: 'sent'}, {event: 'failed'}], properties: {body: 'Hi'}},
  ]}));
  return file;
}
const FW = 'FW00000000000000000000000000000009';
const FN = 'FN00000000000000000000000000000009';
/** A resources file of one address (in the sandbox) for plan/apply. */
function resourcesFile(): string {
  const file = join(box.root, 'flexconv.yaml');
  writeFileSync(file, 'addresses:\n  - {type: chat, address: cred-provisioning}\n');
  return file;
}
/** The Twilio host a command's first request goes to. */
const hostOf = (id: string) =>
  id === 'doctor' || /^interactions:/.test(id) || id === 'conversations:orphans' || id === 'outbound:agent'
    ? 'flex-api.twilio.com'
    : /^studio:/.test(id) || id === 'outbound:reminder'
      ? 'studio.twilio.com'
      : /^(workspaces|activities|workers|queues|workflows|tasks|reservations|taskrouter):/.test(id)
        ? 'taskrouter.twilio.com'
        : 'conversations.twilio.com';
const KD = 'KD00000000000000000000000000000009';
let n = 0;
/** Arguments that make each command send a request (or, for whoami, resolve the target). */
function argsFor(id: string): string[] {
  const args: Record<string, string[]> = {
    whoami: [],
    doctor: [],
    'addresses:list': [],
    'addresses:get': [ADDRESS],
    'addresses:delete': [ADDRESS, '--yes'],
    'addresses:update': [ADDRESS, '--friendly-name', 'x'],
    'addresses:create': ['--type', 'chat', '--address', `cred-${process.pid}-${++n}`],
    'conversations:list': [],
    'conversations:get': [CH],
    'conversations:create': ['--friendly-name', 'cred'],
    'conversations:update': [CH, '--friendly-name', 'x'],
    'conversations:close': [CH, '--yes'],
    'conversations:delete': [CH, '--yes'],
    'conversations:tail': [CH],
    'conversations:prune': ['--dry-run'],
    'conversations:participants:list': [CH],
    'conversations:participants:add': [CH, '--identity', 'alice'],
    'conversations:participants:remove': [CH, 'alice', '--yes'],
    'conversations:webhooks:list': [CH],
    'conversations:webhooks:add': [CH, '--url', 'https://example.com/hook'],
    'conversations:webhooks:remove': [CH, 'WH00000000000000000000000000000009', '--yes'],
    'conversations:config:get': [],
    'conversations:config:set': ['--inactive-timer', 'PT5M'],
    'messages:list': [CH],
    'messages:send': [CH, '--body', 'x'],
    'messages:get': [CH, 'IM00000000000000000000000000000009'],
    'messages:delete': [CH, 'IM00000000000000000000000000000009', '--yes'],
    'services:list': [],
    'services:get': ['IS00000000000000000000000000000009'],
    'simulate:inbound': ['--from', '+15550000001', '--to', '+15550000002', '--body', 'x'],
    'simulate:outbox': [],
    'webhooks:tail': [],
    'webhooks:replay': ['WD00000000000000000000000000000009'],
    'workspaces:list': [],
    'workspaces:get': [WS],
    'workspaces:create': ['--friendly-name', `cred-${process.pid}-${++n}`],
    'activities:list': ['--workspace', WS],
    'workers:list': ['--workspace', WS],
    'workers:get': [WK, '--workspace', WS],
    'workers:create': ['--friendly-name', 'cred', '--workspace', WS],
    'workers:update': [WK, '--friendly-name', 'x', '--workspace', WS],
    'workers:set-activity': [WK, 'WA00000000000000000000000000000009', '--workspace', WS],
    'queues:list': ['--workspace', WS],
    'queues:get': ['WQ00000000000000000000000000000009', '--workspace', WS],
    'queues:create': ['--friendly-name', 'cred', '--workspace', WS],
    'queues:update': ['WQ00000000000000000000000000000009', '--friendly-name', 'x', '--workspace', WS],
    'workflows:list': ['--workspace', WS],
    'workflows:get': ['WW00000000000000000000000000000009', '--workspace', WS],
    'workflows:create': ['--friendly-name', 'cred', '--config', workflowFile(), '--workspace', WS],
    'workflows:update': ['WW00000000000000000000000000000009', '--config', workflowFile(), '--workspace', WS],
    'tasks:list': ['--workspace', WS],
    'tasks:get': [WT, '--workspace', WS],
    'tasks:create': ['--attributes', '{}', '--workspace', WS],
    'tasks:cancel': [WT, '--yes', '--workspace', WS],
    'tasks:wrapup': [WT, '--workspace', WS],
    'tasks:complete': [WT, '--workspace', WS],
    'reservations:list': ['--task', WT, '--workspace', WS],
    'reservations:accept': [WR, '--task', WT, '--workspace', WS],
    'reservations:reject': [WR, '--task', WT, '--workspace', WS],
    'reservations:complete': [WR, '--task', WT, '--workspace', WS],
    'taskrouter:stats': ['--workspace', WS],
    'studio:list': [],
    'studio:get': [FW],
    'studio:delete': [FW, '--yes'],
    'studio:deploy': [flowFile()],
    'studio:validate': [flowFile()],
    'studio:executions:list': [FW],
    'studio:executions:get': [FW, FN],
    'studio:executions:steps': [FW, FN],
    'outbound:reminder': ['--to', '+15550000001', '--from', '+15550000002', '--body', 'x', '--flow', FW],
    'webchat:create': ['--address', 'IG00000000000000000000000000000009'],
    'simulate:webchat': ['--conversation', CH, '--body', 'x'],
    plan: ['-f', resourcesFile()],
    apply: ['-f', resourcesFile()],
    export: [],
    'conversations:orphans': [],
    'interactions:create': ['--to', '+15550000011', '--from', '+15550000012'],
    'interactions:show': [KD],
    'interactions:invite': [KD, '--worker', WK],
    'interactions:transfer': [KD, '--to-worker', WK, '--cold'],
    'interactions:close': [KD, '--yes'],
    'interactions:participants:list': [KD],
    'interactions:participants:close': [KD, '--yes'],
    'outbound:agent': ['--worker', WK, '--to', '+15550000013', '--from', '+15550000012'],
  };
  if (!args[id]) throw new Error(`credential-target.test.ts: add arguments for the new command ${id}`);
  return [...id.split(':'), ...args[id]];
}

let box: Sandbox;
let emulatorUrl: string;
let proxy: Server;
let proxyPort: number;
const connects: string[] = [];

const run = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, {env: {...box.env, HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, ...env}});

/** A request that reached the emulator: success, or the emulator's own 404 for the made-up address. */
function reachedEmulator(id: string, r: CliResult): void {
  const what = `${id}: ${r.stdout}${r.stderr}`;
  if (id === 'whoami') {
    expect(r.exitCode, what).to.equal(0);
    expect(r.json().target, what).to.equal('emulator');
    return;
  }
  if (r.exitCode === 0) return;
  // no address configuration for the made-up number: the emulator's own answer
  if (id === 'simulate:inbound') return void expect(r.json().error, what).to.deep.include({code: 'INBOUND_DROPPED'});
  expect(r.json().error, what).to.deep.include({code: 'NOT_FOUND'});
  expect(r.json().error.twilio, what).to.include({code: 20404});
}

describe('commands: credential flags and the target', function () {
  this.timeout(120_000);

  before(async () => {
    box = sandbox('flexconv-credtarget-');
    proxy = createServer((socket: Socket) => {
      // the SDK's proxy agent opens a tunnel: record where to, then reset the connection (as an unreachable host would)
      socket.once('data', (d) => {
        connects.push(d.toString('latin1').split('\r\n')[0]);
        socket.resetAndDestroy();
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyPort = (proxy.address() as {port: number}).port;
    const started = await runCli(['emulator', 'start', '--detach', '--port', '0', '--db', ':memory:', '--json'], {env: box.env});
    expect(started.exitCode, started.stderr).to.equal(0);
    emulatorUrl = started.json().url;
  });
  after(async () => {
    await runCli(['emulator', 'stop'], {env: box.env});
    proxy?.close();
    box?.cleanup();
  });

  it('covers the commands it is about', () => {
    expect(targeted).to.include.members(['whoami', 'addresses:list', 'addresses:create', 'addresses:get', 'addresses:update', 'addresses:delete']);
  });

  it("the recorded emulator's test account as flags goes to the emulator, for every command", async () => {
    const status = (await run(['emulator', 'status', '--json'])).json();
    for (const id of targeted.filter((t) => !FOLLOWING.includes(t))) {
      const r = await run([...argsFor(id), '--account-sid', status.account_sid, '--auth-token', status.auth_token, '--json']);
      reachedEmulator(id, r);
    }
    expect(connects).to.deep.equal([]);
  });

  it('an account made with POST /_emulator/accounts goes to the emulator too, and sees its own data', async () => {
    const res = await fetch(`${emulatorUrl}/_emulator/accounts`, {method: 'POST'});
    const {account_sid: sid, auth_token: token} = (await res.json()) as {account_sid: string; auth_token: string};
    for (const id of targeted.filter((t) => !FOLLOWING.includes(t)))
      reachedEmulator(id, await run([...argsFor(id), '--account-sid', sid, '--auth-token', token, '--json']));
    const created = await run(['addresses', 'create', '--type', 'chat', '--address', 'only-mine', '--account-sid', sid, '--auth-token', token, '--json']);
    expect(created.exitCode, created.stderr).to.equal(0);
    expect(created.json().account_sid).to.equal(sid);
    const mine = await run(['addresses', 'list', '--account-sid', sid, '--auth-token', token, '--json']);
    expect(mine.json().map((a: {address: string}) => a.address)).to.include('only-mine');
    const theirs = await run(['addresses', 'list', '--json']);
    expect(theirs.json().map((a: {address: string}) => a.address)).not.to.include('only-mine');
    expect(connects).to.deep.equal([]);
  });

  it('an account no emulator has goes to Twilio, and every error (and whoami) says why and suggests --target emulator', async () => {
    for (const id of targeted) {
      connects.length = 0;
      const r = await run([...argsFor(id), '--account-sid', UNKNOWN_SID, '--auth-token', 'secret', '--json']);
      const what = `${id}: ${r.stdout}${r.stderr}`;
      if (id === 'whoami') {
        expect(r.exitCode, what).to.equal(0);
        expect(r.json().target).to.equal('twilio');
        expect(r.json().sources.target, what).to.contain('--account-sid').and.contain('--target emulator');
        continue;
      }
      if (EMULATOR_ONLY.includes(id)) {
        expect(r.exitCode, what).to.equal(2);
        expect(r.json().error.code, what).to.equal('EMULATOR_ONLY');
        expect(r.json().error.hints.join('\n'), what).to.contain('add --target emulator');
        expect(connects, what).to.deep.equal([]);
        continue;
      }
      expect(r.exitCode, what).to.equal(1);
      // doctor reports (exit 1) instead of failing: the same finding is its failed "Credentials work" check
      const auth = id === 'doctor' ? r.json().checks.find((c: {id: string}) => c.id === 'auth') : undefined;
      const error = auth ? {code: auth.detail.split(':')[0], hints: auth.fix} : r.json().error;
      expect(error.code, what).to.equal('NETWORK');
      expect(error.hints.join('\n'), what).to.contain('only because of --account-sid, --auth-token').and.contain('add --target emulator');
      expect(connects, what).to.deep.equal([`CONNECT ${hostOf(id)}:443 HTTP/1.1`]);
    }
  });

  it('with --target twilio, or credentials from the environment, there is no such note', async () => {
    connects.length = 0;
    const explicit = await run(['addresses', 'list', '--target', 'twilio', '--account-sid', UNKNOWN_SID, '--auth-token', 's', '--json']);
    expect(explicit.json().error.hints.join('\n')).not.to.contain('only because of');
    const fromEnv = await run(['addresses', 'list', '--json'], {TWILIO_ACCOUNT_SID: UNKNOWN_SID, TWILIO_AUTH_TOKEN: 's'});
    expect(fromEnv.json().error.code).to.equal('NETWORK');
    expect(fromEnv.json().error.hints.join('\n')).not.to.contain('only because of');
    expect(connects).to.have.length(2);
  });

  it('half a credential pair names the missing half (exit 2), on every command and either target', async () => {
    const cases: [string[], RegExp][] = [
      [['--account-sid', UNKNOWN_SID], /^Account SID AC0+9 \(--account-sid\) has no auth token or API key$/],
      [['--api-key', 'SK00000000000000000000000000000001'], /^API key SK0+1 \(--api-key\) has no secret$/],
      [['--api-secret', 's', '--account-sid', UNKNOWN_SID], /^An API secret \(--api-secret\) but no API key$/],
      [['--auth-token', 's'], /^An auth token \(--auth-token\) but no Account SID$/],
    ];
    // Every case on every target for the first commands and one of each later kind (an API
    // resource, an emulator control call); two cases on each other command (same resolution
    // code, and each such run costs a CLI start: 32 commands × 12 would be minutes).
    const full = ['whoami', 'addresses:list', 'addresses:create', 'addresses:get', 'addresses:update', 'addresses:delete', 'conversations:get', 'simulate:outbox'];
    for (const id of targeted)
      await Promise.all(
        (full.includes(id) ? cases : [cases[0], cases[1]]).flatMap(([flags, message], i) =>
          (full.includes(id) ? [[], ['--target', 'twilio'], ['--target', 'emulator']] : [i === 0 ? [] : ['--target', 'emulator']]).map(async (target) => {
            const r = await run([...argsFor(id), ...flags, ...target, '--json']);
            const what = `${id} ${flags.join(' ')} ${target.join(' ')}: ${r.stdout}${r.stderr}`;
            expect(r.exitCode, what).to.equal(2);
            expect(r.json().error.code, what).to.equal('INCOMPLETE_CREDENTIALS');
            expect(r.json().error.message, what).to.match(message);
          }),
        ),
      );
    // from the environment, when the target is Twilio
    const env = await run(['whoami', '--target', 'twilio', '--json'], {TWILIO_ACCOUNT_SID: UNKNOWN_SID});
    expect(env.exitCode).to.equal(2);
    expect(env.json().error.message).to.equal(`Account SID ${UNKNOWN_SID} (env TWILIO_ACCOUNT_SID) has no auth token or API key`);
  });

  it('--region/--edge are checked as profiles add checks them, on every command; errors name the host actually used', async () => {
    const creds = ['--account-sid', UNKNOWN_SID, '--auth-token', 's'];
    for (const id of targeted) {
      for (const [flag, value, hint] of [
        ['--region', 'Ireland 1', 'a region is like us1, ie1 or au1'],
        ['--edge', 'Dub lin', 'an edge is like ashburn, dublin or sydney'],
      ]) {
        const r = await run([...argsFor(id), ...creds, flag, value, '--json']);
        const what = `${id} ${flag}: ${r.stdout}${r.stderr}`;
        expect(r.exitCode, what).to.equal(2);
        expect(r.json().error.code, what).to.equal('BAD_CREDENTIALS');
        expect(r.json().error.message, what).to.equal(`Invalid value: ${flag} "${value}": ${hint}`);
      }
    }
    const env = await run(['whoami', ...creds, '--json'], {TWILIO_REGION: 'eu west'});
    expect(env.exitCode).to.equal(2);
    expect(env.json().error.message).to.equal('Invalid value: region "eu west" (env TWILIO_REGION): a region is like us1, ie1 or au1');
    connects.length = 0;
    const r = await run(['addresses', 'list', ...creds, '--region', 'ie1', '--edge', 'dublin', '--json']);
    expect(r.json().error.message).to.contain('https://conversations.dublin.ie1.twilio.com');
    expect(connects).to.deep.equal(['CONNECT conversations.dublin.ie1.twilio.com:443 HTTP/1.1']);
  });

  it('commands without a target refuse credential flags instead of ignoring them', async () => {
    const others = ids.filter((id) => !targeted.includes(id) && !OWN_ACCOUNT_FLAGS.includes(id) && id !== 'demo');
    expect(others).to.include.members(['emulator:status', 'emulator:stop', 'emulator:reset', 'profiles:list', 'profiles:use', 'profiles:remove']);
    for (const id of others) {
      const r = await run([...id.split(':'), '--account-sid', UNKNOWN_SID, '--auth-token', 's', '--json']);
      expect(r.exitCode, `${id}: ${r.stdout}`).to.equal(2);
      expect(r.json().error.code).to.equal('USAGE');
      expect(r.json().error.message).to.match(/Nonexistent flags?: --account-sid/);
    }
  });
});
