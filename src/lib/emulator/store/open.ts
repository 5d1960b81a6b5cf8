import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import {basename, dirname, join, resolve} from 'node:path';
import Database from 'better-sqlite3';
import {MIGRATIONS} from './migrations.js';
import {StoreError} from './index.js';

/**
 * Opening the emulator's database file: one emulator per file, checks before anything is written
 * (a refused file is left byte for byte as it was), an integrity check of an existing file, the
 * file's mode, migrations. Only `openDatabase` is used by the store.
 *
 * One emulator per file, whatever the path. Each emulator keeps the rows it lists in memory, so
 * a second one writing the same file would leave the first serving stale lists — and one that
 * reaches the file through a hard link gets its own -wal/-shm and corrupts it. So the claim is by
 * the file's identity (device + inode), not its path, and needs no file beside it:
 * - in this process, a set of the identities claimed;
 * - across processes, SQLite's own lock: a connection in WAL mode holds a shared lock on the
 *   database file for as long as it is open, and the OS releases it when the process dies
 *   (kill -9 included; a zombie holds none). On Linux, /proc/locks names the processes holding
 *   one on this inode, before we open it and again once we hold ours (two starts at the same
 *   moment then both see each other and both refuse, rather than both run); elsewhere a
 *   connection in EXCLUSIVE locking mode is tried first, which fails while anyone holds the file.
 * - a lock file beside the database (its real path, so a symlink finds it), holding the owner's
 *   pid, when the directory is writable: it names the owner in the error. One left by a process
 *   that is gone (or a zombie, not yet reaped) is taken over.
 */

export interface OpenedDatabase {
  db: Database.Database;
  /** Gives up this process's claim on the file (call after closing db). */
  release: () => void;
}

/** Identities (device:inode) of the database files opened by stores of this process. */
const claimed = new Set<string>();

export function isFile(path: string): boolean {
  return path !== ':memory:' && path !== '';
}

export function openDatabase(path: string): OpenedDatabase {
  if (!isFile(path)) {
    const db = new Database(path);
    check(db, path, false);
    configure(db, path);
    migrate(db);
    return {db, release: () => {}};
  }
  const file = resolve(path);
  const releases: (() => void)[] = [];
  const release = () => {
    for (const r of releases.splice(0).reverse()) r();
  };
  let db: Database.Database | undefined;
  try {
    try {
      mkdirSync(dirname(file), {recursive: true});
    } catch (error) {
      throw new StoreError(`Cannot open the emulator database ${path}: ${(error as Error).message}`, error);
    }
    const before = statSync(file, {throwIfNoEntry: false, bigint: true});
    const header = before?.isFile() ? readHeader(file) : undefined;
    if (before?.isFile()) {
      claimIdentity(path, identity(before), releases);
      if (header?.wal) refuseIfHeld(path, file, before);
      // an empty file we did not create (touch, a mktemp): owner-only before it holds tokens
      if (before.size === 0n) chmodSync(file, 0o600);
    }
    releases.push(lockFile(path, file));
    try {
      db = new Database(file);
    } catch (error) {
      throw new StoreError(`Cannot open the emulator database ${path}: ${(error as Error).message}`, error);
    }
    const opened = statSync(file, {bigint: true});
    if (!before) {
      // It holds the accounts' auth tokens: readable by its owner only (WAL/SHM files inherit this).
      chmodSync(file, 0o600);
      claimIdentity(path, identity(opened), releases);
    }
    try {
      // Everything up to check() only reads: a file that is refused is left as it was.
      db.pragma('busy_timeout = 5000');
      check(db, path, before !== undefined && before.size > 0n);
      configure(db, path);
      // We hold our shared lock from here on: anyone else who holds one opened it at the same time.
      refuseOthers(path, opened);
      migrate(db);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const msg = (error as Error).message;
      throw new StoreError(`Cannot use the emulator database ${path}: ${msg}${corruptHint(msg)}`, error);
    }
    return {db, release};
  } catch (error) {
    if (db?.open) db.close();
    release();
    throw error;
  }
}

function corruptHint(message: string): string {
  return /not a database|malformed|corrupt/i.test(message)
    ? ' (the file is not a valid SQLite database: move it away or pass another --db path)'
    : '';
}

function configure(db: Database.Database, path: string): void {
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // 32 MB page cache (SQLite allocates it as used: idle memory is unchanged). Tables with several
    // indexes outgrow a small cache fast: TaskRouter routing ran 766 tasks/s at 4 MB, 1,282 at 32 MB
    db.pragma('cache_size = -32000');
    // Each request's writes run in a savepoint of the batch's transaction, and SQLite keeps a copy
    // of every page a savepoint changes (to roll it back alone). Past 64 KiB that copy went to a
    // temporary file: an inbound message from a new customer touches ~20 pages, so each one
    // created, wrote and unlinked a file in /var/tmp. In memory, the copy is freed at RELEASE.
    db.pragma('temp_store = MEMORY');
  } catch (error) {
    const msg = (error as Error).message;
    throw new StoreError(`Cannot use the emulator database ${path}: ${msg}${corruptHint(msg)}`, error);
  }
}

// ---------------------------------------------------------------- one emulator per file

const identity = (st: {dev: bigint; ino: bigint}) => `${st.dev}:${st.ino}`;

function inUse(path: string, by: string, lock?: string): StoreError {
  return new StoreError(
    `The emulator database ${path} is in use by ${by}: stop it, or pass another --db path` +
      (lock ? ` (if no emulator is running, delete ${lock})` : ''),
  );
}

function claimIdentity(path: string, id: string, releases: (() => void)[]): void {
  if (claimed.has(id)) throw inUse(path, 'another emulator in this process');
  claimed.add(id);
  releases.push(() => claimed.delete(id));
}

/** The first 100 bytes: is it SQLite, and in WAL mode (file format versions 2)? */
function readHeader(file: string): {sqlite: boolean; wal: boolean} | undefined {
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(100);
      const n = readSync(fd, buf, 0, 100, 0);
      const sqlite = n === 100 && buf.toString('latin1', 0, 16) === 'SQLite format 3\0';
      return {sqlite, wal: sqlite && buf[18] === 2 && buf[19] === 2};
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Before opening: another process holds the file (under whatever path) → refuse. */
function refuseIfHeld(path: string, file: string, st: {dev: bigint; ino: bigint}): void {
  const holders = lockHolders(st);
  if (holders) {
    if (holders.length > 0) throw inUse(path, describe(holders[0], file));
    return;
  }
  // no /proc/locks: try for an exclusive lock, which fails while another connection holds the file
  let probe: Database.Database | undefined;
  try {
    probe = new Database(file, {timeout: 0, fileMustExist: true});
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.prepare('SELECT COUNT(*) FROM sqlite_master').get();
  } catch (error) {
    if ((error as {code?: string}).code === 'SQLITE_BUSY') throw inUse(path, 'another process');
    // anything else is for the real open to report
  } finally {
    probe?.close();
  }
}

/** After opening (we hold our own lock now): another process holding one opened it at the same time. */
function refuseOthers(path: string, st: {dev: bigint; ino: bigint}): void {
  const holders = lockHolders(st);
  if (holders && holders.length > 0) throw inUse(path, describe(holders[0], resolve(path)));
}

function describe(pid: number, file: string): string {
  let name = '';
  try {
    name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    // gone meanwhile, or no /proc
  }
  // the owner's lock file beside this path names it: an emulator on this very path
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // not there: keep the path
  }
  const here = readFileIfAny(`${real}.lock`).trim() === String(pid);
  return `pid ${pid}${name ? ` (${name})` : ''}${here ? '' : `, which has ${basename(file)} open, perhaps under another path (a hard link or symlink)`}`;
}

/**
 * Processes other than this one holding a POSIX lock on the file (SQLite's locks), from
 * /proc/locks; undefined where there is none (not Linux).
 */
function lockHolders(st: {dev: bigint; ino: bigint}): number[] | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
  // st_dev as user space encodes it → the major:minor the kernel prints
  const major = ((st.dev >> 8n) & 0xfffn) | ((st.dev >> 32n) & ~0xfffn);
  const minor = (st.dev & 0xffn) | ((st.dev >> 12n) & ~0xffn);
  const pids = new Set<number>();
  for (const line of text.split('\n')) {
    const m = /\s(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
    if (!m) continue;
    if (BigInt(`0x${m[2]}`) !== major || BigInt(`0x${m[3]}`) !== minor || BigInt(m[4]) !== st.ino) continue;
    const pid = Number(m[1]);
    if (pid > 0 && pid !== process.pid) pids.add(pid);
  }
  return [...pids];
}

/**
 * The pid lock file beside the database (by its real path), when the directory takes one.
 * Returns its release.
 */
function lockFile(path: string, file: string): () => void {
  let real = file;
  try {
    real = join(realpathSync(dirname(file)), basename(file));
    real = realpathSync(file);
  } catch {
    // not there yet: the directory's real path is enough
  }
  const lock = `${real}.lock`;
  const noClaim = () => {};
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, {flag: 'wx', mode: 0o600});
      break;
    } catch (error) {
      // a directory that takes no file (read-only): the identity lock still holds
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return noClaim;
      if (attempt > 0) throw inUse(path, 'another emulator');
      const owner = Number.parseInt(readFileIfAny(lock), 10);
      if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) throw inUse(path, `pid ${owner}`, lock);
      try {
        rmSync(lock, {force: true}); // left by a process that is gone: take it over
      } catch {
        return noClaim;
      }
    }
  }
  return () => {
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

/** Is `pid` a live process? A zombie (killed, not yet reaped by its parent) is not. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    // no /proc (macOS): trust kill(0)
  }
  return true;
}

// ---------------------------------------------------------------- checks, then migrations

/**
 * Read-only checks before anything is written (journal_mode = WAL rewrites the header): another
 * application's SQLite file, or a newer schema, is refused and left byte for byte as it was; an
 * existing file that SQLite's quick_check finds damaged is refused now rather than answering
 * 500s later (it reads every page once: ~20 ms for 20,000 rows, a 13 MB file).
 */
function check(db: Database.Database, path: string, existing: boolean): void {
  const version = db.pragma('user_version', {simple: true}) as number;
  const foreign = () =>
    new StoreError(`The file ${path} is a SQLite database but not a flexconv emulator database; pass another --db path`);
  if (version > 0 && !isFlexconvDatabase(db)) throw foreign(); // another application's file that sets user_version
  if (version === 0) {
    const tables = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {n: number};
    if (tables.n > 0) throw foreign();
  }
  if (version > MIGRATIONS.length) {
    throw new StoreError(
      `The emulator database ${path} was written by a newer flexconv (schema ${version} > ${MIGRATIONS.length}); upgrade flexconv or use another --db path`,
    );
  }
  if (existing && version > 0) {
    // rows like "*** in database main ***\nTree 5 page 5: btreeInitPage() returns error code 11": one line each
    const problems = (db.pragma('quick_check(3)') as {quick_check: string}[]).map((r) =>
      r.quick_check
        .replace(/\*\*\* in database \w+ \*\*\*/g, '')
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .join('; '),
    );
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new StoreError(
        `Cannot use the emulator database ${path}: the file is damaged (SQLite's quick_check: ${problems.join('; ')}); move it away or pass another --db path`,
      );
    }
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', {simple: true}) as number;
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
