import type {Store} from './index.js';
import type {Cond, ListQuery, PageResult, PageStart, RenderUrls, ResourceRepo} from './repository.js';
import type {TableDecl} from './table.js';

/** An event as it is stored in the event log (Twilio's names; `data` holds its fields). */
export interface StoredEvent {
  seq: number;
  accountSid: string;
  type: string;
  resourceSid: string | null;
  dateMs: number;
  data: Record<string, unknown>;
}

/**
 * What an operation writes through: the repositories of one account, the event log and the
 * timers, all inside the request's own savepoint (a failed operation leaves none of it).
 * `now` is the one clock's time when the transaction began.
 */
export class Tx {
  private readonly bound = new Map<TableDecl<any>, AccountRepo<any>>();

  constructor(
    readonly store: Store,
    readonly accountSid: string,
    readonly now: Date,
  ) {}

  /** A repository bound to this transaction's account. */
  repo<T extends {sid: string}>(decl: TableDecl<T>): AccountRepo<T> {
    let r = this.bound.get(decl);
    if (!r) this.bound.set(decl, (r = new AccountRepo(this.store.repo(decl), this.accountSid)));
    return r as AccountRepo<T>;
  }

  /** Append an event to the log; reactors see it after COMMIT (and never if this rolls back). */
  emit(type: string, data: Record<string, unknown>, resourceSid?: string): number {
    this.store.wrote.events = true;
    const info = this.store
      .sql('INSERT INTO event_log (account_sid, type, resource_sid, date_ms, data) VALUES (?, ?, ?, ?, ?)')
      .run(this.accountSid, type, resourceSid ?? null, this.now.getTime(), JSON.stringify(data));
    return Number(info.lastInsertRowid);
  }

  /**
   * Set (or move) the timer `key` to fire at `due` with handler `kind`. Rescheduling is an
   * upsert by key; handlers re-check state when they fire, so a stale timer does nothing.
   */
  at(key: string, due: Date | number, kind: string, data: unknown = {}): void {
    this.store.wrote.timers = true;
    this.store
      .sql(
        `INSERT INTO timers (key, account_sid, due_ms, kind, data) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET account_sid = excluded.account_sid, due_ms = excluded.due_ms, kind = excluded.kind, data = excluded.data`,
      )
      .run(key, this.accountSid, typeof due === 'number' ? due : due.getTime(), kind, JSON.stringify(data));
  }

  /** Remove a timer (nothing happens when it doesn't exist). */
  cancel(key: string): void {
    this.store.wrote.timers = true;
    this.store.sql('DELETE FROM timers WHERE key = ?').run(key);
  }

  /** Remove every timer whose key starts with prefix (a deleted resource's timers). */
  cancelPrefix(prefix: string): void {
    this.store.wrote.timers = true;
    this.store.sql("DELETE FROM timers WHERE key >= ? AND key < ? || '\uffff'").run(prefix, prefix);
  }
}

/** A repository with the account filled in: what operations and handlers use. */
export class AccountRepo<T extends {sid: string}> {
  constructor(
    readonly repo: ResourceRepo<T>,
    readonly accountSid: string,
  ) {}

  get(sid: string, parentSid = ''): T | undefined {
    return this.repo.get(this.accountSid, sid, parentSid);
  }

  /**
   * get(), read once until the table is written: an operation that consults the same row several
   * times (the account's and the service's webhook settings, once per event it posts), and every
   * later request, reads SQLite and parses the document once. The object returned is shared and
   * frozen: read it, never change it (copy it to write a new version).
   */
  cached(sid: string, parentSid = ''): T | undefined {
    return this.repo.shared(this.accountSid, sid, parentSid);
  }
  /** locate(), shared like cached(): frozen, read once until the table is written. */
  cachedLocate(sid: string): {doc: T; parentSid: string} | undefined {
    return this.repo.sharedLocate(this.accountSid, sid);
  }
  /** The first document of the account with these key values, shared like cached(). */
  cachedFind(where: Record<string, string>): T | undefined {
    return this.repo.sharedFind(this.accountSid, where);
  }
  /** Every document of one parent, shared like cached() (frozen: copy before changing). */
  cachedAll(parentSid: string): readonly T[] {
    return this.repo.sharedAll(this.accountSid, parentSid);
  }
  locate(sid: string): {doc: T; parentSid: string} | undefined {
    return this.repo.locate(this.accountSid, sid);
  }
  findBy(where: Record<string, Cond>, parentSid = ''): T | undefined {
    return this.repo.findBy(this.accountSid, where, parentSid);
  }
  findAnywhere(where: Record<string, Cond>): T | undefined {
    return this.repo.findAnywhere(this.accountSid, where);
  }
  all(where: Record<string, Cond> = {}, parentSid?: string): T[] {
    return this.repo.all(this.accountSid, where, parentSid);
  }
  newest(column: string, parentSid = ''): ReturnType<ResourceRepo<T>['newest']> {
    return this.repo.newest(this.accountSid, column, parentSid);
  }
  count(parentSid = '', where: Record<string, Cond> = {}): number {
    return this.repo.count(this.accountSid, parentSid, where);
  }
  insert(doc: T, parentSid = ''): number {
    return this.repo.insert(this.accountSid, doc, parentSid);
  }
  update(doc: T, parentSid = ''): void {
    this.repo.update(this.accountSid, doc, parentSid);
  }
  delete(sid: string, parentSid = ''): boolean {
    return this.repo.delete(this.accountSid, sid, parentSid);
  }
  page(query: ListQuery<T>, start: PageStart, size: number, urls: RenderUrls, parentSid = ''): PageResult {
    return this.repo.page(this.accountSid, query, start, size, urls, parentSid);
  }
  render(doc: T, urls: RenderUrls): string {
    return this.repo.render(doc, urls);
  }
}
