import {errors} from '../../errors.js';
import {OUTBOX, type MediaDoc} from '../../model/conversations.js';
import {created, ok, type Ctx, type Handler} from '../../router.js';
import type {ServerOptions} from '../../server.js';
import {newSid} from '../../sid.js';
import {Tx} from '../../store/tx.js';
import {controlAccount} from '../../control/core.js';
import type {Core} from '../core.js';
import type {Engine} from '../index.js';
import {awaitsPre, channelOrigin, form, pre} from './hooks.js';
import {bodyProblem, E164_RE} from '../../../spec/conversations.js';
import {acceptInbound, accountConfig, channelOf, mediaParam, conversationTimer, provisionAccount, receiptTimer, routeInbound, type DropCause, type InboundInput, type InboundOutcome, type InboundRoute} from './ops.js';

/** Event logged when an inbound message goes nowhere (GET /_emulator/events shows why). */
export const INBOUND_DROPPED = 'conversations.inbound.dropped';

/** Channels an inbound message may come from (the Address Configuration types). */
const CHANNELS = ['sms', 'whatsapp', 'messenger', 'gbm', 'email', 'rcs', 'apple', 'chat'];

export const conversationsEngine: Engine = {
  name: 'conversations',

  install(core: Core) {
    const {store, scheduler, clock} = core;
    // every account has its configuration and a default service, as a real account does
    store.onAccountAdded((accountSid) => void provisionAccount(new Tx(store, accountSid, clock.now())));
    scheduler.handle('conversations.inactive', (tx, data) => conversationTimer(tx, data, 'inactive'));
    scheduler.handle('conversations.closed', (tx, data) => conversationTimer(tx, data, 'closed'));
    scheduler.handle('conversations.receipt', (tx, data) => receiptTimer(tx, data));
  },

  controlRoutes(opts: ServerOptions): Record<string, Handler> {
    return {
      /**
       * A customer writes: POST /_emulator/inbound (form or JSON: From, To, Body, Channel =
       * sms, MediaUrl) with the owning account's Basic auth (else the first account).
       */
      'POST /inbound': (ctx) => inbound(ctx, opts.core),

      /** What reached customers' phones: GET /_emulator/outbox?to=+1555… (oldest first). */
      'GET /outbox': (ctx) => {
        const accountSid = controlAccount(ctx);
        const to = ctx.query.str('to') || undefined;
        const limit = Math.min(ctx.query.int('limit', {min: 1}) ?? 1000, 10_000);
        const rows = ctx.store.repo(OUTBOX).all(accountSid, to ? {to_address: to} : {});
        return ok({messages: rows.slice(-limit)});
      },
    };
  },
};

function fields(ctx: Ctx): Record<string, string | string[] | undefined> {
  const json = ctx.json && typeof ctx.json === 'object' && !Array.isArray(ctx.json) ? (ctx.json as Record<string, unknown>) : undefined;
  const out: Record<string, string | string[] | undefined> = {};
  for (const name of ['From', 'To', 'Body', 'Channel', 'MediaUrl']) {
    const v = json ? json[name] : ctx.form.list(name);
    if (v === undefined || v === null) continue;
    out[name] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return out;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);

/** A media placeholder for each MediaUrl (the emulator fetches nothing). */
function mediaOf(urls: string[]): MediaDoc[] {
  return urls.map((url) => {
    const name = url.split(/[?#]/)[0].split('/').pop() || null;
    const ext = name?.split('.').pop()?.toLowerCase();
    const type = ext && ext in MIME ? MIME[ext] : 'application/octet-stream';
    return {sid: newSid('ME'), content_type: type, filename: name, size: 0};
  });
}
const MIME: Record<string, string> = {jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', pdf: 'application/pdf', mp4: 'video/mp4', txt: 'text/plain'};

/**
 * A phone number as typed after `curl -d 'From=+1555…'`: an unencoded `+` in a form body reads
 * as a space, and ` 1555…` (a space, then digits, optionally after a channel prefix) can only
 * have been `+1555…`. Without this, such a message was dropped for an address nobody configured.
 */
function plusRestored(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^([a-z]+:)? (\d{3,15})$/i.exec(value);
  return m ? `${m[1] ?? ''}+${m[2]}` : value?.trim();
}

async function inbound(ctx: Ctx, core: Core) {
  const accountSid = controlAccount(ctx);
  const f = fields(ctx);
  const channel = (one(f.Channel) || 'sms').toLowerCase();
  if (!CHANNELS.includes(channel)) throw errors.invalid('Channel', `'${channel}' is not one of ${CHANNELS.join(', ')}`);
  let from = plusRestored(one(f.From));
  let to = plusRestored(one(f.To));
  if (!from) throw errors.missing('From');
  if (!to) throw errors.missing('To');
  // WhatsApp addresses carry their prefix (whatsapp:+1555…); accept them bare too
  if (channel !== 'sms' && channel !== 'chat' && channel !== 'email') {
    if (!from.includes(':')) from = `${channel}:${from}`;
    if (!to.includes(':')) to = `${channel}:${to}`;
  } else if (channelOf(from) !== 'sms' && channel === 'sms') throw errors.invalid('From', `'${from}' is not an SMS address`);
  const mediaUrls = f.MediaUrl === undefined ? [] : Array.isArray(f.MediaUrl) ? f.MediaUrl : [f.MediaUrl];
  const body = one(f.Body);
  if (!body && mediaUrls.length === 0) throw errors.missing('Body');
  const tooLong = bodyProblem(body);
  if (tooLong) throw errors.invalid('Body', tooLong);
  // a phone channel's customer has a phone number (what Twilio hands on is E.164)
  if (channel === 'sms' || channel === 'whatsapp') {
    const number = from.replace(/^whatsapp:/, '');
    if (!E164_RE.test(number)) throw errors.invalid('From', `'${from}' is not an E.164 phone number (like +15551234567${channel === 'whatsapp' ? ', or whatsapp:+15551234567' : ''})`);
  }
  const input: InboundInput = {from, to, body, channel, media: mediaOf(mediaUrls)};
  const origin = channelOrigin(channel);

  const dropped = (reason: string, cause: DropCause) => {
    ctx.store.tx(() => new Tx(ctx.store, accountSid, ctx.clock.now()).emit(INBOUND_DROPPED, {From: from, To: to, Channel: channel, Body: body ?? null, reason, cause}));
    return ok({status: 'dropped', reason, cause, from, to, channel});
  };

  // One customer's messages to one address are routed and written in order. The common case (no
  // pre-event webhook) awaits nothing, so it needs no lock: it reads and writes in one go.
  /** Where it goes; written at once (its answer) unless a pre-event webhook is to be awaited first. */
  const routeNow = () => {
    const reading = new Tx(ctx.store, accountSid, ctx.clock.now());
    const route = routeInbound(reading, input);
    if (route.kind === 'drop') return {answer: dropped(route.reason, route.cause)};
    if (awaitsPre(reading, serviceOf(route), eventsOf(route), origin)) return {reading, route};
    const outcome = ctx.store.tx(() => acceptInbound(reading, input, origin, {}, route));
    return {answer: inboundAnswer(accountSid, outcome, dropped, {from, to, channel})};
  };
  const pair = `${accountSid}\n${from}\n${to}`;
  const locks = pairLocks(core);
  if (!locks.has(pair)) {
    const now = routeNow();
    if (now.answer) return now.answer;
  }
  // Pre-event webhooks are awaited: a second message of the pair waits for the first to be
  // written (else both would route to "create", and the first one's pre-events would name a
  // conversation that is never created).
  return serialized(locks, pair, async () => {
    const now = routeNow();
    if (now.answer) return now.answer;
    const {reading, route} = now;
    const serviceSid = serviceOf(route);
    const media = mediaParam(input.media);
    const changes: Record<string, string> = {};
    // a conversation to create: its SID and its participant's are chosen now, so that the
    // onMessageAdd pre-event names them, as it does for a message to an existing conversation
    const sids = route.kind === 'create' ? {conversation: newSid('CH'), participant: newSid('MB')} : {};
    if (route.kind === 'create') {
      const r = await pre(core, accountSid, serviceSid, 'onConversationAdd', form({
        Attributes: '{}',
        MessagingServiceSid: accountConfig(reading).default_messaging_service_sid,
        'MessagingBinding.Address': from,
        'MessagingBinding.ProxyAddress': to,
        MessageBody: body,
        Media: media,
        State: 'active',
      }), origin);
      if (!r.ok) return dropped(r.reason, 'pre_event');
      if (r.changes.friendly_name !== undefined) changes.friendly_name = r.changes.friendly_name;
    }
    const r = await pre(core, accountSid, serviceSid, 'onMessageAdd', form({
      ConversationSid: route.kind === 'existing' ? route.conversation.sid : sids.conversation,
      ParticipantSid: route.kind === 'existing' ? route.participant.sid : sids.participant,
      Body: body,
      Author: from,
      Attributes: '{}',
      Media: media,
    }), origin);
    if (!r.ok) return dropped(r.reason, 'pre_event');
    for (const k of ['body', 'author', 'attributes'] as const) if (r.changes[k] !== undefined) changes[k] = r.changes[k];
    if (changes.attributes !== undefined) {
      try {
        JSON.parse(changes.attributes);
      } catch {
        return dropped(`the onMessageAdd pre-event webhook answered attributes that are not JSON: ${changes.attributes.slice(0, 100)}`, 'pre_event');
      }
    }
    // the owning account's transaction (ctx.tx is the request's account: none when the control call came without auth)
    const outcome = ctx.store.tx(() => acceptInbound(new Tx(ctx.store, accountSid, ctx.clock.now()), input, origin, changes, undefined, sids));
    const answer = inboundAnswer(accountSid, outcome, dropped, {from, to, channel});
    // the next message of the pair is routed once this one is committed
    await ctx.store.settled();
    return answer;
  });
}

const serviceOf = (route: Exclude<InboundRoute, {kind: 'drop'}>) => (route.kind === 'existing' ? route.conversation.chat_service_sid : route.serviceSid);
const eventsOf = (route: Exclude<InboundRoute, {kind: 'drop'}>) => (route.kind === 'create' ? ['onConversationAdd', 'onMessageAdd'] : ['onMessageAdd']);

/** Inbound messages waiting on pre-event webhooks, per emulator: the tail of each (account, from, to) pair's line. */
const locksByCore = new WeakMap<Core, Map<string, Promise<unknown>>>();
function pairLocks(core: Core): Map<string, Promise<unknown>> {
  let locks = locksByCore.get(core);
  if (!locks) locksByCore.set(core, (locks = new Map()));
  return locks;
}

/** Run `fn` after everything queued under `key` has ended (whatever its outcome); its result. */
function serialized<T>(locks: Map<string, Promise<unknown>>, key: string, fn: () => Promise<T>): Promise<T> {
  const run = (locks.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return run;
}

/** The control API's answer to an inbound message: where it went, or why it was dropped. */
function inboundAnswer(
  accountSid: string,
  outcome: InboundOutcome,
  dropped: (reason: string, cause: DropCause) => ReturnType<typeof ok>,
  {from, to, channel}: {from: string; to: string; channel: string},
) {
  if (outcome.status === 'dropped') return dropped(outcome.reason, outcome.cause);
  return created({
    status: 'accepted',
    account_sid: accountSid,
    conversation_sid: outcome.conversation.sid,
    chat_service_sid: outcome.conversation.chat_service_sid,
    participant_sid: outcome.participant.sid,
    message_sid: outcome.message.sid,
    message_index: outcome.message.index,
    created_conversation: outcome.created,
    from,
    to,
    channel,
  });
}

