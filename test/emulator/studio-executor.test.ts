/**
 * The Studio executor end to end, on a manual clock: an SMS to an address with Studio
 * auto-creation runs the flow (send-and-wait-for-reply, split-based-on, set-variables, Liquid),
 * SendToFlex makes the interaction whose task reaches an agent; the reply timeout fires when the
 * clock is advanced; an unsupported widget fails visibly; make-http-request really calls a local
 * server (JSON, 500, a hang bounded by the timeout); a conversation-scoped Target=studio webhook
 * feeds the flow too; an execution waiting for a reply survives a restart on a file database.
 */
import {createServer, type Server} from 'node:http';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {expect} from 'chai';
import {test as splitTest} from '../../src/lib/emulator/engine/studio/widgets/split.js';
import {phone, startTestEmulator, useEmulator, type TestEmulator} from '../helpers/emulator.js';

const ST = '/studio/v2';
const CV = '/conversations/v1';
const TR = '/taskrouter/v1/Workspaces';

type State = {name: string; type: string; transitions: {event: string; next?: string; conditions?: unknown[]}[]; properties: Record<string, unknown>};

const trigger = (next: string, event = 'incomingConversationMessage'): State => ({
  name: 'Trigger',
  type: 'trigger',
  transitions: [{event, next}],
  properties: {offset: {x: 0, y: 0}},
});
const definition = (states: State[]) => ({description: 'executor test', initial_state: 'Trigger', flags: {allow_concurrent_calls: true}, states});
const send = (name: string, body: string, next?: string): State => ({name, type: 'send-message', transitions: [{event: 'sent', ...(next ? {next} : {})}, {event: 'failed'}], properties: {body}});

/** The account's Flex set-up and a flow-publishing helper bound to one emulator. */
function kit(t: TestEmulator) {
  let n = 0;
  const api = {
    async flex() {
      const config = await t.expect(200, 'GET', '/flex-api/v1/Configuration');
      return {ws: config.taskrouter_workspace_sid as string, wf: config.taskrouter_target_workflow_sid as string};
    },
    async publish(states: State[]) {
      return t.expect(201, 'POST', `${ST}/Flows`, {form: {FriendlyName: `flow-${++n}-${Date.now()}`, Status: 'published', Definition: JSON.stringify(definition(states))}});
    },
    /** An SMS address whose new conversations go to the flow. */
    async address(flowSid: string) {
      const address = phone();
      await t.expect(201, 'POST', `${CV}/Configuration/Addresses`, {
        form: {Type: 'sms', Address: address, 'AutoCreation.Enabled': 'true', 'AutoCreation.Type': 'studio', 'AutoCreation.StudioFlowSid': flowSid, 'AutoCreation.StudioRetryCount': '2'},
      });
      return address;
    },
    inbound: (from: string, to: string, body: string) => t.expect(201, 'POST', '/_emulator/inbound', {form: {From: from, To: to, Body: body}}),
    outbox: async (to: string) => ((await t.expect(200, 'GET', '/_emulator/outbox', {query: {to}})).messages as {body: string}[]).map((m) => m.body),
    executions: async (flowSid: string) => (await t.expect(200, 'GET', `${ST}/Flows/${flowSid}/Executions`)).executions as {sid: string; status: string}[],
    steps: async (flowSid: string, fn: string) =>
      ((await t.expect(200, 'GET', `${ST}/Flows/${flowSid}/Executions/${fn}/Steps`)).steps as {name: string; transitioned_from: string; transitioned_to: string; context: Record<string, unknown>}[]).map(
        (s) => ({path: `${s.transitioned_from} -${s.name}-> ${s.transitioned_to}`, context: s.context}),
      ),
    context: async (flowSid: string, fn: string) => (await t.expect(200, 'GET', `${ST}/Flows/${flowSid}/Executions/${fn}/Context`)).context,
    events: async (type: string) => ((await t.expect(200, 'GET', '/_emulator/events')).events as {type: string; data: Record<string, unknown>}[]).filter((e) => e.type === type),
  };
  return api;
}

describe('emulator: the Studio executor', () => {
  const t = useEmulator({clock: 'manual', studioHttpTimeoutMs: 300});
  const k = kit(t);

  it('inbound SMS → Studio → SendToFlex → interaction → task → reservation accepted → the agent is in the conversation', async () => {
    const {ws, wf} = await k.flex();
    const acts = (await t.expect(200, 'GET', `${TR}/${ws}/Activities`)).activities as {sid: string; friendly_name: string}[];
    const worker = await t.expect(201, 'POST', `${TR}/${ws}/Workers`, {
      form: {FriendlyName: `alice-${Date.now()}`, Attributes: JSON.stringify({contact_uri: 'client:alice_40example_2Ecom'}), ActivitySid: acts.find((a) => a.friendly_name === 'Available')!.sid},
    });
    const flow = await k.publish([
      trigger('ask'),
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [{event: 'incomingMessage', next: 'remember'}, {event: 'timeout'}, {event: 'deliveryFailure'}],
        properties: {body: 'Hi {{trigger.conversation.From}}! You wrote "{{trigger.conversation.Body}}". What is it about?', timeout: '3600'},
      },
      {name: 'remember', type: 'set-variables', transitions: [{event: 'next', next: 'flex'}], properties: {variables: [{key: 'topic', value: '{{widgets.ask.inbound.Body | downcase}}'}]}},
      {
        name: 'flex',
        type: 'send-to-flex',
        transitions: [{event: 'callComplete'}, {event: 'failedToEnqueue'}, {event: 'callFailure'}],
        properties: {workflow: wf, channel: 'sms', attributes: '{"topic": "{{flow.variables.topic}}", "first": "{{trigger.conversation.Body}}"}', priority: '5', timeout: '3600'},
      },
    ]);
    const to = await k.address(flow.sid);
    const from = phone();
    const first = await k.inbound(from, to, 'Hello there');
    const [exec] = await k.executions(flow.sid);
    expect(exec.status).to.equal('active');
    expect(await k.outbox(from)).to.deep.equal([`Hi ${from}! You wrote "Hello there". What is it about?`]);
    // the reply goes to the waiting execution, not a new one
    const second = await k.inbound(from, to, 'BILLING');
    expect(second.conversation_sid).to.equal(first.conversation_sid);
    const execs = await k.executions(flow.sid);
    expect(execs).to.have.length(1);
    expect(execs[0].status).to.equal('ended');
    const steps = await k.steps(flow.sid, exec.sid);
    expect(steps.map((s) => s.path)).to.deep.equal([
      'Trigger -incomingConversationMessage-> ask',
      'ask -incomingMessage-> remember',
      'remember -next-> flex',
      'flex -taskCreated-> Ended',
    ]);
    const handOff = steps[3].context as {task_sid: string; interaction_sid: string};
    // the task: the widget's attributes rendered, Flex's own keys, routed to the available agent
    const task = await t.expect(200, 'GET', `${TR}/${ws}/Tasks/${handOff.task_sid}`);
    const attrs = JSON.parse(task.attributes);
    expect(attrs).to.include({topic: 'billing', first: 'Hello there', conversationSid: first.conversation_sid, flexInteractionSid: handOff.interaction_sid, customerAddress: from, initiatedBy: 'customer'});
    expect(task.priority).to.equal(5);
    expect(task.task_channel_unique_name).to.equal('sms');
    const [reservation] = (await t.expect(200, 'GET', `${TR}/${ws}/Tasks/${task.sid}/Reservations`)).reservations;
    expect(reservation.worker_sid).to.equal(worker.sid);
    await t.expect(200, 'POST', `${TR}/${ws}/Tasks/${task.sid}/Reservations/${reservation.sid}`, {form: {ReservationStatus: 'accepted'}});
    const participants = (await t.expect(200, 'GET', `${CV}/Conversations/${first.conversation_sid}/Participants`)).participants as {identity: string | null}[];
    expect(participants.map((p) => p.identity)).to.include('alice_40example_2Ecom');
    // Studio let go of the conversation: its webhook is gone, and a new message starts nothing
    expect((await t.expect(200, 'GET', `${CV}/Conversations/${first.conversation_sid}/Webhooks`)).webhooks).to.deep.equal([]);
    await k.inbound(from, to, 'are you there?');
    expect(await k.executions(flow.sid)).to.have.length(1);
  });

  it('send-and-wait-for-reply times out when the clock passes its timeout; the timeout branch runs', async () => {
    const flow = await k.publish([
      trigger('ask'),
      {name: 'ask', type: 'send-and-wait-for-reply', transitions: [{event: 'incomingMessage', next: 'thanks'}, {event: 'timeout', next: 'bye'}], properties: {body: 'Still there?', timeout: '60'}},
      send('thanks', 'Thanks'),
      send('bye', 'No answer from {{contact.channel.address}}, closing.'),
    ]);
    const to = await k.address(flow.sid);
    const from = phone();
    await k.inbound(from, to, 'hi');
    const [exec] = await k.executions(flow.sid);
    await t.emu.clock.advance('PT59S');
    expect((await k.executions(flow.sid))[0].status).to.equal('active');
    await t.emu.clock.advance('PT1S');
    expect((await k.executions(flow.sid))[0].status).to.equal('ended');
    expect(await k.outbox(from)).to.deep.equal(['Still there?', `No answer from ${from}, closing.`]);
    expect((await k.steps(flow.sid, exec.sid)).map((s) => s.path)).to.deep.equal(['Trigger -incomingConversationMessage-> ask', 'ask -timeout-> bye', 'bye -sent-> Ended']);
    // a reply after the timeout starts a new execution (the old one ended)
    await k.inbound(from, to, 'sorry, here');
    expect(await k.executions(flow.sid)).to.have.length(2);
  });

  it('an SMS through the control API without credentials (curl, the first account) reaches the flow too', async () => {
    const flow = await k.publish([trigger('hello'), send('hello', 'Hello {{trigger.conversation.Body}}')]);
    const to = await k.address(flow.sid);
    const from = phone();
    const r = await t.expect(201, 'POST', '/_emulator/inbound', {form: {From: from, To: to, Body: 'world'}, auth: false});
    expect(r.status).to.equal('accepted');
    expect(await k.outbox(from)).to.deep.equal(['Hello world']);
  });

  it('split-based-on: the first matching transition, else noMatch (Studio operators)', async () => {
    const flow = await k.publish([
      trigger('ask'),
      {name: 'ask', type: 'send-and-wait-for-reply', transitions: [{event: 'incomingMessage', next: 'route'}, {event: 'timeout'}], properties: {body: 'Sales or support?'}},
      {
        name: 'route',
        type: 'split-based-on',
        transitions: [
          {event: 'noMatch', next: 'other'},
          {event: 'match', next: 'sales', conditions: [{friendly_name: 'sales', arguments: ['{{widgets.ask.inbound.Body}}'], type: 'matches_any_of', value: 'sales, buy'}]},
          {event: 'match', next: 'support', conditions: [{friendly_name: 'help', arguments: ['{{widgets.ask.inbound.Body}}'], type: 'contains', value: 'help'}]},
        ],
        properties: {input: '{{widgets.ask.inbound.Body}}'},
      },
      send('sales', 'To sales'),
      send('support', 'To support'),
      send('other', 'Sorry?'),
    ]);
    const to = await k.address(flow.sid);
    for (const [reply, expected] of [
      ['BUY', 'To sales'],
      ['I need help please', 'To support'],
      ['pizza', 'Sorry?'],
    ]) {
      const from = phone();
      await k.inbound(from, to, 'hi');
      await k.inbound(from, to, reply);
      expect(await k.outbox(from), reply).to.deep.equal(['Sales or support?', expected]);
    }
  });

  it("Studio's operators, one by one", () => {
    const cases: [string, string, string, boolean][] = [
      ['equal_to', ' Yes ', 'yes', true],
      ['equal_to', 'yes', 'no', false],
      ['not_equal_to', 'a', 'b', true],
      ['matches_any_of', 'Two', 'one, two,three', true],
      ['does_not_match_any_of', 'four', 'one,two', true],
      ['is_blank', '  ', '', true],
      ['is_not_blank', 'x', '', true],
      ['contains', 'Order 123', 'order', true],
      ['does_not_contain', 'abc', 'z', true],
      ['starts_with', 'Hello world', 'hello', true],
      ['does_not_start_with', 'Hello', 'bye', true],
      ['greater_than', '10', '9', true],
      ['greater_than', 'ten', '9', false],
      ['less_than', '2.5', '3', true],
      ['regex', 'order #4521', '#\\d{4}', true],
      ['regex', 'order', '^\\d+$', false],
    ];
    for (const [op, input, value, expected] of cases) expect(splitTest(op, input, value), `${op}(${input}, ${value})`).to.equal(expected);
    expect(() => splitTest('is_after_time', 'x', 'y')).to.throw(/is_after_time/);
  });

  it('run-function (not emulated) ends the execution as failed, the reason naming the widget in its last step and the event log', async () => {
    const flow = await k.publish([
      trigger('fn'),
      {name: 'fn', type: 'run-function', transitions: [{event: 'success'}, {event: 'fail'}], properties: {url: 'https://example-1234.twil.io/hook', parameters: []}},
    ]);
    const to = await k.address(flow.sid);
    await k.inbound(phone(), to, 'hi');
    const [exec] = await k.executions(flow.sid);
    expect(exec.status).to.equal('ended');
    const steps = await k.steps(flow.sid, exec.sid);
    expect(steps.at(-1)!.path).to.equal('fn -failed-> Ended');
    expect(String(steps.at(-1)!.context.error)).to.match(/widget 'fn' is of type run-function, which the flexconv emulator does not run/);
    const failed = await k.events('studio.execution.failed');
    expect(failed.map((e) => e.data.ExecutionSid)).to.include(exec.sid);
    expect(failed.find((e) => e.data.ExecutionSid === exec.sid)!.data.Widget).to.equal('fn');
  });

  it('a template that would render for ever is cut off: the execution fails with the reason, the emulator answers', async () => {
    const flow = await k.publish([trigger('loop'), send('loop', '{% for i in (1..100000000) %}{% for j in (1..1000) %}x{% endfor %}{% endfor %}')]);
    const to = await k.address(flow.sid);
    await k.inbound(phone(), to, 'hi');
    const [exec] = await k.executions(flow.sid);
    expect(exec.status).to.equal('ended');
    const steps = await k.steps(flow.sid, exec.sid);
    expect(steps.at(-1)!.path).to.equal('loop -failed-> Ended');
    expect(String(steps.at(-1)!.context.error)).to.match(/widget 'loop' \(send-message\) failed: .*limit/i);
    expect((await t.expect(200, 'GET', '/_emulator/health')).status).to.equal('ok');
  });

  describe('make-http-request (a real request to a local server)', () => {
    let server: Server;
    let base = '';
    const seen: {method: string; url: string; body: string; type: string}[] = [];
    before(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          seen.push({method: req.method!, url: req.url!, body, type: String(req.headers['content-type'] ?? '')});
          if (req.url!.startsWith('/hang')) return; // never answers
          if (req.url!.startsWith('/fail')) return void res.writeHead(500, {'Content-Type': 'text/plain'}).end('boom');
          res.writeHead(200, {'Content-Type': 'application/json'}).end(JSON.stringify({tier: 'gold', echo: body}));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as {port: number}).port}`;
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });

    const flowTo = (url: string, extra: Partial<State['properties']> = {}) =>
      k.publish([
        trigger('http'),
        {
          name: 'http',
          type: 'make-http-request',
          transitions: [{event: 'success', next: 'ok'}, {event: 'failed', next: 'ko'}],
          properties: {method: 'POST', url, content_type: 'application/json;charset=utf-8', body: '{"from": "{{trigger.conversation.From}}"}', ...extra},
        },
        send('ok', 'Your tier: {{widgets.http.parsed.tier}}'),
        send('ko', 'Lookup failed ({{widgets.http.status_code}})'),
      ]);

    it('success: the JSON answer is in widgets.NAME.parsed for the next widget', async () => {
      const flow = await flowTo(`${base}/lookup`);
      const to = await k.address(flow.sid);
      const from = phone();
      await k.inbound(from, to, 'hi');
      await t.emu.idle();
      const [exec] = await k.executions(flow.sid);
      expect(exec.status).to.equal('ended');
      expect(await k.outbox(from)).to.deep.equal(['Your tier: gold']);
      const sent = seen.find((s) => s.url === '/lookup')!;
      expect(sent.method).to.equal('POST');
      expect(sent.type).to.contain('application/json');
      expect(JSON.parse(sent.body)).to.deep.equal({from});
      const ctx = await k.context(flow.sid, exec.sid);
      expect(ctx.widgets.http.status_code).to.equal(200);
    });

    it('a 500: the failed transition, the status in the step', async () => {
      const flow = await flowTo(`${base}/fail`, {method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', parameters: [{key: 'who', value: '{{trigger.conversation.From}}'}]});
      const to = await k.address(flow.sid);
      const from = phone();
      await k.inbound(from, to, 'hi');
      await t.emu.idle();
      expect(await k.outbox(from)).to.deep.equal(['Lookup failed (500)']);
      expect(seen.some((s) => s.method === 'GET' && s.url === `/fail?who=${encodeURIComponent(from)}`)).to.equal(true);
      const [exec] = await k.executions(flow.sid);
      const steps = await k.steps(flow.sid, exec.sid);
      expect(steps[1].path).to.equal('http -failed-> ko');
      expect(steps[1].context.error).to.contain('HTTP 500');
    });

    it('a server that hangs: failed after the bounded timeout, the reason in the step (the emulator goes on)', async () => {
      const flow = await flowTo(`${base}/hang`);
      const to = await k.address(flow.sid);
      const from = phone();
      await k.inbound(from, to, 'hi');
      const [waiting] = await k.executions(flow.sid);
      expect(waiting.status).to.equal('active');
      await t.emu.idle();
      const steps = await k.steps(flow.sid, waiting.sid);
      expect(steps[1].path).to.equal('http -failed-> ko');
      expect(steps[1].context.error).to.match(/did not answer within 300 ms/);
      expect((await t.expect(200, 'GET', '/_emulator/health')).status).to.equal('ok');
    });
  });

  it('a conversation-scoped webhook with Target=studio (a REST-made conversation, as the outbound reminder does) feeds the flow', async () => {
    const flow = await k.publish([trigger('reply'), send('reply', 'Got "{{trigger.conversation.Body}}" from {{trigger.conversation.Author}} in {{trigger.conversation.ConversationSid}}')]);
    const proxy = phone();
    const customer = phone();
    const conv = await t.expect(201, 'POST', `${CV}/Conversations`, {form: {FriendlyName: 'reminder'}});
    await t.expect(201, 'POST', `${CV}/Conversations/${conv.sid}/Participants`, {form: {'MessagingBinding.Address': customer, 'MessagingBinding.ProxyAddress': proxy}});
    await t.expect(201, 'POST', `${CV}/Conversations/${conv.sid}/Webhooks`, {form: {Target: 'studio', 'Configuration.FlowSid': flow.sid}});
    // the reminder itself (REST, no webhooks) starts nothing
    await t.expect(201, 'POST', `${CV}/Conversations/${conv.sid}/Messages`, {form: {Author: 'reminders', Body: 'Your appointment is tomorrow'}});
    expect(await k.executions(flow.sid)).to.have.length(0);
    await t.expect(201, 'POST', '/_emulator/inbound', {form: {From: customer, To: proxy, Body: 'Can we move it?'}});
    const [exec] = await k.executions(flow.sid);
    expect(exec.status).to.equal('ended');
    expect(await k.outbox(customer)).to.deep.equal(['Your appointment is tomorrow', `Got "Can we move it?" from ${customer} in ${conv.sid}`]);
    const ctx = await k.context(flow.sid, exec.sid);
    expect(ctx.trigger.conversation).to.include({ConversationSid: conv.sid, Body: 'Can we move it?', Author: customer, From: customer, ChannelSid: conv.sid, AccountSid: t.emu.accountSid});
    expect(ctx.trigger.conversation.MessageSid).to.match(/^IM/);
    expect(ctx.trigger.conversation.DateCreated).to.match(/Z$/);
  });

  it('a studio webhook naming a flow that does not exist (or was never published) drops the message with a logged reason', async () => {
    const draft = await t.expect(201, 'POST', `${ST}/Flows`, {form: {FriendlyName: `draft-${Date.now()}`, Status: 'draft', Definition: JSON.stringify(definition([trigger('x'), send('x', 'x')]))}});
    const to = await k.address(draft.sid);
    await k.inbound(phone(), to, 'hi');
    expect(await k.executions(draft.sid)).to.have.length(0);
    const dropped = await k.events('studio.trigger.dropped');
    expect(dropped.map((e) => e.data.reason)).to.satisfy((rs: string[]) => rs.some((r) => r.includes(draft.sid) && r.includes('no published revision')));
  });
});

describe('emulator: a Studio execution waiting for a reply survives a restart', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flexconv-studio-'));
  });
  after(() => rmSync(dir, {recursive: true, force: true}));

  it('stop while it waits; a new emulator on the same file takes the reply where it left off, and its timer still fires', async () => {
    const db = join(dir, 'emulator.db');
    let t = await startTestEmulator({db, clock: 'manual'});
    let k = kit(t);
    const flow = await k.publish([
      trigger('ask'),
      {name: 'ask', type: 'send-and-wait-for-reply', transitions: [{event: 'incomingMessage', next: 'thanks'}, {event: 'timeout', next: 'bye'}], properties: {body: 'Your name?', timeout: '600'}},
      send('thanks', 'Thanks {{widgets.ask.inbound.Body}}'),
      send('bye', 'Bye'),
    ]);
    const to = await k.address(flow.sid);
    const [a, b] = [phone(), phone()];
    await k.inbound(a, to, 'hi');
    await k.inbound(b, to, 'hi');
    await t.emu.stop();

    t = await startTestEmulator({db, clock: 'manual'});
    k = kit(t);
    try {
      await k.inbound(a, to, 'Ada');
      expect(await k.outbox(a)).to.deep.equal(['Your name?', 'Thanks Ada']);
      await t.emu.clock.advance('PT11M');
      expect(await k.outbox(b)).to.deep.equal(['Your name?', 'Bye']);
      const statuses = (await k.executions(flow.sid)).map((e) => e.status);
      expect(statuses).to.deep.equal(['ended', 'ended']);
    } finally {
      await t.emu.stop();
    }
  });

  it('an execution waiting on make-http-request when the emulator stops sends its request again at the next start', async () => {
    let answering = false;
    const held: import('node:http').ServerResponse[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => (answering ? res.writeHead(200, {'Content-Type': 'application/json'}).end('{"ok": "yes"}') : held.push(res)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as {port: number}).port}/slow`;
    const db = join(dir, 'http.db');
    let t = await startTestEmulator({db, clock: 'manual'});
    try {
      let k = kit(t);
      const flow = await k.publish([
        trigger('http'),
        {name: 'http', type: 'make-http-request', transitions: [{event: 'success', next: 'ok'}, {event: 'failed'}], properties: {method: 'GET', url}},
        send('ok', 'ok={{widgets.http.parsed.ok}}'),
      ]);
      const to = await k.address(flow.sid);
      const from = phone();
      await k.inbound(from, to, 'hi');
      while (held.length === 0) await new Promise((r) => setImmediate(r)); // the first request arrived (and is held)
      await t.emu.stop();
      answering = true;
      t = await startTestEmulator({db, clock: 'manual'});
      k = kit(t);
      await t.emu.idle();
      expect(await k.outbox(from)).to.deep.equal(['ok=yes']);
      expect((await k.executions(flow.sid))[0].status).to.equal('ended');
    } finally {
      await t.emu.stop();
      server.closeAllConnections();
      server.close();
    }
  });
});
