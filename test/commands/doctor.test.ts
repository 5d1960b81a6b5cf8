/**
 * `flexconv doctor` against the emulator: the built CLI as a child process, a project config in
 * the sandbox pointing at an emulator started here, and one misconfiguration per test, made with
 * the real SDK. Each must be detected (its check fails, with a fix), and doctor exits 1.
 */
import {expect} from 'chai';
import {writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import {join} from 'node:path';
import {freePort, runCli, useSandbox, type Sandbox} from '../helpers/cli.js';
import {phone, useEmulator} from '../helpers/emulator.js';
import {nodeCheck} from '../../src/lib/flows/doctor.js';

let box: Sandbox;
useSandbox((b) => (box = b), 'flexconv-doctor-');
const t = useEmulator();

interface Check {
  id: string;
  title: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string[];
  file?: string;
  line?: number;
}
interface Report {
  ok: boolean;
  counts: Record<Check['status'], number>;
  checks: Check[];
}

const configFile = () => join(box.cwd, 'flexconv.config.yaml');
/** A project config for the emulator under test, plus `extra` lines. */
const project = (extra = '', url = t.emu.url) => writeFileSync(configFile(), `# test project\ntarget: emulator\nemulatorUrl: ${url}\n${extra}`);
const doctor = async (...args: string[]) => {
  const r = await runCli(['doctor', '--json', ...args], {env: box.env, cwd: box.cwd, timeout: 30_000});
  return {r, report: r.json() as Report};
};
const check = (report: Report, id: string) => {
  const c = report.checks.find((x) => x.id === id || x.id.startsWith(`${id}:`));
  if (!c) throw new Error(`no check ${id} in ${JSON.stringify(report.checks.map((x) => x.id))}`);
  return c;
};

describe('commands: doctor (emulator)', function () {
  this.timeout(60_000);
  let server: Server | undefined;
  beforeEach(async () => {
    await t.emu.reset();
  });
  afterEach(() => server?.close());

  it('a healthy project: every check passes, exit 0; the human form lists each check', async () => {
    const flex = await t.client.flexApi.v1.configuration().fetch();
    project(`workspace: ${flex.taskrouterWorkspaceSid}\nworkflow: ${flex.taskrouterTargetWorkflowSid}\ntaskChannel: chat\nchatService: ${flex.chatServiceInstanceSid}\n`);
    await t.client.conversations.v1.addressConfigurations.create({type: 'chat', address: 'healthy', 'autoCreation.enabled': true, 'autoCreation.type': 'default'});
    const {r, report} = await doctor();
    expect(r.exitCode, r.stdout).to.equal(0);
    expect(report.ok).to.equal(true);
    expect(report.checks.map((c) => c.id)).to.deep.equal(['node', 'config', 'credentials', 'emulator', 'auth', 'flex-setup', 'addresses', 'webhooks', 'orphans']);
    for (const c of report.checks) expect(c.status, `${c.id}: ${c.detail}`).to.equal('ok');
    expect(check(report, 'emulator').detail).to.match(/^answers at http:\/\/127\.0\.0\.1:\d+: version \d+\.\d+\.\d+, pid \d+/);
    expect(check(report, 'credentials').detail).to.contain(`target emulator (config ${configFile()})`);
    expect(check(report, 'flex-setup').detail).to.contain('workspace Flex Task Assignment').and.contain('task channel chat');
    const human = await runCli(['doctor'], {env: box.env, cwd: box.cwd, timeout: 30_000});
    expect(human.exitCode).to.equal(0);
    expect(human.stdout).to.match(/^✔ Node\.js: v\d+/m).and.match(/^✔ Emulator: answers at /m).and.match(/\n9 ok, 0 warnings, 0 failed\n$/);
  });

  it('a Node older than the package supports fails the Node check with the fix', () => {
    const c = nodeCheck('18.19.0');
    expect(c.status).to.equal('fail');
    expect(c.fix?.[0]).to.contain('install Node.js 20.19.0 or newer');
    expect(nodeCheck('20.19.0').status).to.equal('ok');
    expect(nodeCheck('22.1.0').status).to.equal('ok');
  });

  it('a config file with a syntax error: its file and line (exit 1)', async () => {
    writeFileSync(configFile(), 'target: emulator\nworkspace: [oops\n');
    const {r, report} = await doctor();
    expect(r.exitCode).to.equal(1);
    const c = check(report, 'config');
    expect(c.status).to.equal('fail');
    expect(c.file).to.equal(configFile());
    expect(c.line).to.be.a('number');
    expect(c.detail).to.match(/line \d+/);
  });

  it('a config file with an unknown setting: the line of that key, with the did-you-mean', async () => {
    project('workspce: WS123\n');
    const {report} = await doctor();
    const c = check(report, 'config');
    expect(c).to.deep.include({status: 'fail', file: configFile(), line: 4});
    expect(c.detail).to.contain('unknown setting "workspce" (line 4)');
    expect(c.fix?.join(' ')).to.contain('did you mean "workspace"');
  });

  it('target twilio without credentials: the credentials check fails, naming where to put them', async () => {
    writeFileSync(configFile(), 'target: twilio\n');
    const {r, report} = await doctor();
    expect(r.exitCode).to.equal(1);
    const c = check(report, 'credentials');
    expect(c.status).to.equal('fail');
    expect(c.detail).to.contain('NO_CREDENTIALS');
    expect(c.fix?.join(' ')).to.contain('flexconv profiles add');
    expect(check(report, 'auth').status).to.equal('skip');
  });

  it('credentials the emulator refuses: "Credentials work" fails (AUTH_FAILED)', async () => {
    project();
    const {r, report} = await doctor('--account-sid', t.emu.accountSid, '--auth-token', 'not-the-token', '--target', 'emulator');
    expect(r.exitCode).to.equal(1);
    expect(check(report, 'credentials').detail).to.contain('account ' + t.emu.accountSid + ' (flag --account-sid)');
    const c = check(report, 'auth');
    expect(c.status).to.equal('fail');
    expect(c.detail).to.contain('AUTH_FAILED');
  });

  it('no emulator at the configured URL: the emulator check fails with the command that starts one', async () => {
    project('', `http://127.0.0.1:${await freePort()}`);
    const {r, report} = await doctor();
    expect(r.exitCode).to.equal(1);
    const c = check(report, 'emulator');
    expect(c.status).to.equal('fail');
    expect(c.detail).to.contain('No flexconv emulator answers at');
    expect(c.fix?.[0]).to.contain('flexconv emulator start --detach');
    expect(check(report, 'flex-setup').status).to.equal('skip');
  });

  it('an emulator of another version: a warning (not a failure) with the restart', async () => {
    const port = await freePort();
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({status: 'ok', name: 'flexconv-emulator', version: '0.0.1-old', pid: 4242, db: ':memory:', started_at: new Date().toISOString(), uptime_seconds: 1, accounts: []}));
    }).listen(port, '127.0.0.1');
    project('', `http://127.0.0.1:${port}`);
    const {report} = await doctor();
    const c = check(report, 'emulator');
    expect(c.status).to.equal('warn');
    expect(c.detail).to.contain('version 0.0.1-old');
    expect(c.fix?.[0]).to.contain('restart the emulator');
  });

  it('the config names a workspace and a service that do not exist: the Flex setup check fails at their line', async () => {
    project('workspace: WS00000000000000000000000000000000\nchatService: IS00000000000000000000000000000000\n');
    const {r, report} = await doctor();
    expect(r.exitCode).to.equal(1);
    const c = check(report, 'flex-setup');
    expect(c.status).to.equal('fail');
    expect(c.detail).to.contain('workspace "WS00000000000000000000000000000000" does not exist');
    expect(c.detail).to.contain('conversation service "IS00000000000000000000000000000000" does not exist');
    expect(c).to.deep.include({file: configFile(), line: 4});
    expect(c.fix?.[0]).to.contain('flexconv init');
  });

  it('an address whose conversation service is gone: its check fails with the update command', async () => {
    project();
    const svc = await t.client.conversations.v1.services.create({friendlyName: 'soon gone'});
    const a = await t.client.conversations.v1.addressConfigurations.create({type: 'sms', address: phone(), 'autoCreation.enabled': true, 'autoCreation.type': 'default', 'autoCreation.conversationServiceSid': svc.sid});
    await t.client.conversations.v1.services(svc.sid).remove();
    const {r, report} = await doctor();
    expect(r.exitCode).to.equal(1);
    const c = check(report, `address:${a.sid}`);
    expect(c.status).to.equal('fail');
    expect(c.detail).to.equal(`its conversation service ${svc.sid} does not exist`);
    expect(c.fix?.[0]).to.contain(`flexconv addresses update ${a.sid} --conversation-service`);
  });

  it('Studio addresses: a flow that does not exist, and a flow without Send to Flex, each a failure', async () => {
    project();
    const a = await t.client.conversations.v1.addressConfigurations.create({type: 'sms', address: phone(), 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': 'FW00000000000000000000000000000000'});
    const flow = await t.client.studio.v2.flows.create({
      friendlyName: 'No Flex here',
      status: 'published',
      definition: {
        description: 'replies only',
        initial_state: 'Trigger',
        states: [
          {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'hi'}], properties: {}},
          {name: 'hi', type: 'send-message', transitions: [{event: 'sent'}, {event: 'failed'}], properties: {body: 'Hi'}},
        ],
      },
    });
    const b = await t.client.conversations.v1.addressConfigurations.create({type: 'sms', address: phone(), 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': flow.sid});
    const {report} = await doctor();
    const missing = check(report, `address:${a.sid}`);
    expect(missing.status).to.equal('fail');
    expect(missing.detail).to.match(/does not exist/);
    const noFlex = check(report, `address:${b.sid}`);
    expect(noFlex.status).to.equal('fail');
    expect(noFlex.detail).to.match(/Send to Flex|SendToFlex/i);
  });

  it('the address the config names is gone: a failure at its line', async () => {
    project('address: IG00000000000000000000000000000000\n');
    const {report} = await doctor();
    const c = check(report, 'address-missing');
    expect(c).to.deep.include({status: 'fail', line: 4});
    expect(c.detail).to.contain('IG00000000000000000000000000000000');
  });

  it('webhook URLs: one that answers passes, one that does not fails (naming it and its address)', async () => {
    project();
    const port = await freePort();
    server = createServer((_req, res) => res.writeHead(405).end()).listen(port, '127.0.0.1');
    const good = phone();
    const bad = phone();
    const dead = `http://127.0.0.1:${await freePort()}/hook`;
    await t.client.conversations.v1.addressConfigurations.create({type: 'sms', address: good, 'autoCreation.enabled': true, 'autoCreation.type': 'webhook', 'autoCreation.webhookUrl': `http://127.0.0.1:${port}/hook`});
    const {report: okReport} = await doctor();
    expect(check(okReport, 'webhooks')).to.deep.include({status: 'ok'});
    expect(check(okReport, 'webhooks').detail).to.contain(`http://127.0.0.1:${port}/hook (address ${good}): HTTP 405`);
    await t.client.conversations.v1.addressConfigurations.create({type: 'sms', address: bad, 'autoCreation.enabled': true, 'autoCreation.type': 'webhook', 'autoCreation.webhookUrl': dead});
    const {r, report} = await doctor();
    expect(r.exitCode).to.equal(1);
    const c = check(report, 'webhooks');
    expect(c.status).to.equal('fail');
    expect(c.detail).to.contain(`${dead} (address ${bad}): ECONNREFUSED`);
    expect(c.detail).not.to.contain(good);
  });

  it('the global post-event webhook is checked too', async () => {
    project();
    const dead = `http://127.0.0.1:${await freePort()}/post`;
    await t.client.conversations.v1.configuration.webhooks().update({postWebhookUrl: dead, method: 'POST', filters: ['onMessageAdded']});
    const {report} = await doctor();
    expect(check(report, 'webhooks').detail).to.contain(`${dead} (Conversations post-event webhook)`);
  });

  it('orphaned conversations: a warning with their count and the commands that list and close them (exit 0)', async () => {
    project();
    const before = check((await doctor()).report, 'orphans');
    expect(before.status).to.equal('ok');
    // the trap: a conversation open in the Flex chat service with no task and no agent
    await t.client.conversations.v1.conversations.create({friendlyName: 'left behind'});
    const {r, report} = await doctor();
    const c = check(report, 'orphans');
    expect(c.status, c.detail).to.equal('warn');
    expect(c.detail).to.match(/^1 conversation open with no task or no agent/);
    expect(c.fix).to.deep.equal(['list them: `flexconv conversations orphans`', 'close them: `flexconv conversations prune --orphans`']);
    expect(r.exitCode, 'a warning does not fail doctor unless something else does').to.equal(report.counts.fail ? 1 : 0);
  });
});
