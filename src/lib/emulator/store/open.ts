import {chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import Database from 'better-sqlite3';
import {MIGRATIONS} from './migrations.js';
import {StoreError} from './index.js';

/**
 * Opening the emulator's database file: one emulator per file (the claim), then the file itself
 * and its migrations. Only `openDatabase` is used by the store.
 */

export interface OpenedDatabase {
  db: Database.Database;
  /** Gives up this process's claim on the file (call after closing db). */
  release: () => void;
}

export function openDatabase(path: string): OpenedDatabase {
  const release = claimDatabase(path);
  try {
    return {db: open(path), release};
  } catch (error) {
    release();
    throw error;
  }
}

/** Database files claimed by a store of this process. */
const claimed = new Set<string>();

/**
 * One emulator per database file. Each keeps the file's rows it lists in memory, so a second one
 * writing the same file would leave the first serving stale lists: the second is refused. The
 * claim is a lock file beside the database holding the owner's pid; one left by a process that
 * is gone (a crash, kill -9) is taken over. Returns the release function.
 */
function claimDatabase(path: string): () => void {
  if (!isFile(path)) return () => {};
  const file = resolve(path);
  const lock = `${file}.lock`;
  const inUse = (by: string) =>
    new StoreError(
      `The emulator database ${path} is in use by ${by}: stop it, or pass another --db path` +
        (by.startsWith('pid') ? ` (if no emulator is running, delete ${lock})` : ''),
    );
  if (claimed.has(file)) throw inUse('another emulator in this process');
  // a path that can't hold files (under a file, unwritable): no claim, and opening the database says why
  const noClaim = () => {};
  try {
    mkdirSync(dirname(file), {recursive: true});
  } catch {
    return noClaim;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, {flag: 'wx', mode: 0o600});
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return noClaim;
      if (attempt > 0) throw inUse('another emulator');
      const owner = Number.parseInt(readFileIfAny(lock), 10);
      if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) throw inUse(`pid ${owner}`);
      try {
        rmSync(lock, {force: true}); // left by a process that is gone: take it over
      } catch {
        return noClaim;
      }
    }
  }
  claimed.add(file);
  return () => {
    if (!claimed.delete(file)) return;
    if (readFileIfAny(lock).trim() === String(process.pid)) rmSync(lock, {force: true});
  };
}

function readFileIfAny(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isFile(path: string): boolean {
  return path !== ':memory:' && path !== '';
}

function open(path: string): Database.Database {
  let db: Database.Database;
  try {
    const file = isFile(path);
    const isNew = file && !existsSync(path);
    if (file) mkdirSync(dirname(path), {recursive: true});
    db = new Database(path);
    // It holds the accounts' auth tokens: readable by its owner only (WAL/SHM files inherit this).
    if (isNew) chmodSync(path, 0o600);
  } catch (error) {
    throw new StoreError(`Cannot open the emulator database ${path}: ${(error as Error).message}`, error);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -4000'); // 4 MB page cache (default 16 MB): lists read through indexes
    migrate(db, path);
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    const msg = (error as Error).message;
    const hint = /not a database|malformed|corrupt/i.test(msg)
      ? ' (the file is not a valid SQLite database: move it away or pass another --db path)'
      : '';
    throw new StoreError(`Cannot use the emulator database ${path}: ${msg}${hint}`, error);
  }
  return db;
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', {simple: true}) as number;
  if (version > 0 && !isFlexconvDatabase(db)) {
    // another application's SQLite file that happens to set user_version
    throw new StoreError(
      `The file ${path} is a SQLite database but not a flexconv emulator database; pass another --db path`,
    );
  }
  if (version > MIGRATIONS.length) {
    throw new StoreError(
      `The emulator database ${path} was written by a newer flexconv (schema ${version} > ${MIGRATIONS.length}); upgrade flexconv or use another --db path`,
    );
  }
  if (version === 0) {
    const tables = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {n: number};
    if (tables.n > 0) {
      throw new StoreError(
        `The file ${path} is a SQLite database but not a flexconv emulator database; pass another --db path`,
      );
    }
  }
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

/** Our marker row (written by migration 1), so a foreign SQLite file is never mistaken for ours. */
function isFlexconvDatabase(db: Database.Database): boolean {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'flexconv_meta'").get();
  if (!table) return false;
  const row = db.prepare("SELECT value FROM flexconv_meta WHERE key = 'app'").get() as {value: string} | undefined;
  return row?.value === 'flexconv-emulator';
}
