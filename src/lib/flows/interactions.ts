/**
 * Flex Interactions (`flex-api.twilio.com/v1/Interactions`, SIDs KD/UO/UT/KG): the flows of a
 * Flex contact centre driven without a Flex UI — create an interaction (inbound for a
 * conversation, api- or agent-initiated to a customer), show it with its tasks, invite a second
 * agent, transfer, wrap up or close a participant, close or park the channel, and find the
 * conversations Flex leaves behind (orphans). Works the same against Twilio and the emulator
 * through the SDK's `flexApi.v1`; defaults come from the Flex Configuration (the TaskRouter
 * workspace, workflow and queue Flex routes with). Takes a bound SDK client and plain options.
 */
import {collect, isSid, wire, type Listed} from '../cli/index.js';
import {FlexconvError, isTwilioError, toFlexconvError, usageError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';
import {closeConversation, given, listConversations, listParticipants, type Conversation, type ConversationState, type Participant} from './conversations.js';
import {listMessages} from './messages.js';
import {getTask, listReservations, listTasks, listWorkers, queueSid, workerSid, workflowSid, type Reservation, type Task} from './taskrouter.js';

/** The spec's Channel.type enum. */
export const CHANNEL_TYPES = ['sms', 'whatsapp', 'chat', 'web', 'messenger', 'gbm', 'email', 'voice'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** The spec's PageSize maximum (every Interactions list). */
export const MAX_PAGE = 1000;

type Doc = Record<string, unknown>;
export interface Interaction extends Doc {
  sid: string;
  channel: Doc;
  routing: Doc | null;
  url: string;
}
export interface InteractionChannel extends Doc {
  sid: string;
  interaction_sid: string;
  type: string;
  status: string;
  error_code: number | null;
  error_message: string | null;
}
export interface ChannelParticipant extends Doc {
  sid: string;
  type: string;
  interaction_sid: string;
  channel_sid: string;
  routing_properties: Doc | null;
}
export interface Invite extends Doc {
  sid: string;
  interaction_sid: string;
  channel_sid: string;
  routing: Doc | null;
}

// ---------------------------------------------------------------------------------------------
// SIDs and errors

const KINDS: Record<string, string> = {
  KD: 'Interaction', UO: 'Interaction Channel', UT: 'Interaction Channel Participant', KG: 'Invite', CH: 'Conversation',
  WS: 'Workspace', WW: 'Workflow', WQ: 'TaskQueue', WK: 'Worker', WT: 'Task', WR: 'Reservation', TC: 'TaskChannel', UX: 'Transfer',
};

/**
 * A SID of the given kind, refused before any request when it is the wrong kind (a WQ where a
 * WW belongs) or malformed. `name` allows friendly names (workers, queues, workflows).
 */
export function checkKind(flag: string, prefix: string, value: string, opts: {name?: boolean} = {}): string {
  if (isSid(prefix, value)) return value;
  const a = (prefix: string) => {
    const name = KINDS[prefix] ?? prefix;
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  };
  const other = /^([A-Z]{2})[0-9a-fA-F]{32}$/.exec(value)?.[1];
  if (other) throw usageError(`${flag} ${value} is ${a(other)} SID; ${flag} takes ${a(prefix)} SID (${prefix}…)${opts.name ? ' or name' : ''}`);
  if (!opts.name || new RegExp(`^${prefix}[0-9a-fA-F]*$`).test(value))
    throw usageError(`${flag} "${value}" is not ${a(prefix)} SID (${prefix} + 32 hex characters)`);
  return value;
}

/** The SIDs and names of a routing checked before any request (a WQ where a WW belongs is a usage error). */
function precheck(r: RoutingInput): void {
  if (r.workflow !== undefined) checkKind('--workflow', 'WW', r.workflow, {name: true});
  if (r.queue !== undefined) checkKind('--queue', 'WQ', r.queue, {name: true});
  if (r.worker !== undefined) checkKind('--worker', 'WK', r.worker, {name: true});
}

/** A 404 of the interaction (or a channel of it) as NOT_FOUND with the way on; anything else as it is. */
function rethrow(error: unknown, what: string): never {
  if (isTwilioError(error) && error.status === 404) {
    const e = toFlexconvError(error);
    throw new FlexconvError('NOT_FOUND', `No ${what}`, {twilio: e.twilio, hints: ['interactions have no list; find one in a task\'s attributes (flexInteractionSid): `flexconv tasks list --json`'], cause: error});
  }
  throw error;
}

async function guard<T>(what: string, act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (error) {
    return rethrow(error, what);
  }
}

// ---------------------------------------------------------------------------------------------
// The Flex Configuration's defaults

export interface FlexDefaults {
  workspace_sid: string;
  workflow_sid: string | null;
  queue_sid: string | null;
  chat_service_sid: string | null;
}

/** The workspace, workflow and queue Flex routes with, from `GET /v1/Configuration`. */
export async function flexDefaults(client: TwilioClient): Promise<FlexDefaults> {
  let c: Doc;
  try {
    c = wire(await client.flexApi.v1.configuration().fetch());
  } catch (error) {
    if (isTwilioError(error) && error.status === 404)
      throw new FlexconvError('NOT_FOUND', 'This account has no Flex Configuration (it is not a Flex account)', {
        twilio: toFlexconvError(error).twilio,
        hints: ['on the emulator, a new account is a Flex account unless it was started with --bare: `flexconv emulator start`'],
        cause: error,
      });
    throw error;
  }
  const ws = c.taskrouter_workspace_sid;
  if (typeof ws !== 'string' || !ws) throw new FlexconvError('NOT_FOUND', 'The Flex Configuration names no TaskRouter workspace (taskrouter_workspace_sid)');
  const s = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {workspace_sid: ws, workflow_sid: s(c.taskrouter_target_workflow_sid), queue_sid: s(c.taskrouter_target_taskqueue_sid), chat_service_sid: s(c.chat_service_instance_sid)};
}

// ---------------------------------------------------------------------------------------------
// Routing

/** `--attributes`: one JSON object, or `key=value` pairs (values that parse as JSON are taken as such). */
export function parseAttributes(values: string[] | undefined): Doc {
  const out: Doc = {};
  for (const v of values ?? []) {
    const text = v.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw usageError(`--attributes is not valid JSON: ${(error as Error).message}`, ['give a JSON object, e.g. --attributes \'{"language":"en"}\', or key=value pairs: --attributes language=en']);
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw usageError('--attributes must be a JSON object, not a list', ['for example --attributes \'{"language":"en"}\'']);
      Object.assign(out, parsed);
      continue;
    }
    const eq = text.indexOf('=');
    if (eq <= 0) throw usageError(`--attributes "${v}" is neither a JSON object nor key=value`, ['for example --attributes language=en --attributes priority=2']);
    const raw = text.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    out[text.slice(0, eq)] = value;
  }
  return out;
}

/** The task channel Flex uses for a channel type [unverified: Flex's mapping for gbm/web]. */
export function taskChannelFor(type: string): string {
  return ({sms: 'sms', whatsapp: 'whatsapp', messenger: 'messenger', chat: 'chat', web: 'chat', gbm: 'chat', email: 'email', voice: 'voice'} as Record<string, string>)[type] ?? 'default';
}

export interface RoutingInput {
  /** WW SID or name; default the Flex Configuration's target workflow. */
  workflow?: string;
  /** WQ SID or name; default the Flex Configuration's target queue (when a worker is named). */
  queue?: string;
  /** WK SID or name: the task goes to this worker. */
  worker?: string;
  taskChannel?: string;
  attributes?: Doc;
  priority?: number;
  timeout?: number;
}

interface ResolvedRouting {
  workspace_sid: string;
  workflow_sid?: string;
  queue_sid?: string;
  worker_sid?: string;
}

async function resolveRouting(client: TwilioClient, d: FlexDefaults, r: RoutingInput): Promise<ResolvedRouting> {
  const ws = d.workspace_sid;
  const workflow = r.workflow === undefined ? (d.workflow_sid ?? undefined) : await workflowSid(client, ws, checkKind('--workflow', 'WW', r.workflow, {name: true}));
  const queue = r.queue === undefined ? undefined : await queueSid(client, ws, checkKind('--queue', 'WQ', r.queue, {name: true}));
  const worker = r.worker === undefined ? undefined : await workerSid(client, ws, checkKind('--worker', 'WK', r.worker, {name: true}));
  // a task for one worker still sits in a queue: Flex's target queue unless one is named
  return given({workspace_sid: ws, workflow_sid: workflow, queue_sid: queue ?? (worker ? (d.queue_sid ?? undefined) : undefined), worker_sid: worker});
}

/** The Routing JSON of a create or an invite [semantics §4.2]. */
function routingJson(r: ResolvedRouting, input: RoutingInput, type: string): Doc {
  return {
    properties: given({
      ...r,
      task_channel_unique_name: input.taskChannel ?? taskChannelFor(type),
      attributes: input.attributes ?? {},
      priority: input.priority,
      timeout: input.timeout,
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Create

export interface CreateInput extends RoutingInput {
  /** Inbound: an existing conversation (CH…). */
  conversation?: string;
  /** api/agent: the customer's address and the address Flex writes from. */
  to?: string;
  from?: string;
  channel?: ChannelType;
  /** Set by `outbound agent`: agent-initiated even without `worker`'s check here. */
  initiatedBy?: 'customer' | 'api' | 'agent';
  /** A friendly name for the conversation Flex creates. */
  name?: string;
  /** The Flex Configuration's defaults when the caller has read them already. */
  defaults?: FlexDefaults;
}

export interface CreatedInteraction {
  interaction: Interaction;
  interaction_sid: string;
  channel_sid: string;
  conversation_sid: string | null;
  task_sid: string | null;
  channel_status: string | null;
  initiated_by: string;
}

function mode(input: CreateInput): 'customer' | 'api' | 'agent' {
  if (input.initiatedBy) return input.initiatedBy;
  if (input.conversation !== undefined) {
    if (input.to !== undefined || input.from !== undefined) throw usageError('--conversation (an inbound interaction for it) cannot be combined with --to/--from (a new conversation with a customer)');
    // with --worker: known-agent routing of the inbound task (offered to that worker, not accepted for them)
    return 'customer';
  }
  if (input.to === undefined || input.from === undefined)
    throw usageError('Give --conversation CH… (inbound, for an existing conversation) or --to and --from (to a customer; with --worker agent-initiated)', [
      'for example --to +15551234567 --from +15005550006 --channel sms',
    ]);
  return input.worker !== undefined ? 'agent' : 'api';
}

/** The channel type of an existing conversation: its customer's binding type (sms, whatsapp), else chat. */
async function conversationChannel(client: TwilioClient, conv: string): Promise<ChannelType> {
  const {items} = await listParticipants(client, conv, {limit: 50});
  const b = items.find((p) => p.messaging_binding?.address)?.messaging_binding;
  if (b?.address?.startsWith('whatsapp:') || b?.type === 'whatsapp') return 'whatsapp';
  if (b?.type === 'messenger') return 'messenger';
  return b ? 'sms' : 'chat';
}

export async function createInteraction(client: TwilioClient, input: CreateInput): Promise<CreatedInteraction> {
  const by = mode(input);
  if (by === 'agent' && input.worker === undefined) throw usageError('An agent-initiated interaction needs --worker (the agent who writes to the customer)');
  if (input.channel !== undefined && !(CHANNEL_TYPES as readonly string[]).includes(input.channel)) throw usageError(`--channel "${input.channel}" is not one of ${CHANNEL_TYPES.join(', ')}`);
  const conv = input.conversation === undefined ? undefined : checkKind('--conversation', 'CH', input.conversation);
  precheck(input);
  const defaults = input.defaults ?? (await flexDefaults(client));
  const type = input.channel ?? (conv ? await conversationChannel(client, conv) : 'sms');
  const routing = await resolveRouting(client, defaults, input);
  if (by === 'agent' && !routing.queue_sid) throw usageError('An agent-initiated interaction needs a queue: give --queue (the Flex Configuration names no target queue)');
  const address = (v: string) => (type === 'whatsapp' && !v.startsWith('whatsapp:') ? `whatsapp:${v}` : v);
  const channel = conv
    ? {type, initiated_by: by, properties: {media_channel_sid: conv}}
    : {type, initiated_by: by, participants: [given({address: address(input.to!), proxy_address: address(input.from!), name: input.name})]};
  const created = wire<Interaction>(
    await client.flexApi.v1.interaction.create({channel, routing: routingJson(routing, input, type)}),
  );
  return summarise(created, by);
}

function summarise(i: Interaction, by: string): CreatedInteraction {
  const props = (i.channel?.properties ?? {}) as Doc;
  const task = ((i.routing?.properties ?? {}) as Doc).sid;
  return {
    interaction: i,
    interaction_sid: i.sid,
    channel_sid: String(i.channel?.sid ?? ''),
    conversation_sid: typeof props.media_channel_sid === 'string' ? props.media_channel_sid : null,
    task_sid: typeof task === 'string' ? task : null,
    channel_status: null,
    initiated_by: by,
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll until the channel is active (Twilio sets it up asynchronously: setup → active, or failed
 * with error_code) and the task exists (the echoed routing, else the channel's invites).
 */
export async function waitForInteraction(
  client: TwilioClient,
  c: CreatedInteraction,
  opts: {timeoutMs: number; intervalMs?: number; onState?: (status: string) => void},
): Promise<CreatedInteraction> {
  const until = Date.now() + opts.timeoutMs;
  const routed = c.interaction.routing !== null && c.interaction.routing !== undefined;
  for (;;) {
    const ch = await getChannel(client, c.interaction_sid, c.channel_sid);
    opts.onState?.(ch.status);
    if (ch.status === 'failed')
      throw new FlexconvError('TWILIO_API_ERROR', `Interaction channel ${ch.sid} failed${ch.error_code ? ` (error ${ch.error_code})` : ''}: ${ch.error_message ?? 'no reason given'}`, {
        hints: ch.error_code ? [`https://www.twilio.com/docs/api/errors/${ch.error_code}`] : [],
      });
    let task = c.task_sid;
    if (!task && routed) task = taskOfInvite((await listInvites(client, c.interaction_sid, ch.sid)).at(-1)) ?? null;
    if (ch.status !== 'setup' && (task || !routed)) return {...c, task_sid: task, channel_status: ch.status};
    if (Date.now() > until)
      throw new FlexconvError('TIMEOUT', `Interaction ${c.interaction_sid} is not ready after ${Math.round(opts.timeoutMs / 1000)} s (channel ${ch.status}${task ? '' : ', no task yet'})`, {
        hints: [`look at it with \`flexconv interactions show ${c.interaction_sid}\``],
      });
    await pause(opts.intervalMs ?? 250);
  }
}

// ---------------------------------------------------------------------------------------------
// Reads

export async function getInteraction(client: TwilioClient, kd: string): Promise<Interaction> {
  checkKind('the interaction', 'KD', kd);
  return guard(`interaction ${kd}`, async () => wire(await client.flexApi.v1.interaction(kd).fetch()));
}

export async function listChannels(client: TwilioClient, kd: string): Promise<InteractionChannel[]> {
  checkKind('the interaction', 'KD', kd);
  const list = client.flexApi.v1.interaction(kd).channels;
  return guard(`interaction ${kd}`, async () => (await collect((pageSize) => list.page({pageSize}), {max: MAX_PAGE}, (i) => wire<InteractionChannel>(i))).items);
}

export async function getChannel(client: TwilioClient, kd: string, uo: string): Promise<InteractionChannel> {
  checkKind('the channel', 'UO', uo);
  return guard(`channel ${uo} in interaction ${kd}`, async () => wire(await client.flexApi.v1.interaction(kd).channels(uo).fetch()));
}

export async function listChannelParticipants(client: TwilioClient, kd: string, uo: string): Promise<ChannelParticipant[]> {
  const list = client.flexApi.v1.interaction(kd).channels(uo).participants;
  return guard(`channel ${uo} in interaction ${kd}`, async () => (await collect((pageSize) => list.page({pageSize}), {max: MAX_PAGE}, (i) => wire<ChannelParticipant>(i))).items);
}

export async function listInvites(client: TwilioClient, kd: string, uo: string): Promise<Invite[]> {
  const list = client.flexApi.v1.interaction(kd).channels(uo).invites;
  return guard(`channel ${uo} in interaction ${kd}`, async () => (await collect((pageSize) => list.page({pageSize}), {max: MAX_PAGE}, (i) => wire<Invite>(i))).items);
}

const taskOfInvite = (i: Invite | undefined): string | undefined => {
  const sid = ((i?.routing?.properties ?? {}) as Doc).sid;
  return typeof sid === 'string' ? sid : undefined;
};
const wsOfInvite = (i: Invite): string | undefined => {
  const ws = ((i.routing?.properties ?? {}) as Doc).workspace_sid;
  return typeof ws === 'string' ? ws : undefined;
};
const rp = (p: ChannelParticipant, k: string): string | undefined => {
  const v = p.routing_properties?.[k];
  return typeof v === 'string' && v ? v : undefined;
};

/**
 * The channel a command acts on: `uo` when given, else the interaction's only channel that is
 * not closed (else its last one). Several open ones: a usage error naming them.
 */
export async function pickChannel(client: TwilioClient, kd: string, uo?: string): Promise<InteractionChannel> {
  if (uo !== undefined) return getChannel(client, kd, uo);
  const all = await listChannels(client, kd);
  if (all.length === 0) throw new FlexconvError('NOT_FOUND', `Interaction ${kd} has no channel`);
  const open = all.filter((c) => c.status !== 'closed');
  if (open.length > 1) throw usageError(`Interaction ${kd} has ${open.length} open channels: ${open.map((c) => `${c.sid} (${c.type}, ${c.status})`).join(', ')}`, ['name one: add UO… after the KD…']);
  return open[0] ?? all.at(-1)!;
}

// ---------------------------------------------------------------------------------------------
// Show: one view of an interaction

export type ParticipantStatus = 'active' | 'wrapup' | 'closed' | 'invited';

export interface ParticipantRow extends ChannelParticipant {
  /** Derived: the API shows no status; an agent's follows its task (assigned → active, wrapping → wrapup, ended → closed). */
  status: ParticipantStatus;
  worker_sid: string | null;
  /** From the task's reservations (TaskRouter), when known. */
  worker_name: string | null;
  task_sid: string | null;
}

export interface InviteRow extends Invite {
  task_sid: string | null;
  task_status: string | null;
  /** The invited worker (a task routed to one worker), else null (routed by the workflow). */
  worker_sid: string | null;
  pending: boolean;
}

export interface TransferRow {
  invite_sid: string;
  task_sid: string | null;
  type: string;
  /** The transferring agent's participant (UT) and worker. */
  from: string | null;
  from_worker_sid: string | null;
  /** WK… or WQ… */
  to: string | null;
  status: 'active' | 'completed' | 'failed';
}

export interface TaskRow extends Task {
  reservations: Reservation[];
}

export interface ChannelView extends InteractionChannel {
  participants: ParticipantRow[];
  invites: InviteRow[];
  transfers: TransferRow[];
  tasks: TaskRow[];
}

export interface InteractionView {
  interaction: Interaction;
  conversation_sid: string | null;
  channels: ChannelView[];
}

const OPEN_TASK = new Set(['pending', 'reserved', 'assigned', 'wrapping']);
const ENDED_TASK = new Set(['completed', 'canceled']);

function attrs(t: Task | undefined): Doc {
  if (!t) return {};
  try {
    return JSON.parse(t.attributes) as Doc;
  } catch {
    return {};
  }
}

function participantStatus(p: ChannelParticipant, ch: InteractionChannel, task: Task | undefined): ParticipantStatus {
  if (p.type === 'customer') return ch.status === 'closed' ? 'closed' : 'active';
  if (!task) return ch.status === 'closed' || ch.status === 'inactive' ? 'closed' : 'active';
  const s = task.assignment_status;
  if (s === 'assigned') return 'active';
  if (s === 'wrapping') return ch.status === 'closed' ? 'closed' : 'wrapup';
  if (ENDED_TASK.has(s)) return 'closed';
  return 'invited';
}

function transferOf(inv: InviteRow, task: Task | undefined): TransferRow | undefined {
  const a = attrs(task);
  if (typeof a.transferType !== 'string' && typeof a.transferTargetType !== 'string') return undefined;
  const s = task?.assignment_status;
  return {
    invite_sid: inv.sid,
    task_sid: inv.task_sid,
    type: typeof a.transferType === 'string' ? a.transferType : 'cold',
    from: typeof a.transferFromParticipantSid === 'string' ? a.transferFromParticipantSid : null,
    from_worker_sid: typeof a.transferFrom === 'string' ? a.transferFrom : null,
    to: typeof a.transferTo === 'string' ? a.transferTo : inv.worker_sid,
    status: s === 'canceled' ? 'failed' : s === 'pending' || s === 'reserved' ? 'active' : 'completed',
  };
}

/** The channel's participants with their derived status, its invites with their tasks, and the tasks with their reservations. */
export async function channelView(client: TwilioClient, kd: string, ch: InteractionChannel): Promise<ChannelView> {
  const [participants, invites] = [await listChannelParticipants(client, kd, ch.sid), await listInvites(client, kd, ch.sid)];
  const tasks = new Map<string, TaskRow>();
  const wsOf = new Map<string, string>();
  for (const i of invites) {
    const t = taskOfInvite(i);
    const ws = wsOfInvite(i);
    if (t && ws) wsOf.set(t, ws);
  }
  for (const p of participants) {
    const t = rp(p, 'task_sid');
    const ws = rp(p, 'workspace_sid');
    if (t && ws && !wsOf.has(t)) wsOf.set(t, ws);
  }
  for (const [sid, ws] of wsOf) {
    const task = await getTask(client, ws, sid).catch((error: unknown) => {
      // a task TaskRouter deleted (or one of another workspace) is left out of the view
      if (error instanceof FlexconvError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    });
    if (!task) continue;
    const {items} = await listReservations(client, ws, {task: sid}, {limit: 50});
    tasks.set(sid, {...task, reservations: items});
  }
  const names = new Map<string, string>();
  for (const t of tasks.values()) for (const r of t.reservations) names.set(r.worker_sid, r.worker_name);
  const rows: ParticipantRow[] = participants.map((p) => {
    const t = rp(p, 'task_sid');
    const worker = rp(p, 'worker_sid') ?? null;
    return {...p, status: participantStatus(p, ch, t ? tasks.get(t) : undefined), worker_sid: worker, worker_name: worker ? (names.get(worker) ?? null) : null, task_sid: t ?? null};
  });
  const inviteRows: InviteRow[] = invites.map((i) => {
    const t = taskOfInvite(i);
    const task = t ? tasks.get(t) : undefined;
    const worker = task?.reservations.find((r) => r.reservation_status === 'accepted' || r.reservation_status === 'pending')?.worker_sid ?? null;
    const props = (i.routing?.properties ?? {}) as Doc;
    // the echoed task names the worker it targets (routing_target WK…) when the invite named one
    const target = props.worker_sid ?? (typeof props.routing_target === 'string' && props.routing_target.startsWith('WK') ? props.routing_target : undefined);
    return {
      ...i,
      task_sid: t ?? null,
      task_status: task?.assignment_status ?? null,
      worker_sid: typeof target === 'string' ? target : (attrs(task).transferTo as string | undefined)?.startsWith('WK') ? (attrs(task).transferTo as string) : worker,
      pending: task ? task.assignment_status === 'pending' || task.assignment_status === 'reserved' : false,
    };
  });
  const transfers = inviteRows.map((i) => transferOf(i, i.task_sid ? tasks.get(i.task_sid) : undefined)).filter((x): x is TransferRow => Boolean(x));
  return {...ch, participants: rows, invites: inviteRows, transfers, tasks: [...tasks.values()]};
}

export async function showInteraction(client: TwilioClient, kd: string): Promise<InteractionView> {
  const interaction = await getInteraction(client, kd);
  // every task is found with its workspace (the invite's routing, the participant's routing_properties): no Configuration read
  const channels: ChannelView[] = [];
  for (const ch of await listChannels(client, kd)) channels.push(await channelView(client, kd, ch));
  const media = ((interaction.channel?.properties ?? {}) as Doc).media_channel_sid;
  return {interaction, conversation_sid: typeof media === 'string' ? media : null, channels};
}

// ---------------------------------------------------------------------------------------------
// Participants: close or wrap up

export interface ParticipantTarget {
  channel: ChannelView;
  participant: ParticipantRow;
}

/**
 * The participant a close acts on: `ut` when given, else the channel's only active agent (or
 * the only agent in wrap-up, for a close after --wrapup). Several: a usage error naming them.
 */
export async function pickParticipant(client: TwilioClient, kd: string, opts: {channel?: string; participant?: string}): Promise<ParticipantTarget> {
  const ch = await pickChannel(client, kd, opts.channel);
  const view = await channelView(client, kd, ch);
  if (opts.participant !== undefined) {
    checkKind('the participant', 'UT', opts.participant);
    const p = view.participants.find((x) => x.sid === opts.participant);
    if (!p) throw new FlexconvError('NOT_FOUND', `No participant ${opts.participant} in channel ${ch.sid} of interaction ${kd}`, {hints: [`list them with \`flexconv interactions participants list ${kd}\``]});
    return {channel: view, participant: p};
  }
  const agents = view.participants.filter((p) => p.type === 'agent');
  for (const want of ['active', 'wrapup'] as const) {
    const some = agents.filter((p) => p.status === want);
    if (some.length === 1) return {channel: view, participant: some[0]};
    if (some.length > 1)
      throw usageError(`Channel ${ch.sid} has ${some.length} ${want === 'active' ? 'active' : 'wrapping'} agents: ${some.map((p) => `${p.sid} (worker ${p.worker_sid ?? '?'})`).join(', ')}`, ['name one: add UT… after the KD…']);
  }
  throw new FlexconvError('NOT_FOUND', `Channel ${ch.sid} of interaction ${kd} has no agent participant that is not closed`, {hints: [`see it with \`flexconv interactions show ${kd}\``]});
}

export async function setParticipantStatus(client: TwilioClient, kd: string, uo: string, ut: string, status: 'closed' | 'wrapup'): Promise<ChannelParticipant> {
  return guard(`participant ${ut} in channel ${uo}`, async () => wire(await client.flexApi.v1.interaction(kd).channels(uo).participants(ut).update({status})));
}

// ---------------------------------------------------------------------------------------------
// Invites

export interface InviteInput {
  channel?: string;
  worker?: string;
  queue?: string;
  workflow?: string;
  attributes?: Doc;
  /** Invite even when the worker is in the conversation already or an invite is pending. */
  force?: boolean;
}

export interface InviteResult {
  invite: Invite;
  interaction_sid: string;
  channel_sid: string;
  task_sid: string | null;
  worker_sid: string | null;
  queue_sid: string | null;
}

/** Why an invite would be a mistake (that worker is in already, an invite is pending), or undefined. */
function inviteObstacle(view: ChannelView, worker: string | undefined): string | undefined {
  if (worker) {
    const inside = view.participants.find((p) => p.type === 'agent' && p.worker_sid === worker && (p.status === 'active' || p.status === 'wrapup'));
    if (inside) return `worker ${worker} is in the conversation already (participant ${inside.sid}, ${inside.status})`;
  }
  const pending = view.invites.find((i) => i.pending && (!worker || !i.worker_sid || i.worker_sid === worker));
  if (pending) return `invite ${pending.sid} (task ${pending.task_sid}, ${pending.task_status}) is still pending${pending.worker_sid ? ` for worker ${pending.worker_sid}` : ''}`;
  return undefined;
}

export async function inviteToInteraction(client: TwilioClient, kd: string, input: InviteInput): Promise<InviteResult> {
  if ((input.worker === undefined) === (input.queue === undefined)) throw usageError('Give --worker (one agent) or --queue (whoever is free there)');
  precheck(input);
  checkKind('the interaction', 'KD', kd);
  const ch = await pickChannel(client, kd, input.channel);
  const defaults = await flexDefaults(client);
  const routing = await resolveRouting(client, defaults, {worker: input.worker, queue: input.queue, workflow: input.workflow});
  if (ch.status !== 'closed' && !input.force) {
    const why = inviteObstacle(await channelView(client, kd, ch), routing.worker_sid);
    if (why) throw new FlexconvError('REFUSED', `Not inviting into ${kd}: ${why}`, {hints: [`see it with \`flexconv interactions show ${kd}\``, 'invite anyway with --force']});
  }
  // a closed channel is sent as asked: the API's own refusal (status and code) is the answer
  const invite = await guard(`channel ${ch.sid} in interaction ${kd}`, async () =>
    wire<Invite>(await client.flexApi.v1.interaction(kd).channels(ch.sid).invites.create({routing: routingJson(routing, {attributes: input.attributes}, ch.type)})),
  );
  return {invite, interaction_sid: kd, channel_sid: ch.sid, task_sid: taskOfInvite(invite) ?? null, worker_sid: routing.worker_sid ?? null, queue_sid: routing.queue_sid ?? null};
}

// ---------------------------------------------------------------------------------------------
// Transfers: Flex's recipe on both targets

export interface TransferInput {
  channel?: string;
  /** The transferring agent's participant (UT); default the channel's only active agent. */
  from?: string;
  toWorker?: string;
  toQueue?: string;
  type: 'cold' | 'warm';
  attributes?: Doc;
}

export interface TransferStarted {
  interaction_sid: string;
  channel_sid: string;
  type: 'cold' | 'warm';
  from: string;
  from_worker_sid: string | null;
  to: string;
  invite_sid: string;
  task_sid: string | null;
  status: 'active' | 'completed' | 'failed';
  /** Set when the target accepted: their reservation. */
  reservation_sid?: string;
  worker_sid?: string;
}

/**
 * Start a transfer as Flex does [docs via the Flex transfer plugin README]: an invite for the
 * target whose task carries the transfer in its attributes (transferType, transferTargetType,
 * transferTo, transferFrom, transferFromParticipantSid — the emulator's Transfers resource
 * writes the same keys). The transferring agent stays until the target accepts: see
 * finishTransfer().
 */
export async function startTransfer(client: TwilioClient, kd: string, input: TransferInput): Promise<TransferStarted> {
  if ((input.toWorker === undefined) === (input.toQueue === undefined)) throw usageError('Give --to-worker (one agent) or --to-queue (whoever is free there)');
  if (input.toWorker !== undefined) checkKind('--to-worker', 'WK', input.toWorker, {name: true});
  if (input.toQueue !== undefined) checkKind('--to-queue', 'WQ', input.toQueue, {name: true});
  checkKind('the interaction', 'KD', kd);
  const {channel, participant} = await pickParticipant(client, kd, {channel: input.channel, participant: input.from});
  if (participant.type !== 'agent' || participant.status !== 'active')
    throw usageError(`Participant ${participant.sid} is ${participant.type === 'agent' ? `an agent in status ${participant.status}` : `the ${participant.type}`}; only an active agent transfers`);
  const defaults = await flexDefaults(client);
  const routing = await resolveRouting(client, defaults, {worker: input.toWorker, queue: input.toQueue});
  const to = routing.worker_sid ?? routing.queue_sid!;
  if (routing.worker_sid && routing.worker_sid === participant.worker_sid) throw usageError(`Worker ${to} is the transferring agent`);
  const why = inviteObstacle(channel, routing.worker_sid);
  if (why) throw new FlexconvError('REFUSED', `Not transferring ${kd}: ${why}`, {hints: [`see it with \`flexconv interactions show ${kd}\``]});
  const task = participant.task_sid ? channel.tasks.find((t) => t.sid === participant.task_sid) : undefined;
  const keep = Object.fromEntries(Object.entries(attrs(task)).filter(([k]) => !k.startsWith('flex') && !k.startsWith('transfer') && k !== 'conversations' && k !== 'conversationSid'));
  const attributes = {
    ...keep,
    ...input.attributes,
    transferType: input.type,
    transferTargetType: routing.worker_sid ? 'worker' : 'queue',
    transferTo: to,
    transferFrom: participant.worker_sid,
    transferFromParticipantSid: participant.sid,
  };
  const invite = await guard(`channel ${channel.sid} in interaction ${kd}`, async () =>
    wire<Invite>(await client.flexApi.v1.interaction(kd).channels(channel.sid).invites.create({routing: routingJson(routing, {attributes, taskChannel: task?.task_channel_unique_name ?? undefined}, channel.type)})),
  );
  return {
    interaction_sid: kd,
    channel_sid: channel.sid,
    type: input.type,
    from: participant.sid,
    from_worker_sid: participant.worker_sid,
    to,
    invite_sid: invite.sid,
    task_sid: taskOfInvite(invite) ?? null,
    status: 'active',
  };
}

/**
 * Wait for the target of a transfer: on accept a cold transfer closes the transferring agent's
 * participant (its task completes), a warm one leaves both in. A declined invite to one worker
 * (its task canceled) or no answer by the deadline fails it; the first agent stays either way.
 */
export async function finishTransfer(
  client: TwilioClient,
  t: TransferStarted,
  opts: {timeoutMs: number; intervalMs?: number; workspace?: string},
): Promise<TransferStarted> {
  if (!t.task_sid) throw new FlexconvError('TRANSFER_FAILED', `The invite ${t.invite_sid} echoed no task; the transfer cannot be followed`);
  const ws = opts.workspace ?? (await flexDefaults(client)).workspace_sid;
  const until = Date.now() + opts.timeoutMs;
  for (;;) {
    const task = await getTask(client, ws, t.task_sid);
    if (task.assignment_status === 'canceled')
      throw new FlexconvError('TRANSFER_FAILED', `${t.to} did not take the transfer (task ${task.sid} canceled${task.reason ? `: ${task.reason}` : ''}); participant ${t.from} keeps the interaction`, {
        hints: [`try someone else: \`flexconv interactions transfer ${t.interaction_sid} --to-queue Everyone --${t.type}\``],
      });
    if (task.assignment_status !== 'pending' && task.assignment_status !== 'reserved') {
      const {items} = await listReservations(client, ws, {task: task.sid}, {limit: 50});
      const r = items.find((x) => x.reservation_status === 'accepted' || x.reservation_status === 'wrapping' || x.reservation_status === 'completed');
      if (t.type === 'cold') await setParticipantStatus(client, t.interaction_sid, t.channel_sid, t.from, 'closed');
      return {...t, status: 'completed', reservation_sid: r?.sid, worker_sid: r?.worker_sid};
    }
    if (Date.now() > until)
      throw new FlexconvError('TIMEOUT', `${t.to} has not accepted the transfer after ${Math.round(opts.timeoutMs / 1000)} s (task ${task.sid} ${task.assignment_status}); participant ${t.from} keeps the interaction`, {
        hints: [
          `when they accept, finish it yourself${t.type === 'cold' ? `: \`flexconv interactions participants close ${t.interaction_sid} ${t.channel_sid} ${t.from} --yes\`` : ' (warm: nothing to do)'}`,
          `or cancel the invite's task: \`flexconv tasks cancel ${task.sid}\``,
        ],
      });
    await pause(opts.intervalMs ?? 250);
  }
}

// ---------------------------------------------------------------------------------------------
// Close and park

export async function setChannelStatus(client: TwilioClient, kd: string, uo: string, opts: {park?: boolean; complete?: boolean}): Promise<InteractionChannel> {
  const params = given({status: opts.park ? ('inactive' as const) : ('closed' as const), routing: opts.park || opts.complete ? {status: 'closed'} : undefined});
  return guard(`channel ${uo} in interaction ${kd}`, async () => wire(await client.flexApi.v1.interaction(kd).channels(uo).update(params)));
}

// ---------------------------------------------------------------------------------------------
// Orphans: the conversations Flex leaves behind

export type OrphanReason = 'no_open_task' | 'no_agent';

export interface Orphan {
  conversation: Conversation;
  /** no_open_task: nobody will pick it up; no_agent: its task is assigned or wrapping but no agent is in the conversation. */
  reasons: OrphanReason[];
  age_seconds: number;
  last_message: {index: number; author: string | null; body: string | null; date_created: string | null} | null;
  open_tasks: string[];
  /** The interaction and channel of its latest Flex task, when there is one. */
  interaction_sid: string | null;
  channel_sid: string | null;
}

export interface OrphanOptions {
  /** Count parked conversations too (channel inactive: waiting for the customer by design). */
  includeParked?: boolean;
  /** Default active and inactive. */
  states?: ConversationState[];
  /** Look at no more than this many conversations per state (and tasks in the workspace). */
  scanLimit?: number;
  /** The workspace to read tasks and workers from; default the Flex Configuration's. */
  workspace?: string;
  now?: Date;
}

/** A Flex user identity of a worker: its contact_uri without `client:` [unverified], else its name. */
function identities(workers: {friendly_name: string; attributes: string}[]): Set<string> {
  const out = new Set<string>();
  for (const w of workers) {
    out.add(w.friendly_name);
    try {
      const a = JSON.parse(w.attributes) as {contact_uri?: unknown};
      if (typeof a.contact_uri === 'string' && a.contact_uri) out.add(a.contact_uri.replace(/^client:/, ''));
    } catch {
      // not JSON: the name only
    }
  }
  return out;
}

/**
 * Conversations that are active or inactive with no open task, or whose task is assigned or
 * wrapping while no agent is in the conversation — the Flex best-practice traps (a declined
 * invite to a known worker, a task canceled through TaskRouter, an agent who left). Read-only;
 * `doctor` counts them with this.
 */
export async function findOrphans(client: TwilioClient, opts: OrphanOptions = {}): Promise<{orphans: Orphan[]; scanned: number; more: boolean}> {
  const ws = opts.workspace ?? (await flexDefaults(client)).workspace_sid;
  const scan = opts.scanLimit ?? 1000;
  const tasks = (await listTasks(client, ws, {limit: scan})).items;
  const agents = identities((await listWorkers(client, ws, {limit: scan})).items);
  const byConv = new Map<string, Task[]>();
  for (const t of tasks) {
    const c = attrs(t).conversationSid;
    if (typeof c === 'string') byConv.set(c, [...(byConv.get(c) ?? []), t]);
  }
  const now = (opts.now ?? new Date()).getTime();
  const orphans: Orphan[] = [];
  let scanned = 0;
  let more = false;
  for (const state of opts.states?.length ? opts.states : (['active', 'inactive'] as ConversationState[])) {
    const listed: Listed<Conversation> = await listConversations(client, {state, limit: scan});
    scanned += listed.items.length;
    more ||= listed.more;
    for (const conv of listed.items) {
      const mine = byConv.get(conv.sid) ?? [];
      const open = mine.filter((t) => OPEN_TASK.has(t.assignment_status));
      const working = open.filter((t) => t.assignment_status === 'assigned' || t.assignment_status === 'wrapping');
      const reasons: OrphanReason[] = [];
      if (open.length === 0) reasons.push('no_open_task');
      if (working.length > 0 || open.length === 0) {
        const {items} = await listParticipants(client, conv.sid, {limit: 100});
        if (!items.some((p: Participant) => p.identity && agents.has(p.identity))) reasons.push('no_agent');
      }
      if (!reasons.length) continue;
      const latest = [...mine].sort((a, b) => String(b.date_created).localeCompare(String(a.date_created)))[0];
      const la = attrs(latest);
      const kd = typeof la.flexInteractionSid === 'string' ? la.flexInteractionSid : null;
      const uo = typeof la.flexInteractionChannelSid === 'string' ? la.flexInteractionChannelSid : null;
      // a parked interaction (channel inactive) waits for the customer on purpose
      if (kd && uo && !opts.includeParked && open.length === 0 && (await getChannel(client, kd, uo).catch(() => undefined))?.status === 'inactive') continue;
      const last = (await listMessages(client, conv.sid, {order: 'desc', limit: 1})).items[0];
      orphans.push({
        conversation: conv,
        reasons,
        age_seconds: Math.max(0, Math.floor((now - Date.parse(conv.date_created ?? '')) / 1000) || 0),
        last_message: last ? {index: last.index, author: last.author, body: last.body, date_created: last.date_created} : null,
        open_tasks: open.map((t) => t.sid),
        interaction_sid: kd,
        channel_sid: uo,
      });
    }
  }
  return {orphans, scanned, more};
}

/**
 * Close an orphan the way Flex should have: through its interaction channel when there is one
 * (the conversation closes, open tasks complete), else the conversation itself. `via` says which.
 */
export async function closeOrphan(client: TwilioClient, o: Orphan, opts: {webhooks?: boolean} = {}): Promise<{via: 'channel' | 'conversation'}> {
  if (o.interaction_sid && o.channel_sid) {
    const ch = await getChannel(client, o.interaction_sid, o.channel_sid).catch(() => undefined);
    if (ch && ch.status !== 'closed') {
      await setChannelStatus(client, o.interaction_sid, o.channel_sid, {complete: true});
      return {via: 'channel'};
    }
  }
  await closeConversation(client, o.conversation.sid, {current: o.conversation, webhooks: opts.webhooks});
  return {via: 'conversation'};
}

/** `2h05m`, `3d4h`: an age at a glance. */
export function ageText(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}
