import {randomBytes} from 'node:crypto';
import type Database from 'better-sqlite3';
import {DATA_TABLES} from './migrations.js';
import {Checkpointer, WAL_HARD_LIMIT} from './checkpointer.js';
import {openDatabase} from './open.js';
import {newSid} from '../sid.js';
import {ListingBudget, listedWatermarkKey, ResourceRepo, type RepoHost} from './repository.js';
import {columnType, listIndex, tableDdl, type TableDecl} from './table.js';

export interface StoreOptions {
  /** Every table the domains declare (model/<domain>.ts); the store derives their DDL. */
  tables?: TableDecl<any>[];
  /** Bytes all in-memory listings may hold together (least recently used dropped past it). */
  listingBudget?: number;
  /**
   * Rows in the tail of a deferred list index (TableDecl.deferredList) that get it listed in the
   * next commit (default TAIL_FLUSH_ROWS); a smaller tail is listed TAIL_FLUSH_MS after a commit.
   */
  tailFlushRows?: number;
}

/**
 * A deferred list index lists its tail once this many rows wait (each scope's index page is then
 * written once for all of its rows in the tail). A scoped read of a scope with rows in the tail
 * scans the tail, so it is kept short.
 */
export const TAIL_FLUSH_ROWS = 1024;
/** ... or this long after a commit left rows in the tail. */
export const TAIL_FLUSH_MS = 200;

/** Default memory budget of all listings together (the 20,000-row benchmark scope takes ~18 MiB). */
export const DEFAULT_LISTING_BUDGET = 32 * 1024 * 1024;

export interface AccountCredentials {
  accountSid: string;
  authToken: string;
  /** Optional API key pair that also authenticates as this account. */
  apiKey?: string;
  apiSecret?: string;
  friendlyName?: string;
}

/** Credential lookup result: who a username/password pair authenticates as. */
interface Principal {
  password: string;
  accountSid: string;
}

/** Raised when the database file cannot be used; the message is meant for users. */
export class StoreError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, {cause});
    this.name = 'StoreError';
  }
}

/**
 * The emulator's one store: a SQLite file (or :memory:) in WAL mode.
 *
 * Writes are group-committed: the first write of an event-loop turn opens a transaction, every
 * write of that turn runs inside it (as its own savepoint, so one failing request rolls back
 * only its own changes), and the transaction commits right after the turn's I/O callbacks
 * (setImmediate). Responses wait for `settled()`, so a client never sees a write acknowledged
 * before it is committed, and an acknowledged write survives a crash of the emulator process
 * (synchronous=NORMAL; see README "Design" for power-loss notes). Batching the commits of
 * concurrent requests saves most of their WAL writes.
 */
export class Store implements RepoHost {
  readonly db: Database.Database;
  private principals = new Map<string, Principal>();
  /** Bumped whenever the set of credentials changes (callers may cache authentication answers). */
  principalsGeneration = 0;
  private batch?: {settled: Promise<void>; resolve: () => void; reject: (e: unknown) => void};
  private readonly checkpointer?: Checkpointer;
  /** The one memory budget of every repository's in-memory listings. */
  readonly budget: ListingBudget;
  private readonly repos = new Map<TableDecl<any>, ResourceRepo<any>>();
  private readonly childRepos = new Map<TableDecl<any>, ResourceRepo<any>[]>();
  /**
   * What the current batch changed in memory, in order: listings it changed and undo functions of
   * engines' in-memory state; a rolled-back savepoint undoes its own entries.
   */
  private journal: ([ResourceRepo<any>, string] | (() => void))[] = [];
  /** Run after each COMMIT, before the batch's waiters hear of it (the bus, the scheduler, the sender). */
  private readonly committedHooks: (() => void)[] = [];
  private readonly beforeCommitHooks: (() => void)[] = [];
  private inHooks = false;
  /** What the current batch wrote besides resources (so commits that wrote none skip the hooks' queries). */
  readonly wrote = {events: false, timers: false, deliveries: false};
  /**
   * Event types some reactor of the bus subscribed to (engine/bus.ts fills it): an engine that
   * records state changes of its own (TaskRouter's Event resources) puts on the bus only these.
   */
  readonly wanted = new Set<string>();

  /** Releases this store's claim on its database file (see open.ts). */
  private readonly release: () => void;

  constructor(
    readonly path: string,
    private readonly seedAccounts: AccountCredentials[],
    now: () => Date,
    options: StoreOptions = {},
  ) {
    this.budget = new ListingBudget(options.listingBudget ?? DEFAULT_LISTING_BUDGET);
    // one emulator per file, checks before any write, integrity, mode, migrations
    const opened = openDatabase(path);
    this.db = opened.db;
    this.release = opened.release;
    try {
      ensureTables(this.db, options.tables ?? []);
    } catch (error) {
      this.db.close();
      this.release();
      throw new StoreError(`Cannot use the emulator database ${path}: ${(error as Error).message}`, error);
    }
    this.runInTx = this.db.transaction((fn: () => unknown) => fn());
    for (const decl of options.tables ?? []) this.repos.set(decl, new ResourceRepo(this.db, decl, this));
    this.deferredRepos = [...this.repos.values()].filter((r) => r.deferredList);
    this.tailFlushRows = options.tailFlushRows ?? TAIL_FLUSH_ROWS;
    for (const decl of this.repos.keys())
      if (decl.parent) {
        if (!this.repos.has(decl.parent)) throw new Error(`table ${decl.name}: its parent ${decl.parent.name} is not declared`);
        const list = this.childRepos.get(decl.parent) ?? [];
        list.push(this.repos.get(decl)!);
        this.childRepos.set(decl.parent, list);
      }
    try {
      this.tx(() => {
        for (const r of this.deferredRepos) r.openTail();
      });
      this.seed(now());
      this.flush();
    } catch (error) {
      this.db.close();
      this.release();
      throw new StoreError(`Cannot use the emulator database ${path}: ${(error as Error).message}`, error);
    }
    if (isFile(path)) {
      this.db.pragma('wal_autocheckpoint = 0');
      // a WAL restarted after growing past the hard limit is cut back to it
      this.db.pragma(`journal_size_limit = ${WAL_HARD_LIMIT}`);
      this.checkpointer = new Checkpointer(
        path,
        () => this.db.open && this.db.pragma('wal_autocheckpoint = 1000'),
        () => {
          if (!this.db.open) return;
          this.flush();
          this.db.pragma('wal_checkpoint(RESTART)');
        },
      );
    }
  }

  /** The repository of a declared table. */
  repo<T extends {sid: string}>(decl: TableDecl<T>): ResourceRepo<T> {
    const r = this.repos.get(decl);
    if (!r) throw new Error(`table ${decl.name} is not declared to this store`);
    return r as ResourceRepo<T>;
  }

  /** RepoHost: a listing changed inside the current transaction. */
  changed(repo: ResourceRepo<any>, scope: string): void {
    this.journal.push([repo, scope]);
  }

  /**
   * Record how to undo an in-memory change made inside the current transaction (an engine's
   * index or queue): run if the savepoint rolls back or the batch's COMMIT fails.
   */
  onUndo(undo: () => void): void {
    this.journal.push(undo);
  }

  /** RepoHost: the repositories whose rows belong to rows of decl's table. */
  children(decl: TableDecl<any>): ResourceRepo<any>[] {
    return this.childRepos.get(decl) ?? [];
  }

  /** The repositories whose list index is deferred (TableDecl.deferredList). */
  private readonly deferredRepos: ResourceRepo<any>[];
  private readonly tailFlushRows: number;
  private tailTimer?: NodeJS.Timeout;

  /** List the tails that are long enough (every one when `all`), in the current batch. */
  private flushTails(all: boolean): void {
    for (const r of this.deferredRepos)
      if (r.tailRows >= (all ? 1 : this.tailFlushRows))
        try {
          this.tx(() => r.flushTail());
        } catch {
          // the tail stays as it is (still read, as a tail); the next flush lists it
        }
  }

  /** After a commit: a tail left waiting is listed TAIL_FLUSH_MS later (in a batch of its own). */
  private scheduleTails(): void {
    if (this.tailTimer || !this.deferredRepos.some((r) => r.tailRows > 0)) return;
    this.tailTimer = setTimeout(() => this.listTails(), TAIL_FLUSH_MS);
    this.tailTimer.unref();
  }

  /** The tail timer: list every tail now (joining the open batch, if one is). */
  private listTails(): void {
    this.tailTimer = undefined;
    if (!this.db.open) return;
    this.flushTails(true);
  }

  /** Run fn after every COMMIT (before the committed batch's waiters are told). */
  onCommitted(fn: () => void): void {
    this.committedHooks.push(fn);
  }

  /**
   * Run fn just before each batch's COMMIT, inside the batch (its writes join it, as a savepoint
   * of their own through tx()): writes that can wait for the next commit ride on it instead of
   * making one of their own. fn must not throw.
   */
  beforeCommit(fn: () => void): void {
    this.beforeCommitHooks.push(fn);
  }


  /** Drop the listings changed since journal position `from` (their writes were rolled back). */
  private undo(from: number): void {
    for (let i = this.journal.length - 1; i >= from; i--) {
      const entry = this.journal[i];
      if (typeof entry === 'function') entry();
      else entry[0].forgetScope(entry[1]);
    }
    this.journal.length = from;
  }

  /**
   * Run fn as one atomic unit of the current batch: its writes are committed together with the
   * other writes of this event-loop turn, or rolled back alone if fn throws (and the in-memory
   * listings it changed, of whichever repositories, are dropped with them).
   */
  tx<T>(fn: () => T): T {
    if (!this.batch) this.begin();
    const mark = this.journal.length;
    try {
      return this.runInTx(fn) as T;
    } catch (error) {
      // SQLite rolled back fn's savepoint: listings it changed hold writes that no longer exist
      if (this.journal.length > mark) this.undo(mark);
      throw error;
    }
  }

  /** Resolves when every write made so far is committed (and reacted to); undefined when nothing is pending. */
  settled(): Promise<void> | undefined {
    return this.batch?.settled;
  }

  /** Commit the pending batch now (it otherwise commits at the end of this event-loop turn). */
  flush(): void {
    if (!this.batch) return;
    for (const hook of this.beforeCommitHooks) hook();
    if (this.deferredRepos.length) this.flushTails(false);
    const batch = this.batch;
    this.batch = undefined;
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.undo(0);
      this.wrote.events = this.wrote.timers = this.wrote.deliveries = false;
      batch.reject(error);
      throw error;
    }
    this.journal.length = 0;
    this.checkpointer?.committed();
    if (this.deferredRepos.length) this.scheduleTails();
    if (!this.inHooks && this.committedHooks.length) {
      this.inHooks = true;
      try {
        for (const hook of this.committedHooks) hook();
      } finally {
        this.inHooks = false;
      }
    }
    batch.resolve();
  }

  private begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const settled = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    settled.catch(() => {}); // a failed commit is reported to whoever awaits it, never unhandled
    this.batch = {settled, resolve, reject};
    setImmediate(() => {
      try {
        this.flush();
      } catch {
        // already delivered to the batch's waiters
      }
    });
  }

  /** One transaction wrapper, built once (building it per call cost ~8 % of a create). */
  private readonly runInTx: (fn: () => unknown) => unknown;

  /** A prepared statement of the store's own tables, prepared once. */
  sql(text: string): Database.Statement {
    let s = this.fixed.get(text);
    if (!s) this.fixed.set(text, (s = this.db.prepare(text)));
    return s;
  }
  private readonly fixed = new Map<string, Database.Statement>();

  /** A value the engines keep in flexconv_meta (a cursor, a counter), or undefined. */
  meta(key: string): string | undefined {
    return this.sql('SELECT value FROM flexconv_meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  /** Set a flexconv_meta value (in the current transaction's batch when called inside one). */
  setMeta(key: string, value: string | number): void {
    this.sql('INSERT INTO flexconv_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, String(value));
  }

  /** Which account a Basic-auth username/password pair authenticates as, or undefined. */
  authenticate(username: string, password: string): string | undefined {
    const p = this.principals.get(username);
    return p && p.password === password ? p.accountSid : undefined;
  }

  /** The auth token of an account (webhooks are signed with it). */
  authToken(accountSid: string): string | undefined {
    return this.principals.get(accountSid)?.password;
  }

  addAccount(acct: AccountCredentials, now: Date): void {
    this.tx(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO accounts (sid, auth_token, friendly_name, date_created) VALUES (?, ?, ?, ?)')
        .run(acct.accountSid, acct.authToken, acct.friendlyName ?? 'flexconv emulator account', now.toISOString());
      if (acct.apiKey && acct.apiSecret) {
        this.db
          .prepare('INSERT OR REPLACE INTO api_keys (sid, account_sid, secret, friendly_name) VALUES (?, ?, ?, ?)')
          .run(acct.apiKey, acct.accountSid, acct.apiSecret, 'flexconv emulator key');
      }
    });
    this.loadPrincipals();
    for (const fn of this.accountHooks) this.tx(() => fn(acct.accountSid));
  }

  /**
   * An API key of the account (what access tokens are signed with), made when it has none — as
   * a Twilio console user would make one for the webchat's token server.
   */
  apiKeyOf(accountSid: string): {sid: string; secret: string} {
    const row = this.db.prepare('SELECT sid, secret FROM api_keys WHERE account_sid = ? ORDER BY sid LIMIT 1').get(accountSid) as
      | {sid: string; secret: string}
      | undefined;
    if (row) return row;
    const key = {sid: newSid('SK'), secret: randomBytes(16).toString('hex')};
    this.tx(() =>
      this.db.prepare('INSERT INTO api_keys (sid, account_sid, secret, friendly_name) VALUES (?, ?, ?, ?)').run(key.sid, accountSid, key.secret, 'flexconv webchat token key'),
    );
    this.flush();
    this.loadPrincipals();
    return key;
  }

  /** Run fn for every account created (engines provision what a new account has, e.g. a default service). */
  onAccountAdded(fn: (accountSid: string) => void): void {
    this.accountHooks.push(fn);
    for (const a of this.accounts()) this.tx(() => fn(a.sid));
  }
  private readonly accountHooks: ((accountSid: string) => void)[] = [];

  accounts(): {sid: string; friendly_name: string}[] {
    return this.db.prepare('SELECT sid, friendly_name FROM accounts ORDER BY date_created').all() as {
      sid: string;
      friendly_name: string;
    }[];
  }

  /** Delete every resource of every account, then re-create the configured accounts. */
  reset(now: Date): void {
    this.tx(() => {
      for (const r of this.repos.values()) this.db.prepare(`DELETE FROM ${r.table}`).run();
      for (const t of DATA_TABLES) this.db.prepare(`DELETE FROM ${t}`).run();
      for (const r of this.deferredRepos) r.resetTail();
    });
    for (const r of this.repos.values()) r.forget();
    // the journal stays: if this batch's COMMIT fails, what the reset changed in memory comes back
    for (const fn of this.resetHooks) fn();
    this.seed(now);
  }

  /** Run fn after a reset (engines drop what they keep in memory). */
  onReset(fn: () => void): void {
    this.resetHooks.push(fn);
  }
  private readonly resetHooks: (() => void)[] = [];

  /** Commit what is pending, stop the checkpointer, copy the WAL into the file and close. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      this.flush();
    } finally {
      // no tail listing after this (the flush may have asked for one): the next start finds the tail
      clearTimeout(this.tailTimer);
      this.tailTimer = undefined;
      await this.checkpointer?.stop();
      try {
        if (isFile(this.path)) this.db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        this.db.close();
        this.release();
      }
    }
  }

  private seed(now: Date): void {
    for (const a of this.seedAccounts) this.addAccount(a, now);
    this.loadPrincipals();
  }

  private loadPrincipals(): void {
    const next = new Map<string, Principal>();
    for (const a of this.db.prepare('SELECT sid, auth_token FROM accounts').all() as {sid: string; auth_token: string}[])
      next.set(a.sid, {password: a.auth_token, accountSid: a.sid});
    for (const k of this.db.prepare('SELECT sid, secret, account_sid FROM api_keys').all() as {
      sid: string;
      secret: string;
      account_sid: string;
    }[])
      next.set(k.sid, {password: k.secret, accountSid: k.account_sid});
    this.principals = next;
    this.principalsGeneration++;
  }
}

function isFile(path: string): boolean {
  return path !== ':memory:' && path !== '';
}
/**
 * Create the declared tables and indexes that don't exist yet; a key column a newer declaration
 * added to an existing table is added and filled from each row's document.
 */
function ensureTables(db: Database.Database, tables: TableDecl<any>[]): void {
  db.transaction(() => {
    for (const decl of tables) {
      const [create, ...indexes] = tableDdl(decl);
      db.exec(create);
      const have = new Set((db.pragma(`table_info(${decl.name})`) as {name: string}[]).map((c) => c.name));
      const added = Object.entries(decl.keys ?? {}).filter(([c]) => !have.has(c));
      for (const [c, k] of added) db.exec(`ALTER TABLE ${decl.name} ADD COLUMN "${c}" ${columnType(k)}`);
      // the list index changed kind (deferred or not): the other one goes. A deferred table that
      // was plain since (its plain index is there: this or an older version wrote rows without
      // listing them, maybe at seqs below the watermark) forgets its watermark, so its repository
      // lists every row when it opens
      if (decl.deferredList) {
        if (!have.has('listed')) db.exec(`ALTER TABLE ${decl.name} ADD COLUMN listed INTEGER`);
        const wasPlain = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`).get(listIndex(decl.name, false)) !== undefined;
        if (wasPlain) db.prepare('DELETE FROM flexconv_meta WHERE key = ?').run(listedWatermarkKey(decl.name));
      }
      db.exec(`DROP INDEX IF EXISTS ${listIndex(decl.name, !decl.deferredList)}`);
      if (added.length) {
        const set = db.prepare(`UPDATE ${decl.name} SET ${added.map(([c]) => `"${c}" = ?`).join(', ')} WHERE seq = ?`);
        for (const row of db.prepare(`SELECT seq, doc FROM ${decl.name}`).all() as {seq: number; doc: string}[]) {
          const doc = JSON.parse(row.doc);
          set.run(...added.map(([, k]) => k.get(doc) ?? null), row.seq);
        }
      }
      for (const ddl of indexes) db.exec(ddl);
      // a key column's index that the declaration no longer asks for (it costs every write)
      const declared = new Set(indexes.map((ddl) => /INDEX IF NOT EXISTS (\S+)/.exec(ddl)![1]));
      const derived = (
        db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`).pluck().all(decl.name) as string[]
      ).filter((name) => name.startsWith(`${decl.name}_by_`) || name.startsWith(`${decl.name}_across_`));
      for (const name of derived) if (!declared.has(name)) db.exec(`DROP INDEX "${name}"`);
    }
  })();
}
