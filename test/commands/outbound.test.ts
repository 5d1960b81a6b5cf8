/**
 * `flexconv outbound agent` through the built CLI on an emulator (a Flex account out of the box):
 * the agent writes first and the customer's phone gets it; the customer's reply lands in the same
 * conversation; a second outbound to the same customer + sender is stopped with the exact command
 * that closes the first (BINDING_IN_USE, exit 1), and --close-existing closes it through its
 * interaction channel. Bad input: one clear error, nothing created.
 */
import {expect} from 'chai';
import {runCli, sandbox, type CliResult, type Sandbox} from '../helpers/cli.js';
import {expectValid} from '../helpers/oai.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';

let emu: Emulator;
let box: Sandbox;
const NUMBER = '+15005550006';
const CUSTOMER = '+15557100001';
const env = () => ({...box.env, FLEXCONV_EMULATOR_URL: emu.url});
const cli = (...args: string[]): Promise<CliResult> => runCli(args, {env: env(), cwd: box.cwd});
async function ok(...args: string[]): Promise<any> {
  const r = await cli(...args, '--json');
  expect(r.exitCode, `${args.join(' ')}: ${r.stdout}${r.stderr}`).to.equal(0);
  return r.json();
}
function expectError(r: CliResult, exit: number, code: string, pattern?: RegExp): void {
  expect(r.exitCode, `${r.stdout}${r.stderr}`).to.equal(exit);
  expect(r.stdout).to.equal('');
  const first = r.stderr.split('\n')[0];
  expect(first).to.match(new RegExp(`^✖ ${code}( \\(twilio \\d+\\))?: `));
  if (pattern) expect(first).to.match(pattern);
}
async function flex(path: string): Promise<any> {
  const url = `${emu.url}/flex-api/v1${path}`;
  const res = await fetch(url, {headers: {Authorization: `Basic ${Buffer.from(`${emu.accountSid}:${emu.authToken}`).toString('base64')}`}});
  const body = await res.json();
  expectValid('GET', url, res.status, body);
  return body;
}

describe('flexconv outbound agent (CLI against the emulator)', function () {
  this.timeout(90_000);
  let first: any;

  before(async () => {
    box = sandbox('flexconv-outbound-');
    emu = await startEmulator({port: 0, db: ':memory:', clock: 'manual'});
    await ok('addresses', 'create', '--type', 'sms', '--address', NUMBER, '--auto-creation');
    await ok('workers', 'create', '--friendly-name', 'alice', '--attributes', '{"contact_uri":"client:alice"}', '--activity', 'Available');
  });
  after(async () => {
    await emu?.stop();
    box?.cleanup();
  });

  it('the agent writes first: an agent-initiated interaction, alice in the conversation at once, the message on the customer\'s phone', async () => {
    const r = await cli('outbound', 'agent', '--worker', 'alice', '--to', CUSTOMER, '--from', NUMBER, '--body', 'Hi, this is Alice about your order');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^Waiting for the outbound sms interaction of alice to be set up…$/m).and.match(/✔ Outbound interaction KD[0-9a-f]{32} for alice: message IM[0-9a-f]{32} sent/);
    const kd = /^Interaction\s+(KD[0-9a-f]{32})$/m.exec(r.stdout)![1];
    const ch = /^Conversation\s+(CH[0-9a-f]{32})$/m.exec(r.stdout)![1];
    first = {kd, ch};
    const interaction = await flex(`/Interactions/${kd}`);
    expect(interaction.channel).to.include({type: 'sms', initiated_by: 'agent'});
    const view = await ok('interactions', 'show', kd);
    const agent = view.channels[0].participants.find((p: any) => p.type === 'agent');
    expect(agent.status).to.equal('active'); // accepted at once, as Flex UI does
    const task = view.channels[0].tasks[0];
    expect(task.assignment_status).to.equal('assigned');
    expect(JSON.parse(task.attributes)).to.include({initiatedBy: 'agent', direction: 'outbound', customerAddress: CUSTOMER});
    const outbox = await ok('simulate', 'outbox', '--to', CUSTOMER);
    expect(outbox.map((m: any) => [m.from, m.body])).to.deep.include([NUMBER, 'Hi, this is Alice about your order']);
    const messages = await ok('messages', 'list', ch);
    expect(messages.map((m: any) => m.author)).to.deep.equal(['alice']);
    // the customer's reply lands in the same conversation
    const reply = await ok('simulate', 'inbound', '--from', CUSTOMER, '--to', NUMBER, '--body', 'Thanks!');
    expect(reply).to.include({conversation_sid: ch, created_conversation: false});
  });

  it('again to the same customer + sender: stopped with the exact command that closes the first (BINDING_IN_USE, exit 1); that command works', async () => {
    const r = await cli('outbound', 'agent', '--worker', 'alice', '--to', CUSTOMER, '--from', NUMBER, '--body', 'Hello again');
    expectError(r, 1, 'BINDING_IN_USE', new RegExp(`already bound to \\${NUMBER} in conversation ${first.ch} \\(active, interaction ${first.kd}\\)`));
    expect(r.stderr).to.contain(`→ close it: \`flexconv interactions close ${first.kd} --yes\``).and.contain('add --close-existing');
    // nothing new was created
    expect(await ok('conversations', 'list')).to.have.length(1);
    const closed = await cli(...`interactions close ${first.kd} --yes`.split(' '));
    expect(closed.exitCode, closed.stderr).to.equal(0);
    expect((await ok('conversations', 'get', first.ch)).state).to.equal('closed');
    // now it goes through
    const next = await ok('outbound', 'agent', '--worker', 'alice', '--to', CUSTOMER, '--from', NUMBER);
    expect(next.conversation_sid).to.not.equal(first.ch);
    expect(next.closed_existing).to.deep.equal([]);
    expect(next.message).to.equal(null);
    first = {kd: next.interaction_sid, ch: next.conversation_sid, uo: next.channel_sid, task: next.task_sid};
  });

  it('--close-existing: the old conversation is closed through its interaction channel (its task completes), then the new one starts', async () => {
    const r = await cli('outbound', 'agent', '--worker', 'alice', '--to', CUSTOMER, '--from', NUMBER, '--close-existing', '--body', 'Fresh start', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stderr).to.contain(`! closed conversation ${first.ch} (interaction ${first.kd})`);
    const out = r.json();
    expect(out.closed_existing.map((b: any) => [b.conversation_sid, b.interaction_sid, b.channel_sid])).to.deep.equal([[first.ch, first.kd, first.uo]]);
    expect(out.message).to.include({body: 'Fresh start', author: 'alice'});
    expect((await flex(`/Interactions/${first.kd}/Channels/${first.uo}`)).status).to.equal('closed');
    expect((await ok('conversations', 'get', first.ch)).state).to.equal('closed');
    expect((await ok('tasks', 'get', first.task)).assignment_status).to.equal('completed');
    expect((await ok('conversations', 'get', out.conversation_sid)).state).to.equal('active');
  });

  it('bad input: a wrong-kind worker SID, an unknown worker, missing flags, an empty body — one error, nothing created', async () => {
    const before = (await ok('conversations', 'list')).length;
    const wq = (await ok('queues', 'list'))[0].sid;
    expectError(await cli('outbound', 'agent', '--worker', wq, '--to', '+15557100002', '--from', NUMBER), 2, 'USAGE', /--worker WQ[0-9a-f]{32} is a TaskQueue SID/);
    expectError(await cli('outbound', 'agent', '--worker', 'nobody', '--to', '+15557100002', '--from', NUMBER), 1, 'NOT_FOUND', /No worker is named "nobody"/);
    expectError(await cli('outbound', 'agent', '--worker', 'alice', '--to', '+15557100002'), 2, 'USAGE', /Missing required flag from/);
    expectError(await cli('outbound', 'agent', '--worker', 'alice', '--to', '+15557100002', '--from', NUMBER, '--body', ' '), 2, 'USAGE', /--body must not be empty/);
    expect((await ok('conversations', 'list')).length).to.equal(before);
  });
});
