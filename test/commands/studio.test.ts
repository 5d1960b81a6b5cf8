/**
 * `flexconv studio *` end to end on the emulator, as a user runs them: the built CLI as a child
 * process against an emulator started here on a manual clock (a Flex account: its workspace,
 * "Assign to Anyone" workflow and task channels). A SendToFlex flow is validated and deployed
 * from a file (then deployed again: a new revision), an SMS address hands new conversations to
 * it, a customer texts in, and the CLI follows the story: the execution and its trace, the task
 * offered to the available agent, accepted, the agent in the conversation. Then a
 * send-and-wait-for-reply that times out as the clock moves, a widget the emulator does not run
 * failing visibly, and bad files refused before anything is sent.
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
const file = (name: string, content: unknown) => {
  const p = join(box.cwd, name);
  writeFileSync(p, JSON.stringify(content, null, 2));
  return p;
};

type State = {name: string; type: string; transitions: {event: string; next?: string}[]; properties: Record<string, unknown>};
const trigger = (next: string): State => ({name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingMessage'}, {event: 'incomingConversationMessage', next}, {event: 'incomingRequest'}], properties: {}});
const sendToFlex = (workflow: string): State => ({
  name: 'SendToAgent',
  type: 'send-to-flex',
  transitions: [{event: 'callComplete'}, {event: 'failedToEnqueue'}, {event: 'callFailure'}],
  properties: {workflow, channel: 'sms', attributes: '{"name": "{{trigger.conversation.From}}", "channelType": "sms", "question": "{{trigger.conversation.Body}}"}'},
});
const flowOf = (description: string, states: State[]) => ({description, initial_state: 'Trigger', flags: {allow_concurrent_calls: true}, states});

const s: {workflow?: string; flow?: string; conversation?: string; worker?: string} = {};
const CUSTOMER = '+15557001001';
const LINE = '+15005557001';

describe('flexconv studio (CLI against the emulator): inbound via Studio SendToFlex to an accepted agent', function () {
  this.timeout(90_000);

  before(async () => {
    box = sandbox('flexconv-studio-');
    emu = await startEmulator({port: 0, db: ':memory:', clock: 'manual'});
    s.workflow = (await ok('workflows', 'list'))[0].sid;
    const agent = await ok('workers', 'create', '--friendly-name', 'alice', '--attributes', '{"contact_uri":"client:alice_40example_2Ecom"}', '--activity', 'Available');
    s.worker = agent.sid;
  });
  after(async () => {
    await emu?.stop();
    box?.cleanup();
  });

  it('validate then deploy --publish a SendToFlex flow from a file; deploying again makes revision 2 of the same flow', async () => {
    const path = file('messaging-flow.json', flowOf('Messaging Flow', [trigger('SendToAgent'), sendToFlex(s.workflow!)]));
    const v = await cli('studio', 'validate', path);
    expect(v.exitCode, v.stderr).to.equal(0);
    expect(v.stderr).to.contain('is a valid Studio flow (2 widgets; checked by flexconv and the API on the emulator at');
    const first = await ok('studio', 'deploy', path, '--publish');
    expect(first.action).to.equal('created');
    expect(first.flow).to.include({friendly_name: 'Messaging Flow', status: 'published', revision: 1, valid: true});
    s.flow = first.flow.sid;
    const again = await cli('studio', 'deploy', path, '--publish', '--commit-message', 'same again');
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(again.stderr).to.contain(`Updated Studio flow ${s.flow} (Messaging Flow), revision 2, published`);
    const list = await cli('studio', 'list', '--columns', 'sid,friendly_name,status,revision', '--no-header');
    expect(list.stdout.trim()).to.match(new RegExp(`^${s.flow}\\s+Messaging Flow\\s+published\\s+2$`));
    const got = await ok('studio', 'get', 'Messaging Flow');
    expect(got.definition.states.map((x: State) => x.type)).to.deep.equal(['trigger', 'send-to-flex']);
  });

  it('bad flow files: one usage error listing every fault by widget, and nothing deployed', async () => {
    const noName = file('faults.json', {
      initial_state: 'Trigger',
      states: [trigger('Missing'), {type: 'send-message', transitions: [], properties: {body: 'hi'}}, {name: 'Flex', type: 'send-to-flex', transitions: [], properties: {}}],
    });
    const r = await cli('studio', 'deploy', noName, '--name', 'Broken');
    expect(r.exitCode).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr.split('\n')[0]).to.equal(`✖ USAGE: ${noName} is not a valid Studio flow (4 faults):`);
    expect(r.stderr).to.contain("states[0] (Trigger).transitions[1].next: the transition on incomingConversationMessage goes to 'Missing', which is not a widget of this flow");
    expect(r.stderr).to.contain("states[1].name: must have required property 'name'");
    expect(r.stderr).to.contain('states[2] (Flex).properties.workflow: send-to-flex needs properties.workflow');
    expect(r.stderr).to.contain('states[2] (Flex).properties.channel: send-to-flex needs properties.channel');
    const liquid = file('liquid.json', flowOf('Liquid', [trigger('SendToAgent'), {...sendToFlex(s.workflow!), properties: {workflow: s.workflow, channel: 'sms', attributes: '{"a": "{{ trigger.conversation.Body "}'}}]));
    const l = await cli('studio', 'validate', liquid, '--offline');
    expect(l.exitCode).to.equal(2);
    expect(l.stderr).to.match(/states\[1\] \(SendToAgent\)\.properties\.attributes: the template does not parse/);
    expect((await ok('studio', 'list')).map((f: any) => f.friendly_name)).to.deep.equal(['Messaging Flow']);
    const unknown = await cli('studio', 'get', 'FW00000000000000000000000000000000');
    expect(unknown.exitCode).to.equal(1);
    expect(unknown.stderr.split('\n')[0]).to.equal('✖ NOT_FOUND (twilio 20404): No Studio flow FW00000000000000000000000000000000 — https://www.twilio.com/docs/errors/20404');
  });

  it('a customer texts the Studio address: the execution ran Trigger → SendToAgent, the task is offered to alice, she accepts and is in the conversation', async () => {
    const addr = await ok('addresses', 'create', '--type', 'sms', '--address', LINE, '--auto-creation-type', 'studio', '--studio-flow', s.flow!);
    expect(addr.auto_creation).to.include({type: 'studio', studio_flow_sid: s.flow});
    const inbound = await ok('simulate', 'inbound', '--from', CUSTOMER, '--to', LINE, '--body', 'Hi, my order is late');
    s.conversation = inbound.conversation_sid;

    const executions = await ok('studio', 'executions', 'list', 'Messaging Flow');
    expect(executions).to.have.length(1);
    expect(executions[0]).to.include({status: 'ended', contact_channel_address: CUSTOMER});
    const trace = await cli('studio', 'executions', 'steps', 'Messaging Flow', executions[0].sid);
    expect(trace.exitCode, trace.stderr).to.equal(0);
    const lines = trace.stdout.trimEnd().split('\n');
    expect(lines[0]).to.equal(' 1. Trigger (trigger) --incomingConversationMessage--> SendToAgent');
    expect(lines[1]).to.contain('conversation.Body="Hi, my order is late"').and.contain(`conversation.From="${CUSTOMER}"`);
    expect(lines[2]).to.match(/^ 2\. SendToAgent \(send-to-flex\) --\w+--> Ended$/);
    const task = /task_sid="(WT[0-9a-f]{32})"/.exec(lines[3])?.[1];
    expect(task, lines[3]).to.be.a('string');
    const context = (await ok('studio', 'executions', 'get', s.flow!, executions[0].sid)).context;
    expect(context.trigger.conversation).to.include({Body: 'Hi, my order is late', ConversationSid: s.conversation});

    const t = await ok('tasks', 'get', task!);
    expect(JSON.parse(t.attributes)).to.include({conversationSid: s.conversation, name: CUSTOMER, question: 'Hi, my order is late'});
    const offers = await ok('reservations', 'list', '--worker', 'alice', '--status', 'pending');
    expect(offers.map((o: any) => o.task_sid)).to.deep.equal([task]);
    await ok('reservations', 'accept', offers[0].sid, '--worker', 'alice');
    const participants = await ok('conversations', 'participants', 'list', s.conversation!);
    expect(participants.map((p: any) => p.identity ?? p.messaging_binding?.address)).to.include.members([CUSTOMER, 'alice_40example_2Ecom']);
    // SendToFlex took Studio off the conversation: the next message starts no execution
    await ok('simulate', 'inbound', '--from', CUSTOMER, '--to', LINE, '--body', 'still there?');
    expect(await ok('studio', 'executions', 'list', s.flow!)).to.have.length(1);
    expect((await ok('conversations', 'webhooks', 'list', s.conversation!)).filter((w: any) => w.target === 'studio')).to.deep.equal([]);
  });

  it('send-and-wait-for-reply under the test clock: active while it waits, then the timeout path once the clock passes it', async () => {
    const path = file('ask.json', flowOf('Ask', [
      trigger('ask'),
      {name: 'ask', type: 'send-and-wait-for-reply', transitions: [{event: 'incomingMessage', next: 'SendToAgent'}, {event: 'timeout', next: 'bye'}, {event: 'deliveryFailure'}], properties: {body: 'What is it about?', timeout: '600'}},
      {name: 'bye', type: 'send-message', transitions: [{event: 'sent'}, {event: 'failed'}], properties: {body: 'We did not hear back. Bye!'}},
      sendToFlex(s.workflow!),
    ]));
    const flow = (await ok('studio', 'deploy', path, '--publish')).flow;
    const line = '+15005557002';
    await ok('addresses', 'create', '--type', 'sms', '--address', line, '--auto-creation-type', 'studio', '--studio-flow', flow.sid);
    await ok('simulate', 'inbound', '--from', '+15557001002', '--to', line, '--body', 'hello');
    const waiting = await ok('studio', 'executions', 'list', 'Ask', '--status', 'active');
    expect(waiting).to.have.length(1);
    await emu.clock.advance(601_000);
    expect(await ok('studio', 'executions', 'list', 'Ask', '--status', 'active')).to.deep.equal([]);
    const trace = await cli('studio', 'executions', 'steps', 'Ask', waiting[0].sid);
    expect(trace.stdout).to.contain(' 2. ask (send-and-wait-for-reply) --timeout--> bye').and.match(/ 3\. bye \(send-message\) --sent--> Ended/);
    const outbox = await ok('simulate', 'outbox', '--to', '+15557001002');
    expect(outbox.map((m: any) => m.body)).to.deep.equal(['What is it about?', 'We did not hear back. Bye!']);
  });

  it('a widget the emulator does not run (run-function) fails the execution visibly: the trace names it and says why', async () => {
    const path = file('fn.json', flowOf('Function', [
      trigger('fn'),
      {name: 'fn', type: 'run-function', transitions: [{event: 'success'}, {event: 'fail'}], properties: {url: 'https://example.twil.io/x'}},
    ]));
    const flow = (await ok('studio', 'deploy', path, '--publish')).flow;
    const line = '+15005557003';
    await ok('addresses', 'create', '--type', 'sms', '--address', line, '--auto-creation-type', 'studio', '--studio-flow', flow.sid);
    await ok('simulate', 'inbound', '--from', '+15557001003', '--to', line, '--body', 'hello');
    const [ex] = await ok('studio', 'executions', 'list', flow.sid);
    expect(ex.status).to.equal('ended');
    const trace = await cli('studio', 'executions', 'steps', flow.sid, ex.sid);
    expect(trace.exitCode).to.equal(0);
    expect(trace.stdout).to.match(/fn \(run-function\) --failed--> Ended\n\s+error="widget 'fn' is of type run-function/);
    expect(trace.stderr).to.match(/^! the execution failed at fn \(run-function\): widget 'fn' is of type run-function/m);
  });

  it('delete --yes removes the flow; executions of a deleted flow are NOT_FOUND', async () => {
    const fn = (await ok('studio', 'deploy', file('tmp.json', flowOf('Temp', [trigger('SendToAgent'), sendToFlex(s.workflow!)])))).flow;
    const r = await cli('studio', 'delete', 'Temp', '--yes');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stderr).to.contain(`Deleted Studio flow ${fn.sid} (Temp, revision 1)`);
    const gone = await cli('studio', 'executions', 'list', fn.sid);
    expect(gone.exitCode).to.equal(1);
    expect(gone.stderr.split('\n')[0]).to.match(new RegExp(`^✖ NOT_FOUND \\(twilio 20404\\): No Studio flow ${fn.sid}`));
  });
});
