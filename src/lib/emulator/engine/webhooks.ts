import {request as httpRequest, Agent as HttpAgent, type IncomingMessage} from 'node:http';
import {request as httpsRequest, Agent as HttpsAgent} from 'node:https';
import {EventEmitter} from 'node:events';
import type {Store} from '../store/index.js';
import {Tx} from '../store/tx.js';
import {newSid} from '../sid.js';
import type {Clock} from './clock.js';
import type {Scheduler} from './scheduler.js';
import {formEncode, twilioSignature, type FormParams} from './signature.js';

/** Twilio waits this long for a webhook's answer (Conversations: 5 s). */
export const WEBHOOK_TIMEOUT_MS = 5000;
/** Response text kept per attempt (for the log, and a pre-event webhook's JSON answer). */
const RESPONSE_KEEP = 4096;

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

export interface Attempt {
  sid: string;
  delivery_sid: string;
  attempt: number;
  date: string;
  event_type: string;
  url: string;
  method: string;
  status: number | null;
  latency_ms: number;
  error: string | null;
  seq: number;
}

/** The outcome of one HTTP attempt. */
export interface AttemptResult {
  status?: number;
  body?: string;
  error?: string;
  latencyMs: number;
}

/** Put a delivery in the outbox, in the transaction of the event it reports (sent after COMMIT). */
export function enqueue(tx: Tx, d: DeliveryInput): string {
  const sid = newSid('WD');
  tx.store.wrote.deliveries = true;
  const now = tx.now.getTime();
  tx.store
    .sql(
      `INSERT INTO deliveries (sid, account_sid, event_type, url, method, params, ordering_key, status, attempts,
        max_attempts, date_created_ms, date_updated_ms, event_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
    )
    .run(
      sid,
      tx.accountSid,
      d.eventType,
      d.url,
      d.method ?? 'POST',
      JSON.stringify(d.params),
      d.orderingKey ?? sid,
      d.maxAttempts ?? 1,
      now,
      now,
      d.eventSeq ?? null,
    );
  return sid;
}

interface Pending {
  seq: number;
  sid: string;
  accountSid: string;
  eventType: string;
  url: string;
  method: string;
  params: FormParams;
  orderingKey: string;
  attempts: number;
  maxAttempts: number;
}

/**
 * Sends the outbox off the request path: form-encoded, signed with the account's auth token
 * (X-Twilio-Signature), a 5 s timeout, every attempt logged (target, event, status, latency,
 * error). Deliveries sharing an ordering key go one at a time, in order; others in parallel
 * (bounded). A delivery still pending when the process dies is sent after the restart.
 */
export class WebhookSender extends EventEmitter {
  private queue: Pending[] = [];
  private readonly busyKeys = new Set<string>();
  private inFlight = 0;
  private loadedUpTo = 0;
  private stopped = false;
  private readonly sockets = new Set<import('node:http').ClientRequest>();
  private readonly httpAgent = new HttpAgent({keepAlive: true, maxSockets: 64});
  private readonly httpsAgent = new HttpsAgent({keepAlive: true, maxSockets: 64});
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    scheduler: Scheduler,
    private readonly opts: {timeoutMs?: number; concurrency?: number; onError?: (e: unknown) => void} = {},
  ) {
    super();
    this.setMaxListeners(0);
    store.onCommitted(() => {
      if (!store.wrote.deliveries) return;
      store.wrote.deliveries = false;
      this.load();
    });
    store.onReset(() => {
      this.queue = [];
      this.loadedUpTo = 0;
    });
    scheduler.handle('webhook.retry', (tx, data: {sid: string}) => {
      tx.store.wrote.deliveries = true;
      tx.store.sql("UPDATE deliveries SET status = 'pending' WHERE sid = ? AND status = 'retrying'").run(data.sid);
      // loaded again from the table after commit
      this.loadedUpTo = Math.min(this.loadedUpTo, this.seqOf(data.sid) - 1);
    });
  }

  private seqOf(sid: string): number {
    return (this.store.sql('SELECT seq FROM deliveries WHERE sid = ?').pluck().get(sid) as number | undefined) ?? Infinity;
  }

  /** Load pending deliveries (at start-up: those a previous process left) and send them. */
  start(): void {
    this.load();
  }

  private load(): void {
    if (this.stopped) return;
    const queued = new Set(this.queue.map((p) => p.sid));
    const rows = this.store
      .sql(
        `SELECT seq, sid, account_sid, event_type, url, method, params, ordering_key, attempts, max_attempts
         FROM deliveries WHERE status = 'pending' AND seq > ? ORDER BY seq`,
      )
      .all(this.loadedUpTo) as {
      seq: number;
      sid: string;
      account_sid: string;
      event_type: string;
      url: string;
      method: string;
      params: string;
      ordering_key: string;
      attempts: number;
      max_attempts: number;
    }[];
    for (const r of rows) {
      this.loadedUpTo = Math.max(this.loadedUpTo, r.seq);
      if (queued.has(r.sid) || this.sending.has(r.sid)) continue;
      this.queue.push({
        seq: r.seq,
        sid: r.sid,
        accountSid: r.account_sid,
        eventType: r.event_type,
        url: r.url,
        method: r.method,
        params: JSON.parse(r.params) as FormParams,
        orderingKey: r.ordering_key,
        attempts: r.attempts,
        maxAttempts: r.max_attempts,
      });
    }
    this.queue.sort((a, b) => a.seq - b.seq);
    this.pump();
  }

  private readonly sending = new Set<string>();

  private pump(): void {
    const limit = this.opts.concurrency ?? 32;
    for (let i = 0; i < this.queue.length && this.inFlight < limit && !this.stopped; ) {
      const d = this.queue[i];
      if (this.busyKeys.has(d.orderingKey)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.busyKeys.add(d.orderingKey);
      this.sending.add(d.sid);
      this.inFlight++;
      void this.deliver(d).finally(() => {
        this.inFlight--;
        this.busyKeys.delete(d.orderingKey);
        this.sending.delete(d.sid);
        this.pump();
        this.checkIdle();
      });
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.inFlight === 0 && this.queue.length === 0 && this.idleWaiters.length) {
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

  /** Resolves once nothing is queued or in flight (retries waiting on the clock don't count). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  private async deliver(d: Pending): Promise<void> {
    const result = await this.attempt(d.accountSid, d.url, d.method, d.params);
    if (this.stopped || !this.store.db.open) return;
    const attempt = d.attempts + 1;
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
    const retry = !ok && attempt < d.maxAttempts;
    const now = this.clock.now();
    try {
      this.store.tx(() => {
        this.log(d.sid, d.accountSid, attempt, d.eventType, d.url, d.method, result, now.getTime());
        this.store
          .sql(
            `UPDATE deliveries SET status = ?, attempts = ?, date_updated_ms = ?, last_status = ?, last_error = ? WHERE sid = ?`,
          )
          .run(ok ? 'delivered' : retry ? 'retrying' : 'failed', attempt, now.getTime(), result.status ?? null, result.error ?? null, d.sid);
        if (retry) {
          new Tx(this.store, d.accountSid, now).at(`webhook:${d.sid}`, now.getTime() + 1000 * 2 ** (attempt - 1), 'webhook.retry', {
            sid: d.sid,
          });
        }
      });
    } catch (error) {
      this.opts.onError?.(error);
    }
  }

  private log(
    deliverySid: string,
    accountSid: string,
    attempt: number,
    eventType: string,
    url: string,
    method: string,
    result: AttemptResult,
    dateMs: number,
  ): void {
    const info = this.store
      .sql(
        `INSERT INTO webhook_attempts (delivery_sid, account_sid, attempt, date_ms, event_type, url, method, status, latency_ms, error, response)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        deliverySid,
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
    const seq = Number(info.lastInsertRowid);
    // told after the commit that stores it
    void this.store.settled()?.then(() => this.emit('attempt', seq));
  }

  /**
   * One signed HTTP request (also used for pre-event webhooks, which are awaited by the
   * operation and logged here as a delivery of their own).
   */
  attempt(accountSid: string, url: string, method: string, params: FormParams, timeoutMs?: number): Promise<AttemptResult> {
    const started = performance.now();
    const token = this.store.authToken(accountSid) ?? '';
    let target: URL;
    try {
      target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported protocol ${target.protocol}`);
    } catch (error) {
      return Promise.resolve({error: `bad URL: ${(error as Error).message}`, latencyMs: 0});
    }
    const get = method.toUpperCase() === 'GET';
    let body = '';
    if (get) {
      const query = formEncode(params);
      if (query) target.search = target.search ? `${target.search}&${query}` : `?${query}`;
    } else body = formEncode(params);
    const signed = target.toString();
    const signature = twilioSignature(token, signed, get ? {} : params);
    const headers: Record<string, string> = {
      'X-Twilio-Signature': signature,
      'User-Agent': 'TwilioProxy/1.1 (flexconv emulator)',
      Accept: '*/*',
      'I-Twilio-Idempotency-Token': newSid('ID').slice(2),
    };
    if (!get) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const limit = timeoutMs ?? this.opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    return new Promise((resolve) => {
      const https = target.protocol === 'https:';
      let settled = false;
      const done = (r: Omit<AttemptResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.sockets.delete(req);
        resolve({...r, latencyMs: Math.round((performance.now() - started) * 100) / 100});
      };
      const req = (https ? httpsRequest : httpRequest)(
        target,
        {method: get ? 'GET' : 'POST', headers, agent: https ? this.httpsAgent : this.httpAgent},
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < RESPONSE_KEEP) chunks.push(c);
            size += c.length;
          });
          res.on('end', () => done({status: res.statusCode, body: Buffer.concat(chunks).toString('utf8')}));
          res.on('error', (e) => done({status: res.statusCode, error: e.message}));
        },
      );
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

  /** Record a pre-event webhook's attempt (it is sent by the operation, not from the outbox). */
  record(accountSid: string, eventType: string, url: string, method: string, params: FormParams, result: AttemptResult): string {
    const sid = newSid('WD');
    const now = this.clock.now().getTime();
    this.store.tx(() => {
      const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
      this.store
        .sql(
          `INSERT INTO deliveries (sid, account_sid, event_type, url, method, params, ordering_key, status, attempts,
            max_attempts, date_created_ms, date_updated_ms, last_status, last_error)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?)`,
        )
        .run(sid, accountSid, eventType, url, method, JSON.stringify(params), sid, ok ? 'delivered' : 'failed', now, now, result.status ?? null, result.error ?? null);
      this.log(sid, accountSid, 1, eventType, url, method, result, now);
    });
    return sid;
  }

  /** Attempts of an account after seq `after` (oldest first), for GET /_emulator/webhooks. */
  attempts(accountSid: string, opts: {after?: number; limit?: number; eventType?: string} = {}): Attempt[] {
    const rows = this.store
      .sql(
        `SELECT a.seq, a.delivery_sid, a.attempt, a.date_ms, a.event_type, a.url, a.method, a.status, a.latency_ms, a.error
         FROM webhook_attempts a WHERE a.account_sid = ? AND a.seq > ? AND (? IS NULL OR a.event_type = ?) ORDER BY a.seq LIMIT ?`,
      )
      .all(accountSid, opts.after ?? 0, opts.eventType ?? null, opts.eventType ?? null, opts.limit ?? 100) as {
      seq: number;
      delivery_sid: string;
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
      sid: r.delivery_sid,
      delivery_sid: r.delivery_sid,
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
        `SELECT sid, event_type, url, method, params, status, attempts, max_attempts, date_created_ms, last_status, last_error
         FROM deliveries WHERE account_sid = ? AND sid = ?`,
      )
      .get(accountSid, sid) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      sid: r.sid,
      event_type: r.event_type,
      url: r.url,
      method: r.method,
      params: JSON.parse(r.params as string),
      status: r.status,
      attempts: r.attempts,
      max_attempts: r.max_attempts,
      date_created: new Date(r.date_created_ms as number).toISOString(),
      last_status: r.last_status,
      last_error: r.last_error,
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

  /** Stop sending: abort requests in flight (their deliveries stay pending for the next start). */
  stop(): void {
    this.stopped = true;
    for (const req of this.sockets) req.destroy();
    this.sockets.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

