import type Database from 'better-sqlite3';
import {DATA_TABLES} from './migrations.js';
import {Checkpointer, WAL_LIMIT} from './checkpointer.js';
import {openDatabase} from './open.js';
import {ResourceRepo} from './repository.js';
import type {AddressConfigurationDoc} from '../api/conversations/addresses.js';

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
export class Store {
  readonly db: Database.Database;
  readonly addresses: ResourceRepo<AddressConfigurationDoc>;
  private principals = new Map<string, Principal>();
  /** Bumped whenever the set of credentials changes (callers may cache authentication answers). */
  principalsGeneration = 0;
  private batch?: {settled: Promise<void>; resolve: () => void; reject: (e: unknown) => void};
  private readonly checkpointer?: Checkpointer;

  /** Releases this store's claim on its database file (see open.ts). */
  private readonly release: () => void;

  constructor(readonly path: string, private readonly seedAccounts: AccountCredentials[], now: () => Date) {
    // one emulator per file, checks before any write, integrity, mode, migrations
    const opened = openDatabase(path);
    this.db = opened.db;
    this.release = opened.release;
    this.runInTx = this.db.transaction((fn: () => unknown) => fn());
    this.addresses = new ResourceRepo<AddressConfigurationDoc>(this.db, 'address_configurations', {
      keys: {type: (d) => d.type, address: (d) => d.address},
    });
    try {
      this.seed(now());
      this.flush();
    } catch (error) {
      this.db.close();
      this.release();
      throw new StoreError(`Cannot use the emulator database ${path}: ${(error as Error).message}`, error);
    }
    if (isFile(path)) {
      this.db.pragma('wal_autocheckpoint = 0');
      // a WAL restarted after growing past the limit is cut back to it
      this.db.pragma(`journal_size_limit = ${WAL_LIMIT}`);
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

  /**
   * Run fn as one atomic unit of the current batch: its writes are committed together with the
   * other writes of this event-loop turn, or rolled back alone if fn throws.
   */
  tx<T>(fn: () => T): T {
    if (!this.batch) this.begin();
    const changes = this.addresses.listingChanges;
    try {
      return this.runInTx(fn) as T;
    } catch (error) {
      // SQLite rolled back fn's savepoint: listings it changed hold writes that no longer exist
      if (this.addresses.listingChanges !== changes) this.addresses.forget();
      throw error;
    }
  }

  /** Resolves when every write made so far is committed; undefined when nothing is pending. */
  settled(): Promise<void> | undefined {
    return this.batch?.settled;
  }

  /** Commit the pending batch now (it otherwise commits at the end of this event-loop turn). */
  flush(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.addresses.forget();
      batch.reject(error);
      throw error;
    }
    batch.resolve();
    this.checkpointer?.committed();
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

  /** Which account a Basic-auth username/password pair authenticates as, or undefined. */
  authenticate(username: string, password: string): string | undefined {
    const p = this.principals.get(username);
    return p && p.password === password ? p.accountSid : undefined;
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
  }

  accounts(): {sid: string; friendly_name: string}[] {
    return this.db.prepare('SELECT sid, friendly_name FROM accounts ORDER BY date_created').all() as {
      sid: string;
      friendly_name: string;
    }[];
  }

  /** Delete every resource of every account, then re-create the configured accounts. */
  reset(now: Date): void {
    this.tx(() => {
      for (const t of DATA_TABLES) this.db.prepare(`DELETE FROM ${t}`).run();
    });
    this.addresses.forget();
    this.seed(now);
  }

  /** Commit what is pending, stop the checkpointer, copy the WAL into the file and close. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      this.flush();
    } finally {
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
