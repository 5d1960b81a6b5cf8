import {createRequire} from 'node:module';
import type {Twilio} from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type {ClientOpts} from 'twilio/lib/base/BaseTwilio.js';
import {toEmulatorUrl} from '../spec/urls.js';
import {SystemClock, type Clock} from './engine/clock.js';
import {DEFAULT_HOST, defaultAccount} from './defaults.js';
import {createServer} from './server.js';
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
}

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
  const clock = options.clock ?? new SystemClock();
  const accounts = options.accounts?.length ? options.accounts : [defaultAccount()];
  const dbPath = options.db ?? ':memory:';
  const store = new Store(dbPath, accounts, () => clock.now());
  const host = options.host ?? DEFAULT_HOST;
  const app = createServer({store, clock, log: options.log, onError: options.onError, startedAt: new Date()});
  try {
    await app.listen(options.port ?? 0, host);
  } catch (error) {
    await store.close();
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
    clock,
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
      await app.close();
      await store.close();
    },
  };
}

export {StoreError as EmulatorStoreError};

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
