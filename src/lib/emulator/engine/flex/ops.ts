/**
 * The Flex domain: what Flex adds on top of Conversations and TaskRouter. An interaction binds a
 * conversation to an interaction channel and routes a task for it (through an invite); accepting
 * the reservation joins the agent (reactors, engine/flex/index.ts); participant and channel
 * updates wrap up, complete, close or park. Everything Twilio does synchronously is a direct call
 * of the other engines' operations in the same Tx, so a failed request leaves nothing behind.
 */
import {CODES as HTTP, errors, TwilioApiError} from '../../errors.js';
import {CONVERSATIONS, PARTICIPANTS, SERVICES, bindingKey, type ConversationDoc, type ParticipantDoc} from '../../model/conversations.js';
import {
  CHANNEL_PARTICIPANTS,
  CHANNEL_TYPES,
  FLEX_CONFIG,
  INTERACTION_CHANNELS,
  INTERACTIONS,
  INVITES,
  PARTICIPANT_TYPES,
  TRANSFERS,
  type ChannelParticipantDoc,
  type ChannelStatus,
  type ChannelType,
  type InitiatedBy,
  type InteractionChannelDoc,
  type InteractionDoc,
  type InviteDoc,
  type ParticipantType,
  type TransferDoc,
} from '../../model/flex.js';
import {TASKS, WORKERS, WORKFLOWS, WORKSPACES, type ReservationDoc, type TaskDoc} from '../../model/taskrouter.js';
import {newSid} from '../../sid.js';
import type {Tx} from '../../store/tx.js';
import {isoSeconds} from '../clock.js';
import {SYSTEM} from '../conversations/hooks.js';
import * as conv from '../conversations/ops.js';
import * as tr from '../taskrouter/ops.js';

export const FLEX_CODES = {
  /** [docs: error 80102] the customer's address + proxy pair is already in a conversation that is not closed. */
  ALREADY_BOUND: 80102,
} as const;

/** Logged (GET /_emulator/events) for what Twilio reports as a warning rather than an error. */
export const WARNING_EVENT = 'flex.warning';

const iso = (tx: Tx) => isoSeconds(tx.now);
const epoch = (text: string | null) => (text ? Math.floor(Date.parse(text) / 1000) : null);

function bad(field: string, why: string): TwilioApiError {
  return new TwilioApiError(400, HTTP.INVALID_PARAMETER, `Invalid parameter ${field}: ${why}`);
}

// =============================================================================================
// The Flex account out of the box

export const FLEX_NAMES = {
  service: 'Flex Chat Service',
  workspace: 'Flex Task Assignment',
  queue: 'Everyone',
  workflow: 'Assign to Anyone',
} as const;

/** Task channels of a Flex workspace beyond TaskRouter's defaults. */
const EXTRA_CHANNELS: [string, string][] = [
  ['Messenger', 'messenger'],
  ['WhatsApp', 'whatsapp'],
];

/** Every field of the spec's Configuration (all present; null when the emulator has nothing). */
const CONFIG_FIELDS = [
  'account_sid', 'date_created', 'date_updated', 'attributes', 'status', 'taskrouter_workspace_sid',
  'taskrouter_target_workflow_sid', 'taskrouter_target_taskqueue_sid', 'taskrouter_taskqueues', 'taskrouter_skills',
  'taskrouter_worker_channels', 'taskrouter_worker_attributes', 'taskrouter_offline_activity_sid', 'runtime_domain',
  'messaging_service_instance_sid', 'chat_service_instance_sid', 'flex_service_instance_sid', 'flex_instance_sid',
  'ui_language', 'ui_attributes', 'ui_dependencies', 'ui_version', 'service_version', 'call_recording_enabled',
  'call_recording_webhook_url', 'crm_enabled', 'crm_type', 'crm_callback_url', 'crm_fallback_url', 'crm_attributes',
  'public_attributes', 'plugin_service_enabled', 'plugin_service_attributes', 'integrations', 'outbound_call_flows',
  'serverless_service_sids', 'queue_stats_configuration', 'notifications', 'markdown', 'url', 'flex_insights_hr',
  'flex_insights_drilldown', 'flex_url', 'channel_configs', 'debugger_integration', 'flex_ui_status_report',
  'agent_conv_end_methods', 'citrix_voice_vdi', 'offline_config',
] as const;

/** What an update may not set (Twilio derives them). */
const CONFIG_READ_ONLY = new Set(['account_sid', 'date_created', 'date_updated', 'url', 'status']);

/**
 * A new account looks like a new Flex account: the Flex Chat Service as its default
 * Conversations service, the Flex Task Assignment workspace (Everyone, Assign to Anyone, the
 * standard channels and activities) and a Configuration naming them. Runs once per account.
 */
export function provisionFlex(tx: Tx): Record<string, unknown> {
  const existing = tx.repo(FLEX_CONFIG).get(tx.accountSid);
  if (existing) return existing.doc;
  const account = conv.accountConfig(tx);
  const service = conv.createService(tx, FLEX_NAMES.service);
  conv.updateAccountConfig(tx, {default_chat_service_sid: service.sid});
  // a workspace of that name made before (a database from before Flex provisioning) is reused
  const ws = tx.repo(WORKSPACES).findBy({friendly_name: FLEX_NAMES.workspace}) ?? tr.createWorkspace(tx, {friendly_name: FLEX_NAMES.workspace});
  const ix = tr.index(tx, ws.sid);
  const have = new Set([...ix.channels.values()].map((c) => c.unique_name));
  for (const [friendly, unique] of EXTRA_CHANNELS) if (!have.has(unique)) tr.createTaskChannel(tx, ws.sid, friendly, unique);
  const acts = new Map([...ix.activities.values()].map((a) => [a.friendly_name, a]));
  for (const [name, available] of [['Available', true], ['Unavailable', false], ['Offline', false], ['Break', false]] as const)
    if (!acts.has(name)) acts.set(name, tr.createActivity(tx, ws.sid, name, available));
  const queue = [...ix.queues.values()].find((q) => q.doc.friendly_name === FLEX_NAMES.queue)?.doc ?? tr.createQueue(tx, ws.sid, {friendly_name: FLEX_NAMES.queue, target_workers: '1==1'});
  const workflow =
    [...ix.workflows.values()].find((w) => w.friendly_name === FLEX_NAMES.workflow) ??
    tr.createWorkflow(tx, ws.sid, {
      friendly_name: FLEX_NAMES.workflow,
      configuration: JSON.stringify({task_routing: {filters: [], default_filter: {queue: queue.sid}}}),
    });
  const now = iso(tx);
  const doc: Record<string, unknown> = Object.fromEntries(CONFIG_FIELDS.map((f) => [f, null]));
  Object.assign(doc, {
    account_sid: tx.accountSid,
    date_created: now,
    date_updated: now,
    attributes: {},
    status: 'ok',
    taskrouter_workspace_sid: ws.sid,
    taskrouter_target_workflow_sid: workflow.sid,
    taskrouter_target_taskqueue_sid: queue.sid,
    taskrouter_taskqueues: [{sid: queue.sid, targettable: true}],
    taskrouter_skills: [],
    taskrouter_worker_channels: {},
    taskrouter_worker_attributes: {},
    taskrouter_offline_activity_sid: acts.get('Offline')!.sid,
    runtime_domain: null,
    messaging_service_instance_sid: account.default_messaging_service_sid,
    chat_service_instance_sid: service.sid,
    flex_service_instance_sid: service.sid,
    flex_instance_sid: newSid('GO'),
    ui_language: 'en',
    ui_attributes: {},
    ui_dependencies: {},
    ui_version: '2.0',
    service_version: '2.0',
    call_recording_enabled: false,
    crm_enabled: false,
    plugin_service_enabled: true,
    integrations: [],
    serverless_service_sids: [],
    channel_configs: [],
  });
  tx.repo(FLEX_CONFIG).insert({sid: tx.accountSid, doc});
  return doc;
}

export function flexConfig(tx: Tx): Record<string, unknown> | undefined {
  return tx.repo(FLEX_CONFIG).get(tx.accountSid)?.doc;
}

/** POST /v1/Configuration: the JSON body's fields replace the stored ones. */
export function updateFlexConfig(tx: Tx, body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('body', 'the Configuration update is a JSON object of its fields');
  const current = tx.repo(FLEX_CONFIG).get(tx.accountSid);
  if (!current) throw errors.notFound('/v1/Configuration');
  const next = {...current.doc};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === 'account_sid' && v === tx.accountSid) continue;
    if (CONFIG_READ_ONLY.has(k)) throw bad(k, 'is set by Twilio and cannot be updated');
    if (!(CONFIG_FIELDS as readonly string[]).includes(k)) throw bad(k, 'is not a field of the Flex Configuration');
    if (k.endsWith('_sid') && v !== null && (typeof v !== 'string' || !/^[A-Z]{2}[0-9a-fA-F]{32}$/.test(v))) throw bad(k, `'${String(v)}' is not a SID`);
    next[k] = v;
  }
  if (typeof next.chat_service_instance_sid === 'string' && !tx.repo(SERVICES).get(next.chat_service_instance_sid))
    throw bad('chat_service_instance_sid', `${next.chat_service_instance_sid} is not a Conversation Service of this account`);
  next.date_updated = iso(tx);
  tx.repo(FLEX_CONFIG).update({sid: tx.accountSid, doc: next});
  return next;
}

// =============================================================================================
// Payloads (JSON strings in form fields) [semantics §4.2]

export interface ChannelSpec {
  type: ChannelType;
  initiated_by: InitiatedBy;
  properties: Record<string, unknown>;
  participants: Record<string, unknown>[];
  raw: Record<string, unknown>;
}

export interface RoutingSpec {
  workspace_sid: string;
  workflow_sid?: string;
  queue_sid?: string;
  worker_sid?: string;
  task_channel?: string;
  attributes: Record<string, unknown>;
  priority?: number;
  timeout?: number;
  /** `Routing.status` (channel updates: `closed` completes the tasks). */
  status?: string;
  raw: Record<string, unknown>;
}

export function parseJsonObject(text: string | undefined, param: string): Record<string, unknown> | undefined {
  if (text === undefined || text === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad(param, `'${text.slice(0, 80)}' is not JSON`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(param, 'must be a JSON object');
  return v as Record<string, unknown>;
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(field, 'must be a JSON object');
  return v as Record<string, unknown>;
}

function sidField(v: unknown, prefix: string, field: string, required = false): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, `Missing required parameter ${field}`);
    return undefined;
  }
  if (typeof v !== 'string' || !new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(v))
    throw bad(field, `'${String(v)}' is not a ${prefix} SID (${prefix} followed by 32 hex characters)`);
  return v;
}

export function parseChannel(text: string): ChannelSpec {
  const raw = parseJsonObject(text, 'Channel')!;
  const type = raw.type;
  if (typeof type !== 'string' || !(CHANNEL_TYPES as readonly string[]).includes(type))
    throw bad('Channel.type', `'${String(type)}' is not one of ${CHANNEL_TYPES.join(', ')}`);
  const by = raw.initiated_by;
  if (by !== 'customer' && by !== 'api' && by !== 'agent') throw bad('Channel.initiated_by', `'${String(by)}' is not one of customer, api, agent`);
  const properties = obj(raw.properties, 'Channel.properties');
  const participants = raw.participants === undefined ? [] : raw.participants;
  if (!Array.isArray(participants) || participants.some((p) => !p || typeof p !== 'object' || Array.isArray(p)))
    throw bad('Channel.participants', 'must be a list of objects ({"address": …, "proxy_address": …})');
  if (by === 'customer') sidField(properties.media_channel_sid, 'CH', 'Channel.properties.media_channel_sid', true);
  else {
    const p = participants[0] as Record<string, unknown> | undefined;
    if (!p) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, `Missing required parameter Channel.participants (an ${by}-initiated interaction needs the customer's address and proxy_address)`);
    if (typeof p.identity === 'string' && p.identity && p.address === undefined) {
      // a chat customer is an identity [unverified]
    } else {
      if (typeof p.address !== 'string' || !p.address.trim()) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, 'Missing required parameter Channel.participants[0].address');
      if (typeof p.proxy_address !== 'string' || !p.proxy_address.trim())
        throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, 'Missing required parameter Channel.participants[0].proxy_address');
    }
  }
  return {type: type as ChannelType, initiated_by: by, properties, participants: participants as Record<string, unknown>[], raw};
}

export function parseRouting(text: string | undefined, param = 'Routing'): RoutingSpec | undefined {
  const raw = parseJsonObject(text, param);
  if (!raw) return undefined;
  const p = obj(raw.properties, `${param}.properties`);
  const field = (k: string) => `${param}.properties.${k}`;
  const num = (k: string, min: number) => {
    const v = p[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(field(k), `'${String(v)}' is not an integer ≥ ${min}`);
    return v;
  };
  const status = raw.status;
  if (status !== undefined && typeof status !== 'string') throw bad(`${param}.status`, 'must be a string');
  const tcName = p.task_channel_unique_name;
  if (tcName !== undefined && typeof tcName !== 'string') throw bad(field('task_channel_unique_name'), 'must be a string');
  const hasTask = raw.properties !== undefined;
  return {
    workspace_sid: hasTask ? sidField(p.workspace_sid, 'WS', field('workspace_sid'), true)! : '',
    workflow_sid: sidField(p.workflow_sid, 'WW', field('workflow_sid')),
    queue_sid: sidField(p.queue_sid, 'WQ', field('queue_sid')),
    worker_sid: sidField(p.worker_sid, 'WK', field('worker_sid')),
    task_channel: sidField(p.task_channel_sid, 'TC', field('task_channel_sid')) ?? (tcName || undefined),
    attributes: obj(p.attributes, field('attributes')),
    priority: num('priority', 0),
    timeout: num('timeout', 1),
    status: status as string | undefined,
    raw,
  };
}

// =============================================================================================
// Look-ups

export function conversationBySid(tx: Tx, sid: string): ConversationDoc | undefined {
  return tx.repo(CONVERSATIONS).locate(sid)?.doc;
}

export function channelOf(tx: Tx, interactionSid: string, channelSid: string): InteractionChannelDoc | undefined {
  return tx.repo(INTERACTION_CHANNELS).get(channelSid, interactionSid);
}

function saveChannel(tx: Tx, ch: InteractionChannelDoc, status?: ChannelStatus): void {
  if (status) ch.status = status;
  ch._.date_updated = iso(tx);
  tx.repo(INTERACTION_CHANNELS).update(ch, ch.interaction_sid);
}

/** A task as the interaction's `routing` echoes it [docs example]. */
export function taskProperties(t: TaskDoc): Record<string, unknown> {
  return {
    account_sid: t.account_sid,
    workspace_sid: t.workspace_sid,
    sid: t.sid,
    date_created: epoch(t.date_created),
    date_updated: epoch(t.date_updated),
    attributes: t.attributes,
    assignment_status: t.assignment_status,
    workflow_sid: t.workflow_sid,
    workflow_name: t.workflow_friendly_name,
    queue_sid: t.task_queue_sid,
    queue_name: t.task_queue_friendly_name,
    priority: t.priority,
    age: 0,
    reason: t.reason ?? '',
    timeout: t.timeout,
    assignmentCounter: 0,
    task_channel_sid: t.task_channel_sid,
    task_channel_unique_name: t.task_channel_unique_name,
    routing_target: t.routing_target,
    task_queue_entered_date: epoch(t.task_queue_entered_date),
    age_in_queue: 0,
    addons: t.addons ?? '{}',
  };
}

// =============================================================================================
// Interactions

export interface InteractionInput {
  channel: ChannelSpec;
  routing?: RoutingSpec;
  interaction_context_sid?: string;
  webhook_ttid?: string;
}

export interface InteractionOutcome {
  interaction: InteractionDoc;
  channel: InteractionChannelDoc;
  task?: TaskDoc;
  /** Set when the customer's pair was already bound (Twilio's warning 80102): the existing conversation was used. */
  warning?: {code: number; message: string};
}

/** The service Flex creates conversations in: the Configuration's chat service, else the account's default. */
function flexServiceSid(tx: Tx): string {
  const named = flexConfig(tx)?.chat_service_instance_sid;
  if (typeof named === 'string' && tx.repo(SERVICES).get(named)) return named;
  return conv.accountConfig(tx).default_chat_service_sid;
}

/** The customer of a conversation: its first participant with an address, else its first one. */
function customerOf(tx: Tx, c: ConversationDoc): ParticipantDoc | undefined {
  const all = tx.repo(PARTICIPANTS).all({}, c.sid);
  return all.find((p) => p.messaging_binding?.address) ?? all[0];
}

export function createInteraction(tx: Tx, input: InteractionInput): InteractionOutcome {
  const {channel: spec, routing} = input;
  if (spec.initiated_by === 'agent') {
    if (!routing || !routing.workspace_sid) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, 'Missing required parameter Routing (an agent-initiated interaction routes to Routing.properties.worker_sid)');
    if (!routing.worker_sid) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, 'Missing required parameter Routing.properties.worker_sid (agent-initiated)');
    if (!routing.queue_sid) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, 'Missing required parameter Routing.properties.queue_sid (agent-initiated)');
  }
  let c: ConversationDoc;
  let customer: ParticipantDoc | undefined;
  let warning: InteractionOutcome['warning'];
  if (spec.initiated_by === 'customer') {
    const sid = spec.properties.media_channel_sid as string;
    const found = conversationBySid(tx, sid);
    if (!found) throw bad('Channel.properties.media_channel_sid', `${sid} is not a Conversation of this account`);
    conv.assertOpen(found);
    c = found;
    customer = customerOf(tx, c);
  } else {
    const p = spec.participants[0];
    const address = typeof p.address === 'string' ? p.address.trim() : undefined;
    const proxy = typeof p.proxy_address === 'string' ? p.proxy_address.trim() : undefined;
    const held = address && proxy ? tx.repo(PARTICIPANTS).findAnywhere({binding: bindingKey(address, proxy)}) : undefined;
    const heldConv = held ? conversationBySid(tx, held.conversation_sid) : undefined;
    if (held && heldConv) {
      c = heldConv;
      customer = held;
      warning = {
        code: FLEX_CODES.ALREADY_BOUND,
        message: `The participant ${address} with proxy address ${proxy} is already in Conversation ${c.sid} (not closed); the interaction uses it`,
      };
    } else {
      const name = typeof p.name === 'string' ? p.name : null;
      c = conv.createConversation(tx, flexServiceSid(tx), {friendly_name: name}, SYSTEM);
      customer = address
        ? conv.addParticipant(tx, c, {address, proxy_address: proxy}, SYSTEM)
        : conv.addParticipant(tx, c, {identity: String(p.identity)}, SYSTEM);
    }
  }
  const now = iso(tx);
  const kd = newSid('KD');
  const uo = newSid('UO');
  const customerAddress = customer?.messaging_binding?.address ?? customer?.identity ?? null;
  const channel: InteractionChannelDoc = {
    sid: uo,
    interaction_sid: kd,
    type: spec.type,
    status: 'setup',
    error_code: null,
    error_message: null,
    _: {
      conversation_sid: c.sid,
      chat_service_sid: c.chat_service_sid,
      initiated_by: spec.initiated_by,
      customer_address: customerAddress,
      proxy_address: customer?.messaging_binding?.proxy_address ?? null,
      date_updated: now,
    },
  };
  const interaction: InteractionDoc = {
    sid: kd,
    channel: {...spec.raw, sid: uo, properties: {...spec.properties, media_channel_sid: c.sid}},
    routing: null,
    interaction_context_sid: input.interaction_context_sid ?? null,
    webhook_ttid: input.webhook_ttid ?? null,
    _: {account_sid: tx.accountSid, date_created: now},
  };
  if (customer)
    insertParticipant(tx, channel, 'customer', {conversation_participant_sid: customer.sid, media: {conversation_sid: c.sid, participant_sid: customer.sid}});
  let task: TaskDoc | undefined;
  if (routing?.workspace_sid) {
    const out = invite(tx, channel, routing, {accept: spec.initiated_by === 'agent'});
    task = out.task;
    interaction.routing = out.invite.routing;
  }
  // Twilio sets the channel up asynchronously; here it is ready when the create answers [docs:
  // setup → active]. Both rows are written once, as they end up (nothing in between reads them;
  // a failed create rolls back either way).
  channel.status = 'active';
  tx.repo(INTERACTIONS).insert(interaction);
  tx.repo(INTERACTION_CHANNELS).insert(channel, kd);
  if (warning) tx.emit(WARNING_EVENT, {code: warning.code, message: warning.message, interaction_sid: kd, conversation_sid: c.sid}, kd);
  return {interaction, channel, task, warning};
}

export function updateInteraction(tx: Tx, current: InteractionDoc, webhookTtid: string | undefined): InteractionDoc {
  const next = {...current, webhook_ttid: webhookTtid === undefined ? current.webhook_ttid : webhookTtid || null};
  tx.repo(INTERACTIONS).update(next);
  return next;
}

// =============================================================================================
// Invites: a task for the conversation of a channel

function insertParticipant(
  tx: Tx,
  ch: InteractionChannelDoc,
  type: ParticipantType,
  o: {conversation_participant_sid: string | null; media: Record<string, unknown>; routing?: Record<string, unknown> | null; task_sid?: string; worker_sid?: string; workspace_sid?: string},
): ChannelParticipantDoc {
  const p: ChannelParticipantDoc = {
    sid: newSid('UT'),
    type,
    interaction_sid: ch.interaction_sid,
    channel_sid: ch.sid,
    routing_properties: o.routing ?? null,
    _: {
      status: 'active',
      conversation_participant_sid: o.conversation_participant_sid,
      media_properties: o.media,
      task_sid: o.task_sid ?? null,
      worker_sid: o.worker_sid ?? null,
      workspace_sid: o.workspace_sid ?? null,
    },
  };
  tx.repo(CHANNEL_PARTICIPANTS).insert(p, ch.sid);
  return p;
}

/** Flex's attributes of an interaction task [docs example; semantics §4.3, §8]. */
function flexAttributes(ch: InteractionChannelDoc, routing: RoutingSpec, inviteSid: string): string {
  const inbound = ch._.initiated_by === 'customer';
  const user = routing.attributes;
  return JSON.stringify({
    ...user,
    conversationSid: ch._.conversation_sid,
    flexInteractionSid: ch.interaction_sid,
    flexInteractionChannelSid: ch.sid,
    flexChannelInviteSid: inviteSid,
    channelType: ch.type,
    initiatedBy: ch._.initiated_by,
    direction: inbound ? 'inbound' : 'outbound',
    customerAddress: user.customerAddress ?? ch._.customer_address,
    // [unverified] Flex UI shows `from` as the contact: the customer's address both ways
    from: user.from ?? ch._.customer_address,
    conversations: {
      initiated_by: ch._.initiated_by,
      communication_channel: ch.type,
      media: [{conversation_sid: ch._.conversation_sid}],
      direction: inbound ? 'inbound' : 'outbound',
    },
  });
}

/** The task channel of a routing: as named, else the channel's type when the workspace has it, else default [unverified]. */
function taskChannel(tx: Tx, wsSid: string, routing: RoutingSpec, type: ChannelType): string {
  if (routing.task_channel) return routing.task_channel;
  for (const c of tr.index(tx, wsSid).channels.values()) if (c.unique_name === type) return type;
  return 'default';
}

export function invite(
  tx: Tx,
  ch: InteractionChannelDoc,
  routing: RoutingSpec,
  opts: {accept?: boolean; transfer_sid?: string; param?: string} = {},
): {invite: InviteDoc; task: TaskDoc; reservation?: ReservationDoc} {
  const param = opts.param ?? 'Routing';
  if (!routing.workspace_sid) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, `Missing required parameter ${param}.properties.workspace_sid`);
  const ws = tx.repo(WORKSPACES).get(routing.workspace_sid);
  if (!ws) throw bad(`${param}.properties.workspace_sid`, `${routing.workspace_sid} is not a Workspace of this account`);
  if (routing.workflow_sid && !tx.repo(WORKFLOWS).get(routing.workflow_sid, ws.sid))
    throw bad(`${param}.properties.workflow_sid`, `${routing.workflow_sid} is not a Workflow of Workspace ${ws.sid}`);
  if (routing.worker_sid && !tx.repo(WORKERS).get(routing.worker_sid, ws.sid))
    throw bad(`${param}.properties.worker_sid`, `${routing.worker_sid} is not a Worker of Workspace ${ws.sid}`);
  const kg = newSid('KG');
  const attributes = flexAttributes(ch, routing, kg);
  const base = {attributes, priority: routing.priority, timeout: routing.timeout, task_channel: taskChannel(tx, ws.sid, routing, ch.type)};
  let task: TaskDoc;
  let reservation: ReservationDoc | undefined;
  if (routing.worker_sid) {
    const out = tr.createDirectTask(tx, ws.sid, {...base, workflow_sid: routing.workflow_sid, worker_sid: routing.worker_sid, queue_sid: routing.queue_sid});
    task = out.task;
    reservation = out.reservation;
    if (opts.accept) reservation = tr.acceptReservation(tx, ws.sid, reservation);
  } else if (routing.queue_sid) {
    // an invite to a queue (`interactions invite --queue`, a transfer to a queue): the task goes
    // straight into that queue, as TaskRouter's RoutingTarget=WQ does [unverified: Flex routes
    // such an invite through the workflow's filter that names the queue]
    task = tr.createTask(tx, ws.sid, {...base, routing_target: routing.queue_sid});
  } else {
    task = tr.createTask(tx, ws.sid, {...base, workflow_sid: routing.workflow_sid});
  }
  // accepting wrote the task again (assigned): read what it is now
  if (reservation && opts.accept) task = tx.repo(TASKS).get(task.sid, ws.sid)!;
  const doc: InviteDoc = {
    sid: kg,
    interaction_sid: ch.interaction_sid,
    channel_sid: ch.sid,
    routing: {
      reservation: reservation && opts.accept ? {sid: reservation.sid, reservation_status: reservation.reservation_status, worker_sid: reservation.worker_sid} : null,
      properties: taskProperties(task),
    },
    _: {task_sid: task.sid, workspace_sid: ws.sid, worker_sid: routing.worker_sid ?? null, transfer_sid: opts.transfer_sid ?? null},
  };
  tx.repo(INVITES).insert(doc, ch.sid);
  return {invite: doc, task, reservation};
}

/** POST …/Invites: a new task for the same conversation (a second agent, an unpark). */
export function createInvite(tx: Tx, ch: InteractionChannelDoc, routing: RoutingSpec): InviteDoc {
  const cur = channelOf(tx, ch.interaction_sid, ch.sid)!;
  if (cur.status === 'closed') throw bad('Routing', `Channel ${cur.sid} is closed; a closed interaction channel takes no invites`);
  const c = conversationBySid(tx, cur._.conversation_sid);
  if (!c || c.state === 'closed') throw bad('Routing', `Conversation ${cur._.conversation_sid} of Channel ${cur.sid} is closed`);
  if (!routing.workspace_sid) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, 'Missing required parameter Routing.properties.workspace_sid');
  const from = recipeTransferFrom(tx, cur, routing);
  if (!from) return invite(tx, cur, routing).invite;
  // Flex's transfer recipe: recorded as a transfer, the channel reads `transfer` until the target
  // accepts, declines or the task ends [docs: channel status transfer]
  const a = routing.attributes;
  const x = newTransfer(tx, cur, {type: a.transferType as 'warm' | 'cold', from: from.sid, to: String(a.transferTo ?? routing.worker_sid ?? routing.queue_sid ?? routing.workflow_sid ?? '')}, true);
  const out = invite(tx, channelOf(tx, cur.interaction_sid, cur.sid)!, routing, {transfer_sid: x.sid});
  x._.invite_sid = out.invite.sid;
  tx.repo(TRANSFERS).update(x, cur.sid);
  return out.invite;
}

/**
 * The transferring agent of an invite that is Flex's transfer recipe: its attributes name the
 * transfer (transferType warm|cold) and the agent's channel participant
 * (transferFromParticipantSid), an active agent of this channel; else undefined (a plain invite).
 */
function recipeTransferFrom(tx: Tx, ch: InteractionChannelDoc, routing: RoutingSpec): ChannelParticipantDoc | undefined {
  const a = routing.attributes;
  if ((a.transferType !== 'warm' && a.transferType !== 'cold') || typeof a.transferFromParticipantSid !== 'string') return undefined;
  const p = tx.repo(CHANNEL_PARTICIPANTS).get(a.transferFromParticipantSid, ch.sid);
  return p && p.type === 'agent' && p._.status !== 'closed' ? p : undefined;
}

// =============================================================================================
// Reactions to TaskRouter (after COMMIT, each in its own Tx)

export interface ReservationEvent {
  workspace_sid: string;
  reservation_sid: string;
  task_sid: string;
  worker_sid: string;
}

/** The Flex user identity of a worker: its contact_uri without `client:` [unverified], else its name. */
export function workerIdentity(attributes: string, fallback: string): string {
  try {
    const a = JSON.parse(attributes) as {contact_uri?: unknown};
    if (typeof a.contact_uri === 'string' && a.contact_uri) return a.contact_uri.replace(/^client:/, '');
  } catch {
    // not JSON: the name
  }
  return fallback;
}

/** Reservation accepted: the worker joins the conversation and the channel (Flex UI does this) [semantics §4.7]. */
export function agentJoins(tx: Tx, d: ReservationEvent): void {
  const inv = tx.repo(INVITES).findAnywhere({task_sid: d.task_sid});
  if (!inv) return;
  const ch = channelOf(tx, inv.interaction_sid, inv.channel_sid);
  if (!ch || ch.status === 'closed') return;
  const c = conversationBySid(tx, ch._.conversation_sid);
  if (!c || c.state === 'closed') return;
  const w = tx.repo(WORKERS).get(d.worker_sid, d.workspace_sid);
  if (!w) return;
  const identity = workerIdentity(w.attributes, w.friendly_name);
  const mb = conv.findParticipant(tx, c, identity) ?? conv.addParticipant(tx, c, {identity}, SYSTEM);
  insertParticipant(tx, ch, 'agent', {
    conversation_participant_sid: mb.sid,
    media: {identity, conversation_sid: c.sid, participant_sid: mb.sid},
    routing: {workspace_sid: d.workspace_sid, task_sid: d.task_sid, reservation_sid: d.reservation_sid, worker_sid: d.worker_sid},
    task_sid: d.task_sid,
    worker_sid: d.worker_sid,
    workspace_sid: d.workspace_sid,
  });
  let status: ChannelStatus = ch.status === 'inactive' || ch.status === 'setup' ? 'active' : ch.status;
  if (inv._.transfer_sid) {
    const t = tx.repo(TRANSFERS).get(inv._.transfer_sid, ch.sid);
    if (t && t.status === 'active') {
      // cold: the transferring agent leaves now; warm: both stay until the first leaves
      if (t.type === 'cold' && !t._.by_invite) {
        const from = tx.repo(CHANNEL_PARTICIPANTS).get(t.from, ch.sid);
        if (from && from._.status !== 'closed') closeParticipant(tx, ch, from);
      }
      saveTransfer(tx, t, 'completed');
    }
    status = ch._.before_transfer && ch._.before_transfer !== 'transfer' ? ch._.before_transfer : 'active';
  }
  const fresh = channelOf(tx, ch.interaction_sid, ch.sid)!;
  saveChannel(tx, fresh, status);
}

/**
 * Reservation rejected or timed out: the conversation is left alone (the task re-routes). A
 * task routed to one known worker has no one else: Flex cancels it, leaving the conversation
 * active with no agent [docs: invites]; a transfer fails and the first agent stays.
 */
export function reservationDeclined(tx: Tx, d: ReservationEvent): void {
  const inv = tx.repo(INVITES).findAnywhere({task_sid: d.task_sid});
  if (!inv) return;
  const t = tx.repo(TASKS).get(d.task_sid, d.workspace_sid);
  if (inv._.worker_sid && t && (t.assignment_status === 'pending' || t.assignment_status === 'reserved'))
    tr.updateTask(tx, d.workspace_sid, t, {assignment_status: 'canceled', reason: 'Invite declined by the invited worker'});
  if (inv._.worker_sid) transferFailed(tx, inv);
}

/**
 * A task ended without an agent (canceled: a declined invite, `tasks cancel`, its TTL or its
 * workflow's timeout): the transfer it carried fails and the first agent stays.
 */
export function taskCanceled(tx: Tx, d: {task_sid: string}): void {
  const inv = tx.repo(INVITES).findAnywhere({task_sid: d.task_sid});
  if (inv) transferFailed(tx, inv);
}

/** The invite's pending transfer (if any) failed. */
function transferFailed(tx: Tx, inv: InviteDoc): void {
  if (!inv._.transfer_sid) return;
  const ch = channelOf(tx, inv.interaction_sid, inv.channel_sid);
  const x = ch && tx.repo(TRANSFERS).get(inv._.transfer_sid, ch.sid);
  if (ch && x && x.status === 'active') failTransfer(tx, ch, x);
}

/** A pending transfer failed (declined, timed out, canceled): the channel reads what it read before it again. */
function failTransfer(tx: Tx, ch: InteractionChannelDoc, x: TransferDoc): void {
  saveTransfer(tx, x, 'failed');
  if (ch.status === 'transfer') saveChannel(tx, ch, ch._.before_transfer ?? 'active');
}

// =============================================================================================
// Participants

export interface ParticipantCreate {
  type: ParticipantType;
  media: Record<string, unknown>;
  routing?: Record<string, unknown>;
}

/**
 * POST …/Participants: a participant of the channel. MediaProperties `identity` joins a chat
 * participant, `address` + `proxy_address` (or `messaging_binding.address` / `…proxy_address`)
 * a messaging one [unverified keys]; an agent with RoutingProperties.task_sid is tied to that task.
 */
export function createParticipant(tx: Tx, ch: InteractionChannelDoc, input: ParticipantCreate): ChannelParticipantDoc {
  if (!(PARTICIPANT_TYPES as readonly string[]).includes(input.type)) throw bad('Type', `'${input.type}' is not one of ${PARTICIPANT_TYPES.join(', ')}`);
  const cur = channelOf(tx, ch.interaction_sid, ch.sid)!;
  if (cur.status === 'closed') throw bad('Type', `Channel ${cur.sid} is closed; it takes no participants`);
  const c = conversationBySid(tx, cur._.conversation_sid);
  if (!c) throw errors.notFound(`/v1/Conversations/${cur._.conversation_sid}`);
  const m = input.media;
  const str = (k: string) => (typeof m[k] === 'string' && (m[k] as string).trim() ? (m[k] as string).trim() : undefined);
  const identity = str('identity');
  const address = str('address') ?? str('messaging_binding.address');
  const proxy = str('proxy_address') ?? str('messaging_binding.proxy_address');
  let mb: ParticipantDoc | undefined;
  if (identity) mb = conv.findParticipant(tx, c, identity) ?? conv.addParticipant(tx, c, {identity}, SYSTEM);
  else if (address) {
    if (!proxy) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, 'Missing required parameter MediaProperties.proxy_address');
    mb = conv.addParticipant(tx, c, {address, proxy_address: proxy}, SYSTEM);
  } else if (typeof m.participant_sid === 'string') {
    mb = conv.findParticipant(tx, c, m.participant_sid);
    if (!mb) throw bad('MediaProperties.participant_sid', `${m.participant_sid} is not a Participant of Conversation ${c.sid}`);
  } else throw bad('MediaProperties', 'names no participant (give identity, or address and proxy_address)');
  const routing = input.routing ?? null;
  const taskSid = typeof routing?.task_sid === 'string' ? routing.task_sid : undefined;
  return insertParticipant(tx, cur, input.type, {
    conversation_participant_sid: mb.sid,
    media: {...m, conversation_sid: c.sid, participant_sid: mb.sid},
    routing,
    task_sid: taskSid,
    worker_sid: typeof routing?.worker_sid === 'string' ? routing.worker_sid : undefined,
    workspace_sid: typeof routing?.workspace_sid === 'string' ? routing.workspace_sid : undefined,
  });
}

function taskOfParticipant(tx: Tx, p: ChannelParticipantDoc): TaskDoc | undefined {
  if (!p._.task_sid) return undefined;
  if (p._.workspace_sid) return tx.repo(TASKS).get(p._.task_sid, p._.workspace_sid);
  return tx.repo(TASKS).locate(p._.task_sid)?.doc;
}

/** End a task as Flex does: pending/reserved → canceled; assigned → wrapping or completed; wrapping → completed. */
function endTask(tx: Tx, t: TaskDoc | undefined, to: 'wrapping' | 'completed', reason: string): void {
  if (!t) return;
  const s = t.assignment_status;
  if (s === 'pending' || s === 'reserved') tr.updateTask(tx, t.workspace_sid, t, {assignment_status: 'canceled', reason});
  else if (s === 'assigned') tr.updateTask(tx, t.workspace_sid, t, {assignment_status: to, reason});
  else if (s === 'wrapping' && to === 'completed') tr.updateTask(tx, t.workspace_sid, t, {assignment_status: 'completed', reason});
}

/** `closed`: out of the conversation, its task completed (capacity freed). */
function closeParticipant(tx: Tx, ch: InteractionChannelDoc, p: ChannelParticipantDoc): ChannelParticipantDoc {
  const c = conversationBySid(tx, ch._.conversation_sid);
  if (c && p._.conversation_participant_sid) {
    const mb = tx.repo(PARTICIPANTS).get(p._.conversation_participant_sid, c.sid);
    if (mb) conv.removeParticipant(tx, c, mb, SYSTEM);
  }
  endTask(tx, taskOfParticipant(tx, p), 'completed', 'Participant closed');
  const next: ChannelParticipantDoc = {...p, _: {...p._, status: 'closed', conversation_participant_sid: null}};
  tx.repo(CHANNEL_PARTICIPANTS).update(next, ch.sid);
  return next;
}

/** POST …/Participants/{UT} Status=closed|wrapup. */
export function updateParticipantStatus(tx: Tx, ch: InteractionChannelDoc, p: ChannelParticipantDoc, status: 'closed' | 'wrapup'): ChannelParticipantDoc {
  const cur = tx.repo(CHANNEL_PARTICIPANTS).get(p.sid, ch.sid)!;
  if (cur._.status === 'closed') return cur;
  if (status === 'closed') return closeParticipant(tx, ch, cur);
  endTask(tx, taskOfParticipant(tx, cur), 'wrapping', 'Participant wrapping up');
  const next: ChannelParticipantDoc = {...cur, _: {...cur._, status: 'wrapup'}};
  tx.repo(CHANNEL_PARTICIPANTS).update(next, ch.sid);
  return next;
}

// =============================================================================================
// Channels: close and park

/** The open tasks of a channel (every invite's task that has not ended). */
function openTasks(tx: Tx, ch: InteractionChannelDoc): TaskDoc[] {
  const out: TaskDoc[] = [];
  for (const inv of tx.repo(INVITES).all({}, ch.sid)) {
    const t = tx.repo(TASKS).get(inv._.task_sid, inv._.workspace_sid);
    if (t && t.assignment_status !== 'canceled' && t.assignment_status !== 'completed') out.push(t);
  }
  return out;
}

/**
 * POST …/Channels/{UO}: `closed` closes the conversation and moves open tasks to wrapping
 * (Routing {"status":"closed"}: completed); `inactive` (park, Routing {"status":"closed"}
 * required) completes the tasks, takes the agents out and keeps the conversation open.
 * Closing a closed channel changes nothing (a warning is logged).
 */
export function updateChannelStatus(tx: Tx, ch: InteractionChannelDoc, status: 'closed' | 'inactive', routing: RoutingSpec | undefined): InteractionChannelDoc {
  const cur = channelOf(tx, ch.interaction_sid, ch.sid)!;
  if (routing?.status !== undefined && routing.status !== 'closed') throw bad('Routing.status', `'${routing.status}' is not closed (the one value allowed)`);
  const completing = routing?.status === 'closed';
  if (cur.status === 'closed') {
    if (status === 'closed') {
      tx.emit(WARNING_EVENT, {message: `Channel ${cur.sid} is already closed`, interaction_sid: cur.interaction_sid, channel_sid: cur.sid}, cur.sid);
      return cur;
    }
    throw bad('Status', `Channel ${cur.sid} is closed; it cannot be parked`);
  }
  if (status === 'inactive') {
    if (!completing) throw new TwilioApiError(400, HTTP.INVALID_PARAMETER, 'Missing required parameter Routing: Status=inactive needs Routing={"status":"closed"}');
    for (const p of tx.repo(CHANNEL_PARTICIPANTS).all({}, cur.sid))
      if (p.type !== 'customer' && p._.status !== 'closed') closeParticipant(tx, cur, p);
    for (const t of openTasks(tx, cur)) endTask(tx, tx.repo(TASKS).get(t.sid, t.workspace_sid), 'completed', 'Channel parked');
    for (const x of tx.repo(TRANSFERS).all({}, cur.sid)) if (x.status === 'active') saveTransfer(tx, x, 'failed');
    const next = channelOf(tx, cur.interaction_sid, cur.sid)!;
    saveChannel(tx, next, 'inactive');
    return next;
  }
  const c = conversationBySid(tx, cur._.conversation_sid);
  for (const t of openTasks(tx, cur)) endTask(tx, t, completing ? 'completed' : 'wrapping', 'Channel closed');
  for (const x of tx.repo(TRANSFERS).all({}, cur.sid)) if (x.status === 'active') saveTransfer(tx, x, 'failed');
  if (c && c.state !== 'closed') conv.setState(tx, c, 'closed', 'API', SYSTEM);
  const next = channelOf(tx, cur.interaction_sid, cur.sid)!;
  saveChannel(tx, next, 'closed');
  return next;
}

// =============================================================================================
// Transfers [unverified: the spec documents the resource's fields, not its request body]

export interface TransferInput {
  type: 'warm' | 'cold' | 'external';
  /** The transferring agent's channel participant (UT). */
  from: string;
  /** A worker (WK) or a workflow (WW) of the workspace the from-agent's task is in. */
  to: string;
  attributes?: Record<string, unknown>;
  queue_sid?: string;
  workflow_sid?: string;
}

/** Read the JSON body of a transfer create [unverified shape: {type, from, to, attributes?, queue_sid?, workflow_sid?}]. */
export function parseTransfer(body: unknown): TransferInput {
  const b = obj(body, 'body');
  const type = b.type;
  if (type !== 'warm' && type !== 'cold' && type !== 'external') throw bad('type', `'${String(type)}' is not one of warm, cold, external`);
  if (type === 'external') throw new TwilioApiError(501, HTTP.NOT_IMPLEMENTED, 'The flexconv emulator does not implement external transfers (to a phone number); use warm or cold to a worker or workflow');
  const from = sidField(b.from, 'UT', 'from', true)!;
  const to = b.to;
  if (typeof to !== 'string' || !/^(WK|WW)[0-9a-fA-F]{32}$/.test(to)) throw bad('to', `'${String(to)}' is not a Worker (WK) or Workflow (WW) SID`);
  return {
    type,
    from,
    to,
    attributes: b.attributes === undefined ? undefined : obj(b.attributes, 'attributes'),
    queue_sid: sidField(b.queue_sid, 'WQ', 'queue_sid'),
    workflow_sid: sidField(b.workflow_sid, 'WW', 'workflow_sid'),
  };
}

function saveTransfer(tx: Tx, x: TransferDoc, status: TransferDoc['status']): void {
  x.status = status;
  x.date_updated = iso(tx);
  tx.repo(TRANSFERS).update(x, x.channel_sid);
}

/** A pending transfer of the channel, which reads `transfer` until it ends (agentJoins: completed; failTransfer). */
function newTransfer(tx: Tx, ch: InteractionChannelDoc, o: {type: TransferDoc['type']; from: string; to: string}, byInvite: boolean): TransferDoc {
  const now = iso(tx);
  const x: TransferDoc = {
    sid: newSid('UX'),
    instance_sid: (flexConfig(tx)?.flex_instance_sid as string | undefined) ?? null,
    account_sid: tx.accountSid,
    interaction_sid: ch.interaction_sid,
    channel_sid: ch.sid,
    execution_sid: null,
    type: o.type,
    status: 'active',
    from: o.from,
    to: o.to,
    note_sid: null,
    summary_sid: null,
    date_created: now,
    date_updated: now,
    _: byInvite ? {invite_sid: null, by_invite: true} : {invite_sid: null},
  };
  tx.repo(TRANSFERS).insert(x, ch.sid);
  // a second transfer while one is pending (only the recipe's invites can) keeps the status from before the first
  if (ch.status !== 'transfer') ch._.before_transfer = ch.status;
  saveChannel(tx, ch, 'transfer');
  return x;
}

/** Flex's recipe: an invite for the target; on accept the transferring agent is closed (cold) or stays (warm). */
export function createTransfer(tx: Tx, ch: InteractionChannelDoc, input: TransferInput): TransferDoc {
  const cur = channelOf(tx, ch.interaction_sid, ch.sid)!;
  if (cur.status === 'closed' || cur.status === 'inactive') throw bad('from', `Channel ${cur.sid} is ${cur.status}; there is no one to transfer`);
  if (cur.status === 'transfer') throw new TwilioApiError(409, HTTP.CONFLICT, `Channel ${cur.sid} already has a transfer pending`);
  const from = tx.repo(CHANNEL_PARTICIPANTS).get(input.from, cur.sid);
  if (!from || from.type !== 'agent' || from._.status === 'closed') throw bad('from', `${input.from} is not an active agent participant of Channel ${cur.sid}`);
  const task = taskOfParticipant(tx, from);
  const wsSid = from._.workspace_sid ?? task?.workspace_sid;
  if (!wsSid) throw bad('from', `${input.from} has no task to transfer from`);
  const attrs = task ? (JSON.parse(task.attributes) as Record<string, unknown>) : {};
  const keep: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) if (!k.startsWith('flex') && !k.startsWith('transfer') && k !== 'conversations' && k !== 'conversationSid') keep[k] = v;
  const x = newTransfer(tx, cur, {type: input.type, from: from.sid, to: input.to}, false);
  const toWorker = input.to.startsWith('WK');
  const routing: RoutingSpec = {
    workspace_sid: wsSid,
    worker_sid: toWorker ? input.to : undefined,
    workflow_sid: toWorker ? input.workflow_sid : input.to,
    queue_sid: input.queue_sid ?? task?.task_queue_sid ?? undefined,
    task_channel: task?.task_channel_unique_name,
    // the same keys as `interactions transfer` writes on its invite (Flex's recipe), so both read alike
    attributes: {...keep, ...input.attributes, transferType: input.type, transferTargetType: toWorker ? 'worker' : 'workflow', transferTo: input.to, transferFrom: from._.worker_sid, transferFromParticipantSid: from.sid},
    raw: {},
  };
  const out = invite(tx, channelOf(tx, cur.interaction_sid, cur.sid)!, routing, {transfer_sid: x.sid, param: 'to'});
  x._.invite_sid = out.invite.sid;
  tx.repo(TRANSFERS).update(x, cur.sid);
  return x;
}

/** POST …/Transfers/{UX} {"status": "failed"} cancels a pending transfer [unverified]; the first agent stays. */
export function updateTransfer(tx: Tx, ch: InteractionChannelDoc, x: TransferDoc, body: unknown): TransferDoc {
  const b = obj(body, 'body');
  if (b.status !== 'failed') throw bad('status', `'${String(b.status)}' cannot be set (only failed, which cancels a pending transfer)`);
  const cur = tx.repo(TRANSFERS).get(x.sid, ch.sid)!;
  if (cur.status !== 'active') throw bad('status', `Transfer ${cur.sid} is ${cur.status}; only an active transfer can be canceled`);
  const inv = cur._.invite_sid ? tx.repo(INVITES).get(cur._.invite_sid, ch.sid) : undefined;
  if (inv) {
    const t = tx.repo(TASKS).get(inv._.task_sid, inv._.workspace_sid);
    if (t && (t.assignment_status === 'pending' || t.assignment_status === 'reserved'))
      tr.updateTask(tx, t.workspace_sid, t, {assignment_status: 'canceled', reason: 'Transfer canceled'});
  }
  failTransfer(tx, channelOf(tx, ch.interaction_sid, ch.sid)!, cur);
  return cur;
}
