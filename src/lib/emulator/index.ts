import {existsSync, rmSync} from 'node:fs';
import {SystemClock, type Clock} from './engine/clock.js';
import {DEFAULT_HOST, defaultAccount} from './defaults.js';
import {createServer, type Timeouts} from './server.js';
import {Store, StoreError, type AccountCredentials} from './store/index.js';

export {DEFAULT_ACCOUNT, DEFAULT_HOST, DEFAULT_PORT, defaultDbPath} from './defaults.js';
export {StoreError} from './store/index.js';
export type {AccountCredentials} from './store/index.js';

export interface EmulatorOptions {
  /** TCP port; 0 (the default here) picks a free one. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** SQLite file path, or ':memory:' (the default for the library API). */
  db?: string;
  /** Accounts to create; the first is the one returned. Default: the documented test account. */
  accounts?: AccountCredentials[];
  clock?: Clock;
  /** One line per request, when given. */
  log?: (line: string) => void;
  onError?: (error: unknown) => void;
  /**
   * Bounds on slow clients, in ms: `headers` and `body` (a request that has not arrived by then
   * gets a 408 and its connection closed; 30 s each by default), `drain` (how long stop() waits
   * for requests in flight before it closes every connection; 3 s).
   */
  timeouts?: Partial<Timeouts>;
}

export type {Timeouts} from './server.js';

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:4010 — Twilio paths go under /{domain}/... */
  url: string;
  port: number;
  host: string;
  db: string;
  accountSid: string;
  authToken: string;
  apiKey?: string;
  apiSecret?: string;
  clock: Clock;
  /** Delete every resource (accounts are re-created). */
  reset(): Promise<void>;
  /** Drain connections, checkpoint the WAL, close the database. */
  stop(): Promise<void>;
}


/**
 * Start an emulator in this process. Usable from your own test suites:
 *   const emu = await startEmulator();  // :memory:, free port
 *   const client = twilio(emu.accountSid, emu.authToken, {httpClient: ...});
 *   await emu.stop();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = options.clock ?? new SystemClock();
  const accounts = options.accounts?.length ? options.accounts : [defaultAccount()];
  const dbPath = options.db ?? ':memory:';
  const fresh = dbPath !== ':memory:' && dbPath !== '' && !existsSync(dbPath);
  const store = new Store(dbPath, accounts, () => clock.now());
  const host = options.host ?? DEFAULT_HOST;
  const app = createServer({
    store,
    clock,
    log: options.log,
    onError: options.onError,
    startedAt: new Date(),
    timeouts: options.timeouts,
  });
  try {
    await app.listen(options.port ?? 0, host);
  } catch (error) {
    await store.close();
    // a start that fails (the port is in use) leaves no database it created behind
    if (fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, {force: true});
    throw error;
  }
  const address = app.http.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let stopped = false;
  const first = accounts[0];
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    db: dbPath,
    accountSid: first.accountSid,
    authToken: first.authToken,
    apiKey: first.apiKey,
    apiSecret: first.apiSecret,
    clock,
    async reset() {
      store.reset(clock.now());
      await store.settled();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await store.close();
    },
  };
}

export {StoreError as EmulatorStoreError};
