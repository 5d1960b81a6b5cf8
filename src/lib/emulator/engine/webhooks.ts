import type {IncomingMessage, RequestOptions} from 'node:http';
import {request as httpsRequest, Agent as HttpsAgent} from 'node:https';
import {EventEmitter} from 'node:events';
import type {Store} from '../store/index.js';
import {Tx} from '../store/tx.js';
import {newSid} from '../sid.js';
import type {Clock} from './clock.js';
import type {Scheduler} from './scheduler.js';
import {HttpClient} from './http-client.js';
import {formEncode, twilioSignature, type FormParams} from './signature.js';
import type {Attempt} from '../../spec/webhooks.js';

/** Twilio waits this long for a webhook's answer (Conversations: 5 s). */
export const WEBHOOK_TIMEOUT_MS = 5000;
/** Response text kept per attempt (for the log, and a pre-event webhook's JSON answer). */
const RESPONSE_KEEP = 4096;
/** Response bytes read for the caller (a pre-event webhook's or an assignment callback's JSON answer). */
const BODY_KEEP = 64 * 1024;
const USER_AGENT = 'TwilioProxy/1.1 (flexconv emulator)';
/** Delivery log rows kept (older finished deliveries and attempts are pruned). */
export const DELIVERY_LOG_KEEP = 100_000;
/** Outcomes of deliveries are recorded together, this long after the first of them (or in the next batch that commits, if sooner). */
const RESULTS_DELAY_MS = 5;

const PENDING_COLUMNS = 'seq, account_sid, event_type, url, method, params, ordering_key, max_attempts';
/** A delivery's attempts so far (SQL over a deliveries row `d`). */
const ATTEMPTS_SO_FAR = 'COALESCE((SELECT MAX(a.attempt) FROM webhook_attempts a WHERE a.delivery_seq = d.seq), 0)';
/** Whether a deliveries row `d` is finished: an attempt succeeded, or the last allowed one failed. */
const FINISHED = `EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.delivery_seq = d.seq AND (a.status BETWEEN 200 AND 299 OR a.attempt >= d.max_attempts))`;
interface PendingRow {
  seq: number;
  account_sid: string;
  event_type: string;
  url: string;
  method: string;
  params: string;
  ordering_key: string;
  attempts: number;
  max_attempts: number;
}
function pendingOf(r: PendingRow): Pending {
  return {
    seq: r.seq,
    sid: deliverySid(r.seq),
    accountSid: r.account_sid,
    eventType: r.event_type,
    url: r.url,
    method: r.method,
    ...storedParams(r.params),
    orderingKey: r.ordering_key,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    origin: originOf(r.url),
  };
}

export interface DeliveryInput {
  url: string;
  method?: 'GET' | 'POST';
  params: FormParams;
  /** The event's Twilio name (onMessageAdded, task.created, …). */
  eventType: string;
  /** Deliveries with the same key are sent one after another, in order (e.g. one conversation's). */
  orderingKey?: string;
  /** Attempts in all (1 = no retry). Retries back off on the clock: 1 s, 2 s, 4 s … */
  maxAttempts?: number;
  eventSeq?: number;
}

export type {Attempt};

/** The outcome of one HTTP attempt. */
export interface AttemptResult {
  status?: number;
  body?: string;
  error?: string;
  latencyMs: number;
}

/** A webhook URL ready to request: options without method, headers and agent, and the URL signed; or why it cannot be. */
type ParsedTarget =
  | {
      https: boolean;
      signed: string;
      options: RequestOptions;
      /** For the plain-http client: where to connect, and the request head's Host and Authorization lines. */
      host: string;
      port: number;
      headLines: string;
    }
  | {error: string};

/** A delivery's SID: WD + its row's seq as 32 hex digits. */
export function deliverySid(seq: number): string {
  return `WD${seq.toString(16).padStart(32, '0')}`;
}

/** The seq of a delivery SID, or undefined when it is not one. */
export function deliverySeq(sid: string): number | undefined {
  if (!/^WD[0-9a-fA-F]{32}$/.test(sid)) return undefined;
  const seq = Number.parseInt(sid.slice(2), 16);
  return Number.isSafeInteger(seq) ? seq : undefined;
}

/**
 * The seqs the delivery log hands out next, per store. They are counted here rather than by
 * AUTOINCREMENT, whose sqlite_sequence row every commit rewrote; like AUTOINCREMENT they are never
 * handed out twice, also after a reset (flexconv_meta keeps how far they went), so a delivery SID
 * and the cursor of `webhooks tail` stay unique.
 */
interface LogSeqs {
  delivery: number;
  attempt: number;
}
const seqsByStore = new WeakMap<Store, LogSeqs>();
const SEQ_KEYS = {delivery: 'deliveries_seq', attempt: 'webhook_attempts_seq'} as const;
function logSeqs(store: Store): LogSeqs {
  let seqs = seqsByStore.get(store);
  if (seqs) return seqs;
  const floor = (key: string) => Number(store.meta(key) ?? 0);
  const top = (table: string) => Number(store.sql(`SELECT MAX(seq) FROM ${table}`).pluck().get() ?? 0);
  seqs = {
    delivery: Math.max(floor(SEQ_KEYS.delivery), top('deliveries')),
    attempt: Math.max(floor(SEQ_KEYS.attempt), top('webhook_attempts')),
  };
  seqsByStore.set(store, seqs);
  const kept = seqs;
  store.onReset(() =>
    store.tx(() => {
      store.setMeta(SEQ_KEYS.delivery, kept.delivery);
      store.setMeta(SEQ_KEYS.attempt, kept.attempt);
    }),
  );
  return seqs;
}

/** Insert a deliveries row; its seq. */
function insertDelivery(store: Store, accountSid: string, eventType: string, url: string, method: string, body: string, orderingKey: string, maxAttempts: number, dateMs: number, eventSeq: number | null): number {
  const seq = ++logSeqs(store).delivery;
  store
    .sql(
      `INSERT INTO deliveries (seq, account_sid, event_type, url, method, params, ordering_key, max_attempts, date_created_ms, event_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(seq, accountSid, eventType, url, method, body, orderingKey, maxAttempts, dateMs, eventSeq);
  return seq;
}

/**
 * A delivery's params as stored: the form body that is sent (encoded once, when the delivery is
 * written; a form body never starts with `{`, which is encoded), or JSON in rows written before.
 */
function storedParams(stored: string): {params: FormParams; body?: string} {
  if (stored.startsWith('{')) return {params: JSON.parse(stored) as FormParams};
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(stored)) {
    const had = params[name];
    if (had === undefined) params[name] = value;
    else if (Array.isArray(had)) had.push(value);
    else params[name] = [had, value];
  }
  return {params, body: stored};
}

/** Whether a receiver's status is a success (2xx; none: no answer). */
function answered2xx(status: number | null | undefined): boolean {
  return status !== undefined && status !== null && status >= 200 && status < 300;
}

/** Put a delivery in the outbox, in the transaction of the event it reports (sent after COMMIT). */
export function enqueue(tx: Tx, d: DeliveryInput): string {
  const store = tx.store;
  store.wrote.deliveries = true;
  const method = d.method ?? 'POST';
  // '' = no order to keep with other deliveries
  const orderingKey = d.orderingKey ?? '';
  const maxAttempts = d.maxAttempts ?? 1;
  const body = formEncode(d.params);
  const seq = insertDelivery(store, tx.accountSid, d.eventType, d.url, method, body, orderingKey, maxAttempts, tx.now.getTime(), d.eventSeq ?? null);
  const sid = deliverySid(seq);
  // handed to the sender after COMMIT without reading it back; a rollback takes it out again
  const item: Pending = {
    seq,
    sid,
    accountSid: tx.accountSid,
    eventType: d.eventType,
    url: d.url,
    method,
    params: d.params,
    body,
    orderingKey,
    attempts: 0,
    maxAttempts,
    origin: originOf(d.url),
  };
  const fresh = freshOf(store);
  fresh.push(item);
  store.onUndo(() => {
    const i = fresh.lastIndexOf(item);
    if (i >= 0) fresh.splice(i, 1);
  });
  return sid;
}

/** Deliveries written by the current batch, per store (taken by the sender after COMMIT). */
const freshByStore = new WeakMap<Store, Pending[]>();
function freshOf(store: Store): Pending[] {
  let list = freshByStore.get(store);
  if (!list) freshByStore.set(store, (list = []));
  return list;
}

interface Pending {
  seq: number;
  sid: string;
  accountSid: string;
  eventType: string;
  url: string;
  method: string;
  params: FormParams;
  /** params form-encoded, as stored (what is sent); undefined for a row stored as JSON */
  body?: string;
  orderingKey: string;
  attempts: number;
  maxAttempts: number;
  /** originOf(url): the receiver whose requests in flight it counts in */
  origin: string;
}

/** Requests in flight to one receiver (scheme, host and port) at most: one that hangs holds these, not every slot. */
const PER_ORIGIN = 32;
/** Requests in flight in all. */
const IN_FLIGHT = 256;

/** A URL's scheme, host and port: `http://127.0.0.1:4000` (what one receiver answers). */
function originOf(url: string): string {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? url : url.slice(0, slash);
}

/**
 * Deliveries waiting to be sent: those that may go now, in order; behind each ordering key with
 * one ready or in flight, that key's own line; and per receiver at its limit of requests in
 * flight (PER_ORIGIN), those parked until one of them ends. Taking the next one is O(1) however
 * many wait behind busy keys (a scan of one list for the first free key cost O(waiting) per send).
 */
class Outbox {
  private ready: Pending[] = [];
  private head = 0;
  private readonly lines = new Map<string, Pending[]>();
  /** Keys with a delivery ready or in flight. */
  private readonly busy = new Set<string>();
  /** Requests in flight per origin, and what waits for one of them to end. */
  private readonly flying = new Map<string, number>();
  private readonly parked = new Map<string, Pending[]>();
  size = 0;

  push(d: Pending): void {
    this.size++;
    const key = d.orderingKey;
    if (key !== '' && this.busy.has(key)) {
      let line = this.lines.get(key);
      if (!line) this.lines.set(key, (line = []));
      line.push(d);
      return;
    }
    if (key !== '') this.busy.add(key);
    this.ready.push(d);
  }

  /** The next delivery that may go (counted in flight to its origin until done()), or undefined. */
  shift(): Pending | undefined {
    for (;;) {
      if (this.head >= this.ready.length) return undefined;
      const d = this.ready[this.head];
      this.ready[this.head++] = undefined as unknown as Pending;
      if (this.head === this.ready.length) {
        this.ready = [];
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.ready.length) {
        this.ready = this.ready.slice(this.head);
        this.head = 0;
      }
      const origin = d.origin;
      const n = this.flying.get(origin) ?? 0;
      if (n >= PER_ORIGIN) {
        let wait = this.parked.get(origin);
        if (!wait) this.parked.set(origin, (wait = []));
        wait.push(d);
        continue;
      }
      this.flying.set(origin, n + 1);
      this.size--;
      return d;
    }
  }

  /** d was sent: the next delivery of its key may go, and one parked for its origin. */
  done(d: Pending): void {
    const origin = d.origin;
    const n = (this.flying.get(origin) ?? 1) - 1;
    if (n > 0) this.flying.set(origin, n);
    else this.flying.delete(origin);
    const wait = this.parked.get(origin);
    if (wait) {
      // it waited before anything now ready: it goes first
      this.unshift(wait.shift()!);
      if (wait.length === 0) this.parked.delete(origin);
    }
    const key = d.orderingKey;
    if (key === '') return;
    const line = this.lines.get(key);
    if (!line) return void this.busy.delete(key);
    this.ready.push(line.shift()!);
    if (line.length === 0) this.lines.delete(key);
  }

  private unshift(d: Pending): void {
    if (this.head > 0) this.ready[--this.head] = d;
    else this.ready.unshift(d);
  }

  /** Every delivery waiting (ready ones first). */
  items(): Pending[] {
    const out = this.ready.slice(this.head);
    for (const wait of this.parked.values()) for (const d of wait) out.push(d);
    for (const line of this.lines.values()) for (const d of line) out.push(d);
    return out;
  }

  /** Forget what waits (what is in flight is still counted until done()). */
  clear(): void {
    this.ready = [];
    this.head = 0;
    this.lines.clear();
    this.busy.clear();
    this.parked.clear();
    this.size = 0;
  }
}

/**
 * Sends the outbox off the request path: form-encoded, signed with the account's auth token
 * (X-Twilio-Signature), a 5 s timeout, every attempt logged (target, event, status, latency,
 * error). Deliveries sharing an ordering key go one at a time, in order; others in parallel
 * (bounded). A delivery still pending when the process dies is sent after the restart.
 */
export class WebhookSender extends EventEmitter {
  private readonly outbox = new Outbox();
  private inFlight = 0;
  private loadedUpTo = 0;
  private stopped = false;
  private readonly sockets = new Set<import('node:http').ClientRequest>();
  /** Plain-http webhooks (nearly all of them: local receivers); https ones go through node's https. */
  private readonly http = new HttpClient();
  private readonly httpsAgent = new HttpsAgent({keepAlive: true, maxSockets: 64});
  private idleWaiters: (() => void)[] = [];
  private pumpSoon = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    scheduler: Scheduler,
    private readonly opts: {timeoutMs?: number; concurrency?: number; onError?: (e: unknown) => void; logKeep?: number} = {},
  ) {
    super();
    this.setMaxListeners(0);
    store.onCommitted(() => {
      if (!store.wrote.deliveries) return;
      store.wrote.deliveries = false;
      const fresh = freshOf(store);
      if (fresh.length === 0) return;
      const items = fresh.splice(0);
      if (this.stopped) return;
      for (const d of items) this.outbox.push(d);
      // sent once the batch's answers are written: a client waits for its answer, not for the
      // webhooks its write caused (they leave a moment later, still before later writes run)
      if (!this.pumpSoon) {
        this.pumpSoon = true;
        setImmediate(() => {
          this.pumpSoon = false;
          this.pump();
        });
      }
    });
    // outcomes waiting for their timer are written in a batch that commits anyway
    store.beforeCommit(() => {
      if (this.results.length && !this.stopped && store.db.open) this.recordResults();
    });
    store.onReset(() => {
      this.outbox.clear();
      freshOf(store).length = 0;
      this.results = [];
    });
    logSeqs(store);
    scheduler.handle('webhook.retry', (tx, data: {sid: string}) => {
      // gone (pruned, reset) or finished meanwhile: nothing to send
      const row = tx.store
        .sql(`SELECT ${PENDING_COLUMNS}, ${ATTEMPTS_SO_FAR} AS attempts FROM deliveries d WHERE d.seq = ? AND NOT ${FINISHED}`)
        .get(deliverySeq(data.sid) ?? -1) as PendingRow | undefined;
      if (!row) return;
      tx.store.wrote.deliveries = true;
      const item = pendingOf(row);
      const fresh = freshOf(tx.store);
      fresh.push(item);
      tx.store.onUndo(() => {
        const i = fresh.lastIndexOf(item);
        if (i >= 0) fresh.splice(i, 1);
      });
    });
  }

  /** Load pending deliveries (those a previous process left) and send them. */
  start(): void {
    this.load();
  }

  /**
   * Queue what a previous process left to send: the deliveries from the watermark on (every one
   * below it is finished) that are neither finished nor waiting for a retry on the clock.
   */
  private load(): void {
    if (this.stopped) return;
    const queued = new Set(this.outbox.items().map((p) => p.sid));
    const waiting = new Set(
      (this.store.sql("SELECT key FROM timers WHERE kind = 'webhook.retry'").pluck().all() as string[]).map((k) => k.slice('webhook:'.length)),
    );
    const rows = this.store
      .sql(`SELECT ${PENDING_COLUMNS}, ${ATTEMPTS_SO_FAR} AS attempts FROM deliveries d WHERE d.seq >= ? AND d.seq > ? AND NOT ${FINISHED} ORDER BY d.seq`)
      .all(this.watermark(), this.loadedUpTo) as PendingRow[];
    const loaded: Pending[] = [];
    for (const r of rows) {
      this.loadedUpTo = Math.max(this.loadedUpTo, r.seq);
      const sid = deliverySid(r.seq);
      if (queued.has(sid) || this.sending.has(sid) || waiting.has(sid)) continue;
      loaded.push(pendingOf(r));
    }
    if (this.inFlight === 0) {
      // nothing in flight: what waits, loaded or not, goes in seq order
      const all = [...this.outbox.items(), ...loaded].sort((a, b) => a.seq - b.seq);
      this.outbox.clear();
      for (const d of all) this.outbox.push(d);
    } else for (const d of loaded) this.outbox.push(d);
    this.pump();
  }

  private readonly sending = new Set<string>();

  private pump(): void {
    const limit = this.opts.concurrency ?? IN_FLIGHT;
    while (this.inFlight < limit && !this.stopped) {
      const d = this.outbox.shift();
      if (!d) break;
      this.sending.add(d.sid);
      this.inFlight++;
      const sent = (result: AttemptResult) => {
        this.inFlight--;
        this.sending.delete(d.sid);
        this.outbox.done(d);
        this.delivered(d, result);
        this.pump();
      };
      this.attempt(d.accountSid, d.url, d.method, d.params, undefined, d.body).then(sent, (e: unknown) =>
        sent({error: e instanceof Error ? e.message : String(e), latencyMs: 0}),
      );
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.inFlight === 0 && this.outbox.size === 0 && this.results.length === 0 && this.idleWaiters.length) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Count work an engine does with a webhook's answer (an assignment callback and the
   * instruction it carries out) as in flight, so idle() waits for it too.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight++;
    return work.finally(() => {
      this.inFlight--;
      this.checkIdle();
    });
  }

  /** Resolves once nothing is queued, in flight or unrecorded (retries waiting on the clock don't count). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  /** An attempt's outcome, to be recorded. */
  private delivered(d: Pending, result: AttemptResult): void {
    if (this.stopped || !this.store.db.open) return;
    this.results.push({d, result, dateMs: this.clock.now().getTime()});
    // outcomes are recorded together, a few milliseconds later: one transaction for many
    // (a delivery whose outcome a crash loses meanwhile is still pending, and is sent again)
    this.resultsTimer ??= setTimeout(() => this.recordResults(), RESULTS_DELAY_MS);
  }

  /** Outcomes recorded since the log was last pruned. */
  private recorded = 0;

  /** The seq below which every delivery is finished (flexconv_meta; start-up reads the log from there). */
  private watermark(): number {
    return Number(this.store.meta('deliveries_done_below') ?? 0);
  }

  /**
   * Keep the delivery log bounded: deliveries older than the newest DELIVERY_LOG_KEEP go with
   * their attempts, once they and every delivery before them are finished; and the watermark
   * moves up to the oldest unfinished one.
   */
  private prune(): void {
    const from = this.watermark();
    const next = logSeqs(this.store).delivery + 1;
    const oldest = (this.store.sql(`SELECT MIN(d.seq) FROM deliveries d WHERE d.seq >= ? AND NOT ${FINISHED}`).pluck().get(from) as number | null) ?? next;
    this.store.setMeta('deliveries_done_below', oldest);
    const below = Math.min(oldest, next - (this.opts.logKeep ?? DELIVERY_LOG_KEEP));
    this.store.sql('DELETE FROM webhook_attempts WHERE delivery_seq < ?').run(below);
    this.store.sql('DELETE FROM deliveries WHERE seq < ?').run(below);
  }

  /** Outcomes of deliveries not yet recorded. */
  private results: {d: Pending; result: AttemptResult; dateMs: number}[] = [];
  private resultsTimer?: NodeJS.Timeout;

  /** Write the outcomes of finished deliveries (and their retries) in one transaction. */
  private recordResults(): void {
    if (this.resultsTimer) clearTimeout(this.resultsTimer);
    this.resultsTimer = undefined;
    const results = this.results;
    this.results = [];
    if (!results.length || !this.store.db.open) return this.checkIdle();
    try {
      this.store.tx(() => {
        for (const {d, result, dateMs} of results) {
          const attempt = d.attempts + 1;
          const ok = answered2xx(result.status);
          const retry = !ok && attempt < d.maxAttempts;
          // the attempt is the delivery's new state: its row is not touched
          this.log(d.seq, d.accountSid, attempt, d.eventType, d.url, d.method, result, dateMs);
          this.recorded++;
          if (retry)
            new Tx(this.store, d.accountSid, new Date(dateMs)).at(`webhook:${d.sid}`, dateMs + 1000 * 2 ** (attempt - 1), 'webhook.retry', {
              sid: d.sid,
            });
        }
      });
      if (this.recorded >= (this.opts.logKeep ?? DELIVERY_LOG_KEEP) / 10) {
        this.recorded = 0;
        this.store.tx(() => this.prune());
      }
    } catch (error) {
      this.opts.onError?.(error);
    }
    const settled = this.store.settled();
    if (settled) settled.then(() => this.checkIdle(), () => this.checkIdle());
    else this.checkIdle();
  }

  private log(
    deliverySeq: number,
    accountSid: string,
    attempt: number,
    eventType: string,
    url: string,
    method: string,
    result: AttemptResult,
    dateMs: number,
  ): void {
    const seq = ++logSeqs(this.store).attempt;
    this.store
      .sql(
        `INSERT INTO webhook_attempts (seq, delivery_seq, account_sid, attempt, date_ms, event_type, url, method, status, latency_ms, error, response)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        seq,
        deliverySeq,
        accountSid,
        attempt,
        dateMs,
        eventType,
        url,
        method,
        result.status ?? null,
        result.latencyMs,
        result.error ?? null,
        result.body?.slice(0, RESPONSE_KEEP) ?? null,
      );
    // told after the commit that stores it: once per batch, whatever it logged
    if (this.telling) return;
    this.telling = true;
    const told = () => {
      this.telling = false;
      this.emit('attempt', logSeqs(this.store).attempt);
    };
    const settled = this.store.settled();
    if (settled) settled.then(told, () => (this.telling = false));
    else told();
  }

  /** An 'attempt' event is due after the pending commit. */
  private telling = false;

  /**
   * One signed HTTP request (also used for pre-event webhooks, which are awaited by the
   * operation and logged here as a delivery of their own).
   */
  attempt(accountSid: string, url: string, method: string, params: FormParams, timeoutMs?: number, encoded?: string): Promise<AttemptResult> {
    const started = performance.now();
    const token = this.store.authToken(accountSid) ?? '';
    const parsed = this.target(url);
    if ('error' in parsed) return Promise.resolve({error: parsed.error, latencyMs: 0});
    const get = method.toUpperCase() === 'GET';
    let body = '';
    let signed = parsed.signed;
    const options: RequestOptions = {...parsed.options};
    if (get) {
      const query = encoded ?? formEncode(params);
      if (query) {
        const target = new URL(parsed.signed);
        target.search = target.search ? `${target.search}&${query}` : `?${query}`;
        signed = target.toString();
        options.path = target.pathname + target.search;
      }
    } else body = encoded ?? formEncode(params);
    const signature = twilioSignature(token, signed, get ? {} : params);
    const idempotency = newSid('ID').slice(2);
    const limit = timeoutMs ?? this.opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    const latency = () => Math.round((performance.now() - started) * 100) / 100;
    if (!parsed.https) {
      const head =
        `${get ? 'GET' : 'POST'} ${options.path} HTTP/1.1\r\n${parsed.headLines}X-Twilio-Signature: ${signature}\r\n` +
        `User-Agent: ${USER_AGENT}\r\nAccept: */*\r\nI-Twilio-Idempotency-Token: ${idempotency}\r\n` +
        (get ? '' : 'Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n');
      return this.http.request(parsed.host, parsed.port, head, body, limit, BODY_KEEP).then((r) => {
        (r as AttemptResult).latencyMs = latency();
        return r as AttemptResult;
      });
    }
    const headers: Record<string, string> = {
      'X-Twilio-Signature': signature,
      'User-Agent': USER_AGENT,
      Accept: '*/*',
      'I-Twilio-Idempotency-Token': idempotency,
    };
    if (!get) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    options.method = get ? 'GET' : 'POST';
    options.headers = headers;
    return new Promise((resolve) => {
      options.agent = this.httpsAgent;
      let settled = false;
      const done = (r: Omit<AttemptResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.sockets.delete(req);
        resolve({...r, latencyMs: latency()});
      };
      const req = httpsRequest(options, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < BODY_KEEP) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => done({status: res.statusCode, body: Buffer.concat(chunks).toString('utf8')}));
        res.on('error', (e) => done({status: res.statusCode, error: e.message}));
      });
      this.sockets.add(req);
      const timer = setTimeout(() => {
        done({error: `timed out after ${limit} ms`});
        req.destroy();
      }, limit);
      timer.unref();
      req.on('error', (e: NodeJS.ErrnoException) => done({error: e.code ? `${e.code}: ${e.message}` : e.message}));
      req.end(body);
    });
  }

  /** Webhook URLs as parsed (an account has a handful, each used for every delivery to it). */
  private readonly targets = new Map<string, ParsedTarget>();

  /**
   * A webhook URL as request options and the URL that is signed. Requests are made from plain
   * options, not from a URL object: node then merges fewer properties per request (its agent
   * copies the options with spreads, which showed in profiles of inbound messages).
   */
  private target(url: string): ParsedTarget {
    let t = this.targets.get(url);
    if (t) return t;
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported protocol ${u.protocol}`);
      // a fragment (Twilio's connection overrides, #rc=…) is never sent: the signature covers what is [unverified]
      u.hash = '';
      const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      const options: RequestOptions = {protocol: u.protocol, hostname, path: u.pathname + u.search};
      if (u.port) options.port = Number(u.port);
      if (u.username || u.password) options.auth = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      let headLines = `Host: ${u.host}\r\n`;
      if (options.auth) headLines += `Authorization: Basic ${Buffer.from(options.auth).toString('base64')}\r\n`;
      const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
      t = {https: u.protocol === 'https:', signed: u.toString(), options, host: hostname, port, headLines};
    } catch (error) {
      t = {error: `bad URL: ${(error as Error).message}`};
    }
    if (this.targets.size >= 1024) this.targets.clear();
    this.targets.set(url, t);
    return t;
  }

  /** Record a pre-event webhook's attempt (it is sent by the operation, not from the outbox). */
  record(accountSid: string, eventType: string, url: string, method: string, params: FormParams, result: AttemptResult): string {
    const now = this.clock.now().getTime();
    return this.store.tx(() => {
      const seq = insertDelivery(this.store, accountSid, eventType, url, method, formEncode(params), '', 1, now, null);
      this.log(seq, accountSid, 1, eventType, url, method, result, now);
      return deliverySid(seq);
    });
  }

  /** Attempts of an account after seq `after` (oldest first), for GET /_emulator/webhooks. */
  attempts(accountSid: string, opts: {after?: number; limit?: number; eventType?: string} = {}): Attempt[] {
    const rows = this.store
      .sql(
        `SELECT a.seq, a.delivery_seq, a.attempt, a.date_ms, a.event_type, a.url, a.method, a.status, a.latency_ms, a.error
         FROM webhook_attempts a WHERE a.seq > ? AND a.account_sid = ? AND (? IS NULL OR a.event_type = ?) ORDER BY a.seq LIMIT ?`,
      )
      .all(opts.after ?? 0, accountSid, opts.eventType ?? null, opts.eventType ?? null, opts.limit ?? 100) as {
      seq: number;
      delivery_seq: number;
      attempt: number;
      date_ms: number;
      event_type: string;
      url: string;
      method: string;
      status: number | null;
      latency_ms: number;
      error: string | null;
    }[];
    return rows.map((r) => ({
      sid: deliverySid(r.delivery_seq),
      delivery_sid: deliverySid(r.delivery_seq),
      attempt: r.attempt,
      date: new Date(r.date_ms).toISOString(),
      event_type: r.event_type,
      url: r.url,
      method: r.method,
      status: r.status,
      latency_ms: r.latency_ms,
      error: r.error,
      seq: r.seq,
    }));
  }

  /** One delivery with its params (what was sent). */
  delivery(accountSid: string, sid: string): Record<string, unknown> | undefined {
    const r = this.store
      .sql(
        `SELECT d.seq, d.event_type, d.url, d.method, d.params, d.max_attempts, d.date_created_ms, a.attempt, a.status, a.error
         FROM deliveries d LEFT JOIN webhook_attempts a
           ON a.seq = (SELECT seq FROM webhook_attempts WHERE delivery_seq = d.seq ORDER BY attempt DESC LIMIT 1)
         WHERE d.account_sid = ? AND d.seq = ?`,
      )
      .get(accountSid, deliverySeq(sid) ?? -1) as
      | {seq: number; event_type: string; url: string; method: string; params: string; max_attempts: number; date_created_ms: number; attempt: number | null; status: number | null; error: string | null}
      | undefined;
    if (!r) return undefined;
    // its state is its last attempt's
    const attempts = r.attempt ?? 0;
    const status = attempts === 0 ? 'pending' : answered2xx(r.status) ? 'delivered' : attempts >= r.max_attempts ? 'failed' : 'retrying';
    return {
      sid: deliverySid(r.seq),
      event_type: r.event_type,
      url: r.url,
      method: r.method,
      params: storedParams(r.params).params,
      status,
      attempts,
      max_attempts: r.max_attempts,
      date_created: new Date(r.date_created_ms).toISOString(),
      last_status: attempts === 0 ? null : r.status,
      last_error: attempts === 0 ? null : r.error,
    };
  }

  /** Send a delivery again (a new delivery with the same params, signed afresh when sent). */
  replay(accountSid: string, sid: string): string | undefined {
    const d = this.delivery(accountSid, sid);
    if (!d) return undefined;
    return this.store.tx(() =>
      enqueue(new Tx(this.store, accountSid, this.clock.now()), {
        url: d.url as string,
        method: d.method as 'GET' | 'POST',
        params: d.params as FormParams,
        eventType: d.event_type as string,
      }),
    );
  }

  /** End every long poll of the delivery log now, with what it has (the emulator is stopping). */
  wake(): void {
    this.emit('wake');
  }

  /** Stop sending: abort requests in flight (their deliveries stay pending for the next start). */
  stop(): void {
    this.wake();
    if (!this.stopped && this.store.db.open) this.recordResults();
    this.stopped = true;
    if (this.resultsTimer) clearTimeout(this.resultsTimer);
    for (const req of this.sockets) req.destroy();
    this.sockets.clear();
    this.http.destroy();
    this.httpsAgent.destroy();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

