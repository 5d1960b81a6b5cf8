/**
 * `flexconv demo`: the whole Flex Conversations story on an emulator started in this process
 * (fresh, in memory), driven through the same flows the commands use and observed through the
 * API at every step — never assumed. A step whose effect cannot be seen fails the demo.
 *
 *  1. set-up: two agents, a Studio flow with Send to Flex, an SMS address and a web chat address
 *     that run it;
 *  2. inbound: a customer texts in → Studio → a task reserved for an agent, who accepts, joins and
 *     replies (the reply lands in the customer's outbox);
 *  3. a second agent is invited and joins; the first wraps up; the channel closes;
 *  4. outbound: a reminder goes out, the customer answers, the answer reaches Flex as a new task;
 *  5. webchat: a guest opens a chat, types, an agent accepts it.
 */
import {FlexconvError} from '../errors.js';
import {createClient, type TwilioClient} from '../twilio/client.js';
import {createAddress} from './addresses.js';
import {listParticipants, getConversation} from './conversations.js';
import {starterFlowDefinition, taskChannels} from './flex-setup.js';
import {flexDefaults, inviteToInteraction, setChannelStatus, setParticipantStatus} from './interactions.js';
import {listMessages, sendMessage} from './messages.js';
import {sendReminder} from './reminder.js';
import {outbox, simulateInbound, type ControlTarget} from './simulate.js';
import {deployFlow} from './studio.js';
import {createWorker, getTask, listReservations, listTasks, updateReservation, type Task} from './taskrouter.js';
import {createWebchat, guestSays} from './webchat.js';

export interface DemoStep {
  /** Which part of the story (setup, inbound, invite, close, reminder, webchat). */
  part: string;
  /** What happened, as observed through the API. */
  text: string;
  /** The SIDs it involved. */
  sids?: Record<string, string>;
  /** ms since the demo started. */
  at_ms: number;
}

export interface DemoResult {
  emulator_url: string;
  account_sid: string;
  steps: DemoStep[];
  seconds: number;
  /** With --keep: the emulator still runs at emulator_url. */
  kept: boolean;
  /** Commands to explore what the story left behind (with --keep). */
  next: string[];
}

export interface DemoOptions {
  /** Keep the emulator running after the story (the caller stops it with `stop`). */
  keep?: boolean;
  /** Port for the emulator (default: a free one). */
  port?: number;
  /** Told each step as it is observed. */
  onStep?: (s: DemoStep) => void;
  /** Wraps a slow part (a spinner on a terminal). */
  spin?: <T>(text: string, work: () => Promise<T>) => Promise<T>;
}

export interface RunningDemo {
  result: DemoResult;
  /** Stops the emulator (already stopped unless `keep`). */
  stop: () => Promise<void>;
}

const NUMBER = '+15005550006';
const CUSTOMER = '+15551230001';
const CUSTOMER2 = '+15551230002';
const CHAT_ADDRESS = 'demo-webchat';

/** A story step that did not happen as it should: the demo fails, naming it. */
function notObserved(what: string): FlexconvError {
  return new FlexconvError('UNEXPECTED', `demo: ${what} was not observed through the API`, {
    hints: ['this is a bug in the emulator or a flow: please report it with the output of `flexconv demo --json`'],
  });
}

/** Poll `read` until it gives a value (reactions run before a response leaves, so this is normally at once). */
async function observe<T>(what: string, read: () => Promise<T | undefined>, tries = 50): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw notObserved(what);
}

const attrsOf = (t: Task): Record<string, unknown> => {
  try {
    return JSON.parse(t.attributes) as Record<string, unknown>;
  } catch {
    return {};
  }
};

export async function runDemo(opts: DemoOptions = {}): Promise<RunningDemo> {
  const started = Date.now();
  const {startEmulator} = await import('../emulator/index.js');
  const emu = await startEmulator({port: opts.port ?? 0, db: ':memory:'});
  const steps: DemoStep[] = [];
  const say = (part: string, text: string, sids?: Record<string, string>) => {
    const s: DemoStep = {part, text, ...(sids ? {sids} : {}), at_ms: Date.now() - started};
    steps.push(s);
    opts.onStep?.(s);
  };
  const spin = opts.spin ?? ((_t, work) => work());
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await emu.stop();
  };
  try {
    const client = await createClient({target: 'emulator', baseUrl: emu.url, accountSid: emu.accountSid, authToken: emu.authToken, sources: {}});
    const control: ControlTarget = {baseUrl: emu.url, username: emu.accountSid, password: emu.authToken};
    say('setup', `emulator started at ${emu.url} (account ${emu.accountSid}), a Flex account out of the box`);
    const ctx = await spin('setting up agents, Studio flows and two addresses', () => setUp(client, say));
    await spin('a customer texts in', () => inboundStory(client, control, ctx, say));
    await spin('an outbound reminder', () => reminderStory(client, control, ctx, say));
    await spin('a web chat', () => webchatStory(client, control, ctx, say));
    const result: DemoResult = {
      emulator_url: emu.url,
      account_sid: emu.accountSid,
      steps,
      seconds: (Date.now() - started) / 1000,
      kept: Boolean(opts.keep),
      next: opts.keep ? nextCommands(emu.url, ctx) : [],
    };
    if (!opts.keep) await stop();
    return {result, stop};
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Ctx {
  ws: string;
  workflow: string;
  flow: string;
  agents: Map<string, string>; // WK → identity
  conversation?: string;
  interaction?: string;
}

type Say = (part: string, text: string, sids?: Record<string, string>) => void;

async function setUp(client: TwilioClient, say: Say): Promise<Ctx> {
  const flex = await flexDefaults(client);
  if (!flex.workflow_sid) throw notObserved('the Flex Configuration\'s workflow');
  const ws = flex.workspace_sid;
  const channels = await taskChannels(client, ws);
  const sms = channels.find((c) => c.unique_name === 'sms');
  const chat = channels.find((c) => c.unique_name === 'chat');
  if (!sms || !chat) throw notObserved('the sms and chat task channels');
  const agents = new Map<string, string>();
  for (const name of ['alice', 'bob']) {
    const w = await createWorker(client, ws, {friendlyName: name, activity: 'Available', attributes: JSON.stringify({contact_uri: `client:${name}`, full_name: name})});
    agents.set(w.sid, name);
  }
  say('setup', `agents alice and bob are Available in "Flex Task Assignment"`, Object.fromEntries([...agents].map(([sid, n]) => [n, sid])));
  const smsFlow = await deployFlow(client, {name: 'demo: SMS to Flex', definition: starterFlowDefinition(flex.workflow_sid, sms.sid), publish: true});
  const chatFlow = await deployFlow(client, {name: 'demo: web chat to Flex', definition: starterFlowDefinition(flex.workflow_sid, chat.sid), publish: true});
  say('setup', `Studio flows deployed and published, each ending in Send to Flex`, {sms_flow: smsFlow.flow.sid, chat_flow: chatFlow.flow.sid});
  const address = await createAddress(client, {type: 'sms', address: NUMBER, friendlyName: 'demo line', autoCreation: {enabled: true, type: 'studio', studioFlowSid: smsFlow.flow.sid}});
  const chatAddress = await createAddress(client, {type: 'chat', address: CHAT_ADDRESS, friendlyName: 'demo web chat', autoCreation: {enabled: true, type: 'studio', studioFlowSid: chatFlow.flow.sid}});
  say('setup', `addresses ${NUMBER} (sms) and ${CHAT_ADDRESS} (chat) auto-create conversations through Studio`, {sms_address: address.sid, chat_address: chatAddress.sid});
  return {ws, workflow: flex.workflow_sid, flow: smsFlow.flow.sid, agents};
}

/** The task of a conversation, once Studio's Send to Flex has made it. */
async function taskOf(client: TwilioClient, ws: string, conversation: string, what: string, exclude: string[] = []): Promise<Task> {
  return observe(what, async () => (await listTasks(client, ws, {limit: 200})).items.find((t) => attrsOf(t).conversationSid === conversation && !exclude.includes(t.sid)));
}

/** The pending reservation of a task, accepted: the agent joins the conversation. */
async function accept(client: TwilioClient, ctx: Ctx, task: Task, conversation: string, part: string, say: Say): Promise<{worker: string; identity: string}> {
  const r = await observe(`a pending reservation of task ${task.sid}`, async () =>
    (await listReservations(client, ctx.ws, {task: task.sid, status: 'pending'})).items[0],
  );
  const identity = ctx.agents.get(r.worker_sid) ?? r.worker_name;
  say(part, `task ${task.sid} is offered to ${identity}`, {task: task.sid, reservation: r.sid});
  await updateReservation(client, ctx.ws, r.sid, {task: task.sid}, {status: 'accepted'});
  await observe(`${identity} joining ${conversation}`, async () =>
    (await listParticipants(client, conversation, {limit: 50})).items.find((p) => p.identity === identity),
  );
  say(part, `${identity} accepts and joins the conversation`, {worker: r.worker_sid});
  return {worker: r.worker_sid, identity};
}

async function inboundStory(client: TwilioClient, control: ControlTarget, ctx: Ctx, say: Say): Promise<void> {
  const inbound = await simulateInbound(control, {from: CUSTOMER, to: NUMBER, body: 'Hi, my order #1234 is late'});
  say('inbound', `${CUSTOMER} texts ${NUMBER}: "Hi, my order #1234 is late" — a conversation is auto-created`, {conversation: inbound.conversation_sid});
  const conv = inbound.conversation_sid;
  const task = await taskOf(client, ctx.ws, conv, 'the task Studio\'s Send to Flex creates');
  const kd = String(attrsOf(task).flexInteractionSid ?? '');
  const uo = String(attrsOf(task).flexInteractionChannelSid ?? '');
  if (!kd.startsWith('KD') || !uo.startsWith('UO')) throw notObserved('the interaction of the Flex task');
  say('inbound', `Studio ran the flow; Send to Flex made interaction ${kd} and task ${task.sid}`, {interaction: kd, channel: uo, task: task.sid});
  const first = await accept(client, ctx, task, conv, 'inbound', say);
  await sendMessage(client, conv, {author: first.identity, body: 'Sorry about that! Let me check your order.'});
  await observe('the reply in the customer\'s outbox', async () => (await outbox(control, {to: CUSTOMER})).find((m) => m.body?.startsWith('Sorry about that')));
  say('inbound', `${first.identity} replies; the reply reaches ${CUSTOMER}'s phone (the outbox)`);

  const other = [...ctx.agents].find(([sid]) => sid !== first.worker);
  if (!other) throw notObserved('a second agent');
  const invite = await inviteToInteraction(client, kd, {channel: uo, worker: other[0]});
  if (!invite.task_sid) throw notObserved('the invite\'s task');
  say('invite', `${first.identity} invites ${other[1]}: invite ${invite.invite.sid}, task ${invite.task_sid}`, {invite: invite.invite.sid, task: invite.task_sid});
  await accept(client, ctx, await getTask(client, ctx.ws, invite.task_sid), conv, 'invite', say);

  const agentUt = await observe(`${first.identity}'s agent participant`, async () => {
    const list = await client.flexApi.v1.interaction(kd).channels(uo).participants.list({limit: 50});
    const mine = list.filter((p) => p.type === 'agent');
    // the first agent's participant is the one whose routing names the first task
    return mine.find((p) => JSON.stringify(p.routingProperties ?? {}).includes(task.sid))?.sid ?? (mine.length ? mine[0].sid : undefined);
  });
  await setParticipantStatus(client, kd, uo, agentUt, 'wrapup');
  await observe(`task ${task.sid} wrapping`, async () => ((await getTask(client, ctx.ws, task.sid)).assignment_status === 'wrapping' ? true : undefined));
  say('close', `${first.identity} leaves with wrap-up: task ${task.sid} is wrapping, ${other[1]} stays with the customer`);
  await setChannelStatus(client, kd, uo, {});
  await observe('the conversation closed', async () => ((await getConversation(client, conv)).state === 'closed' ? true : undefined));
  say('close', `the channel closes: conversation ${conv} is closed and its open tasks wrap up`);
  ctx.conversation = conv;
  ctx.interaction = kd;
}

async function reminderStory(client: TwilioClient, control: ControlTarget, ctx: Ctx, say: Say): Promise<void> {
  const body = 'Your appointment is tomorrow at 10:00. Reply to talk to us.';
  const sent = await sendReminder(client, {to: CUSTOMER2, from: NUMBER, body, flow: ctx.flow});
  await observe('the reminder in the customer\'s outbox', async () => (await outbox(control, {to: CUSTOMER2})).find((m) => m.body === body));
  say('reminder', `a system-initiated reminder goes to ${CUSTOMER2} (conversation ${sent.conversation.sid}, a Studio webhook bound to it)`, {conversation: sent.conversation.sid});
  await simulateInbound(control, {from: CUSTOMER2, to: NUMBER, body: 'Can we make it 11:00?'});
  const task = await taskOf(client, ctx.ws, sent.conversation.sid, 'the task the customer\'s reply creates');
  const messages = (await listMessages(client, sent.conversation.sid, {limit: 10})).items.map((m) => m.body);
  if (!messages.includes(body) || !messages.includes('Can we make it 11:00?')) throw notObserved('the reminder and the reply in the conversation');
  say('reminder', `the customer replies; the reply reaches Flex as task ${task.sid}, with the reminder and the reply in its conversation`, {task: task.sid});
}

async function webchatStory(client: TwilioClient, control: ControlTarget, ctx: Ctx, say: Say): Promise<void> {
  const chat = await createWebchat(client, {address: CHAT_ADDRESS, customerName: 'Ada'}, {control});
  if (!chat.token) throw notObserved('the guest\'s access token');
  say('webchat', `a guest opens the web chat: conversation ${chat.conversation_sid}, identity ${chat.identity}, a Conversations access token`, {conversation: chat.conversation_sid});
  await guestSays(client, chat.conversation_sid, 'Hello from the website!', chat.identity);
  const task = await taskOf(client, ctx.ws, chat.conversation_sid, 'the web chat\'s task');
  say('webchat', `the guest types; Studio hands the chat to Flex as task ${task.sid}`, {task: task.sid});
  await accept(client, ctx, task, chat.conversation_sid, 'webchat', say);
}

function nextCommands(url: string, ctx: Ctx): string[] {
  const e = `--emulator-url ${url}`;
  return [
    `flexconv tasks list ${e}`,
    `flexconv conversations list ${e}`,
    ...(ctx.interaction ? [`flexconv interactions show ${ctx.interaction} ${e}`] : []),
    `flexconv studio executions list "demo: SMS to Flex" ${e}`,
    `flexconv simulate inbound --from +15551230003 --to ${NUMBER} --body "hello" ${e}`,
    `flexconv simulate outbox ${e}`,
  ];
}
