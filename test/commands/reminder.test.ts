/**
 * `flexconv outbound reminder` end to end on the emulator: the built CLI against an emulator
 * started here (a Flex account, manual clock). A SendToFlex flow is deployed; the reminder goes
 * out (the customer's phone has it, no task exists yet, Studio has not run); the customer's
 * reply lands in the same conversation, runs the flow, and reaches Flex as a new task that the
 * agent accepts — the agent then sees the reminder and the reply. A second reminder to the same
 * customer is refused with the exact close command, which works as printed; --close-existing
 * does it in one go.
 */
import {expect} from 'chai';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {runCli, sandbox, type CliResult, type Sandbox} from '../helpers/cli.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';

let emu: Emulator;
let box: Sandbox;
const env = () => ({...box.env, FLEXCONV_EMULATOR_URL: emu.url});
const cli = (...args: string[]): Promise<CliResult> => runCli(args, {env: env(), cwd: box.cwd});
async function ok(...args: string[]): Promise<any> {
  const r = await cli(...args, '--json');
  expect(r.exitCode, `${args.join(' ')}: ${r.stdout}${r.stderr}`).to.equal(0);
  return r.json();
}

const CUSTOMER = '+15557002001';
const LINE = '+15005557101';
const s: {flow?: string; conversation?: string} = {};

describe('flexconv outbound reminder (CLI against the emulator): the reply reaches Flex as a new task', function () {
  this.timeout(90_000);

  before(async () => {
    box = sandbox('flexconv-reminder-');
    emu = await startEmulator({port: 0, db: ':memory:', clock: 'manual'});
    const workflow = (await ok('workflows', 'list'))[0].sid;
    const path = join(box.cwd, 'flow.json');
    writeFileSync(path, JSON.stringify({
      description: 'Reminder replies',
      initial_state: 'Trigger',
      states: [
        {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'SendToAgent'}], properties: {}},
        {name: 'SendToAgent', type: 'send-to-flex', transitions: [{event: 'callComplete'}], properties: {workflow, channel: 'sms', attributes: '{"name": "{{trigger.conversation.From}}", "reply": "{{trigger.conversation.Body}}"}'}},
      ],
    }));
    s.flow = (await ok('studio', 'deploy', path, '--publish')).flow.sid;
    await ok('workers', 'create', '--friendly-name', 'bob', '--attributes', '{"contact_uri":"client:bob"}', '--activity', 'Available');
  });
  after(async () => {
    await emu?.stop();
    box?.cleanup();
  });

  it('the reminder: conversation, the customer\'s binding, a Target=studio webhook, a message by "system" on their phone; no task, no execution yet', async () => {
    const r = await cli('outbound', 'reminder', '--to', CUSTOMER, '--from', LINE, '--body', 'Your appointment is tomorrow at 10:00', '--flow', 'Reminder replies');
    expect(r.exitCode, r.stderr).to.equal(0);
    const conv = /in conversation (CH[0-9a-f]{32})/.exec(r.stderr)?.[1];
    expect(conv, r.stderr).to.be.a('string');
    s.conversation = conv;
    expect(r.stderr).to.contain(`replies go to Studio flow ${s.flow} (Reminder replies)`);
    const hooks = await ok('conversations', 'webhooks', 'list', conv!);
    expect(hooks.map((w: any) => [w.target, w.configuration.flow_sid])).to.deep.equal([['studio', s.flow]]);
    const people = await ok('conversations', 'participants', 'list', conv!);
    expect(people.map((p: any) => p.messaging_binding)).to.deep.equal([{type: 'sms', address: CUSTOMER, proxy_address: LINE}]);
    const phone = await ok('simulate', 'outbox', '--to', CUSTOMER);
    expect(phone.map((m: any) => [m.from, m.body, m.conversation_sid])).to.deep.equal([[LINE, 'Your appointment is tomorrow at 10:00', conv]]);
    expect(await ok('tasks', 'list')).to.deep.equal([]);
    expect(await ok('studio', 'executions', 'list', s.flow!)).to.deep.equal([]);
  });

  it('the customer replies: same conversation, the flow runs, a new task reaches bob, who accepts and sees the reminder and the reply', async () => {
    const reply = await ok('simulate', 'inbound', '--from', CUSTOMER, '--to', LINE, '--body', 'Can we make it 11?');
    expect(reply).to.include({conversation_sid: s.conversation, created_conversation: false});
    const [ex] = await ok('studio', 'executions', 'list', s.flow!);
    expect(ex).to.include({status: 'ended', contact_channel_address: CUSTOMER});
    const tasks = await ok('tasks', 'list');
    expect(tasks).to.have.length(1);
    expect(JSON.parse(tasks[0].attributes)).to.include({conversationSid: s.conversation, reply: 'Can we make it 11?'});
    const [offer] = await ok('reservations', 'list', '--worker', 'bob', '--status', 'pending');
    expect(offer.task_sid).to.equal(tasks[0].sid);
    await ok('reservations', 'accept', offer.sid, '--worker', 'bob');
    const people = await ok('conversations', 'participants', 'list', s.conversation!);
    expect(people.map((p: any) => p.identity).filter(Boolean)).to.deep.equal(['bob']);
    const messages = await ok('messages', 'list', s.conversation!);
    expect(messages.map((m: any) => [m.author, m.body])).to.deep.equal([
      ['system', 'Your appointment is tomorrow at 10:00'],
      [CUSTOMER, 'Can we make it 11?'],
    ]);
  });

  it('a second reminder while that conversation is open: BINDING_IN_USE with the close command, which works as printed; then it goes out', async () => {
    const r = await cli('outbound', 'reminder', '--to', CUSTOMER, '--from', LINE, '--body', 'Second reminder', '--flow', s.flow!);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.equal('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).to.equal(`✖ BINDING_IN_USE: ${CUSTOMER} via ${LINE} is already in conversation ${s.conversation} (active), which is not closed: a reminder needs a conversation of its own`);
    const command = /`flexconv (conversations close CH[0-9a-f]{32} --yes)`/.exec(lines[1])?.[1];
    expect(command, lines[1]).to.equal(`conversations close ${s.conversation} --yes`);
    const closed = await cli(...command!.split(' '));
    expect(closed.exitCode, closed.stderr).to.equal(0);
    const again = await ok('outbound', 'reminder', '--to', CUSTOMER, '--from', LINE, '--body', 'Second reminder', '--flow', s.flow!);
    expect(again.conversation.sid).not.to.equal(s.conversation);
    expect(again.closed).to.deep.equal([]);
    // --close-existing: the open one is closed first, in the same run
    const third = await ok('outbound', 'reminder', '--to', CUSTOMER, '--from', LINE, '--body', 'Third', '--flow', s.flow!, '--close-existing');
    expect(third.closed.map((c: any) => [c.sid, c.state])).to.deep.equal([[again.conversation.sid, 'closed']]);
    expect((await ok('conversations', 'get', again.conversation.sid)).state).to.equal('closed');
    s.conversation = third.conversation.sid;
  });

  it('--close-existing on a conversation that reached Flex: closed through its interaction channel, so its task ends too', async () => {
    await ok('simulate', 'inbound', '--from', CUSTOMER, '--to', LINE, '--body', 'About the third one');
    const task = (await ok('tasks', 'list')).find((t: any) => JSON.parse(t.attributes).conversationSid === s.conversation);
    const attrs = JSON.parse(task.attributes);
    expect(attrs.flexInteractionSid).to.match(/^KD/);
    const fourth = await ok('outbound', 'reminder', '--to', CUSTOMER, '--from', LINE, '--body', 'Fourth', '--flow', s.flow!, '--close-existing');
    expect(fourth.closed.map((c: any) => [c.sid, c.state])).to.deep.equal([[s.conversation, 'closed']]);
    const [ch] = (await ok('interactions', 'show', attrs.flexInteractionSid)).channels;
    expect(ch.status).to.equal('closed');
    // the task no longer waits for an agent (pending → canceled; an assigned one would complete)
    expect(['canceled', 'completed']).to.include((await ok('tasks', 'get', task.sid)).assignment_status);
  });

  it('bad input: a flow that does not exist is NOT_FOUND before anything is made; a bad number is a usage error', async () => {
    const before = (await ok('conversations', 'list', '--all')).length;
    const r = await cli('outbound', 'reminder', '--to', '+15557002999', '--from', LINE, '--body', 'x', '--flow', 'FW00000000000000000000000000000000');
    expect(r.exitCode).to.equal(1);
    expect(r.stderr.split('\n')[0]).to.equal('✖ NOT_FOUND (twilio 20404): No Studio flow FW00000000000000000000000000000000 — https://www.twilio.com/docs/errors/20404');
    const named = await cli('outbound', 'reminder', '--to', '+15557002999', '--from', LINE, '--body', 'x', '--flow', 'No such flow');
    expect(named.stderr.split('\n')[0]).to.equal('✖ NOT_FOUND: No Studio flow is named "No such flow"');
    const bad = await cli('outbound', 'reminder', '--to', '5557002999', '--from', LINE, '--body', 'x', '--flow', s.flow!);
    expect(bad.exitCode).to.equal(2);
    expect((await ok('conversations', 'list', '--all')).length).to.equal(before);
  });
});
