/**
 * `flexconv init` as a user meets it: the built CLI in a real pseudo-terminal answering the
 * prompts (never a mocked prompt library), and as one non-interactive command. The emulator path
 * end to end: init starts a detached emulator on a free port (--emulator-port 0) in the test's
 * sandbox state dir, and every test stops whatever is left running.
 */
import {expect} from 'chai';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {alive, killIfAlive, ptyRunner, runCli, runCliInPty, useSandbox, type PtyStep, type Sandbox} from '../helpers/cli.js';
import {startTestEmulator} from '../helpers/emulator.js';
import {runInit} from '../../src/lib/flows/init.js';
import {FlexconvError} from '../../src/lib/errors.js';

let box: Sandbox;
useSandbox((b) => (box = b), 'flexconv-init-');
const run = (...args: string[]) => runCli(args, {env: box.env, cwd: box.cwd, timeout: 40_000});
const config = () => join(box.cwd, 'flexconv.config.yaml');
const record = () => join(box.stateDir, 'emulator.json');
const profiles = () => join(box.configDir, 'profiles.json');
const pty = (args: string[], steps: PtyStep[]) => runCliInPty(['init', '--emulator-port', '0', ...args], steps, {env: box.env, cwd: box.cwd, timeout: 20_000});
const startedPid = (output: string) => Number(/Started the emulator at \S+ \(pid (\d+)\)/.exec(output)?.[1]);

/** The emulator path's questions, in order, with the answers of a first run. */
const EMULATOR_STEPS: PtyStep[] = [
  {expect: /Where should flexconv send requests\?/, send: '\r'}, // the emulator (first choice)
  {expect: /Task channel for conversation tasks/, send: '\r'}, // chat (the default)
  {expect: /Conversation service of Flex/, send: '\r'}, // Flex Chat Service (the Flex Configuration's, preselected)
  {expect: /Create a first Conversations address\?/, send: '\r'}, // an SMS number
  {expect: /Address \(e\.g\. \+1555/, send: '+15551230002\r'},
  {expect: /Who gets the conversations/, send: '\x1b[B'}, // Studio is preselected: down to the webhook
  {expect: /❯ A webhook of yours/, send: '\r'},
  {expect: /Webhook URL/, send: 'http://127.0.0.1:9/hook\r'},
  {expect: /Go ahead\?/, send: '\r'},
];

describe('commands: init', function () {
  this.timeout(120_000);
  let pids: number[] = [];
  beforeEach(() => (pids = []));
  afterEach(async () => {
    if (existsSync(record())) await run('emulator', 'stop');
    for (const p of pids) killIfAlive(p);
  });

  describe('in a pseudo-terminal', () => {
    before(function () {
      const p = ptyRunner();
      if (!p.ok) this.skip();
    });

    it('the emulator path end to end: starts an emulator, finds the Flex setup, creates the address, writes the config', async () => {
      const r = await pty([], EMULATOR_STEPS);
      pids.push(startedPid(r.output));
      expect(r.exitCode, r.output).to.equal(0);
      expect(r.output).to.match(/Started the emulator at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
      expect(r.output).to.contain('create the sms address +15551230002 (auto-creation: webhook http://127.0.0.1:9/hook');
      expect(r.output).to.contain('✔ Created the sms address +15551230002');
      const text = readFileSync(config(), 'utf8');
      expect(text).to.match(/^# flexconv project config, written by `flexconv init`/);
      expect(text).to.match(/\ntarget: emulator\n/).and.match(/\nemulatorUrl: http:\/\/127\.0\.0\.1:\d+\n/);
      expect(text).to.match(/\nworkspace: WS[0-9a-f]{32}\n/).and.match(/\ntaskChannel: chat\n/).and.match(/\naddress: IG[0-9a-f]{32}\n/);
      expect(existsSync(profiles()), 'no profile for the emulator').to.equal(false);
      // the project's commands now use that emulator and see the address
      const list = await run('addresses', 'list', '--json');
      expect(list.exitCode, list.stderr).to.equal(0);
      const [a] = list.json();
      expect(a).to.deep.include({type: 'sms', address: '+15551230002'});
      expect(a.auto_creation).to.deep.include({type: 'webhook', webhook_url: 'http://127.0.0.1:9/hook'});
      expect(text).to.contain(`address: ${a.sid}`);
    });

    for (let at = 0; at < EMULATOR_STEPS.length; at++) {
      it(`Ctrl-C at question ${at + 1} (${EMULATOR_STEPS[at].expect.source.replace(/\\/g, '')}) leaves nothing: no config, no profile, no address, the emulator it started stopped`, async () => {
        const steps = [...EMULATOR_STEPS.slice(0, at), {expect: EMULATOR_STEPS[at].expect, send: '\x03'}];
        const r = await pty([], steps);
        const pid = startedPid(r.output);
        if (pid) pids.push(pid);
        expect(r.exitCode, r.output).to.equal(1);
        expect(r.output).to.match(/CANCELLED: Cancelled; nothing was saved/);
        expect(existsSync(config()), 'config file').to.equal(false);
        expect(existsSync(profiles()), 'profiles.json').to.equal(false);
        expect(existsSync(record()), 'emulator record').to.equal(false);
        if (at > 0) {
          expect(r.output).to.contain('stopped the emulator init had started');
          expect(alive(pid), `emulator pid ${pid}`).to.equal(false);
        }
      });
    }

    it('re-run on a configured project offers keep or change for each part: keep all changes nothing', async () => {
      const first = await run('init', '--no-interactive', '--target', 'emulator', '--emulator-port', '0', '--address-type', 'chat', '--address', 'site', '--auto-creation-type', 'default');
      expect(first.exitCode, first.stderr).to.equal(0);
      const before = readFileSync(config(), 'utf8');
      const r = await pty([], [
        {expect: /Target and credentials: the emulator at http/, send: '\r'},
        {expect: /Flex setup: workspace Flex Task Assignment/, send: '\r'},
        {expect: /Address: chat site \(IG/, send: '\r'},
      ]);
      expect(r.exitCode, r.output).to.equal(0);
      expect(r.output).to.contain('Everything is set up already; nothing to change');
      expect(r.output).to.match(/Config file +\S+flexconv\.config\.yaml \(unchanged\)/);
      expect(readFileSync(config(), 'utf8')).to.equal(before);
    });

    it('re-run: change the address only (a second one is created; the config points at it)', async () => {
      const first = await run('init', '--no-interactive', '--target', 'emulator', '--emulator-port', '0', '--address-type', 'chat', '--address', 'site', '--auto-creation-type', 'default', '--json');
      expect(first.exitCode, first.stderr).to.equal(0);
      const old = first.json().address.sid;
      const r = await pty([], [
        {expect: /Target and credentials: the emulator/, send: '\r'},
        {expect: /Flex setup: workspace/, send: '\r'},
        {expect: /Address: chat site/, send: '\x1b[B'}, // arrow down: Change it
        {expect: /❯ Change it/, send: '\r'},
        {expect: /Create a first Conversations address\?/, send: '\x1b[B\x1b[B'}, // a web chat address
        {expect: /❯ Yes: a web chat address/, send: '\r'},
        {expect: /Address \(any name for the web chat\)/, send: '\x15support\r'},
        {expect: /Who gets the conversations/, send: '\x1b[B\x1b[B'}, // from Studio (preselected) past the webhook to "Nothing"
        {expect: /❯ Nothing: auto-create/, send: '\r'},
        {expect: /Go ahead\?/, send: 'y\r'},
      ]);
      expect(r.exitCode, r.output).to.equal(0);
      const text = readFileSync(config(), 'utf8');
      const list = (await run('addresses', 'list', '--json')).json() as {sid: string; address: string}[];
      const added = list.find((a) => a.address === 'support');
      expect(added, JSON.stringify(list)).to.not.equal(undefined);
      expect(text).to.contain(`address: ${added!.sid}`).and.not.contain(old);
      expect(list.map((a) => a.address).sort()).to.deep.equal(['site', 'support']);
    });

    it('the Twilio path asks for the Account SID and the secret, without echo; Ctrl-C there saves nothing', async () => {
      for (const [steps, label] of [
        [[{expect: /Where should flexconv send requests/, send: '\x1b[B'}, {expect: /❯ Twilio/, send: '\r'}, {expect: /Account SID \(AC/, send: '\x03'}], 'at the SID'],
        [
          [
            {expect: /Where should flexconv send requests/, send: '\x1b[B'},
            {expect: /❯ Twilio/, send: '\r'},
            {expect: /Account SID \(AC/, send: 'AC0123456789abcdef0123456789abcdef\r'},
            {expect: /Authenticate with/, send: '\r'},
            {expect: /\? Auth Token/, send: 'secret-tok\x03'},
          ],
          'at the token',
        ],
      ] as const) {
        const r = await pty([], [...steps]);
        expect(r.exitCode, `${label}: ${r.output}`).to.equal(1);
        expect(r.output, label).to.contain('Cancelled; nothing was saved');
        expect(r.output, label).not.to.contain('secret-tok');
        expect(existsSync(profiles()), label).to.equal(false);
        expect(existsSync(config()), label).to.equal(false);
        expect(existsSync(record()), `${label}: no emulator for the Twilio path`).to.equal(false);
      }
    });

    it('declining "Go ahead?" changes nothing and stops the emulator it started (exit 0)', async () => {
      const steps = [...EMULATOR_STEPS.slice(0, -1), {expect: /Go ahead\?/, send: 'n\r'}];
      const r = await pty([], steps);
      const pid = startedPid(r.output);
      pids.push(pid);
      expect(r.exitCode, r.output).to.equal(0);
      expect(r.output).to.contain('Cancelled; nothing was changed');
      expect(existsSync(config())).to.equal(false);
      expect(existsSync(record())).to.equal(false);
      expect(alive(pid)).to.equal(false);
    });
  });

  describe('non-interactive', () => {
    it('without a terminal nothing is asked: the missing flags are named at once (exit 2)', async () => {
      const none = await run('init');
      expect(none.exitCode, none.stderr).to.equal(2);
      expect(none.stderr).to.match(/^✖ USAGE: Missing --target emulator\|twilio: not interactive/);
      const twilio = await run('init', '--target', 'twilio');
      expect(twilio.exitCode).to.equal(2);
      expect(twilio.stderr).to.contain('Missing --account-sid, --auth-token (or --api-key and --api-secret)');
      const half = await run('init', '--no-interactive', '--target', 'twilio', '--account-sid', 'AC0123456789abcdef0123456789abcdef', '--api-key', 'SK0123456789abcdef0123456789abcdef');
      expect(half.exitCode).to.equal(2);
      expect(half.stderr).to.contain('Missing --api-secret');
      const address = await run('init', '--no-interactive', '--target', 'emulator', '--address-type', 'sms');
      expect(address.exitCode).to.equal(2);
      expect(address.stderr).to.contain('Missing --address, --auto-creation-type studio|webhook|default');
      const hook = await run('init', '--target', 'emulator', '--address-type', 'sms', '--address', '+15551230003', '--auto-creation-type', 'webhook');
      expect(hook.exitCode).to.equal(2);
      expect(hook.stderr).to.contain('Missing --webhook-url');
      for (const r of [none, twilio, half, address, hook]) expect(r.stdout).to.equal('');
      expect(existsSync(config())).to.equal(false);
      expect(existsSync(record()), 'no emulator was started').to.equal(false);
    });

    it('bad values are usage errors before anything starts', async () => {
      const r = await run('init', '--target', 'emulator', '--address-type', 'sms', '--address', 'not-a-number', '--auto-creation-type', 'webhook', '--webhook-url', 'ftp://x');
      expect(r.exitCode).to.equal(2);
      expect(r.stderr).to.contain('--webhook-url "ftp://x": not an absolute http(s) URL');
      expect(r.stderr).to.contain('--address "not-a-number"');
      expect(existsSync(record())).to.equal(false);
    });

    it('one command for CI: emulator, webhook address, --json alone on stdout', async () => {
      const r = await run('init', '--target', 'emulator', '--emulator-port', '0', '--address-type', 'whatsapp', '--address', 'whatsapp:+15551230004', '--auto-creation-type', 'webhook', '--webhook-url', 'https://example.com/wa', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      const j = r.json();
      pids.push(j.emulator.pid);
      expect(j).to.deep.include({target: 'emulator', config_action: 'written', profile: null, api_key_created: null});
      expect(j.emulator.started).to.equal(true);
      expect(j.flex.configuration).to.equal(true);
      expect(j.flex.workspace.friendly_name).to.equal('Flex Task Assignment');
      expect(j.flex.task_channel.unique_name).to.equal('chat');
      expect(j.address).to.deep.include({type: 'whatsapp', address: 'whatsapp:+15551230004', auto_creation: 'webhook', created: true});
      expect(j.changes).to.have.length(2);
      expect(j.changes[0]).to.match(/^created the whatsapp address whatsapp:\+15551230004 \(IG/);
      expect(r.stderr, 'under --json stderr keeps to warnings').not.to.contain('✔');
      expect(readFileSync(config(), 'utf8')).to.contain(`address: ${j.address.sid}`);
      // doctor agrees, except for the webhook that does not answer (example.com is not reachable from tests)
      const doc = await run('doctor', '--json');
      const checks = (doc.json() as {checks: {id: string; status: string}[]}).checks;
      expect(checks.find((c) => c.id === 'flex-setup')?.status).to.equal('ok');
    });

    it('Studio on the emulator: the starter flow (Send to Flex) is deployed, the address runs it, and a customer\'s message becomes a Flex task', async () => {
      const r = await run('init', '--target', 'emulator', '--emulator-port', '0', '--address-type', 'sms', '--address', '+15551230009', '--auto-creation-type', 'studio', '--studio-flow', 'new', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      const j = r.json();
      expect(j.studio_flow).to.include({deployed: true});
      expect(j.studio_flow.sid).to.match(/^FW[0-9a-f]{32}$/);
      const [a] = (await run('addresses', 'list', '--json')).json();
      expect(a.auto_creation).to.deep.include({type: 'studio', studio_flow_sid: j.studio_flow.sid});
      const sent = await run('simulate', 'inbound', '--from', '+15557770009', '--to', '+15551230009', '--body', 'hello from init', '--json');
      expect(sent.exitCode, sent.stderr).to.equal(0);
      const tasks = await run('tasks', 'list', '--json');
      expect(tasks.exitCode, tasks.stderr).to.equal(0);
      const list = tasks.json() as {attributes: string | Record<string, unknown>}[];
      const attrs = list.map((t) => (typeof t.attributes === 'string' ? JSON.parse(t.attributes) : t.attributes));
      expect(attrs.some((a) => a.conversationSid && a.from === '+15557770009'), JSON.stringify(attrs)).to.equal(true);
    });

    it('re-run without flags keeps every part; a flag changes only its part', async () => {
      const first = await run('init', '--target', 'emulator', '--emulator-port', '0', '--json');
      expect(first.exitCode, first.stderr).to.equal(0);
      const again = await run('init', '--json');
      expect(again.exitCode, again.stderr).to.equal(0);
      expect(again.json()).to.deep.include({config_action: 'unchanged', changes: []});
      expect(again.json().emulator.started).to.equal(false);
      const withAddress = await run('init', '--address-type', 'sms', '--address', '+15551230005', '--auto-creation-type', 'default', '--json');
      expect(withAddress.exitCode, withAddress.stderr).to.equal(0);
      const j = withAddress.json();
      expect(j.address.created).to.equal(true);
      expect(j.flex.workspace.sid).to.equal(first.json().flex.workspace.sid);
      expect(readFileSync(config(), 'utf8')).to.contain(`address: ${j.address.sid}`);
    });

    it('another config file in the project directory: a usage error naming it', async () => {
      writeFileSync(join(box.cwd, '.flexconvrc.json'), '{"target": "emulator"}');
      const r = await run('init', '--target', 'emulator');
      expect(r.exitCode).to.equal(2);
      expect(r.stderr).to.contain('.flexconvrc.json is this project\'s config; flexconv init writes flexconv.config.yaml');
    });

    it('--help is fast to reach and shows flags and examples', async () => {
      const r = await run('init', '--help');
      expect(r.exitCode).to.equal(0);
      expect(r.stdout).to.contain('--no-interactive').and.contain('--address-type').and.contain('--create-api-key');
      expect(r.stdout).to.contain('$ flexconv init --no-interactive --target emulator');
    });
  });

  describe('Ctrl-C while the plan is applied (the flow in this process, a real SIGINT event)', () => {
    it('stops after the current step: the config is not written, the address made so far is named with its undo', async () => {
      const t = await startTestEmulator();
      // Only init's own SIGINT listener may see the signal (mocha's would abort the run).
      const others = process.listeners('SIGINT');
      process.removeAllListeners('SIGINT');
      const changed: string[] = [];
      try {
        const error = await runInit(
          {dir: box.cwd, interactive: false, target: 'emulator', emulatorUrl: t.emu.url, addressType: 'chat', address: 'sigint', autoCreationType: 'default'},
          {
            connect: async () => t.client as never,
            env: {...process.env, ...box.env} as NodeJS.ProcessEnv,
            note: () => undefined,
            changed: (m) => {
              changed.push(m);
              if (changed.length === 1) process.emit('SIGINT');
            },
          },
        ).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(FlexconvError);
        const e = error as FlexconvError;
        expect(e.code).to.equal('CANCELLED');
        const [made] = await t.client.conversations.v1.addressConfigurations.list();
        expect(made.address).to.equal('sigint');
        expect(changed).to.deep.equal([`Created the chat address sigint (${made.sid})`]);
        expect(e.hints.join('\n')).to.contain(`created the chat address sigint (${made.sid}) — it stays; to undo: flexconv addresses delete ${made.sid}`);
        expect(existsSync(config()), 'config file').to.equal(false);
        expect(process.listenerCount('SIGINT'), 'init removed its listener').to.equal(0);
      } finally {
        for (const l of others) process.on('SIGINT', l as NodeJS.SignalsListener);
        await t.emu.stop();
      }
    });
  });
});
