/**
 * The Conversations domain: one operation per action, each writing through a Tx. REST
 * handlers, the control API (/_emulator/inbound) and later Studio and Flex all call these.
 * Operations re-check what they depend on inside their transaction (a pre-event webhook may
 * have been awaited in between).
 */
import {TwilioApiError, errors} from '../../errors.js';
import {
  ACCOUNT_CONFIG,
  ADDRESSES,
  CONVERSATIONS,
  MESSAGES,
  OUTBOX,
  PARTICIPANTS,
  RECEIPTS,
  ROLES,
  SCOPED_WEBHOOKS,
  SERVICE_CONFIG,
  SERVICES,
  USERS,
  bindingKey,
  type AccountConfigDoc,
  type AddressConfigurationDoc,
  type ConversationDoc,
  type ConversationState,
  type DeliverySummary,
  type MediaDoc,
  type MessageDoc,
  type OutboxDoc,
  type ParticipantDoc,
  type ReceiptDoc,
  type ReceiptStatus,
  type RoleDoc,
  type ScopedWebhookDoc,
  type ServiceDoc,
  type UserDoc,
} from '../../model/conversations.js';
import type {Tx} from '../../store/tx.js';
import {newSid} from '../../sid.js';
import {isoSeconds, parseDuration} from '../clock.js';
import type {FormParams} from '../signature.js';
import {form, post, SYSTEM, type Origin} from './hooks.js';

export const CODES = {
  /** Can't update conversation as it's in final closed state [docs: error 50377]. */
  CLOSED: 50377,
  /** Initial state can't be 'closed' [docs: error 50384]. */
  INITIAL_CLOSED: 50384,
  /** Participant and proxy address pairs already in use (ConversationWithParticipants) [docs: error 50425]. */
  PAIRS_IN_USE: 50425,
} as const;

/** How long after sending a receipt becomes delivered, and (WhatsApp) read [emulator choice]. */
export const DELIVERED_AFTER_MS = 1000;
export const READ_AFTER_MS = 5000;

const iso = (tx: Tx) => isoSeconds(tx.now);

// ---------------------------------------------------------------------------------------------
// Account provisioning: what every account has, as a real one does.

const DEFAULT_ROLES: [string, RoleDoc['type'], string[]][] = [
  ['service admin', 'service', ['createConversation', 'joinConversation', 'destroyConversation', 'editAnyUserInfo', 'editOwnUserInfo', 'editAnyConversation', 'editAnyMessage', 'deleteAnyMessage', 'addParticipant', 'removeParticipant']],
  ['service user', 'service', ['createConversation', 'joinConversation', 'editOwnUserInfo', 'editOwnMessage', 'deleteOwnMessage']],
  ['channel admin', 'conversation', ['sendMessage', 'sendMediaMessage', 'leaveConversation', 'editOwnMessage', 'deleteOwnMessage', 'editAnyMessage', 'deleteAnyMessage', 'addParticipant', 'removeParticipant', 'editConversationName', 'editConversationAttributes']],
  ['channel user', 'conversation', ['sendMessage', 'sendMediaMessage', 'leaveConversation', 'editOwnMessage', 'deleteOwnMessage', 'editOwnMessageAttributes', 'editOwnParticipantAttributes']],
];

/** The account's configuration and default service, created once. */
export function provisionAccount(tx: Tx): AccountConfigDoc {
  const existing = tx.repo(ACCOUNT_CONFIG).get(tx.accountSid);
  if (existing) return existing;
  const service = createService(tx, 'Default Conversations Service');
  const config: AccountConfigDoc = {
    sid: tx.accountSid,
    default_chat_service_sid: service.sid,
    default_messaging_service_sid: newSid('MG'),
    default_inactive_timer: null,
    default_closed_timer: null,
    webhooks: {method: 'POST', filters: [], pre_webhook_url: null, post_webhook_url: null, target: 'webhook'},
  };
  tx.repo(ACCOUNT_CONFIG).insert(config);
  return config;
}

/** The account's configuration (read once per transaction: never change the object returned). */
export function accountConfig(tx: Tx): AccountConfigDoc {
  return tx.repo(ACCOUNT_CONFIG).cached(tx.accountSid) ?? provisionAccount(tx);
}

export function updateAccountConfig(tx: Tx, changes: Partial<AccountConfigDoc>): AccountConfigDoc {
  const current = accountConfig(tx);
  if (changes.default_chat_service_sid && !tx.repo(SERVICES).get(changes.default_chat_service_sid))
    throw errors.notFound(`/v1/Services/${changes.default_chat_service_sid}`);
  const next = {...current, ...changes, webhooks: {...current.webhooks, ...changes.webhooks}};
  tx.repo(ACCOUNT_CONFIG).update(next);
  return next;
}

// ---------------------------------------------------------------------------------------------
// Services

export function createService(tx: Tx, friendlyName: string): ServiceDoc {
  const now = iso(tx);
  const service: ServiceDoc = {account_sid: tx.accountSid, sid: newSid('IS'), friendly_name: friendlyName, date_created: now, date_updated: now};
  tx.repo(SERVICES).insert(service);
  const roles = new Map<string, string>();
  for (const [name, type, permissions] of DEFAULT_ROLES) roles.set(name, createRole(tx, service.sid, {friendly_name: name, type, permissions}).sid);
  tx.repo(SERVICE_CONFIG).insert(
    {
      sid: service.sid,
      default_conversation_creator_role_sid: roles.get('channel admin')!,
      default_conversation_role_sid: roles.get('channel user')!,
      default_chat_service_role_sid: roles.get('service user')!,
      reachability_enabled: false,
      webhooks: {method: 'POST', filters: [], pre_webhook_url: null, post_webhook_url: null},
    },
    service.sid,
  );
  return service;
}

export function deleteService(tx: Tx, service: ServiceDoc): void {
  if (accountConfig(tx).default_chat_service_sid === service.sid)
    throw errors.invalid('Sid', `${service.sid} is the account's default Conversation Service; make another the default first (POST /v1/Configuration DefaultChatServiceSid)`);
  for (const c of tx.repo(CONVERSATIONS).all({}, service.sid)) cancelConversationTimers(tx, c);
  tx.repo(SERVICES).delete(service.sid);
}

/** A service's configuration (read once per transaction: never change the object returned). */
export function serviceConfig(tx: Tx, serviceSid: string) {
  const c = tx.repo(SERVICE_CONFIG).cached(serviceSid, serviceSid);
  if (!c) throw errors.notFound(`/v1/Services/${serviceSid}/Configuration`);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Roles and users

export function createRole(tx: Tx, serviceSid: string, input: Pick<RoleDoc, 'friendly_name' | 'type' | 'permissions'>): RoleDoc {
  const now = iso(tx);
  const role: RoleDoc = {sid: newSid('RL'), account_sid: tx.accountSid, chat_service_sid: serviceSid, ...input, date_created: now, date_updated: now};
  tx.repo(ROLES).insert(role, serviceSid);
  return role;
}

export function updateRole(tx: Tx, role: RoleDoc, permissions: string[]): RoleDoc {
  const next = {...role, permissions, date_updated: iso(tx)};
  tx.repo(ROLES).update(next, role.chat_service_sid);
  return next;
}

export function deleteRole(tx: Tx, role: RoleDoc): void {
  tx.repo(ROLES).delete(role.sid, role.chat_service_sid);
}

/** The role `roleSid` of the service when it is of this type; the error names `param`, the parameter that carried it. */
export function roleOf(tx: Tx, serviceSid: string, roleSid: string | undefined, type: RoleDoc['type'], param = 'RoleSid'): string | undefined {
  if (roleSid === undefined) return undefined;
  const role = tx.repo(ROLES).get(roleSid, serviceSid);
  if (!role) throw errors.invalid(param, `${roleSid} is not a role of Service ${serviceSid}`);
  if (role.type !== type) throw errors.invalid(param, `${roleSid} is a ${role.type} role; a ${type} role is needed here`);
  return role.sid;
}

export interface UserInput {
  identity: string;
  friendly_name?: string | null;
  attributes?: string;
  role_sid?: string;
}

export function createUser(tx: Tx, serviceSid: string, input: UserInput, origin: Origin): UserDoc {
  const now = iso(tx);
  const user: UserDoc = {
    sid: newSid('US'),
    account_sid: tx.accountSid,
    chat_service_sid: serviceSid,
    role_sid: roleOf(tx, serviceSid, input.role_sid, 'service') ?? serviceConfig(tx, serviceSid).default_chat_service_role_sid,
    identity: input.identity,
    friendly_name: input.friendly_name ?? null,
    attributes: input.attributes ?? '{}',
    is_online: null,
    is_notifiable: null,
    date_created: now,
    date_updated: now,
  };
  tx.repo(USERS).insert(user, serviceSid);
  postUser(tx, user, 'onUserAdded', origin);
  return user;
}

/** The service's user of this identity, created when missing (identity participants create users). */
export function ensureUser(tx: Tx, serviceSid: string, identity: string, origin: Origin): UserDoc {
  return tx.repo(USERS).findBy({identity}, serviceSid) ?? createUser(tx, serviceSid, {identity}, origin);
}

export function updateUser(tx: Tx, user: UserDoc, input: Partial<UserInput>, origin: Origin): UserDoc {
  const next: UserDoc = {
    ...user,
    friendly_name: input.friendly_name !== undefined ? input.friendly_name : user.friendly_name,
    attributes: input.attributes ?? user.attributes,
    role_sid: roleOf(tx, user.chat_service_sid, input.role_sid, 'service') ?? user.role_sid,
    date_updated: iso(tx),
  };
  tx.repo(USERS).update(next, user.chat_service_sid);
  postUser(tx, next, 'onUserUpdated', origin);
  return next;
}

export function deleteUser(tx: Tx, user: UserDoc): void {
  tx.repo(USERS).delete(user.sid, user.chat_service_sid);
}

function postUser(tx: Tx, user: UserDoc, eventType: string, origin: Origin): void {
  if (!origin.webhooks) return;
  // user events belong to no conversation: global and service targets only
  post(
    tx,
    {sid: user.sid, chat_service_sid: user.chat_service_sid},
    eventType,
    form({
      UserSid: user.sid,
      Identity: user.identity,
      RoleSid: user.role_sid,
      Attributes: user.attributes,
      FriendlyName: user.friendly_name,
      DateCreated: user.date_created,
      DateUpdated: user.date_updated,
      IsOnline: eventType === 'onUserUpdated' ? String(user.is_online ?? false) : undefined,
      IsNotifiable: eventType === 'onUserUpdated' ? String(user.is_notifiable ?? false) : undefined,
    }),
    origin,
  );
}

// ---------------------------------------------------------------------------------------------
// Conversations

export interface ConversationInput {
  friendly_name?: string | null;
  unique_name?: string | null;
  attributes?: string;
  messaging_service_sid?: string;
  state?: ConversationState;
  date_created?: string;
  date_updated?: string;
  /** Timer durations in ms; null clears one. */
  inactive_ms?: number | null;
  closed_ms?: number | null;
  bindings?: Record<string, unknown> | null;
  /** The SID to create it with (an inbound message's pre-event webhooks named it already). */
  sid?: string;
  /** More fields of its onConversationAdded webhook (an auto-created one's binding and first message). */
  added_params?: FormParams;
}

export function conversationParams(c: ConversationDoc): FormParams {
  return form({
    ConversationSid: c.sid,
    FriendlyName: c.friendly_name,
    UniqueName: c.unique_name,
    Attributes: c.attributes,
    MessagingServiceSid: c.messaging_service_sid,
    State: c.state,
    DateCreated: c.date_created,
    DateUpdated: c.date_updated,
  });
}

export function createConversation(tx: Tx, serviceSid: string, input: ConversationInput, origin: Origin): ConversationDoc {
  // existence only: read once per transaction (inbound auto-creation has just checked it)
  if (!tx.repo(SERVICES).cached(serviceSid)) throw errors.notFound(`/v1/Services/${serviceSid}`);
  if (input.state === 'closed')
    throw new TwilioApiError(400, CODES.INITIAL_CLOSED, "Initial state can't be 'closed': create the conversation active or inactive");
  const config = accountConfig(tx);
  const now = iso(tx);
  const conv: ConversationDoc = {
    account_sid: tx.accountSid,
    chat_service_sid: serviceSid,
    messaging_service_sid: input.messaging_service_sid ?? config.default_messaging_service_sid,
    sid: input.sid ?? newSid('CH'),
    friendly_name: input.friendly_name ?? null,
    unique_name: input.unique_name ?? null,
    attributes: input.attributes ?? '{}',
    state: input.state ?? 'active',
    date_created: input.date_created ?? now,
    date_updated: input.date_updated ?? input.date_created ?? now,
    timers: {},
    bindings: input.bindings ?? {},
    _: {next_index: 0},
  };
  // the account's default timers apply to conversations created without their own [unverified: which take them]
  const inactive = input.inactive_ms ?? durationMs(config.default_inactive_timer);
  const closed = input.closed_ms ?? durationMs(config.default_closed_timer);
  if (inactive) conv._.inactive_ms = inactive;
  if (closed) conv._.closed_ms = closed;
  scheduleTimers(tx, conv);
  tx.repo(CONVERSATIONS).insert(conv, serviceSid);
  post(tx, conv, 'onConversationAdded', form(input.added_params ?? {}, conversationParams(conv)), origin);
  return conv;
}

/**
 * The conversation as stored now (a pre-event webhook may have been awaited since it was read).
 * The operations that take a conversation re-read it so, unless told `stored`: the caller holds
 * the conversation as this same transaction wrote or read it, nothing awaited since (inbound
 * auto-creation), and one lookup per message is enough.
 */
export function fresh(tx: Tx, conv: Pick<ConversationDoc, 'sid' | 'chat_service_sid'>): ConversationDoc {
  const c = tx.repo(CONVERSATIONS).get(conv.sid, conv.chat_service_sid);
  if (!c) throw errors.notFound(`/v1/Conversations/${conv.sid}`);
  return c;
}

export function assertOpen(conv: ConversationDoc): void {
  if (conv.state === 'closed')
    throw new TwilioApiError(400, CODES.CLOSED, `Can't update Conversation ${conv.sid} as it's in final closed state`);
}

export function updateConversation(tx: Tx, current: ConversationDoc, input: ConversationInput, origin: Origin): ConversationDoc {
  const conv = fresh(tx, current);
  const closing = input.state === 'closed' && conv.state !== 'closed';
  if (conv.state === 'closed' && (input.state === undefined || input.state !== 'closed')) assertOpen(conv);
  const next: ConversationDoc = {
    ...conv,
    friendly_name: input.friendly_name !== undefined ? input.friendly_name : conv.friendly_name,
    unique_name: input.unique_name !== undefined ? input.unique_name : conv.unique_name,
    attributes: input.attributes ?? conv.attributes,
    messaging_service_sid: input.messaging_service_sid ?? conv.messaging_service_sid,
    date_created: input.date_created ?? conv.date_created,
    date_updated: input.date_updated ?? iso(tx),
    bindings: input.bindings !== undefined ? input.bindings : conv.bindings,
    _: {...conv._},
  };
  if (input.inactive_ms !== undefined) setOrDelete(next._ as unknown as Record<string, unknown>, 'inactive_ms', input.inactive_ms);
  if (input.closed_ms !== undefined) setOrDelete(next._ as unknown as Record<string, unknown>, 'closed_ms', input.closed_ms);
  const from = conv.state;
  const to = input.state ?? conv.state;
  next.state = to;
  if (closing) closeInPlace(tx, next);
  else if (input.inactive_ms !== undefined || input.closed_ms !== undefined || to === 'active') scheduleTimers(tx, next);
  else if (to === 'inactive' && from !== 'inactive') inactivate(tx, next);
  tx.repo(CONVERSATIONS).update(next, conv.chat_service_sid);
  post(tx, next, 'onConversationUpdated', conversationParams(next), origin);
  if (to !== from) postStateUpdated(tx, next, from, 'API', origin);
  return next;
}

function setOrDelete(o: Record<string, unknown>, key: string, v: number | null): void {
  if (v === null) delete o[key];
  else o[key] = v;
}

export function deleteConversation(tx: Tx, conv: ConversationDoc, origin: Origin): void {
  cancelConversationTimers(tx, conv);
  tx.repo(CONVERSATIONS).delete(conv.sid, conv.chat_service_sid);
  post(tx, conv, 'onConversationRemoved', {...conversationParams(conv), DateRemoved: iso(tx)}, origin);
}

/** Move a conversation to a state (timers, an inbound message reactivating it). */
export function setState(tx: Tx, current: ConversationDoc, to: ConversationState, reason: 'API' | 'TIMER' | 'EVENT', origin: Origin): ConversationDoc {
  const conv = fresh(tx, current);
  if (conv.state === to) return conv;
  const from = conv.state;
  const next: ConversationDoc = {...conv, state: to, date_updated: iso(tx), _: {...conv._}};
  if (to === 'closed') closeInPlace(tx, next);
  else if (to === 'inactive') inactivate(tx, next);
  else scheduleTimers(tx, next);
  tx.repo(CONVERSATIONS).update(next, conv.chat_service_sid);
  postStateUpdated(tx, next, from, reason, origin);
  return next;
}

function postStateUpdated(tx: Tx, conv: ConversationDoc, from: ConversationState, reason: string, origin: Origin): void {
  post(
    tx,
    conv,
    'onConversationStateUpdated',
    form({
      ConversationSid: conv.sid,
      MessagingServiceSid: conv.messaging_service_sid,
      StateFrom: from,
      StateTo: conv.state,
      StateUpdated: iso(tx),
      Reason: reason,
    }),
    origin,
  );
}

/** Inactive: no inactive timer; the closed one keeps counting from the last activity. */
function inactivate(tx: Tx, conv: ConversationDoc): void {
  tx.cancel(`conv:${conv.sid}:inactive`);
  const {date_inactive: _gone, ...rest} = conv.timers;
  conv.timers = rest;
}

/** Closed is final: timers go, and every address + proxy binding it holds is released. */
function closeInPlace(tx: Tx, conv: ConversationDoc): void {
  conv.state = 'closed';
  conv.timers = {};
  cancelConversationTimers(tx, conv);
  const participants = tx.repo(PARTICIPANTS);
  for (const p of participants.all({binding: {ne: null}}, conv.sid)) participants.update({...p, _: {...p._, binding: null}}, conv.sid);
}

/** An ISO 8601 duration in ms (the one parser, engine/clock.ts), undefined when absent or malformed. */
export function durationMs(text: string | null | undefined): number | undefined {
  return text ? parseDuration(text) : undefined;
}

/**
 * (Re)start the conversation's timers from now (its last activity): inactive after
 * `inactive_ms` while active, closed after `closed_ms` [semantics §2.1: both count from the last
 * activity]. Rescheduling is an upsert; the handlers re-check the dates, so a moved timer that
 * fires late does nothing.
 */
export function scheduleTimers(tx: Tx, conv: ConversationDoc): void {
  const now = tx.now.getTime();
  const timers: ConversationDoc['timers'] = {};
  const key = `conv:${conv.sid}`;
  const data = {conversation: conv.sid, service: conv.chat_service_sid};
  if (conv.state === 'closed') {
    conv.timers = {};
    cancelConversationTimers(tx, conv);
    return;
  }
  // a timer is cancelled only where one was set (a new conversation has none to cancel)
  if (conv._.inactive_ms && conv.state === 'active') {
    timers.date_inactive = isoSeconds(new Date(now + conv._.inactive_ms));
    tx.at(`${key}:inactive`, now + conv._.inactive_ms, 'conversations.inactive', data);
  } else if (conv.timers.date_inactive !== undefined) tx.cancel(`${key}:inactive`);
  if (conv._.closed_ms) {
    timers.date_closed = isoSeconds(new Date(now + conv._.closed_ms));
    tx.at(`${key}:closed`, now + conv._.closed_ms, 'conversations.closed', data);
  } else if (conv.timers.date_closed !== undefined) tx.cancel(`${key}:closed`);
  conv.timers = timers;
}

function cancelConversationTimers(tx: Tx, conv: Pick<ConversationDoc, 'sid'>): void {
  tx.cancelPrefix(`conv:${conv.sid}:`);
}

/** A conversation timer fired: move the state when its date still holds. */
export function conversationTimer(tx: Tx, data: {conversation: string; service: string}, to: 'inactive' | 'closed'): void {
  const conv = tx.repo(CONVERSATIONS).get(data.conversation, data.service);
  if (!conv || conv.state === 'closed') return;
  const due = to === 'inactive' ? conv.timers.date_inactive : conv.timers.date_closed;
  if (!due || Date.parse(due) > tx.now.getTime()) return;
  if (to === 'inactive' && conv.state !== 'active') return;
  setState(tx, conv, to, 'TIMER', SYSTEM);
}

// ---------------------------------------------------------------------------------------------
// Participants

export interface ParticipantInput {
  identity?: string;
  address?: string;
  proxy_address?: string;
  projected_address?: string;
  attributes?: string;
  role_sid?: string;
  date_created?: string;
  date_updated?: string;
  /** The SID to create it with (an inbound message's pre-event webhooks named it already). */
  sid?: string;
}

/** sms | whatsapp | messenger | … from the address's channel prefix. */
export function channelOf(address: string): string {
  const m = /^([a-z]+):/.exec(address);
  return m ? m[1] : 'sms';
}

export function participantParams(p: ParticipantDoc): FormParams {
  const b = p.messaging_binding;
  return form({
    ConversationSid: p.conversation_sid,
    ParticipantSid: p.sid,
    Identity: p.identity,
    RoleSid: p.role_sid,
    Attributes: p.attributes,
    'MessagingBinding.Address': b?.address,
    'MessagingBinding.ProxyAddress': b?.proxy_address,
    'MessagingBinding.ProjectedAddress': b?.projected_address,
    'MessagingBinding.Type': b?.address ? b.type.toUpperCase() : 'CHAT',
    DateCreated: p.date_created,
    DateUpdated: p.date_updated,
  });
}

export function addParticipant(tx: Tx, current: ConversationDoc, input: ParticipantInput, origin: Origin, stored = false): ParticipantDoc {
  const conv = stored ? current : fresh(tx, current);
  assertOpen(conv);
  const now = iso(tx);
  let binding: ParticipantDoc['messaging_binding'] = null;
  if (input.address !== undefined) {
    if (input.identity !== undefined)
      throw new TwilioApiError(400, 50444, 'Identity is not allowed on a participant with MessagingBinding.Address (a non-chat participant)');
    if (!input.proxy_address) throw errors.missing('MessagingBinding.ProxyAddress');
    binding = {type: channelOf(input.address), address: input.address, proxy_address: input.proxy_address};
  } else if (input.projected_address !== undefined) binding = {type: 'sms', projected_address: input.projected_address};
  const p: ParticipantDoc = {
    chat_service_sid: conv.chat_service_sid,
    account_sid: tx.accountSid,
    conversation_sid: conv.sid,
    sid: input.sid ?? newSid('MB'),
    identity: input.identity ?? null,
    attributes: input.attributes ?? '{}',
    messaging_binding: binding,
    role_sid: roleOf(tx, conv.chat_service_sid, input.role_sid, 'conversation') ?? serviceConfig(tx, conv.chat_service_sid).default_conversation_role_sid,
    date_created: input.date_created ?? now,
    date_updated: input.date_updated ?? input.date_created ?? now,
    last_read_message_index: null,
    last_read_timestamp: null,
    _: {
      binding: binding?.address ? bindingKey(binding.address, binding.proxy_address!) : null,
    },
  };
  // duplicates are refused by the table: 50433 (identity in this conversation), 50416 (the pair elsewhere)
  tx.repo(PARTICIPANTS).insert(p, conv.sid);
  if (p.identity !== null) ensureUser(tx, conv.chat_service_sid, p.identity, origin);
  post(tx, conv, 'onParticipantAdded', participantParams(p), origin);
  return p;
}

export interface ParticipantUpdate {
  attributes?: string;
  role_sid?: string;
  proxy_address?: string;
  projected_address?: string;
  identity?: string;
  last_read_message_index?: number | null;
  last_read_timestamp?: string | null;
  notification_level?: 'default' | 'muted';
  date_created?: string;
  date_updated?: string;
}

export function updateParticipant(tx: Tx, conv: ConversationDoc, p: ParticipantDoc, input: ParticipantUpdate, origin: Origin): ParticipantDoc {
  assertOpen(fresh(tx, conv));
  const next: ParticipantDoc = {
    ...p,
    attributes: input.attributes ?? p.attributes,
    role_sid: roleOf(tx, conv.chat_service_sid, input.role_sid, 'conversation') ?? p.role_sid,
    identity: input.identity ?? p.identity,
    last_read_message_index: input.last_read_message_index !== undefined ? input.last_read_message_index : p.last_read_message_index,
    last_read_timestamp: input.last_read_timestamp !== undefined ? input.last_read_timestamp : p.last_read_timestamp,
    date_created: input.date_created ?? p.date_created,
    date_updated: input.date_updated ?? iso(tx),
    _: {...p._, ...(input.notification_level ? {notification_level: input.notification_level} : {})},
  };
  if (input.identity !== undefined && p.messaging_binding?.address)
    throw new TwilioApiError(400, 50444, 'Identity is not allowed on a participant with MessagingBinding.Address (a non-chat participant)');
  if (p.messaging_binding && (input.proxy_address !== undefined || input.projected_address !== undefined)) {
    const b = {...p.messaging_binding};
    if (input.proxy_address !== undefined && b.address) b.proxy_address = input.proxy_address;
    if (input.projected_address !== undefined) b.projected_address = input.projected_address;
    next.messaging_binding = b;
    if (b.address && next._.binding !== null) next._.binding = bindingKey(b.address, b.proxy_address!);
  }
  tx.repo(PARTICIPANTS).update(next, conv.sid);
  if (next.identity !== null && next.identity !== p.identity) ensureUser(tx, conv.chat_service_sid, next.identity, origin);
  post(tx, conv, 'onParticipantUpdated', form({LastReadMessageIndex: next.last_read_message_index}, participantParams(next)), origin);
  return next;
}

export function removeParticipant(tx: Tx, conv: ConversationDoc, p: ParticipantDoc, origin: Origin): void {
  tx.repo(PARTICIPANTS).delete(p.sid, conv.sid);
  post(tx, conv, 'onParticipantRemoved', {...participantParams(p), DateRemoved: iso(tx)}, origin);
}

/** The participant of `key` (MB sid or identity) in a conversation. */
export function findParticipant(tx: Tx, conv: ConversationDoc, key: string): ParticipantDoc | undefined {
  const repo = tx.repo(PARTICIPANTS);
  return /^MB[0-9a-fA-F]{32}$/.test(key) ? repo.get(key, conv.sid) : repo.findBy({identity: key}, conv.sid);
}

// ---------------------------------------------------------------------------------------------
// Messages

export interface MessageInput {
  author?: string;
  body?: string | null;
  attributes?: string;
  media?: MediaDoc[] | null;
  content_sid?: string | null;
  date_created?: string;
  date_updated?: string;
  /** Set when the author is known to be this participant (an inbound message). */
  participant_sid?: string;
}

/**
 * The index of the conversation's next message: one past the newest message's, never below the floor kept in the conversation (raised when the newest is deleted).
 */
export function nextIndex(tx: Tx, conv: Pick<ConversationDoc, 'sid' | '_'>): number {
  // indexes only grow with seq, so the newest row holds the highest
  const newest = tx.repo(MESSAGES).newest('idx', conv.sid) as number | undefined;
  return Math.max(conv._.next_index, newest === undefined ? 0 : newest + 1);
}

export function messageParams(m: MessageDoc, conv: ConversationDoc): FormParams {
  return form({
    ConversationSid: conv.sid,
    MessageSid: m.sid,
    MessagingServiceSid: conv.messaging_service_sid,
    Index: m.index,
    Body: m.body,
    Author: m.author,
    ParticipantSid: m.participant_sid,
    Attributes: m.attributes,
    Media: mediaParam(m.media),
    DateCreated: m.date_created,
    DateUpdated: m.date_updated,
  });
}

/**
 * Add a message: the next index, the author's participant, a receipt and an outbox entry for
 * every SMS/WhatsApp participant other than the author (delivered and, on WhatsApp, read on the
 * clock), an inactive conversation reactivated, the timers restarted, onMessageAdded.
 */
export function addMessage(tx: Tx, current: ConversationDoc, input: MessageInput, origin: Origin, stored = false): MessageDoc {
  let conv = stored ? current : fresh(tx, current);
  assertOpen(conv);
  const now = iso(tx);
  const author = input.author ?? 'system';
  const participants = tx.repo(PARTICIPANTS).cachedAll(conv.sid);
  const authorSid =
    input.participant_sid ?? participants.find((p) => p.identity === author || p.messaging_binding?.address === author)?.sid ?? null;
  const recipients = participants.filter((p) => p.messaging_binding?.address && p.sid !== authorSid);
  const msg: MessageDoc = {
    chat_service_sid: conv.chat_service_sid,
    account_sid: tx.accountSid,
    conversation_sid: conv.sid,
    sid: newSid('IM'),
    index: nextIndex(tx, conv),
    author,
    body: input.body ?? null,
    media: input.media ?? null,
    attributes: input.attributes ?? '{}',
    participant_sid: authorSid,
    date_created: input.date_created ?? now,
    date_updated: input.date_updated ?? input.date_created ?? now,
    delivery: recipients.length ? summary(recipients.map(() => 'sent')) : null,
    content_sid: input.content_sid ?? null,
  };
  tx.repo(MESSAGES).insert(msg, conv.sid);
  for (const p of recipients) sendToPhone(tx, conv, msg, p);

  const wasInactive = conv.state === 'inactive';
  // the conversation itself changes only when it wakes up or its timers restart (a message's
  // index comes from the messages: no write of the conversation per message)
  if (wasInactive || conv._.inactive_ms || conv._.closed_ms) {
    conv = {...conv, state: 'active'};
    if (wasInactive) conv.date_updated = now;
    scheduleTimers(tx, conv);
    tx.repo(CONVERSATIONS).update(conv, conv.chat_service_sid);
  }
  // [unverified] Reason of a reactivation by a new message
  if (wasInactive) postStateUpdated(tx, conv, 'inactive', 'EVENT', origin);
  post(tx, conv, 'onMessageAdded', messageParams(msg, conv), origin, {body: msg.body});
  return msg;
}

/** The message leaves through the participant's proxy address: a receipt (sent), the outbox, the next receipt step on the clock. */
function sendToPhone(tx: Tx, conv: ConversationDoc, msg: MessageDoc, p: ParticipantDoc): void {
  const b = p.messaging_binding!;
  const now = iso(tx);
  const receipt: ReceiptDoc = {
    chat_service_sid: conv.chat_service_sid,
    account_sid: tx.accountSid,
    conversation_sid: conv.sid,
    sid: newSid('DY'),
    message_sid: msg.sid,
    channel_message_sid: newSid(msg.media ? 'MM' : 'SM'),
    participant_sid: p.sid,
    status: 'sent',
    error_code: 0,
    date_created: now,
    date_updated: now,
  };
  tx.repo(RECEIPTS).insert(receipt, msg.sid);
  tx.repo(OUTBOX).insert({
    sid: receipt.channel_message_sid,
    channel: b.type,
    to: b.address!,
    from: b.proxy_address!,
    body: msg.body,
    media: msg.media,
    conversation_sid: conv.sid,
    message_sid: msg.sid,
    participant_sid: p.sid,
    receipt_sid: receipt.sid,
    status: 'sent',
    date_created: now,
    date_updated: now,
  });
  tx.at(`receipt:${receipt.sid}`, tx.now.getTime() + DELIVERED_AFTER_MS, 'conversations.receipt', {
    receipt: receipt.sid,
    message: msg.sid,
    conversation: conv.sid,
    service: conv.chat_service_sid,
    status: 'delivered',
    read: b.type === 'whatsapp',
  });
}

/** A receipt's next step came due: update it, the outbox and the message's summary; onDeliveryUpdated. */
/**
 * A message sent to a phone outside any conversation — what Studio's Send Message does in a
 * REST-triggered execution (Programmable Messaging on Twilio): it reaches the customer's outbox
 * as sent, with no conversation, message or receipt of Conversations behind it.
 */
export function deliverOutside(tx: Tx, input: {to: string; from: string; body: string}): OutboxDoc {
  const now = iso(tx);
  const doc: OutboxDoc = {
    sid: newSid('SM'),
    channel: channelOf(input.to),
    to: input.to,
    from: input.from,
    body: input.body,
    media: null,
    conversation_sid: '',
    message_sid: '',
    participant_sid: '',
    receipt_sid: '',
    status: 'sent',
    date_created: now,
    date_updated: now,
  };
  tx.repo(OUTBOX).insert(doc);
  return doc;
}

export function receiptTimer(
  tx: Tx,
  data: {receipt: string; message: string; conversation: string; service: string; status: ReceiptStatus; read: boolean},
): void {
  const receipts = tx.repo(RECEIPTS);
  const receipt = receipts.get(data.receipt, data.message);
  const conv = tx.repo(CONVERSATIONS).get(data.conversation, data.service);
  const msg = tx.repo(MESSAGES).get(data.message, data.conversation);
  if (!receipt || !conv || !msg) return; // deleted meanwhile
  const now = iso(tx);
  const next: ReceiptDoc = {...receipt, status: data.status, date_updated: now};
  receipts.update(next, msg.sid);
  const outbox = tx.repo(OUTBOX).get(receipt.channel_message_sid);
  if (outbox) tx.repo(OUTBOX).update({...outbox, status: data.status, date_updated: now});
  const all = receipts.all({}, msg.sid);
  tx.repo(MESSAGES).update({...msg, delivery: summary(all.map((r) => r.status))}, conv.sid);
  post(
    tx,
    conv,
    'onDeliveryUpdated',
    form({
      ConversationSid: conv.sid,
      MessageSid: msg.sid,
      DeliveryReceiptSid: next.sid,
      ChannelMessageSid: next.channel_message_sid,
      ParticipantSid: next.participant_sid,
      Status: next.status,
      ErrorCode: next.error_code,
      DateCreated: next.date_created,
      DateUpdated: next.date_updated,
    }),
    SYSTEM,
  );
  if (data.status === 'delivered' && data.read)
    tx.at(`receipt:${receipt.sid}`, tx.now.getTime() + READ_AFTER_MS, 'conversations.receipt', {...data, status: 'read'});
}

/**
 * The delivery summary of a message's receipts: each status all | some | none, counting a
 * receipt that got further as having passed the earlier steps [unverified: cumulative counting].
 */
function summary(statuses: ReceiptStatus[]): DeliverySummary {
  const rank: Record<string, number> = {sent: 1, delivered: 2, read: 3};
  const share = (test: (s: ReceiptStatus) => boolean) => {
    const n = statuses.filter(test).length;
    return n === 0 ? 'none' : n === statuses.length ? 'all' : 'some';
  };
  return {
    total: statuses.length,
    sent: share((s) => (rank[s] ?? 0) >= 1),
    delivered: share((s) => (rank[s] ?? 0) >= 2),
    read: share((s) => s === 'read'),
    failed: share((s) => s === 'failed'),
    undelivered: share((s) => s === 'undelivered'),
  };
}

export function updateMessage(tx: Tx, conv: ConversationDoc, msg: MessageDoc, input: MessageInput, origin: Origin): MessageDoc {
  assertOpen(fresh(tx, conv));
  const next: MessageDoc = {
    ...msg,
    author: input.author ?? msg.author,
    body: input.body !== undefined ? input.body : msg.body,
    attributes: input.attributes ?? msg.attributes,
    date_created: input.date_created ?? msg.date_created,
    date_updated: input.date_updated ?? iso(tx),
  };
  tx.repo(MESSAGES).update(next, conv.sid);
  post(tx, conv, 'onMessageUpdated', messageParams(next, conv), origin);
  return next;
}

export function removeMessage(tx: Tx, conv: ConversationDoc, msg: MessageDoc, origin: Origin): void {
  // an index is never given again: deleting the newest message raises the conversation's floor
  const next = nextIndex(tx, conv);
  if (msg.index === next - 1) {
    const current = fresh(tx, conv);
    tx.repo(CONVERSATIONS).update({...current, _: {...current._, next_index: next}}, current.chat_service_sid);
  }
  tx.repo(MESSAGES).delete(msg.sid, conv.sid);
  post(tx, conv, 'onMessageRemoved', {...messageParams(msg, conv), DateRemoved: iso(tx)}, origin);
}

// ---------------------------------------------------------------------------------------------
// Conversation-scoped webhooks

/** Twilio allows five per conversation [docs: service-scoped conversation-scoped webhook resource]. */
export const MAX_SCOPED_WEBHOOKS = 5;

export function addScopedWebhook(
  tx: Tx,
  current: ConversationDoc,
  input: Pick<ScopedWebhookDoc, 'target' | 'configuration'>,
  stored = false,
): ScopedWebhookDoc {
  const conv = stored ? current : fresh(tx, current);
  const repo = tx.repo(SCOPED_WEBHOOKS);
  if (repo.count(conv.sid) >= MAX_SCOPED_WEBHOOKS)
    throw errors.invalid('Target', `Conversation ${conv.sid} already has ${MAX_SCOPED_WEBHOOKS} webhooks, the most it may have`);
  const now = iso(tx);
  const w: ScopedWebhookDoc = {
    chat_service_sid: conv.chat_service_sid,
    sid: newSid('WH'),
    account_sid: tx.accountSid,
    conversation_sid: conv.sid,
    target: input.target,
    configuration: input.configuration,
    date_created: now,
    date_updated: now,
  };
  repo.insert(w, conv.sid);
  // ReplayAfter: the messages from that index on go to the new webhook as onMessageAdded [inclusive unverified]
  const after = input.configuration.replay_after;
  if (after !== undefined)
    for (const m of tx.repo(MESSAGES).all({idx: {gte: after}}, conv.sid).sort((a, b) => a.index - b.index))
      post(tx, conv, 'onMessageAdded', messageParams(m, conv), SYSTEM, {body: m.body, onlyWebhook: w.sid});
  return w;
}

export function updateScopedWebhook(tx: Tx, w: ScopedWebhookDoc, configuration: ScopedWebhookDoc['configuration']): ScopedWebhookDoc {
  const next = {...w, configuration, date_updated: iso(tx)};
  tx.repo(SCOPED_WEBHOOKS).update(next, w.conversation_sid);
  return next;
}

export function removeScopedWebhook(tx: Tx, w: ScopedWebhookDoc): void {
  tx.repo(SCOPED_WEBHOOKS).delete(w.sid, w.conversation_sid);
}

// ---------------------------------------------------------------------------------------------
// Inbound: a customer writes to one of the account's addresses

export interface InboundInput {
  from: string;
  to: string;
  body?: string;
  channel: string;
  media?: MediaDoc[];
}

export type InboundOutcome =
  | {status: 'accepted'; conversation: Pick<ConversationDoc, 'sid' | 'chat_service_sid'>; participant: ParticipantDoc; message: MessageDoc; created: boolean}
  | {status: 'dropped'; reason: string; cause: DropCause};

/**
 * Why an inbound message was dropped, for a client to act on (the CLI's hint): no configuration
 * for the address, one for another channel, auto-creation off, a service that is gone, or a
 * pre-event webhook that rejected it.
 */
export type DropCause = 'no_configuration' | 'other_channel' | 'auto_creation_disabled' | 'no_service' | 'pre_event';

/** Where an inbound message goes, as far as it can be told before any write (no pre-event webhook awaited yet). */
export type InboundRoute =
  | {kind: 'existing'; participant: ParticipantDoc; conversation: ConversationDoc}
  | {kind: 'create'; serviceSid: string; address: AddressConfigurationDoc}
  | {kind: 'drop'; reason: string; cause: DropCause};

/**
 * Semantics §3: the conversation holding this address + proxy pair (never a closed one: closing
 * releases it), else auto-creation from the Address Configuration of (type, to), else dropped.
 */
export function routeInbound(tx: Tx, input: InboundInput): InboundRoute {
  // read on every message of a conversation: shared (frozen) documents, read once until written
  const participant = tx.repo(PARTICIPANTS).cachedFind({binding: bindingKey(input.from, input.to)});
  if (participant) {
    const located = tx.repo(CONVERSATIONS).cachedLocate(participant.conversation_sid);
    if (located) return {kind: 'existing', participant, conversation: located.doc};
  }
  // read for every new customer's first message: shared too (configurations are rarely written)
  const config = tx.repo(ADDRESSES).cachedFind({address: input.to});
  if (!config) return {kind: 'drop', cause: 'no_configuration', reason: `no Address Configuration for ${input.to}: Conversations ignores the message`};
  if (config.type !== input.channel)
    return {kind: 'drop', cause: 'other_channel', reason: `the Address Configuration of ${input.to} (${config.sid}) is for ${config.type}, not ${input.channel}`};
  if (!config.auto_creation.enabled)
    return {kind: 'drop', cause: 'auto_creation_disabled', reason: `auto-creation is disabled on the Address Configuration of ${input.to} (${config.sid})`};
  const serviceSid = config.auto_creation.conversation_service_sid ?? accountConfig(tx).default_chat_service_sid;
  if (!tx.repo(SERVICES).cached(serviceSid))
    return {kind: 'drop', cause: 'no_service', reason: `the Address Configuration of ${input.to} (${config.sid}) names Conversation Service ${serviceSid}, which does not exist`};
  return {kind: 'create', serviceSid, address: config};
}

/**
 * The write of an inbound message, once its pre-event webhooks allowed it: re-routed (state may
 * have moved while they were awaited), unless the caller passes the route it read in this same
 * transaction with nothing awaited since.
 */
export function acceptInbound(
  tx: Tx,
  input: InboundInput,
  origin: Origin,
  changes: {friendly_name?: string; body?: string; author?: string; attributes?: string} = {},
  routed?: InboundRoute,
  /** The SIDs a new conversation and its participant get (named already by pre-event webhooks). */
  sids: {conversation?: string; participant?: string} = {},
): InboundOutcome {
  const route = routed ?? routeInbound(tx, input);
  if (route.kind === 'drop') return {status: 'dropped', reason: route.reason, cause: route.cause};
  const message: MessageInput = {
    author: changes.author ?? input.from,
    body: changes.body ?? input.body ?? null,
    attributes: changes.attributes,
    media: input.media?.length ? input.media : null,
  };
  if (route.kind === 'existing') {
    const msg = addMessage(tx, route.conversation, {...message, participant_sid: route.participant.sid}, origin, true);
    return {status: 'accepted', conversation: route.conversation, participant: route.participant, message: msg, created: false};
  }
  const ac = route.address.auto_creation;
  // onConversationAdded carries what onConversationAdd did: the binding and the first message
  const added_params = form({
    'MessagingBinding.Address': input.from,
    'MessagingBinding.ProxyAddress': input.to,
    MessageBody: message.body,
    Media: mediaParam(input.media),
  });
  const conv = createConversation(tx, route.serviceSid, {friendly_name: changes.friendly_name ?? null, sid: sids.conversation, added_params}, origin);
  if (ac.type === 'webhook' && ac.webhook_url)
    addScopedWebhook(tx, conv, {target: 'webhook', configuration: {url: ac.webhook_url, method: (ac.webhook_method ?? 'POST').toLowerCase(), filters: [...(ac.webhook_filters ?? [])]}}, true);
  else if (ac.type === 'studio' && ac.studio_flow_sid)
    addScopedWebhook(tx, conv, {target: 'studio', configuration: {flow_sid: ac.studio_flow_sid}}, true);
  const participant = addParticipant(tx, conv, {address: input.from, proxy_address: input.to, sid: sids.participant}, origin, true);
  const msg = addMessage(tx, conv, {...message, participant_sid: participant.sid}, origin, true);
  return {status: 'accepted', conversation: conv, participant, message: msg, created: true};
}

/** A message's media as its webhooks carry them (`Media`, JSON), or undefined when it has none. */
export function mediaParam(media: readonly MediaDoc[] | null | undefined): string | undefined {
  return media?.length ? JSON.stringify(media.map((m) => ({Sid: m.sid, ContentType: m.content_type, Filename: m.filename, Size: m.size}))) : undefined;
}

export function updateServiceConfig(tx: Tx, next: import('../../model/conversations.js').ServiceConfigDoc) {
  tx.repo(SERVICE_CONFIG).update(next, next.sid);
  return next;
}
