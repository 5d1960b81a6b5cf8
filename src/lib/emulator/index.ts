import {existsSync, rmSync} from 'node:fs';
import {createRequire} from 'node:module';
import type {Twilio} from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type {ClientOpts} from 'twilio/lib/base/BaseTwilio.js';
import {toEmulatorUrl} from '../spec/urls.js';
import {ManualClock, SystemClock, type Clock} from './engine/clock.js';
import {createCore, startCore, stopCore, type Core} from './engine/core.js';
import {installEngines, startEngines} from './engine/index.js';
import {TABLES} from './model/index.js';
import {DEFAULT_HOST, defaultAccount, parseRateLimit} from './defaults.js';
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
  /**
   * The one clock: 'system' (real time, the default) or 'manual' (stands still until
   * `emu.clock.advance()`), or a Clock of your own.
   */
  clock?: 'system' | 'manual' | Clock;
  /** Memory all in-memory listings may hold together, in bytes. */
  listingBudget?: number;
  /** How long a webhook may take to answer (Twilio: 5 s). */
  webhookTimeoutMs?: number;
  /** One line per request, when given. */
  log?: (line: string) => void;
  onError?: (error: unknown) => void;
  /**
   * Bounds on slow clients, in ms: `headers` and `body` (a request that has not arrived by then
   * gets a 408 and its connection closed; 30 s each by default), `drain` (how long stop() waits
   * for requests in flight before it closes every connection; 3 s).
   */
  timeouts?: Partial<Timeouts>;
  /**
   * Accounts without the Flex set-up (the Flex Chat Service, the Flex Task Assignment workspace
   * and the Flex Configuration): only what Conversations and TaskRouter give every account.
   */
  bare?: boolean;
  /** How long a Studio make-http-request may take before it fails (default 10 s). */
  studioHttpTimeoutMs?: number;
  /**
   * Requests per second per account on the Twilio routes: a number, or '10/s', '600/m'. Past it
   * the emulator answers Twilio's 429 (code 20429) with Retry-After, so a client's backoff can be
   * tested. Off by default (and then free).
   */
  rateLimit?: number | string;
}

export type {Timeouts} from './server.js';
export {parseRateLimit} from './defaults.js';

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
  clock: EmulatorClock;
  /** Resolves once no webhook delivery is queued or in flight. */
  idle(): Promise<void>;
  /**
   * The official `twilio` SDK (a peer dependency) bound to this emulator, as this account (or
   * `accountSid`/`authToken` given here): `emu.twilio().conversations.v1...` works unchanged.
   */
  twilio(credentials?: {accountSid: string; authToken: string}, opts?: Omit<ClientOpts, 'httpClient'>): Twilio;
  /** Delete every resource (accounts are re-created). */
  reset(): Promise<void>;
  /** Drain connections, checkpoint the WAL, close the database. */
  stop(): Promise<void>;
}


/**
 * Start an emulator in this process. Usable from your own test suites:
 *   const emu = await startEmulator();  // :memory:, free port
 *   const client = emu.twilio();        // the official SDK, bound to it
 *   await emu.stop();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock =
    options.clock === 'manual' ? new ManualClock() : options.clock === 'system' || !options.clock ? new SystemClock() : options.clock;
  const rateLimit = options.rateLimit === undefined ? undefined : parseRateLimit(options.rateLimit);
  if (options.rateLimit !== undefined && rateLimit === undefined)
    throw new RangeError(`rateLimit must be a positive number of requests per second, or like "10/s" or "600/m", not ${JSON.stringify(options.rateLimit)}`);
  const accounts = options.accounts?.length ? options.accounts : [defaultAccount()];
  const dbPath = options.db ?? ':memory:';
  const fresh = dbPath !== ':memory:' && dbPath !== '' && !existsSync(dbPath);
  const store = new Store(dbPath, accounts, () => clock.now(), {tables: TABLES, listingBudget: options.listingBudget});
  const core = createCore(store, clock, {
    onError: options.onError,
    webhookTimeoutMs: options.webhookTimeoutMs,
    bare: options.bare,
    studioHttpTimeoutMs: options.studioHttpTimeoutMs,
  });
  installEngines(core);
  const host = options.host ?? DEFAULT_HOST;
  const app = createServer({
    store,
    clock,
    core,
    log: options.log,
    onError: options.onError,
    startedAt: new Date(),
    timeouts: options.timeouts,
    rateLimit,
  });
  try {
    startCore(core);
    startEngines(core);
    await app.listen(options.port ?? 0, host);
  } catch (error) {
    stopCore(core);
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
  const url = `http://${urlHost}:${port}`;
  return {
    url,
    port,
    host,
    db: dbPath,
    accountSid: first.accountSid,
    authToken: first.authToken,
    apiKey: first.apiKey,
    apiSecret: first.apiSecret,
    clock: emulatorClock(core),
    idle: () => core.webhooks.idle(),
    twilio(credentials, opts = {}) {
      const twilio = loadTwilio();
      const sid = credentials?.accountSid ?? first.accountSid;
      return twilio(sid, credentials?.authToken ?? first.authToken, {...opts, accountSid: sid, httpClient: emulatorHttpClient(url)});
    },
    async reset() {
      store.reset(clock.now());
      await store.settled();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // long polls answer now: the drain then waits for nobody who is only waiting
      core.webhooks.wake();
      await app.close();
      stopCore(core);
      await store.close();
    },
  };
}

export {StoreError as EmulatorStoreError};

/** The emulator's clock as tests drive it: read it, or move it forward firing every timer due. */
export interface EmulatorClock {
  now(): Date;
  /** Move forward by ms or an ISO 8601 duration (`PT10M`); resolves once every timer due fired and its reactions drained. */
  advance(by: number | string): Promise<void>;
  /** Move forward to a later time. */
  set(to: Date | string): Promise<void>;
}

function emulatorClock(core: Core): EmulatorClock {
  return {
    now: () => core.clock.now(),
    advance: (by) => core.scheduler.advance(by),
    set: (to) => core.scheduler.advanceTo(new Date(to).getTime()),
  };
}

/** `twilio` from where this package is installed (a peer dependency: the user's own copy), loaded on first use. */
function loadTwilio(): typeof import('twilio') {
  return createRequire(import.meta.url)('twilio') as typeof import('twilio');
}

/**
 * The SDK's own RequestClient (the same serialization, auth and paging as against Twilio), with
 * every https://{domain}.twilio.com URL sent to the emulator at `url` instead. For building a
 * client yourself: `twilio(sid, token, {httpClient: emulatorHttpClient(emu.url)})`.
 */
export function emulatorHttpClient(url: string, opts?: RequestClient.RequestClientOptions): RequestClient {
  const {RequestClient: Base} = loadTwilio();
  class EmulatorHttpClient extends Base {
    override request<TData>(o: RequestClient.RequestOptions<TData>) {
      return super.request<TData>({...o, uri: toEmulatorUrl(url, o.uri)});
    }
  }
  return new EmulatorHttpClient(opts);
}
