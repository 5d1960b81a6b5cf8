/**
 * The emulator's outside world, through its control API (`/_emulator/...`): a customer writes
 * (`inbound`), what reached customers' phones (`outbox`), and the webhook delivery log (follow it
 * live, replay one). Emulator only: real Twilio has no such API. Takes where the emulator is and
 * whose account to act for (Basic auth, as every control request may send), plain options.
 */
import {FlexconvError, usageError} from '../errors.js';
import {bodyText} from '../cli/index.js';
import type {Attempt} from '../spec/webhooks.js';

export interface ControlTarget {
  baseUrl: string;
  /** Basic auth user and password: the account (or API key) the control request acts for. */
  username?: string;
  password?: string;
  /**
   * --dry-run: a control request that would change something (not a GET) is handed to this
   * instead of being sent, and the error it returns is thrown (the command base shows it, exit 0).
   */
  dryRun?: (request: {method: string; url: string; headers: Record<string, string>; body?: string}) => Error;
}

/** What the SDK's RestException looks like to toFlexconvError: Twilio's error body mapped to a FlexconvError upstream. */
class RestException extends Error {
  override name = 'RestException';
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
    readonly moreInfo?: string,
  ) {
    super(message);
  }
}

async function call<T>(t: ControlTarget, method: 'GET' | 'POST', path: string, opts: {json?: unknown; signal?: AbortSignal} = {}): Promise<T> {
  const headers: Record<string, string> = {Accept: 'application/json'};
  if (t.username) headers.Authorization = `Basic ${Buffer.from(`${t.username}:${t.password ?? ''}`).toString('base64')}`;
  if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
  const url = `${t.baseUrl.replace(/\/$/, '')}/_emulator${path}`;
  if (t.dryRun && method !== 'GET') {
    const shown = {...headers, ...(t.username ? {Authorization: `Basic ${t.username}:**** (base64-encoded when sent)`} : {})};
    throw t.dryRun({method, url, headers: shown, body: opts.json === undefined ? undefined : JSON.stringify(opts.json)});
  }
  const res = await fetch(url, {
    method,
    headers,
    body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
    signal: opts.signal,
  });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw new RestException(res.status, typeof body?.code === 'number' ? body.code : undefined, body?.message ?? `HTTP ${res.status}`, body?.more_info);
  return body as T;
}

// ---------------------------------------------------------------------------------------------
// A customer writes

export const INBOUND_CHANNELS = ['sms', 'whatsapp', 'messenger', 'gbm', 'email', 'rcs', 'apple', 'chat'] as const;

export interface InboundInput {
  from: string;
  to: string;
  body?: string;
  channel?: string;
  mediaUrls?: string[];
}

export interface InboundAccepted {
  status: 'accepted';
  account_sid: string;
  conversation_sid: string;
  chat_service_sid: string;
  participant_sid: string;
  message_sid: string;
  message_index: number;
  created_conversation: boolean;
  from: string;
  to: string;
  channel: string;
}

export async function simulateInbound(t: ControlTarget, input: InboundInput): Promise<InboundAccepted> {
  if (!input.body && !input.mediaUrls?.length) throw usageError('Nothing to send: give --body (or --media-url URL)');
  bodyText('--body', input.body);
  const r = await call<InboundAccepted | {status: 'dropped'; reason: string; cause?: string; from: string; to: string; channel: string}>(t, 'POST', '/inbound', {
    json: {From: input.from, To: input.to, Body: input.body, Channel: input.channel ?? 'sms', MediaUrl: input.mediaUrls?.length ? input.mediaUrls : undefined},
  });
  if (r.status === 'dropped') {
    throw new FlexconvError('INBOUND_DROPPED', `The emulator dropped the message from ${r.from} to ${r.to}: ${r.reason}`, {
      hints: [...droppedHints(r), 'see why in the event log: GET /_emulator/events?type=conversations.inbound.dropped'],
    });
  }
  return r;
}

/** What to do about a dropped inbound message, by why it was dropped (an older emulator says no cause: the first hint). */
function droppedHints(r: {cause?: string; to: string; channel: string}): string[] {
  switch (r.cause) {
    case 'other_channel':
      return [`see what ${r.to} is configured for: \`flexconv addresses get ${r.to}\`, then send with that --channel`];
    case 'auto_creation_disabled':
      return [`turn auto-creation on: \`flexconv addresses update ${r.to} --auto-creation\``];
    case 'no_service':
      return ['list the Conversation Services that exist: `flexconv services list`', `then point the address at one: \`flexconv addresses update ${r.to} --conversation-service IS…\``];
    case 'pre_event':
      return ['a pre-event webhook refused it: see its answer with `flexconv webhooks tail --from-start`', 'and where it is configured with `flexconv conversations config get`'];
    default:
      return [`let inbound messages to ${r.to} start conversations: \`flexconv addresses create --type ${r.channel} --address ${r.to} --auto-creation-type default\``];
  }
}

// ---------------------------------------------------------------------------------------------
// The customer's phone

export interface OutboxMessage {
  sid: string;
  channel: string;
  to: string;
  from: string;
  body: string | null;
  media: unknown[] | null;
  conversation_sid: string;
  message_sid: string;
  participant_sid: string;
  receipt_sid: string;
  status: string;
  date_created: string;
  date_updated: string;
}

export async function outbox(t: ControlTarget, opts: {to?: string; limit?: number} = {}): Promise<OutboxMessage[]> {
  const q = new URLSearchParams();
  if (opts.to) q.set('to', opts.to);
  if (opts.limit) q.set('limit', String(opts.limit));
  const r = await call<{messages: OutboxMessage[]}>(t, 'GET', `/outbox${q.size ? `?${q}` : ''}`);
  return r.messages;
}

// ---------------------------------------------------------------------------------------------
// Webhook delivery log

export type {Attempt};

/** Attempts after `after` (oldest first); with `waitSeconds`, the emulator holds the answer until one is logged. */
export function attempts(t: ControlTarget, opts: {after?: number; event?: string; waitSeconds?: number; limit?: number; signal?: AbortSignal}) {
  const q = new URLSearchParams({after: String(opts.after ?? 0), limit: String(opts.limit ?? 1000)});
  if (opts.event) q.set('event', opts.event);
  if (opts.waitSeconds) q.set('wait', String(opts.waitSeconds));
  return call<{webhooks: Attempt[]; last_seq: number}>(t, 'GET', `/webhooks?${q}`, {signal: opts.signal});
}

/** The seq of the newest attempt logged so far (0 when none). */
export async function lastAttemptSeq(t: ControlTarget): Promise<number> {
  let after = 0;
  for (;;) {
    const r = await attempts(t, {after, limit: 1000});
    if (r.webhooks.length < 1000) return r.last_seq;
    after = r.last_seq;
  }
}

/**
 * Follow the delivery log: every attempt after `after` (default: from now on), oldest first, as
 * it is logged (long poll), until `signal` aborts. Resolves with how many were shown.
 */
export async function followAttempts(
  t: ControlTarget,
  opts: {fromStart?: boolean; event?: string; signal: AbortSignal; onAttempt: (a: Attempt) => void; onReady?: () => void},
): Promise<number> {
  let after = opts.fromStart ? 0 : await lastAttemptSeq(t);
  let shown = 0;
  opts.onReady?.();
  while (!opts.signal.aborted) {
    let r: {webhooks: Attempt[]; last_seq: number};
    try {
      r = await attempts(t, {after, event: opts.event, waitSeconds: 25, signal: opts.signal});
    } catch (error) {
      if (opts.signal.aborted) break;
      throw error;
    }
    for (const a of r.webhooks) {
      opts.onAttempt(a);
      shown++;
    }
    after = Math.max(after, r.last_seq);
  }
  return shown;
}

export interface Delivery {
  sid: string;
  event_type: string;
  url: string;
  method: string;
  params: Record<string, unknown>;
  status: string;
  attempts: number;
  max_attempts: number;
  date_created: string;
  last_status?: number | null;
  last_error?: string | null;
}

export async function getDelivery(t: ControlTarget, sid: string): Promise<Delivery> {
  try {
    return await call<Delivery>(t, 'GET', `/webhooks/${encodeURIComponent(sid)}`);
  } catch (error) {
    throw notFoundDelivery(error, sid);
  }
}

function notFoundDelivery(error: unknown, sid: string): unknown {
  if (error instanceof RestException && error.status === 404)
    return new FlexconvError('NOT_FOUND', `No webhook delivery ${sid} in this emulator account`, {
      twilio: {code: error.code ?? 20404, status: 404, moreInfo: error.moreInfo},
      hints: ['see the deliveries as they happen with `flexconv webhooks tail --from-start`'],
    });
  return error;
}

/**
 * Send delivery `sid` again with a fresh signature, then wait (up to `waitMs`) for the new
 * attempt to be logged. `attempt` is undefined when it did not finish in time.
 */
export async function replay(t: ControlTarget, sid: string, waitMs = 10_000): Promise<{sid: string; replay_of: string; attempt?: Attempt}> {
  const after = await lastAttemptSeq(t);
  let r: {sid: string; replay_of: string};
  try {
    r = await call<{sid: string; replay_of: string}>(t, 'POST', `/webhooks/${encodeURIComponent(sid)}/Replay`);
  } catch (error) {
    throw notFoundDelivery(error, sid);
  }
  const deadline = Date.now() + waitMs;
  let seq = after;
  while (Date.now() < deadline) {
    const left = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    const page = await attempts(t, {after: seq, waitSeconds: Math.min(left, 5)});
    const mine = page.webhooks.find((a) => a.delivery_sid === r.sid);
    if (mine) return {...r, attempt: mine};
    seq = Math.max(seq, page.last_seq);
  }
  return r;
}

/** `12:04:05  onMessageAdded  POST http://… → 200 (12 ms)  WD…`: one line per attempt. */
export function attemptLine(a: Attempt): string {
  const outcome = a.status !== null ? `${a.status}` : 'ERR';
  const error = a.error ? `  ${a.error}` : '';
  const retry = a.attempt > 1 ? ` (attempt ${a.attempt})` : '';
  return `${a.date}  ${a.event_type.padEnd(26)} ${a.method} ${a.url}  [${outcome}] ${a.latency_ms} ms${retry}  ${a.delivery_sid}${error}`;
}

/** The emulator's clock (it may run ahead of the wall clock: POST /_emulator/clock). */
export async function emulatorNow(t: ControlTarget): Promise<Date> {
  const r = await call<{now: string}>(t, 'GET', '/clock');
  return new Date(r.now);
}
