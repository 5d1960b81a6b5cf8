/**
 * One emulator per test file, the real twilio SDK pointed at it, and a curl-like raw HTTP helper
 * (node:http; see TestEmulator.http).
 * Every response that goes through either path is checked against Twilio's OpenAPI specs
 * (2xx → expectValid, ≥400 → expectTwilioError) unless a test opts out.
 *
 *   const t = useEmulator();               // before/after hooks for this describe
 *   const ac = await t.client.conversations.v1.addressConfigurations.create({...});
 *   t.wire.last                            // {method, url, statusCode, body} of that SDK call
 *   const res = await t.http('POST', '/conversations/v1/Configuration/Addresses', {form: {...}});
 */
import {request as httpRequest} from 'node:http';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import {startEmulator, type Emulator, type EmulatorOptions} from '../../src/lib/emulator/index.js';
import {EmulatorRequestClient, toEmulatorUrl} from '../../src/lib/twilio/emulator-http.js';
import {expectTwilioError, expectValid} from './oai.js';


export type Twilio = ReturnType<typeof twilio>;

export interface WireExchange {
  method: string;
  /** Absolute emulator URL, without the query (params are in `params`). */
  url: string;
  params?: unknown;
  data?: unknown;
  statusCode: number;
  /** The wire body as the HTTP client parsed it (JSON → object, empty → ''). */
  body: unknown;
  headers: unknown;
}

/**
 * EmulatorRequestClient that records every exchange and (by default) validates each wire body
 * against the spec. A validation failure rejects the SDK call, so the test fails right there.
 */
export class RecordingRequestClient extends EmulatorRequestClient {
  readonly exchanges: WireExchange[] = [];
  validate = true;

  get last(): WireExchange {
    const e = this.exchanges.at(-1);
    if (!e) throw new Error('no request recorded yet');
    return e;
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const res = await super.request<TData>(opts);
    const url = toEmulatorUrl(this.baseUrl, opts.uri);
    const method = String(opts.method).toUpperCase();
    this.exchanges.push({method, url, params: opts.params, data: opts.data, statusCode: res.statusCode, body: res.body, headers: res.headers});
    if (this.validate) validateWire(method, url, res.statusCode, res.body);
    return res;
  }
}

/** 2xx: body per the spec; ≥400: Twilio's error body. */
export function validateWire(method: string, url: string, status: number, body: unknown): void {
  if (status >= 200 && status < 300) expectValid(method, url, status, body);
  else if (status >= 400) expectTwilioError(status, body);
}

export interface RawResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or null for an empty / non-JSON body. */
  body: any;
  text: string;
}

export interface HttpOptions {
  /** Basic auth; default the emulator's account. `false` sends no Authorization header. */
  auth?: {username: string; password: string} | false;
  /** Form body: an object (repeated keys for arrays, encoded like curl --data-urlencode) or a raw string. */
  form?: Record<string, string | number | boolean | (string | number)[]> | string;
  json?: unknown;
  query?: Record<string, string | number | (string | number)[]>;
  headers?: Record<string, string>;
  /** Check the response against the spec / Twilio's error shape (default true). */
  validate?: boolean;
}

export function formBody(form: NonNullable<HttpOptions['form']>): string {
  if (typeof form === 'string') return form;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
  return q.toString();
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export class TestEmulator {
  constructor(
    readonly emu: Emulator,
    readonly client: Twilio,
    readonly wire: RecordingRequestClient,
  ) {}

  get url(): string {
    return this.emu.url;
  }

  /** A second SDK client (another account, API key, ...) with its own recorder. */
  sdk(username: string, password: string, opts: {accountSid?: string} = {}): {client: Twilio; wire: RecordingRequestClient} {
    const wire = new RecordingRequestClient(this.emu.url);
    return {client: twilio(username, password, {...opts, httpClient: wire}), wire};
  }

  /**
   * Raw HTTP, like curl. `path` is relative to the emulator (`/conversations/v1/...`) or absolute.
   * With a `Host: {domain}.twilio.com` header the path is the bare Twilio path (`/v1/...`).
   */
  async http(method: string, path: string, opts: HttpOptions = {}): Promise<RawResponse> {
    const url = new URL(/^https?:/.test(path) ? path : this.emu.url + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
    const headers: Record<string, string> = {...opts.headers};
    const auth = opts.auth === undefined ? {username: this.emu.accountSid, password: this.emu.authToken} : opts.auth;
    if (auth) headers.Authorization = basic(auth.username, auth.password);
    let body: string | undefined;
    if (opts.form !== undefined) {
      body = formBody(opts.form);
      headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
    } else if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['Content-Type'] ??= 'application/json';
    }
    const hostHeader = Object.entries(headers).find(([k]) => k.toLowerCase() === 'host')?.[1];
    // node:http rather than fetch(): fetch ignores a Host header, and under the root hook's nock
    // interceptor every fetch POST stalls ~40 ms (Nagle) where node:http takes ~2 ms.
    const res = await viaNodeHttp(url, method, headers, body);
    const text = await res.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    const out: RawResponse = {status: res.status, headers: res.headers, body: parsed, text};
    if (opts.validate !== false && !url.pathname.startsWith('/_emulator')) {
      const specUrl = hostHeader && /\.twilio\.com(:\d+)?$/i.test(hostHeader) ? `https://${hostHeader}${url.pathname}` : url.href;
      if (text && !(res.headers.get('content-type') ?? '').startsWith('application/json'))
        throw new Error(`expected application/json, got ${res.headers.get('content-type')}: ${text.slice(0, 200)}`);
      validateWire(method, specUrl, res.status, text);
    }
    return out;
  }

  /** Like http(), but asserts the status first and returns the parsed body. */
  async expect(status: number, method: string, path: string, opts: HttpOptions = {}): Promise<any> {
    const res = await this.http(method, path, opts);
    if (res.status !== status)
      throw new Error(`${method} ${path}: expected HTTP ${status}, got ${res.status}: ${res.text.slice(0, 400)}`);
    return res.body;
  }
}

function viaNodeHttp(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{status: number; headers: Headers; text(): Promise<string>}> {
  // like curl: a body always travels with its Content-Length (node:http omits it on DELETE)
  if (body !== undefined) headers = {...headers, 'Content-Length': String(Buffer.byteLength(body))};
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {method, headers}, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({status: res.statusCode ?? 0, headers: h, text: async () => text});
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emu = await startEmulator({port: 0, db: ':memory:', ...options});
  const wire = new RecordingRequestClient(emu.url);
  const client = twilio(emu.accountSid, emu.authToken, {httpClient: wire});
  return new TestEmulator(emu, client, wire);
}

/**
 * Mocha: start an emulator before the enclosing describe's tests, stop it after. Returns a
 * handle whose members are usable inside tests (they are filled in by the before hook).
 */
export function useEmulator(options: EmulatorOptions = {}): TestEmulator {
  const handle = {} as {current?: TestEmulator};
  before(async () => {
    handle.current = await startTestEmulator(options);
  });
  after(async () => {
    await handle.current?.emu.stop();
  });
  return new Proxy({} as TestEmulator, {
    get(_t, prop) {
      const cur = handle.current;
      if (!cur) throw new Error('useEmulator(): the emulator is not started yet (use it inside a test or hook)');
      const v = Reflect.get(cur, prop, cur) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(cur) : v;
    },
  });
}

/** A fresh E.164 number per call, so tests never collide on the unique address. */
let counter = 0;
export function phone(): string {
  counter += 1;
  return `+1555${String(1_000_000 + counter)}`;
}

/** The SDK's RestException as tests read it. */
export type RestError = {status: number; code: number; message: string; moreInfo: string};

/** Await a call that must fail and return its error (fails the test if it succeeds). */
export async function rejection(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (e) {
    return e as RestError;
  }
  throw new Error('expected the call to fail');
}
