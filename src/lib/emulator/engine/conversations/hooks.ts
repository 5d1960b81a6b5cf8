import type {Store} from '../../store/index.js';
import type {Tx} from '../../store/tx.js';
import {
  ACCOUNT_CONFIG,
  SCOPED_WEBHOOKS,
  SERVICE_CONFIG,
  type ConversationDoc,
  type WebhookSettings,
} from '../../model/conversations.js';
import type {Core} from '../core.js';
import type {FormParams} from '../signature.js';
import {enqueue} from '../webhooks.js';

/**
 * Who acted, which decides whether webhooks fire (semantics §2.5): SDK clients and channel
 * participants (inbound SMS/WhatsApp) always fire them; REST actions only with
 * `X-Twilio-Webhook-Enabled: true` (and then post-event only); the service itself (timers,
 * delivery receipts) fires its post-events.
 */
export interface Origin {
  /** `Source` of the webhook: API, SDK, or the channel of an inbound message (SMS, WHATSAPP …) [channel names unverified]. */
  source: string;
  /** Whether post-event webhooks fire. */
  webhooks: boolean;
  /** Whether pre-event webhooks are awaited first (never for REST). */
  pre: boolean;
  /** `ClientIdentity` (SDK only). */
  identity?: string;
}

export const restOrigin = (webhookEnabled: boolean): Origin => ({source: 'API', webhooks: webhookEnabled, pre: false});
/** The service itself (timers, receipts): post-event webhooks fire [unverified: Source for these]. */
export const SYSTEM: Origin = {source: 'API', webhooks: true, pre: false};
export const channelOrigin = (channel: string): Origin => ({source: channel.toUpperCase(), webhooks: true, pre: true});

export {PRE_EVENTS, POST_EVENTS, GLOBAL_WEBHOOK_FILTERS as ALL_EVENTS} from '../../../spec/conversations.js';

type FormInput = Record<string, string | number | boolean | null | undefined | string[]>;

/**
 * Form params without the empty ones (Twilio leaves out what is null), added to `into` (a new
 * object by default). Written as a loop into one object: merging two param objects with spread
 * (`{...a, ...b}`) took V8 ~30 µs per event here, a tenth of an inbound message's own work.
 */
export function form(params: FormInput, into: FormParams = {}): FormParams {
  for (const k in params) {
    const v = params[k];
    if (v === null || v === undefined) continue;
    into[k] = Array.isArray(v) ? v : String(v);
  }
  return into;
}

/** The fields every Conversations webhook carries, followed by the event's own `params`. */
function withCommon(accountSid: string, chatServiceSid: string, eventType: string, origin: Origin, params: FormParams): FormParams {
  const out: FormParams = {AccountSid: accountSid, EventType: eventType, Source: origin.source};
  if (origin.identity !== undefined && origin.identity !== null) out.ClientIdentity = origin.identity;
  out.ChatServiceSid = chatServiceSid;
  out.RetryCount = '0';
  for (const k in params) out[k] = params[k];
  return out;
}

/** A copy of `params` with more fields (a loop, not a spread: see form()). */
function extend(params: FormParams, more: FormInput): FormParams {
  const out: FormParams = {};
  for (const k in params) out[k] = params[k];
  return form(more, out);
}

/** The global and service-level settings whose URL of this kind selects the event. */
function targets(
  read: {account?: WebhookSettings; service?: WebhookSettings},
  kind: 'pre_webhook_url' | 'post_webhook_url',
  eventType: string,
): {url: string; method: 'GET' | 'POST'}[] {
  const out: {url: string; method: 'GET' | 'POST'}[] = [];
  for (const w of [read.account, read.service]) {
    if (!w || !w[kind] || !w.filters.includes(eventType)) continue;
    // [unverified] Target=flex hands the events to Flex's own handler, not to the URL
    if (w.target === 'flex') continue;
    out.push({url: w[kind]!, method: w.method});
  }
  return out;
}

/**
 * Post-event webhooks of one event in the operation's transaction: to the global target, the
 * service's, and the conversation's scoped webhooks whose filters (or triggers) select it.
 * Global webhooks apply to every service of the account [unverified]; scoped webhooks of target
 * `studio` are recorded as a `studio.incomingConversationMessage` event, which the Studio engine
 * reacts to (engine/studio: conversations imports no other domain).
 */
export function post(
  tx: Tx,
  conv: Pick<ConversationDoc, 'sid' | 'chat_service_sid'>,
  eventType: string,
  params: FormParams,
  origin: Origin,
  opts: {body?: string | null; onlyWebhook?: string} = {},
): void {
  if (!origin.webhooks) return;
  // an inbound message posts three events: the settings are read once per transaction
  const account = tx.repo(ACCOUNT_CONFIG).cached(tx.accountSid)?.webhooks;
  const service = tx.repo(SERVICE_CONFIG).cached(conv.chat_service_sid, conv.chat_service_sid)?.webhooks;
  const full = withCommon(tx.accountSid, conv.chat_service_sid, eventType, origin, params);
  if (!opts.onlyWebhook)
    for (const t of targets({account, service}, 'post_webhook_url', eventType))
      enqueue(tx, {url: t.url, method: t.method, params: full, eventType, orderingKey: orderingKey(conv.sid, t.url)});
  for (const w of tx.repo(SCOPED_WEBHOOKS).cachedAll(conv.sid)) {
    if (opts.onlyWebhook && w.sid !== opts.onlyWebhook) continue;
    const c = w.configuration;
    if (w.target === 'studio') {
      if (eventType === 'onMessageAdded')
        tx.emit('studio.incomingConversationMessage', {...full, FlowSid: c.flow_sid ?? null, WebhookSid: w.sid}, w.sid);
      continue;
    }
    if (w.target === 'trigger') {
      if (eventType !== 'onMessageAdded' || !matchesTrigger(opts.body ?? null, c.triggers ?? [])) continue;
    } else if (!(c.filters ?? []).includes(eventType)) continue;
    if (!c.url) continue;
    enqueue(tx, {
      url: c.url,
      method: (c.method ?? 'post').toUpperCase() === 'GET' ? 'GET' : 'POST',
      params: extend(full, {WebhookSid: w.sid, WebhookType: w.target}),
      eventType,
      orderingKey: orderingKey(conv.sid, c.url),
    });
  }
}

/**
 * One conversation's events reach each receiver in order, and each receiver on its own: one that
 * hangs holds back its own deliveries, not those of the conversation's other targets.
 */
function orderingKey(conversationSid: string, url: string): string {
  return `${conversationSid} ${url}`;
}

/** A trigger fires when a keyword appears in the body as a word, any case [unverified: match rule]. */
export function matchesTrigger(body: string | null, triggers: string[]): boolean {
  if (!body) return false;
  const words = new Set(body.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean));
  return triggers.some((t) => words.has(t.toLowerCase()) || (t.includes(' ') && body.toLowerCase().includes(t.toLowerCase())));
}

/** What a pre-event webhook decided. */
export type PreResult = {ok: true; changes: Record<string, string>} | {ok: false; status: number | undefined; url: string; reason: string};

/**
 * Pre-event webhooks, awaited before the operation's transaction (never inside one): each
 * configured target (global, then service) in turn. A 2xx publishes — with the modifiable fields
 * of a JSON answer (`friendly_name`, `body`, `author`, `attributes`) applied —; a 4xx/5xx
 * rejects; no answer within the timeout (5 s) publishes unchanged [docs: pre-action table].
 */
export async function pre(
  core: Core,
  accountSid: string,
  chatServiceSid: string,
  eventType: string,
  params: FormParams,
  origin: Origin,
): Promise<PreResult> {
  const changes: Record<string, string> = {};
  if (!origin.pre) return {ok: true, changes};
  const list = preTargets(core.store, accountSid, chatServiceSid, eventType);
  if (list.length === 0) return {ok: true, changes};
  const full = withCommon(accountSid, chatServiceSid, eventType, origin, params);
  for (const t of list) {
    const result = await core.webhooks.attempt(accountSid, t.url, t.method, full);
    core.webhooks.record(accountSid, eventType, t.url, t.method, full, result);
    if (result.status === undefined) continue; // no answer (timeout, refused): publish unchanged
    if (result.status < 200 || result.status >= 300)
      return {ok: false, status: result.status, url: t.url, reason: `the ${eventType} pre-event webhook ${t.url} answered ${result.status}`};
    const text = result.body?.trim();
    if (!text) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue; // not JSON: nothing to modify [unverified]
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
    for (const key of ['friendly_name', 'body', 'author', 'attributes']) {
      const v = (parsed as Record<string, unknown>)[key];
      if (v === undefined || v === null) continue;
      changes[key] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  return {ok: true, changes};
}

/**
 * Whether any pre-event webhook of these events is configured (read through the operation's
 * transaction): when none is, the operation needs no await before its write, and what it read
 * still holds when it writes.
 */
export function awaitsPre(tx: Tx, chatServiceSid: string, eventTypes: string[], origin: Origin): boolean {
  if (!origin.pre) return false;
  const account = tx.repo(ACCOUNT_CONFIG).cached(tx.accountSid)?.webhooks;
  const service = tx.repo(SERVICE_CONFIG).cached(chatServiceSid, chatServiceSid)?.webhooks;
  return eventTypes.some((e) => targets({account, service}, 'pre_webhook_url', e).length > 0);
}

function preTargets(store: Store, accountSid: string, chatServiceSid: string, eventType: string) {
  const account = store.repo(ACCOUNT_CONFIG).get(accountSid, accountSid, '')?.webhooks;
  const service = store.repo(SERVICE_CONFIG).get(accountSid, chatServiceSid, chatServiceSid)?.webhooks;
  return targets({account, service}, 'pre_webhook_url', eventType);
}
