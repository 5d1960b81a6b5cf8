import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants as fsConstants,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import {dirname, join, resolve as resolvePath} from 'node:path';
import {fileURLToPath} from 'node:url';
import {emulatorRecordFile, stateDir} from '../config/paths.js';
import {readEmulatorRecord, type EmulatorRecord} from '../config/resolve.js';
import {DEFAULT_HOST, DEFAULT_PORT, defaultAccount, defaultDbPath, parseRateLimit} from '../emulator/defaults.js';
import {FlexconvError} from '../errors.js';

export {DEFAULT_HOST, DEFAULT_PORT, implementedSummary} from '../emulator/defaults.js';

/** `emulator start --rate-limit`: N/s, N/m or N → requests per second (a parse error is a usage error, exit 2). */
export function rateLimitFlag(input: string): number {
  const n = parseRateLimit(input);
  if (n === undefined)
    throw Object.assign(new Error(`"${input}" is not a rate: give requests per second or minute, e.g. 10/s, 600/m or 5`), {oclif: {exit: 2}});
  return n;
}

/**
 * Managing the local emulator as a process: run it in this process (foreground), start it as a
 * detached daemon and wait until it answers, find it again through the record file, stop it,
 * report on it and reset it. Every wait is bounded.
 */

type Env = NodeJS.ProcessEnv;

export interface StartOptions {
  port: number;
  host: string;
  /** A path, ':memory:', or undefined for the default file in the state dir. */
  db?: string;
  accountSid?: string;
  authToken?: string;
  log: boolean;
  /** Accounts without the Flex set-up (Conversations and TaskRouter defaults only). */
  bare?: boolean;
  /** Requests per second per account; past it the emulator answers 429 (20429) with Retry-After. */
  rateLimit?: number;
  env?: Env;
  cwd?: string;
}

/** What `emulator start` reports (wire style, snake_case). */
export interface EmulatorInfo {
  url: string;
  host: string;
  port: number;
  pid: number;
  db: string;
  account_sid: string;
  auth_token: string;
  api_key?: string;
  api_secret?: string;
  detached: boolean;
  log_file?: string;
  record_file?: string;
  started_at: string;
  warnings: string[];
}

export interface StatusInfo {
  running: true;
  url: string;
  pid: number;
  db: string;
  version: string;
  started_at: string;
  uptime_seconds: number;
  account_sid: string;
  auth_token: string;
  api_key?: string;
  api_secret?: string;
  /** record: started by `emulator start --detach`; url: found at --emulator-url / FLEXCONV_EMULATOR_URL; default: answered at the default URL. */
  source: 'record' | 'url' | 'default';
  /** How sure we are of the credentials: read from the record, or the default account assumed. */
  credentials: 'record' | 'default';
  record_file?: string;
}

export interface StopResult {
  stopped: boolean;
  pid?: number;
  url?: string;
  /** True when SIGTERM was not enough and SIGKILL was sent. */
  forced?: boolean;
  stale_record_removed?: boolean;
  warnings: string[];
}

export interface ResetResult {
  reset: boolean;
  url: string;
  db?: string;
  dry_run?: boolean;
  /** Declined at the prompt (added by the command base). */
  cancelled?: true;
}

interface Health {
  status: string;
  name: string;
  version: string;
  pid: number;
  db: string;
  started_at: string;
  uptime_seconds: number;
  accounts: string[];
}

/** Bounds on every wait (ms). */
export const TIMEOUTS = {
  start: 15_000,
  health: 2_000,
  stopGraceful: 10_000,
  stopKill: 3_000,
  foregroundStop: 10_000,
};

const ACCOUNT_SID_RE = /^AC[0-9a-fA-F]{32}$/;

// ---------------------------------------------------------------- paths and the record

/** The default database: in the state dir (FLEXCONV_STATE_DIR, else XDG_STATE_HOME/flexconv, else ~/.local/state/flexconv). */
export function defaultDb(env: Env = process.env): string {
  return defaultDbPath(env);
}

export const logFile = (env: Env = process.env) => join(stateDir(env), 'emulator.log');

function resolveDb(db: string | undefined, env: Env, cwd: string): string {
  if (db === undefined || db === '') return defaultDb(env);
  if (db === ':memory:') return db;
  return resolvePath(cwd, db);
}

function writeRecord(record: EmulatorRecord, env: Env): string {
  const file = emulatorRecordFile(env);
  mkdirSync(dirname(file), {recursive: true, mode: 0o700});
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n', {mode: 0o600});
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

function removeRecord(env: Env, pid?: number): void {
  const file = emulatorRecordFile(env);
  if (pid !== undefined) {
    const current = readEmulatorRecord(env);
    if (current && current.pid !== pid) return; // someone else's by now
  }
  rmSync(file, {force: true});
}

// ---------------------------------------------------------------- processes

/** Is `pid` a live process (a zombie counts as gone)? */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    // no /proc (macOS, Windows): trust kill(0)
  }
  return true;
}

/** Where /proc can tell, is `pid` our daemon rather than a process that reused its pid? */
function looksLikeDaemon(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /daemon\.js/.test(cmd);
  } catch {
    return true;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

// ---------------------------------------------------------------- HTTP

async function getHealth(url: string, timeout = TIMEOUTS.health): Promise<Health | undefined> {
  const body = (await getJson(`${url}/_emulator/health`, timeout)) as Health | undefined;
  return body && body.name === 'flexconv-emulator' ? body : undefined;
}

/**
 * GET a small JSON document (2xx), else undefined. node:http rather than fetch: loading fetch's
 * undici costs every command that checks the emulator (status, init, doctor) tens of ms.
 */
function getJson(url: string, timeout: number): Promise<unknown> {
  // getBuiltinModule, not import(): this also runs inside the start-up bundle (src/fast)
  const {get} = process.getBuiltinModule(url.startsWith('https:') ? 'node:https' : 'node:http') as typeof import('node:http');
  return new Promise((resolve) => {
    const req = get(url, {timeout}, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text = text.length > 1e6 ? text : text + d));
      res.on('end', () => {
        try {
          resolve(res.statusCode && res.statusCode >= 200 && res.statusCode < 300 ? JSON.parse(text) : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

function normalizeUrl(url: string): string {
  const u = url.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+$/.test(u))
    throw new FlexconvError('USAGE', `"${url}" is not an emulator base URL like http://127.0.0.1:${DEFAULT_PORT}`, {
    });
  return u;
}

const urlFor = (host: string, port: number) => {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
};

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

// ---------------------------------------------------------------- errors

/** A listen/open failure (from this process or the daemon) as a FlexconvError. */
function startError(
  err: {code?: string; name?: string; message: string},
  opts: {host: string; port: number; db: string; running?: EmulatorRecord; logFile?: string},
): FlexconvError {
  const {host, port} = opts;
  const url = urlFor(host, port);
  const logHint = opts.logFile ? [`the emulator's log: ${opts.logFile}`] : [];
  if (err.code === 'EADDRINUSE') {
    const ours = opts.running && opts.running.port === port ? opts.running : undefined;
    const message = ours
      ? `Port ${port} is in use: an emulator is already running at ${ours.url} (pid ${ours.pid}, db ${ours.db})`
      : `Port ${port} on ${host} is already in use`;
    return new FlexconvError('PORT_IN_USE', message, {
      hints: [
        ours ? 'see it with `flexconv emulator status`, or stop it with `flexconv emulator stop`' : `see what answers there: \`flexconv emulator status --emulator-url ${url}\``,
        `or pick another port: \`flexconv emulator start --port ${port === 65535 ? port - 1 : port + 1}\` (--port 0 picks a free one)`,
      ],
    });
  }
  if (err.code === 'EACCES')
    return new FlexconvError('PORT_NOT_ALLOWED', `Not allowed to listen on ${host}:${port}`, {
      hints: ['ports below 1024 need privileges: use --port 4010, or --port 0 for any free port'],
    });
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')
    return new FlexconvError('BAD_HOST', `Cannot listen on host "${host}" (${err.code}): not an address of this machine`, {
      hints: ['use --host 127.0.0.1 (the default), or 0.0.0.0 for every interface'],
    });
  if (err.name === 'StoreError' || err.code === 'DB_ERROR') {
    // The store's message may end with its own advice ("move it away or pass another --db path"):
    // the hint below says it, once.
    const message = (err.message ?? '')
      .replace(/ \(the file is not a valid SQLite database: move it away or pass another --db path\)$/, '')
      .replace(/;? (move it away or )?pass another --db path$/, '');
    const dir = opts.db === ':memory:' ? undefined : dbDirProblem(opts.db, err.message ?? '');
    return new FlexconvError('DB_ERROR', message, {
      hints: [
        /in use by/.test(message)
          ? 'stop that emulator (`flexconv emulator stop` for the background one), or pass another file: --db PATH (or --db :memory: for a throwaway one)'
          : opts.db === ':memory:'
            ? 'retry with a file: --db PATH'
            : dir
              ? `${dir}; create it or make it writable, or pass --db with a path in another directory (or --db :memory: for a throwaway one)`
              : `${/not a database|not a valid SQLite|damaged|malformed/i.test(message) ? `${opts.db} is not a database the emulator can use: ` : ''}move ${opts.db} away, or pass another file: --db PATH (or --db :memory: for a throwaway one)`,
        ...logHint,
      ],
    });
  }
  return new FlexconvError('EMULATOR_START_FAILED', `The emulator did not start: ${err.message}`, {
    hints: [...logHint, 'rerun with DEBUG=flexconv* for details'],
    cause: err,
  });
}

/**
 * When the database cannot be opened because of its directory (missing and not creatable, not a
 * directory, not writable — SQLite writes its WAL and lock files beside the database), what is
 * wrong with the directory; else undefined (then the file itself is the problem).
 */
function dbDirProblem(db: string, message: string): string | undefined {
  const dir = dirname(db);
  const code = /\b(ENOTDIR|ENOENT|EACCES|EPERM|EROFS)\b/.exec(message)?.[1];
  let st;
  try {
    st = statSync(dir);
  } catch (error) {
    const c = (error as NodeJS.ErrnoException).code;
    return c === 'ENOTDIR' ? `the directory ${dir} cannot be created: part of its path is a file` : `the directory ${dir} does not exist (${c})`;
  }
  if (!st.isDirectory()) return `${dir} is not a directory`;
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch {
    return `the directory ${dir} is not writable`;
  }
  if (code && !existsSync(db)) return `the directory ${dir} cannot be used (${code})`;
  return undefined;
}

function validate(opts: StartOptions): void {
  if (opts.accountSid !== undefined && !ACCOUNT_SID_RE.test(opts.accountSid))
    throw new FlexconvError('USAGE', `--account-sid must be "AC" followed by 32 hex digits, not "${opts.accountSid}"`, {
      hints: ['e.g. --account-sid ACf1ec0000000000000000000000000002'],
    });
  if (opts.authToken !== undefined && opts.authToken.trim() === '')
    throw new FlexconvError('USAGE', '--auth-token must not be empty');
}

function account(opts: StartOptions, env: Env) {
  const a = defaultAccount(env);
  const accountSid = opts.accountSid ?? a.accountSid;
  const authToken = opts.authToken ?? a.authToken;
  if (accountSid.toLowerCase() === a.accountSid.toLowerCase() && a.apiKey) return {...a, accountSid, authToken};
  // an account of the user's own gets an API key of its own (start and status print it), never
  // the documented default one, whose secret is public
  return {...a, accountSid, authToken, apiKey: `SK${randomBytes(16).toString('hex')}`, apiSecret: randomBytes(16).toString('hex')};
}

function hostWarnings(host: string, db: string, detached: boolean): string[] {
  const w: string[] = [];
  if (!isLoopback(host))
    w.push(
      `Listening on ${host}: the emulator has no real security (fixed test credentials, unauthenticated /_emulator endpoints). Anyone who can reach this address can read and change its data.`,
    );
  if (detached && db === ':memory:') w.push('The database is in memory: its data is gone when the emulator stops.');
  return w;
}

/** A live recorded daemon, or undefined; a stale record is removed. */
function liveRecord(env: Env): EmulatorRecord | undefined {
  const rec = readEmulatorRecord(env);
  if (!rec) return undefined;
  if (isAlive(rec.pid) && looksLikeDaemon(rec.pid)) return rec;
  removeRecord(env, rec.pid);
  return undefined;
}

// ---------------------------------------------------------------- start (foreground)

export interface ForegroundHooks {
  /** Called once listening. */
  ready(info: EmulatorInfo): void;
  /** One line per request (only with --log). */
  log(line: string): void;
  /** A signal arrived; stopping. */
  stopping(signal: string): void;
  /** An unexpected server-side error (the request got a 500). */
  error(error: unknown): void;
}

/**
 * Run the emulator in this process until SIGINT/SIGTERM; then drain, checkpoint the WAL and
 * return. A second signal exits at once.
 */
export async function runForeground(opts: StartOptions, hooks: ForegroundHooks): Promise<EmulatorInfo & {stopped_by: string}> {
  validate(opts);
  const env = opts.env ?? process.env;
  const db = resolveDb(opts.db, env, opts.cwd ?? process.cwd());
  const acct = account(opts, env);
  const {startEmulator} = await import('../emulator/index.js');
  let emu;
  try {
    emu = await startEmulator({
      port: opts.port,
      host: opts.host,
      db,
      accounts: [acct],
      bare: opts.bare,
      rateLimit: opts.rateLimit,
      log: opts.log ? (line) => hooks.log(line) : undefined,
      onError: (e) => hooks.error(e),
    });
  } catch (error) {
    throw startError(error as Error, {host: opts.host, port: opts.port, db, running: liveRecord(env)});
  }
  const info: EmulatorInfo = {
    url: emu.url,
    host: emu.host,
    port: emu.port,
    pid: process.pid,
    db: emu.db,
    account_sid: emu.accountSid,
    auth_token: emu.authToken,
    api_key: emu.apiKey,
    api_secret: emu.apiSecret,
    detached: false,
    started_at: new Date().toISOString(),
    warnings: hostWarnings(opts.host, db, false),
  };
  hooks.ready(info);

  const signal = await new Promise<string>((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      // A second signal while draining: give up on the drain.
      const force = () => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  hooks.stopping(signal);
  const timer = setTimeout(() => {
    process.stderr.write(`! the emulator did not stop within ${TIMEOUTS.foregroundStop / 1000}s; exiting anyway\n`);
    process.exit(1);
  }, TIMEOUTS.foregroundStop);
  timer.unref();
  await emu.stop();
  clearTimeout(timer);
  return {...info, stopped_by: signal};
}

// ---------------------------------------------------------------- start (detached)

/** The daemon's entry point, next to this file in dist/. */
function daemonEntry(): string {
  return fileURLToPath(new URL('../emulator/daemon.js', import.meta.url));
}

type DaemonMessage =
  | {type: 'ready'; url: string; port: number; host: string; db: string; pid: number}
  | {type: 'error'; code?: string; name?: string; message: string};

/** Read what the daemon wrote to the log since `offset` (at most the last 4 KB). */
function readLogSince(file: string, offset: number): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const from = Math.max(offset, size - 4096);
      const buf = Buffer.alloc(Math.max(0, size - from));
      readSync(fd, buf, 0, buf.length, from);
      return buf.toString('utf8').trim();
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/**
 * Spawn the daemon (detached, its own session, output to the log file in the state dir), wait
 * until it says it is listening and answers GET /_emulator/health, then write the record.
 * A daemon that fails (port, database) or does not answer in time is reported, never waited on
 * forever.
 */
export async function startDetached(opts: StartOptions): Promise<EmulatorInfo> {
  validate(opts);
  const env = opts.env ?? process.env;
  const db = resolveDb(opts.db, env, opts.cwd ?? process.cwd());
  refuseIfRunning(opts, db, env);
  // One `start --detach` at a time per state dir, or two daemons would race for one record.
  const unlock = await lockStart(env);
  try {
    refuseIfRunning(opts, db, env);
    return await spawnDaemon(opts, db, env);
  } finally {
    unlock();
  }
}

function refuseIfRunning(opts: StartOptions, db: string, env: Env): void {
  const running = liveRecord(env);
  if (!running) return;
  if (running.port === opts.port)
    throw startError({code: 'EADDRINUSE', message: 'in use'}, {host: opts.host, port: opts.port, db, running});
  throw new FlexconvError(
    'ALREADY_RUNNING',
    `An emulator is already running at ${running.url} (pid ${running.pid}, db ${running.db})`,
    {
      hints: [
        'use it: `flexconv emulator status` shows its URL and credentials',
        'or stop it first: `flexconv emulator stop`',
        `or run another one in the foreground, with its own database: \`flexconv emulator start --port ${opts.port} --db other.db\``,
      ],
    },
  );
}

/** A lock file next to the record (holding our pid); waits, bounded, for another start to finish. */
async function lockStart(env: Env): Promise<() => void> {
  const file = `${emulatorRecordFile(env)}.lock`;
  mkdirSync(dirname(file), {recursive: true, mode: 0o700});
  const deadline = Date.now() + TIMEOUTS.start + 5_000;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), {flag: 'wx', mode: 0o600});
      return () => rmSync(file, {force: true});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    const justCreated = !holder && Date.now() - (statSync(file, {throwIfNoEntry: false})?.mtimeMs ?? 0) < 2_000;
    if (!justCreated && !isAlive(holder)) {
      rmSync(file, {force: true}); // left by a start that was killed
      continue;
    }
    if (Date.now() > deadline)
      throw new FlexconvError('START_IN_PROGRESS', `Another \`flexconv emulator start --detach\` (pid ${holder}) is still starting`, {
        hints: ['wait for it, then `flexconv emulator status`', `or remove ${file} if that process is not flexconv`],
      });
    await sleep(100);
  }
}

async function spawnDaemon(opts: StartOptions, db: string, env: Env): Promise<EmulatorInfo> {
  const dir = stateDir(env);
  mkdirSync(dir, {recursive: true, mode: 0o700});
  const log = logFile(env);
  // Keep the log bounded: start afresh when it has grown past 5 MB.
  const big = existsSync(log) && statSync(log).size > 5 * 1024 * 1024;
  const fd = openSync(log, big ? 'w' : 'a', 0o600);
  const offset = fstatSync(fd).size;
  writeSync(fd, `--- ${new Date().toISOString()} flexconv emulator start --detach --port ${opts.port} --host ${opts.host} --db ${db}\n`);

  const acct = account(opts, env);
  const childEnv: Env = {
    ...env,
    FLEXCONV_EMULATOR_ACCOUNT_SID: acct.accountSid,
    FLEXCONV_EMULATOR_AUTH_TOKEN: acct.authToken,
    FLEXCONV_EMULATOR_API_KEY: acct.apiKey,
    FLEXCONV_EMULATOR_API_SECRET: acct.apiSecret,
  };
  const args = [daemonEntry(), '--port', String(opts.port), '--host', opts.host, '--db', db];
  if (opts.log) args.push('--log');
  if (opts.bare) args.push('--bare');
  if (opts.rateLimit) args.push('--rate-limit', String(opts.rateLimit));
  args.push('--record', emulatorRecordFile(env));

  let child;
  try {
    child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', fd, fd, 'ipc'],
      env: childEnv,
      cwd: dir,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (!pid) throw new FlexconvError('EMULATOR_START_FAILED', 'Could not spawn the emulator process', {hints: [`see ${log}`]});

  const outcome = await new Promise<DaemonMessage | {type: 'exit'; code: number | null; signal: string | null} | {type: 'timeout'}>(
    (resolve) => {
      const timer = setTimeout(() => resolve({type: 'timeout'}), TIMEOUTS.start);
      child.on('message', (m: DaemonMessage) => {
        clearTimeout(timer);
        resolve(m);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({type: 'exit', code, signal});
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({type: 'error', message: e.message, code: (e as NodeJS.ErrnoException).code});
      });
    },
  );

  const abandon = async () => {
    // A daemon that reported an error exits by itself; give it a moment before killing it.
    if (child.exitCode === null && child.signalCode === null) await waitForExit(pid, 2_000);
    if (isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await waitForExit(pid, TIMEOUTS.stopKill);
    }
  };
  const release = () => {
    child.removeAllListeners();
    if (child.connected) child.disconnect();
    child.unref();
  };

  if (outcome.type !== 'ready') {
    await abandon();
    release();
    if (outcome.type === 'error') throw startError(outcome, {host: opts.host, port: opts.port, db, logFile: log});
    const tail = readLogSince(log, offset).split('\n').slice(-5).join('\n');
    const why = outcome.type === 'timeout'
      ? `did not report ready within ${TIMEOUTS.start / 1000}s (stopped it)`
      : `exited early (${outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.code}`})`;
    throw new FlexconvError('EMULATOR_START_FAILED', `The emulator process ${why}${tail ? `:\n${tail}` : ''}`, {
      hints: [`full log: ${log}`],
    });
  }

  // It says it listens; check from the outside, as every client will.
  const deadline = Date.now() + TIMEOUTS.start;
  let health: Health | undefined;
  while (Date.now() < deadline && !(health = await getHealth(outcome.url))) await sleep(100);
  if (!health || health.pid !== pid) {
    await abandon();
    release();
    throw new FlexconvError(
      'EMULATOR_START_FAILED',
      health
        ? `Another emulator (pid ${health.pid}) answers at ${outcome.url}, not the one just started`
        : `The emulator started but does not answer GET ${outcome.url}/_emulator/health`,
      {hints: [`log: ${log}`]},
    );
  }
  release();

  const record: EmulatorRecord = {
    pid,
    url: outcome.url,
    port: outcome.port,
    host: outcome.host,
    db: outcome.db,
    accountSid: acct.accountSid,
    authToken: acct.authToken,
    apiKey: acct.apiKey,
    apiSecret: acct.apiSecret,
    startedAt: health.started_at,
  };
  const recordFile = writeRecord(record, env);
  return {
    url: record.url,
    host: record.host,
    port: record.port,
    pid,
    db: record.db,
    account_sid: record.accountSid,
    auth_token: record.authToken,
    api_key: record.apiKey,
    api_secret: record.apiSecret,
    detached: true,
    log_file: log,
    record_file: recordFile,
    started_at: record.startedAt,
    warnings: hostWarnings(opts.host, record.db, true),
  };
}

// ---------------------------------------------------------------- stop

/** Stop the recorded daemon: SIGTERM, wait (bounded), SIGKILL as a last resort; remove the record. */
export async function stopDetached(env: Env = process.env): Promise<StopResult> {
  const rec = readEmulatorRecord(env);
  if (!rec) {
    return {
      stopped: false,
      warnings: ['No emulator started with `flexconv emulator start --detach` is running; nothing to stop'],
    };
  }
  if (!isAlive(rec.pid) || !looksLikeDaemon(rec.pid)) {
    removeRecord(env);
    return {
      stopped: false,
      pid: rec.pid,
      url: rec.url,
      stale_record_removed: true,
      warnings: [`The emulator recorded at ${rec.url} (pid ${rec.pid}) was not running any more; removed its stale record`],
    };
  }
  try {
    process.kill(rec.pid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPERM')
      throw new FlexconvError('STOP_FAILED', `Not allowed to signal the emulator process ${rec.pid}`, {
        hints: ['it was started by another user; stop it as that user'],
      });
  }
  let forced = false;
  if (!(await waitForExit(rec.pid, TIMEOUTS.stopGraceful))) {
    forced = true;
    try {
      process.kill(rec.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
    if (!(await waitForExit(rec.pid, TIMEOUTS.stopKill)))
      throw new FlexconvError('STOP_FAILED', `The emulator process ${rec.pid} does not exit, even after SIGKILL`, {
        hints: [`check it with \`ps -p ${rec.pid}\``],
      });
  }
  removeRecord(env);
  return {
    stopped: true,
    pid: rec.pid,
    url: rec.url,
    forced,
    warnings: forced
      ? [`The emulator did not stop within ${TIMEOUTS.stopGraceful / 1000}s of SIGTERM and was killed (its last writes are safe; the WAL is replayed on the next start)`]
      : [],
  };
}

// ---------------------------------------------------------------- status

const notRunning = (message: string, hints: string[] = []) =>
  new FlexconvError('NOT_RUNNING', message, {hints: [...hints, 'start one with `flexconv emulator start --detach`']});

/**
 * Find the emulator to talk to: `url` (--emulator-url / FLEXCONV_EMULATOR_URL) if given, else the
 * recorded daemon (a stale record is removed), else whatever answers at the default URL — unless
 * `probeDefault` is false (what `reset` uses: it only acts on an emulator the user named or started).
 */
export async function emulatorStatus(opts: {url?: string; env?: Env; probeDefault?: boolean} = {}): Promise<StatusInfo> {
  const env = opts.env ?? process.env;
  const rec = readEmulatorRecord(env);
  const recordFile = emulatorRecordFile(env);
  const defaults = defaultAccount(env);
  const build = (health: Health, url: string, source: StatusInfo['source'], r?: EmulatorRecord): StatusInfo => ({
    running: true,
    url,
    pid: health.pid,
    db: health.db,
    version: health.version,
    started_at: health.started_at,
    uptime_seconds: health.uptime_seconds,
    account_sid: r?.accountSid ?? defaults.accountSid,
    auth_token: r?.authToken ?? defaults.authToken,
    api_key: r ? r.apiKey : defaults.apiKey,
    api_secret: r ? r.apiSecret : defaults.apiSecret,
    source,
    credentials: r ? 'record' : 'default',
    ...(r ? {record_file: recordFile} : {}),
  });

  if (opts.url) {
    const url = normalizeUrl(opts.url);
    const health = await getHealth(url);
    if (!health)
      throw notRunning(`No flexconv emulator answers at ${url}`, ['check the URL and port (`flexconv emulator start` prints it)']);
    const r = rec && normalizeUrl(rec.url) === url && rec.pid === health.pid ? rec : undefined;
    return build(health, url, 'url', r);
  }

  if (rec) {
    if (!isAlive(rec.pid) || !looksLikeDaemon(rec.pid)) {
      removeRecord(env, rec.pid);
      throw notRunning(
        `The emulator recorded at ${rec.url} (pid ${rec.pid}) is stopped (stale record, now removed)`,
        [`its data is kept in ${rec.db}`],
      );
    }
    const health = await getHealth(rec.url);
    if (!health)
      throw new FlexconvError(
        'NOT_RESPONDING',
        `The emulator process ${rec.pid} is alive but does not answer at ${rec.url}`,
        {hints: ['restart it: `flexconv emulator stop` then `flexconv emulator start --detach`', `its log: ${logFile(env)}`]},
      );
    return build(health, rec.url, 'record', rec);
  }

  const fallback = urlFor(DEFAULT_HOST, DEFAULT_PORT);
  const health = await getHealth(fallback);
  if (opts.probeDefault === false) {
    // Something may answer at the default URL, but nothing says it is the user's to act on.
    const message = 'Nothing to reset: no emulator started with `flexconv emulator start --detach` is recorded here, and none was named with --emulator-url';
    if (health)
      throw new FlexconvError('NOT_RUNNING', message, {
        hints: [
          `an emulator answers at ${fallback} (pid ${health.pid}, db ${health.db}) but was not started here; if it is the one you mean, name it: \`flexconv emulator reset --emulator-url ${fallback}\``,
        ],
      });
    throw notRunning(message, [
      'for one started in the foreground or elsewhere, name it: `flexconv emulator reset --emulator-url URL` (or set FLEXCONV_EMULATOR_URL)',
    ]);
  }
  if (health) return build(health, fallback, 'default');
  throw notRunning(`No emulator is running (none recorded, none answering at ${fallback})`, [
    'for one started in the foreground elsewhere: `flexconv emulator status --emulator-url URL`',
  ]);
}

// ---------------------------------------------------------------- reset

/** Delete every resource in the emulator at `url` (accounts are re-created). */
export async function resetEmulator(url: string): Promise<ResetResult> {
  let res: Response;
  try {
    res = await fetch(`${url}/_emulator/reset`, {method: 'POST', signal: AbortSignal.timeout(10_000)});
  } catch (error) {
    throw notRunning(`No emulator answers at ${url} (${(error as Error).name === 'TimeoutError' ? 'timed out' : 'connection failed'})`);
  }
  if (!res.ok)
    throw new FlexconvError('RESET_FAILED', `The emulator at ${url} refused the reset (HTTP ${res.status}): ${(await res.text()).slice(0, 200)}`);
  return {reset: true, url};
}
