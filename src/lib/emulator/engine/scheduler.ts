import type {Store} from '../store/index.js';
import {Tx} from '../store/tx.js';
import {parseDuration, type Clock} from './clock.js';

export interface Timer {
  key: string;
  accountSid: string;
  dueMs: number;
  kind: string;
}

/** What a timer does when it fires (in a transaction of the timer's account). */
export type TimerHandler = (tx: Tx, data: any, timer: Timer) => void;

/** The flexconv_meta key of where the last advance left the clock. */
const CLOCK_KEY = 'clock';

/** setTimeout's largest delay. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Persisted timers fired in due order by the one clock. A timer lives in the `timers` table,
 * written in the transaction that set it, so it survives a restart; overdue timers fire at
 * start-up. On a ticking clock a real timeout waits for the next due timer; on a manual clock
 * only `advance` moves time, firing every timer due in the window in order and draining the
 * reactions of each before the next.
 */
export class Scheduler {
  private readonly handlers = new Map<string, TimerHandler>();
  private timeout?: NodeJS.Timeout;
  private armedFor?: number;
  private stopped = false;
  private firing = false;

  constructor(
    private readonly store: Store,
    readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    // a reset starts over: the next start-up takes the clock as given (wall time) again
    store.onReset(() => {
      if (store.db.open) store.tx(() => store.sql('DELETE FROM flexconv_meta WHERE key = ?').run(CLOCK_KEY));
    });
    store.onCommitted(() => {
      if (!store.wrote.timers) return;
      store.wrote.timers = false;
      this.arm();
    });
  }

  handle(kind: string, handler: TimerHandler): void {
    if (this.handlers.has(kind)) throw new Error(`timer kind ${kind} is handled twice`);
    this.handlers.set(kind, handler);
  }

  /** Fire what is overdue, then wait for the next timer. */
  start(): void {
    this.restoreClock();
    this.fireDue(this.clock.now().getTime());
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timeout) clearTimeout(this.timeout);
    this.timeout = undefined;
  }

  /** The next timer's due time, or undefined. */
  nextDue(): number | undefined {
    return (this.store.sql('SELECT MIN(due_ms) FROM timers').pluck().get() as number | null) ?? undefined;
  }

  /** Timers of an account, soonest first (the control API shows them). */
  list(accountSid: string): (Timer & {data: unknown})[] {
    return (
      this.store
        .sql('SELECT key, account_sid, due_ms, kind, data FROM timers WHERE account_sid = ? ORDER BY due_ms, key')
        .all(accountSid) as {key: string; account_sid: string; due_ms: number; kind: string; data: string}[]
    ).map((r) => ({key: r.key, accountSid: r.account_sid, dueMs: r.due_ms, kind: r.kind, data: JSON.parse(r.data)}));
  }

  /** Wait on a ticking clock for the next due timer. */
  private arm(): void {
    if (this.stopped || !this.clock.ticking || this.firing) return;
    const next = this.nextDue();
    if (next === undefined) {
      if (this.timeout) clearTimeout(this.timeout);
      this.timeout = undefined;
      this.armedFor = undefined;
      return;
    }
    if (this.timeout && this.armedFor === next) return;
    if (this.timeout) clearTimeout(this.timeout);
    this.armedFor = next;
    const delay = Math.min(Math.max(next - this.clock.now().getTime(), 0), MAX_DELAY);
    this.timeout = setTimeout(() => {
      this.timeout = undefined;
      this.armedFor = undefined;
      this.fireDue(this.clock.now().getTime());
      this.arm();
    }, delay);
    this.timeout.unref();
  }

  /** Fire every timer due at or before `uptoMs`, in due order; each one's reactions drain before the next. */
  private fireDue(uptoMs: number): number {
    let fired = 0;
    this.firing = true;
    try {
      for (;;) {
        const row = this.store
          .sql('SELECT key, account_sid, due_ms, kind, data FROM timers WHERE due_ms <= ? ORDER BY due_ms, key LIMIT 1')
          .get(uptoMs) as {key: string; account_sid: string; due_ms: number; kind: string; data: string} | undefined;
        if (!row) break;
        this.fire(row);
        fired++;
      }
    } finally {
      this.firing = false;
    }
    return fired;
  }

  private fire(row: {key: string; account_sid: string; due_ms: number; kind: string; data: string}): void {
    const store = this.store;
    const timer: Timer = {key: row.key, accountSid: row.account_sid, dueMs: row.due_ms, kind: row.kind};
    store.tx(() => {
      store.sql('DELETE FROM timers WHERE key = ? AND due_ms = ?').run(row.key, row.due_ms);
      const handler = this.handlers.get(row.kind);
      if (!handler) return this.onError(new Error(`no handler for timer kind ${row.kind} (timer ${row.key} dropped)`));
      try {
        // its own savepoint: a handler that throws leaves the timer deleted, not firing again
        store.tx(() => handler(new Tx(store, row.account_sid, this.clock.now()), JSON.parse(row.data), timer));
      } catch (error) {
        this.onError(error);
      }
    });
    store.flush();
  }

  /**
   * Where an advance left the clock, kept in flexconv_meta: a restart must not take time back
   * (a message stamped before the ones already stored, a timer due again further away). A
   * ticking clock keeps its lead over the wall clock; one that stands still resumes from there.
   */
  private saveClock(): void {
    if (!this.store.db.open) return;
    const state = {ms: this.clock.now().getTime(), wallMs: Date.now(), ticking: this.clock.ticking};
    this.store.tx(() => this.store.setMeta(CLOCK_KEY, JSON.stringify(state)));
  }

  private restoreClock(): void {
    let state: {ms?: unknown; wallMs?: unknown; ticking?: unknown} | undefined;
    try {
      state = JSON.parse(this.store.meta(CLOCK_KEY) ?? 'null') ?? undefined;
    } catch {
      return; // not ours to read: start from the clock as given
    }
    if (!state || typeof state.ms !== 'number' || typeof state.wallMs !== 'number') return;
    // where the clock of the last run got to: a ticking one went on moving after the advance
    // (stamping rows meanwhile), one that stood still did not; either clock resumes from there
    const target = state.ticking === false ? state.ms : state.ms + Math.max(0, Date.now() - state.wallMs);
    const now = this.clock.now().getTime();
    if (target > now) this.clock.shift(target - now);
  }

  /**
   * Move the clock forward by `by` (ms, or an ISO 8601 duration such as PT10M) or to a later
   * time `to`, firing every timer due in the window, in order, each at its own due time.
   */
  async advance(by: number | string): Promise<void> {
    const ms = typeof by === 'number' ? by : parseDuration(by);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration to advance by: ${by}`);
    await this.advanceTo(this.clock.now().getTime() + ms);
  }

  async advanceTo(targetMs: number): Promise<void> {
    if (targetMs < this.clock.now().getTime()) throw new RangeError('the clock cannot go back');
    // writes still pending in the current batch (timers set just now) take part
    await this.store.settled();
    this.firing = true;
    try {
      for (;;) {
        const next = this.nextDue();
        if (next === undefined || next > targetMs) break;
        const now = this.clock.now().getTime();
        if (next > now) this.clock.shift(next - now);
        this.fireDue(next);
      }
      const now = this.clock.now().getTime();
      if (targetMs > now) this.clock.shift(targetMs - now);
    } finally {
      this.firing = false;
      this.saveClock();
    }
    this.arm();
    await this.store.settled();
  }
}
