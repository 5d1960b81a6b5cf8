/**
 * Twilio Conversations (`/v1/Conversations`, SID CH…) and what hangs off a conversation:
 * participants (MB…), conversation-scoped webhooks (WH…), plus the account's Conversations
 * configuration, its global webhooks and the services (IS…). Works the same against Twilio and
 * the emulator. Takes a bound SDK client and plain options; never reads flags, env or files.
 * Every function returns the resource in the REST API's wire shape (snake_case).
 */
import {collect, sidOrName, wire, type Listed, type PageOptions} from '../cli/index.js';
import {FlexconvError, isTwilioError, toFlexconvError, usageError} from '../errors.js';
import {E164_RE, GLOBAL_WEBHOOK_FILTERS, SHORT_CODE_RE} from '../spec/conversations.js';
import type {TwilioClient} from '../twilio/client.js';

export const CONVERSATION_STATES = ['active', 'inactive', 'closed'] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];
/** The spec's PageSize maxima. */
export const MAX_PAGE = {conversations: 100, participants: 100, messages: 100, services: 100, webhooks: 5} as const;

export interface Conversation {
  account_sid: string;
  chat_service_sid: string;
  messaging_service_sid: string | null;
  sid: string;
  friendly_name: string | null;
  unique_name: string | null;
  attributes: string;
  state: 'initializing' | 'active' | 'inactive' | 'closed';
  date_created: string | null;
  date_updated: string | null;
  timers: {date_inactive?: string; date_closed?: string} | null;
  url: string;
  links: Record<string, string>;
  bindings: Record<string, unknown> | null;
}

export interface Participant {
  account_sid: string;
  conversation_sid: string;
  sid: string;
  identity: string | null;
  attributes: string;
  messaging_binding: {type?: string; address?: string; proxy_address?: string; projected_address?: string} | null;
  role_sid: string | null;
  date_created: string | null;
  date_updated: string | null;
  url: string;
  last_read_message_index: number | null;
  last_read_timestamp: string | null;
}

export interface ConversationWebhook {
  sid: string;
  account_sid: string;
  conversation_sid: string;
  target: 'webhook' | 'trigger' | 'studio';
  url: string;
  configuration: {url?: string; method?: string; filters?: string[]; triggers?: string[]; flow_sid?: string; replay_after?: number};
  date_created: string | null;
  date_updated: string | null;
}

export interface ConversationsConfig {
  account_sid: string;
  default_chat_service_sid: string;
  default_messaging_service_sid: string | null;
  default_inactive_timer: string | null;
  default_closed_timer: string | null;
  url: string;
  links: Record<string, string>;
}

export interface GlobalWebhooks {
  account_sid: string;
  method: string;
  filters: string[];
  pre_webhook_url: string | null;
  post_webhook_url: string | null;
  target: 'webhook' | 'flex';
  url: string;
}

export interface Service {
  account_sid: string;
  sid: string;
  friendly_name: string;
  date_created: string | null;
  date_updated: string | null;
  url: string;
  links: Record<string, string>;
}

/** REST changes fire webhooks only with `X-Twilio-Webhook-Enabled: true`. */
export interface WebhookOption {
  webhooks?: boolean;
}
const hdr = (o: WebhookOption) => (o.webhooks ? {xTwilioWebhookEnabled: 'true' as const} : {});

/** Drop undefined values (the SDK would send nothing for them anyway; keeps request building readable). */
export function given<T extends Record<string, unknown>>(p: T): T {
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  return p;
}

// ---------------------------------------------------------------------------------------------
// Errors with the next command in them

/** Re-throw a Twilio 404 as NOT_FOUND with our message and hint; anything else as it is. */
export function notFound(error: unknown, message: string, hint: string): never {
  if (isTwilioError(error) && error.status === 404) {
    const e = toFlexconvError(error);
    throw new FlexconvError('NOT_FOUND', message, {twilio: e.twilio, hints: [hint], cause: error});
  }
  throw error;
}

/** Conversations' own codes, with hints that name the conversation. */
function conversationErrors(error: unknown, conv: string): never {
  if (isTwilioError(error)) {
    const e = toFlexconvError(error);
    if (error.code === 50377) throw closedError(conv, {twilio: e.twilio, cause: error});
    if (error.status === 404)
      notFound(error, `No conversation matches "${conv}" (looked up as a SID or a unique name)`, 'list what exists with `flexconv conversations list`');
  }
  throw error;
}

const convKey = (key: string) => sidOrName('CH', key, 'the conversation');

// ---------------------------------------------------------------------------------------------
// Conversations

export interface ListConversationsOptions extends PageOptions {
  state?: ConversationState;
  /** ISO 8601 dates: conversations created on or after / on or before. */
  startDate?: string;
  endDate?: string;
}

export async function listConversations(client: TwilioClient, opts: ListConversationsOptions = {}): Promise<Listed<Conversation>> {
  for (const [flag, v] of [['--start-date', opts.startDate], ['--end-date', opts.endDate]] as const)
    if (v !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(v) || !Number.isFinite(Date.parse(v))))
      throw usageError(`${flag} "${v}" is not an ISO 8601 date`, [`for example ${flag} 2024-01-31`]);
  const list = client.conversations.v1.conversations;
  return collect(
    (pageSize) => list.page(given({state: opts.state, startDate: opts.startDate, endDate: opts.endDate, pageSize})),
    {...opts, max: MAX_PAGE.conversations},
    (i) => wire<Conversation>(i),
  );
}

export async function getConversation(client: TwilioClient, key: string): Promise<Conversation> {
  try {
    return wire(await client.conversations.v1.conversations(convKey(key)).fetch());
  } catch (error) {
    return conversationErrors(error, key);
  }
}

/** The conversation, when it takes changes: NOT_FOUND when there is none, CONVERSATION_CLOSED when it is closed (what a write would answer). */
export async function assertWritable(client: TwilioClient, key: string): Promise<Conversation> {
  const conv = await getConversation(client, key);
  if (conv.state === 'closed') throw closedError(key);
  return conv;
}

function closedError(conv: string, more: {twilio?: FlexconvError['twilio']; cause?: unknown} = {}): FlexconvError {
  return new FlexconvError('CONVERSATION_CLOSED', `Conversation ${conv} is closed; a closed conversation is final and takes no more changes`, {
    ...more,
    hints: ['start a new one with `flexconv conversations create`', `see it with \`flexconv conversations get ${conv}\``],
  });
}

export interface ConversationInput extends WebhookOption {
  friendlyName?: string;
  uniqueName?: string;
  attributes?: string;
  messagingServiceSid?: string;
  state?: 'active' | 'inactive' | 'closed';
  /** ISO 8601 durations. */
  inactiveTimer?: string;
  closedTimer?: string;
}

function conversationParams(i: ConversationInput) {
  return given({
    ...hdr(i),
    friendlyName: i.friendlyName,
    uniqueName: i.uniqueName,
    attributes: i.attributes,
    messagingServiceSid: i.messagingServiceSid,
    state: i.state,
    'timers.inactive': i.inactiveTimer,
    'timers.closed': i.closedTimer,
  });
}

export async function createConversation(client: TwilioClient, input: ConversationInput): Promise<Conversation> {
  if (input.state === 'closed') throw usageError('A conversation cannot be created closed', ['create it active or inactive']);
  try {
    return wire(await client.conversations.v1.conversations.create(conversationParams(input)));
  } catch (error) {
    if (isTwilioError(error) && error.code === 50353) {
      const e = toFlexconvError(error);
      throw new FlexconvError('ALREADY_EXISTS', `A conversation with unique name "${input.uniqueName}" exists already`, {
        twilio: e.twilio,
        hints: [`see it with \`flexconv conversations get ${input.uniqueName}\``],
        cause: error,
      });
    }
    throw error;
  }
}

export async function updateConversation(client: TwilioClient, key: string, input: ConversationInput): Promise<Conversation> {
  const params = conversationParams(input);
  if (Object.keys(params).filter((k) => k !== 'xTwilioWebhookEnabled').length === 0)
    throw usageError('Nothing to update: give at least one of --friendly-name, --unique-name, --attributes, --messaging-service, --state, --inactive-timer, --closed-timer');
  try {
    return wire(await client.conversations.v1.conversations(convKey(key)).update(params));
  } catch (error) {
    return conversationErrors(error, key);
  }
}

/** Close (final: bindings are released). Closing a closed conversation changes nothing: `already` says so. */
export async function closeConversation(
  client: TwilioClient,
  key: string,
  opts: WebhookOption & {current?: Conversation} = {},
): Promise<{conversation: Conversation; already: boolean}> {
  const current = opts.current ?? (await getConversation(client, key));
  if (current.state === 'closed') return {conversation: current, already: true};
  return {conversation: await updateConversation(client, current.sid, {state: 'closed', webhooks: opts.webhooks}), already: false};
}

export async function deleteConversation(client: TwilioClient, key: string, opts: WebhookOption = {}): Promise<void> {
  try {
    await client.conversations.v1.conversations(convKey(key)).remove(hdr(opts));
  } catch (error) {
    conversationErrors(error, key);
  }
}

// ---------------------------------------------------------------------------------------------
// Prune: close or delete the conversations that match

export interface PruneCriteria {
  /** Default: active and inactive (everything not closed yet, for close; every state, for delete). */
  states?: ConversationState[];
  /** Last activity (its newest message, or its last change: date_updated) at least this long ago. */
  olderThanMs?: number;
  /** A participant's binding address or proxy address. */
  address?: string;
  /** A participant's chat identity. */
  identity?: string;
  /** Look at no more than this many conversations (newest listing order). */
  scanLimit?: number;
  now?: Date;
}

export interface PruneCandidate {
  conversation: Conversation;
  /** Why it matched: the participant, when an address or identity picked it. */
  participant?: Participant;
}

/**
 * How long a conversation has been idle at `now` (ms): since its newest message or its last
 * change (date_updated), whichever is later. A message does not touch date_updated, so a
 * conversation that changed at least `atLeastMs` ago costs one request for its newest message;
 * one changed more recently is not idle that long anyway (its age since the change is returned).
 */
export async function idleFor(client: TwilioClient, conv: Conversation, now: Date, atLeastMs = 0): Promise<number> {
  const changed = Date.parse(conv.date_updated ?? conv.date_created ?? '');
  if (!Number.isFinite(changed)) return -Infinity;
  const sinceChange = now.getTime() - changed;
  if (sinceChange < atLeastMs) return sinceChange;
  const page = await client.conversations.v1.conversations(conv.sid).messages.page({order: 'desc', pageSize: 1});
  const newest = page.instances[0];
  const at = (newest?.dateUpdated ?? newest?.dateCreated)?.getTime() ?? -Infinity;
  return now.getTime() - Math.max(changed, at);
}

/** The conversations `prune` would act on (read-only). */
export async function pruneCandidates(client: TwilioClient, c: PruneCriteria): Promise<{candidates: PruneCandidate[]; scanned: number; more: boolean}> {
  const states = c.states?.length ? c.states : (['active', 'inactive'] as ConversationState[]);
  const now = (c.now ?? new Date()).getTime();
  const candidates: PruneCandidate[] = [];
  let scanned = 0;
  let more = false;
  for (const state of states) {
    const listed = await listConversations(client, {state, limit: c.scanLimit});
    scanned += listed.items.length;
    more ||= listed.more;
    for (const conv of listed.items) {
      if (c.olderThanMs !== undefined && (await idleFor(client, conv, new Date(now), c.olderThanMs)) < c.olderThanMs) continue;
      let participant: Participant | undefined;
      if (c.address !== undefined || c.identity !== undefined) {
        const {items} = await listParticipants(client, conv.sid, {});
        participant = items.find(
          (p) =>
            (c.address === undefined || p.messaging_binding?.address === c.address || p.messaging_binding?.proxy_address === c.address) &&
            (c.identity === undefined || p.identity === c.identity),
        );
        if (!participant) continue;
      }
      candidates.push({conversation: conv, participant});
    }
  }
  return {candidates, scanned, more};
}

// ---------------------------------------------------------------------------------------------
// Participants

export async function listParticipants(client: TwilioClient, conv: string, opts: PageOptions): Promise<Listed<Participant>> {
  const list = client.conversations.v1.conversations(convKey(conv)).participants;
  try {
    return await collect((pageSize) => list.page({pageSize}), {...opts, max: MAX_PAGE.participants}, (i) => wire<Participant>(i));
  } catch (error) {
    return conversationErrors(error, conv);
  }
}

export interface ParticipantInput extends WebhookOption {
  identity?: string;
  address?: string;
  proxyAddress?: string;
  projectedAddress?: string;
  attributes?: string;
  roleSid?: string;
}

/**
 * A messaging binding Twilio would refuse, refused before the request: a phone channel's
 * address that is not E.164 (bare: SMS; `whatsapp:` + E.164), or an address and a proxy address
 * of different channels (a WhatsApp customer writes to a whatsapp: number).
 */
function bindingChecked(address: string, proxy: string): void {
  // the channel of an address: its prefix (whatsapp:, messenger: …), else email or SMS
  const channel = (a: string) => /^([a-z]+):/.exec(a)?.[1] ?? (a.includes('@') ? 'email' : 'sms');
  const NAMES: Record<string, string> = {sms: 'an SMS', whatsapp: 'a WhatsApp', email: 'an email'};
  const named = (c: string) => NAMES[c] ?? `a ${c}`;
  for (const [flag, a] of [['--address', address], ['--proxy-address', proxy]] as const) {
    if (/^[A-Za-z]+:/.test(a) && !/^[a-z]+:/.test(a))
      throw usageError(`${flag} "${a}": a channel prefix is lower-case`, [`for example ${flag} ${a.replace(/^[A-Za-z]+:/, (p) => p.toLowerCase())}`]);
    const c = channel(a);
    if ((c === 'sms' || c === 'whatsapp') && !E164_RE.test(c === 'sms' ? a : a.slice(c.length + 1)) && !(flag === '--proxy-address' && SHORT_CODE_RE.test(a)))
      throw usageError(`${flag} "${a}" is not ${named(c)} address: ${c === 'sms' ? 'an E.164 number like +15551234567' : 'whatsapp: and an E.164 number'}`);
  }
  if (channel(address) !== channel(proxy))
    throw usageError(`--address is ${named(channel(address))} address but --proxy-address ${named(channel(proxy))} one: both ends of a binding are on one channel`, [
      channel(address) === 'whatsapp' ? `for example --proxy-address whatsapp:${proxy.replace(/^[a-z]+:/i, '')}` : `for example --address ${address.replace(/^[a-z]+:/i, '')}`,
    ]);
}

export async function addParticipant(client: TwilioClient, conv: string, input: ParticipantInput): Promise<Participant> {
  if (input.identity === undefined && input.address === undefined && input.projectedAddress === undefined)
    throw usageError('Give --identity (a chat participant) or --address with --proxy-address (SMS, WhatsApp, …)');
  if (input.identity !== undefined && input.address !== undefined)
    throw usageError('--identity and --address cannot be combined: a participant is either a chat identity or a messaging binding');
  if (input.address !== undefined && !input.proxyAddress)
    throw usageError('--address needs --proxy-address: the Twilio number (or whatsapp:+…) the customer writes to', [
      `for example --address ${input.address} --proxy-address +15005550006`,
    ]);
  if (input.address !== undefined && input.proxyAddress) bindingChecked(input.address, input.proxyAddress);
  try {
    return wire(
      await client.conversations.v1.conversations(convKey(conv)).participants.create(
        given({
          ...hdr(input),
          identity: input.identity,
          'messagingBinding.address': input.address,
          'messagingBinding.proxyAddress': input.proxyAddress,
          'messagingBinding.projectedAddress': input.projectedAddress,
          attributes: input.attributes,
          roleSid: input.roleSid,
        }),
      ),
    );
  } catch (error) {
    // 50437 [docs]: "a participant with the same ProxyAddress+Address pair already exists in this conversation"
    if (isTwilioError(error) && (error.code === 50416 || error.code === 50433 || error.code === 50437)) {
      const e = toFlexconvError(error);
      const who = input.identity ?? `${input.address} (via ${input.proxyAddress})`;
      if (error.code === 50433 || error.code === 50437)
        throw new FlexconvError('PARTICIPANT_EXISTS', `${who} is a participant of ${conv} already`, {
          twilio: e.twilio,
          hints: [`see them with \`flexconv conversations participants list ${conv}\``],
          cause: error,
        });
      // Twilio's message names the conversation that holds the binding: it may be this one
      const held = /\bCH[0-9a-fA-F]{32}\b/.exec(e.message)?.[0];
      // the conversation may have been named by its unique name: its SID, to compare
      const own = held && !/^CH[0-9a-fA-F]{32}$/.test(conv) ? await getConversation(client, conv).then((c) => c.sid, () => conv) : conv;
      if (held && held === own)
        throw new FlexconvError('PARTICIPANT_EXISTS', `${who} is a participant of ${conv} already`, {
          twilio: e.twilio,
          hints: [`see them with \`flexconv conversations participants list ${conv}\``],
          cause: error,
        });
      const where = held ? `conversation ${held}, which is not closed` : 'another conversation that is not closed';
      // the hint closes that one conversation: prune --address would match every conversation of
      // this customer, whichever of your numbers they write to
      throw new FlexconvError('BINDING_IN_USE', `${who} is already in ${where}: ${e.message}`, {
        twilio: e.twilio,
        hints: held
          ? [`see it with \`flexconv conversations get ${held}\``, `close it (final) to free the pair: \`flexconv conversations close ${held}\``]
          : [`find it with \`flexconv conversations prune --address ${input.address} --dry-run\``],
        cause: error,
      });
    }
    return conversationErrors(error, conv);
  }
}

export async function getParticipant(client: TwilioClient, conv: string, key: string): Promise<Participant> {
  sidOrName('MB', key, 'the participant');
  try {
    return wire(await client.conversations.v1.conversations(convKey(conv)).participants(key).fetch());
  } catch (error) {
    return notFound(error, `No participant "${key}" in conversation ${conv} (looked up as a SID or an identity)`, `list them with \`flexconv conversations participants list ${conv}\``);
  }
}

export async function removeParticipant(client: TwilioClient, conv: string, sid: string, opts: WebhookOption = {}): Promise<void> {
  try {
    await client.conversations.v1.conversations(convKey(conv)).participants(sid).remove(hdr(opts));
  } catch (error) {
    notFound(error, `No participant ${sid} in conversation ${conv}`, `list them with \`flexconv conversations participants list ${conv}\``);
  }
}

// ---------------------------------------------------------------------------------------------
// Conversation-scoped webhooks

export async function listConversationWebhooks(client: TwilioClient, conv: string, opts: PageOptions): Promise<Listed<ConversationWebhook>> {
  const list = client.conversations.v1.conversations(convKey(conv)).webhooks;
  try {
    return await collect((pageSize) => list.page({pageSize}), {...opts, max: MAX_PAGE.webhooks}, (i) => wire<ConversationWebhook>(i));
  } catch (error) {
    return conversationErrors(error, conv);
  }
}

export interface ConversationWebhookInput {
  target: 'webhook' | 'trigger' | 'studio';
  url?: string;
  method?: 'GET' | 'POST';
  filters?: string[];
  triggers?: string[];
  flowSid?: string;
  replayAfter?: number;
}

export async function addConversationWebhook(client: TwilioClient, conv: string, input: ConversationWebhookInput): Promise<ConversationWebhook> {
  if (input.target === 'studio' && !input.flowSid) throw usageError('--type studio needs --flow FW…');
  if (input.target !== 'studio' && !input.url) throw usageError(`--type ${input.target} needs --url`, ['for example --url https://example.com/hook']);
  if (input.url !== undefined && !/^https?:\/\/[^\s/?#]+\S*$/i.test(input.url))
    throw usageError(`--url "${input.url}" is not an absolute http(s) URL`);
  if (input.target === 'trigger' && !input.triggers?.length) throw usageError('--type trigger needs --triggers (words that fire it)');
  try {
    return wire(
      await client.conversations.v1.conversations(convKey(conv)).webhooks.create(
        given({
          target: input.target,
          'configuration.url': input.url,
          'configuration.method': input.method?.toLowerCase() as 'get' | 'post' | undefined,
          'configuration.filters': input.filters?.length ? input.filters : undefined,
          'configuration.triggers': input.triggers?.length ? input.triggers : undefined,
          'configuration.flowSid': input.flowSid,
          'configuration.replayAfter': input.replayAfter,
        }),
      ),
    );
  } catch (error) {
    return conversationErrors(error, conv);
  }
}

export async function getConversationWebhook(client: TwilioClient, conv: string, sid: string): Promise<ConversationWebhook> {
  try {
    return wire(await client.conversations.v1.conversations(convKey(conv)).webhooks(sid).fetch());
  } catch (error) {
    return notFound(error, `No webhook ${sid} on conversation ${conv}`, `list them with \`flexconv conversations webhooks list ${conv}\``);
  }
}

export async function removeConversationWebhook(client: TwilioClient, conv: string, sid: string): Promise<void> {
  try {
    await client.conversations.v1.conversations(convKey(conv)).webhooks(sid).remove();
  } catch (error) {
    notFound(error, `No webhook ${sid} on conversation ${conv}`, `list them with \`flexconv conversations webhooks list ${conv}\``);
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration, global webhooks, services

export async function getConfig(client: TwilioClient): Promise<{configuration: ConversationsConfig; webhooks: GlobalWebhooks}> {
  const c = client.conversations.v1.configuration;
  // one after the other: a failing first request (credentials, network) is the only one sent
  const configuration = await c().fetch();
  const webhooks = await c.webhooks().fetch();
  return {configuration: wire(configuration), webhooks: wire(webhooks)};
}

export interface ConfigInput {
  defaultServiceSid?: string;
  defaultMessagingServiceSid?: string;
  inactiveTimer?: string;
  closedTimer?: string;
}

export interface GlobalWebhooksInput {
  method?: 'GET' | 'POST';
  filters?: string[];
  preWebhookUrl?: string;
  postWebhookUrl?: string;
  target?: 'webhook' | 'flex';
}

/** Change the defaults and/or the global webhooks; only what is given is sent (and only to the resource it belongs to). */
export async function setConfig(
  client: TwilioClient,
  config: ConfigInput,
  hooks: GlobalWebhooksInput,
): Promise<{configuration: ConversationsConfig; webhooks: GlobalWebhooks}> {
  const cp = given({
    defaultChatServiceSid: config.defaultServiceSid,
    defaultMessagingServiceSid: config.defaultMessagingServiceSid,
    defaultInactiveTimer: config.inactiveTimer,
    defaultClosedTimer: config.closedTimer,
  });
  const wp = given({
    method: hooks.method,
    filters: hooks.filters?.length ? hooks.filters : undefined,
    preWebhookUrl: hooks.preWebhookUrl,
    postWebhookUrl: hooks.postWebhookUrl,
    target: hooks.target,
  });
  if (!Object.keys(cp).length && !Object.keys(wp).length)
    throw usageError('Nothing to set: give at least one of --default-service, --default-messaging-service, --inactive-timer, --closed-timer, --webhook-method, --webhook-filters, --pre-webhook-url, --post-webhook-url, --webhook-target');
  // "" clears the filters (sent as Filters=)
  const unknown = hooks.filters?.filter((f) => f !== '' && !GLOBAL_WEBHOOK_FILTERS.includes(f));
  if (unknown?.length)
    throw usageError(`--webhook-filters: ${unknown.map((f) => `"${f}"`).join(', ')} ${unknown.length === 1 ? 'is not an event' : 'are not events'} of Conversations`, [
      `the events: ${GLOBAL_WEBHOOK_FILTERS.join(', ')}`,
    ]);
  for (const [flag, url] of [['--pre-webhook-url', hooks.preWebhookUrl], ['--post-webhook-url', hooks.postWebhookUrl]] as const)
    if (url && !/^https?:\/\/[^\s/?#]+\S*$/i.test(url)) throw usageError(`${flag} "${url}" is not an absolute http(s) URL ("" clears it)`);
  const c = client.conversations.v1.configuration;
  let configuration;
  try {
    configuration = Object.keys(cp).length ? await c().update(cp) : await c().fetch();
  } catch (error) {
    if (config.defaultServiceSid) notFound(error, `No Conversation Service ${config.defaultServiceSid} (--default-service)`, 'list them with `flexconv services list`');
    throw error;
  }
  const webhooks = Object.keys(wp).length ? await c.webhooks().update(wp) : await c.webhooks().fetch();
  return {configuration: wire(configuration), webhooks: wire(webhooks)};
}

export async function listServices(client: TwilioClient, opts: PageOptions): Promise<Listed<Service>> {
  const list = client.conversations.v1.services;
  return collect((pageSize) => list.page({pageSize}), {...opts, max: MAX_PAGE.services}, (i) => wire<Service>(i));
}

export async function getService(client: TwilioClient, sid: string): Promise<Service> {
  try {
    return wire(await client.conversations.v1.services(sid).fetch());
  } catch (error) {
    return notFound(error, `No Conversation Service ${sid}`, 'list them with `flexconv services list`');
  }
}

// ---------------------------------------------------------------------------------------------
// Presentation helpers (plain data)

/** `+1555… via +1500…`, `chat alice`, … : who a participant is, in one cell. */
export function participantWho(p: Participant): string {
  const b = p.messaging_binding;
  if (p.identity) return `chat ${p.identity}`;
  if (b?.address) return `${b.type ?? 'sms'} ${b.address} via ${b.proxy_address ?? '?'}`;
  if (b?.projected_address) return `${b.type ?? 'sms'} projected ${b.projected_address}`;
  return '';
}

export function webhookTarget(w: ConversationWebhook): string {
  const c = w.configuration ?? {};
  if (w.target === 'studio') return c.flow_sid ?? '';
  return [c.method?.toUpperCase(), c.url].filter(Boolean).join(' ');
}
