import type {Store} from '../store/index.js';
import {Tx, type StoredEvent} from '../store/tx.js';
import type {Clock} from './clock.js';

/** A reaction to an event, run after the event's transaction committed, in a transaction of its own. */
export type Reactor = (tx: Tx, event: StoredEvent) => void;

/** Events kept in the log for GET /_emulator/events after they were reacted to. */
export const EVENT_LOG_KEEP = 50_000;

/**
 * The event bus. Operations append events to the event log inside their transaction; after
 * COMMIT (and before the committed requests are answered) the bus reads the new rows and runs
 * each reactor of each event in its own savepoint — a reactor that throws rolls back alone and
 * is reported — then commits, and goes on while reactors emit more. Its cursor is stored with the
 * reactions, so events committed just before a crash are reacted to at the next start.
 */
export class Bus {
  private readonly reactors = new Map<string, Reactor[]>();
  private cursor: number;
  private pruned = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.cursor = Number(store.meta('bus_cursor') ?? 0);
    store.onCommitted(() => this.drain());
  }

  /** React to every event of this type (`*` for all). */
  on(type: string, reactor: Reactor): void {
    const list = this.reactors.get(type) ?? [];
    list.push(reactor);
    this.reactors.set(type, list);
    this.store.wanted.add(type);
  }

  /** Run the reactors of every event not reacted to yet (called after each COMMIT, and at start-up). */
  drain(force = false): void {
    const store = this.store;
    if (!force && !store.wrote.events) return;
    for (let rounds = 0; ; rounds++) {
      store.wrote.events = false;
      const rows = store
        .sql('SELECT seq, account_sid, type, resource_sid, date_ms, data FROM event_log WHERE seq > ? ORDER BY seq LIMIT 500')
        .all(this.cursor) as {seq: number; account_sid: string; type: string; resource_sid: string | null; date_ms: number; data: string}[];
      if (rows.length === 0) return;
      for (const row of rows) {
        const reactors = [...(this.reactors.get(row.type) ?? []), ...(this.reactors.get('*') ?? [])];
        if (reactors.length === 0) continue;
        const event: StoredEvent = {
          seq: row.seq,
          accountSid: row.account_sid,
          type: row.type,
          resourceSid: row.resource_sid,
          dateMs: row.date_ms,
          data: JSON.parse(row.data) as Record<string, unknown>,
        };
        for (const react of reactors) {
          try {
            store.tx(() => react(new Tx(store, event.accountSid, this.clock.now()), event));
          } catch (error) {
            this.onError(error);
          }
        }
      }
      this.cursor = rows[rows.length - 1].seq;
      store.tx(() => {
        store.setMeta('bus_cursor', this.cursor);
        if (this.cursor - this.pruned > EVENT_LOG_KEEP / 5) {
          store.sql('DELETE FROM event_log WHERE seq <= ?').run(this.cursor - EVENT_LOG_KEEP);
          this.pruned = this.cursor;
        }
      });
      store.flush();
      if (rounds > 10_000) {
        this.onError(new Error('event reactions did not settle (a reactor keeps emitting events)'));
        return;
      }
    }
  }
}
