import {toEmulatorUrl} from '../spec/urls.js';
import {nodeTransport, toWire, type SdkRequest, type SdkResponse, type Transport} from './transport.js';

/**
 * The one request layer of both targets (real Twilio and the emulator), the SDK's `httpClient`:
 * flexconv's retry policy, an overall timeout, the emulator's URL rewrite and --dry-run, over a
 * transport that sends each attempt (./transport.ts: node:http for the CLI, the SDK's own
 * RequestClient in tests) with the SDK's serialization and auth.
 *
 * Why not the SDK's own `autoRetry`: it retries on 429 only, ignores Retry-After, says nothing,
 * and retries every method alike. Here (one place, both targets):
 * - 429 (Twilio 20429) is retried for every method: Twilio does not process a request it answers
 *   with 429 ("Requests that receive 429 responses aren't processed and are safe to retry",
 *   twilio.com/docs/api/errors/20429), so even a create is safe to send again.
 * - 500/502/503/504 are retried only when repeating the request cannot do something twice:
 *   GET; DELETE (a retry that finds the resource gone — 404 — means an earlier attempt deleted
 *   it: that is success); and POST to one resource (a path ending in its SID: an update sets the
 *   same fields again). A POST to a collection (a create) is NOT retried on 5xx: the first
 *   attempt may have created the resource, and a second would create another.
 * - Backoff: exponential (250 ms, 500 ms, 1 s, … at most 8 s) with jitter (each wait is between
 *   half and all of that), but never shorter than the server's Retry-After; at most
 *   `maxAttempts` attempts, and never past the overall timeout (then the last answer stands).
 * - Each retry is reported through `onRetry` (the CLI prints one line on stderr).
 */
export interface RequestPolicy {
  /** Attempts in all (1 = no retry). */
  maxAttempts: number;
  /** One request, its retries and their waits included, may take this long (ms). */
  timeoutMs: number;
  /** Told before each wait. */
  onRetry?: (retry: RetryNotice) => void;
  /** --dry-run: requests other than GET are shown to this and never sent. */
  dryRun?: (request: PlannedRequest) => void;
  /** How to wait (tests pass one that records and resolves at once). */
  sleep?: (ms: number) => Promise<void>;
  /** 0 ≤ x < 1 for the jitter. */
  random?: () => number;
  now?: () => number;
}

export interface RetryNotice {
  method: string;
  url: string;
  status: number;
  /** Twilio's error code from the body, when there is one. */
  code?: number;
  /** The attempt that failed (1-based) and how many there may be. */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  /** Whether the wait came from the server's Retry-After. */
  retryAfter: boolean;
}

/** A request as it would go on the wire: what --dry-run prints (secrets masked). */
export interface PlannedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body exactly as it would be sent (form-encoded or JSON), masked; undefined: none. */
  body?: string;
  /** The form body as [name, value] pairs (repeated names stay repeated), masked. */
  form?: [string, string][];
}

/** Thrown instead of sending a request under --dry-run; the command base turns it into exit 0. */
export class DryRunStop extends Error {
  constructor(readonly request: PlannedRequest) {
    super(`dry run: ${request.method} ${request.url} was not sent`);
    this.name = 'DryRunStop';
  }
}

export const DEFAULT_POLICY: RequestPolicy = {maxAttempts: 1, timeoutMs: 30_000};
/** The CLI's: 4 attempts (3 retries) within 30 s. */
export const CLI_ATTEMPTS = 4;
export const BASE_DELAY_MS = 250;
export const MAX_DELAY_MS = 8_000;

const RETRIABLE_5XX = new Set([500, 502, 503, 504]);
/** The last path segment is a SID (two capital letters, 32 hex): the request acts on one resource. */
const INSTANCE_PATH = /\/[A-Z]{2}[0-9a-fA-F]{32}\/?$/;

type Response<T> = SdkResponse<T>;

export class FlexconvRequestClient {
  readonly policy: RequestPolicy;

  constructor(
    /** The emulator's base URL (Twilio URLs are rewritten to it); undefined for real Twilio. */
    readonly baseUrl: string | undefined,
    policy: Partial<RequestPolicy> = {},
    readonly transport: Transport = nodeTransport,
  ) {
    this.policy = {...DEFAULT_POLICY, ...policy};
  }

  async request<TData>(opts: SdkRequest): Promise<Response<TData>> {
    const uri = this.baseUrl ? toEmulatorUrl(this.baseUrl, opts.uri) : opts.uri;
    const method = String(opts.method).toUpperCase();
    const {maxAttempts, timeoutMs} = this.policy;
    if (this.policy.dryRun && method !== 'GET') {
      // After the SDK has serialized the request (its own encoding, auth, headers), before it
      // leaves: what is printed is byte for byte what would have been sent.
      const wire = await toWire({...opts, uri});
      const planned = plannedRequest(wire.method, wire.url, wire.headers, wire.body);
      this.policy.dryRun(planned);
      throw new DryRunStop(planned);
    }
    const now = this.policy.now ?? Date.now;
    const deadline = now() + timeoutMs;
    let failed5xx = false;
    for (let attempt = 1; ; attempt++) {
      let res: Response<TData>;
      try {
        res = (await this.transport.send({...opts, uri}, Math.max(1, deadline - now()))) as Response<TData>;
      } catch (error) {
        throw annotate(error, uri, timeoutMs);
      }
      if (failed5xx && method === 'DELETE' && res.statusCode === 404) return {statusCode: 204, body: '' as TData, headers: res.headers};
      if (attempt >= maxAttempts || !retriable(method, uri, res.statusCode)) return res;
      const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'), now());
      const backoff = BASE_DELAY_MS * 2 ** (attempt - 1);
      const capped = Math.min(MAX_DELAY_MS, backoff);
      const jittered = Math.round(capped / 2 + (this.policy.random ?? Math.random)() * (capped / 2));
      const delayMs = Math.max(jittered, retryAfterMs ?? 0);
      if (now() + delayMs >= deadline) return res; // no time left for another attempt: the answer stands
      if (res.statusCode >= 500) failed5xx = true;
      this.policy.onRetry?.({
        method,
        url: uri,
        status: res.statusCode,
        code: twilioCode(res.body),
        attempt,
        maxAttempts,
        delayMs,
        retryAfter: retryAfterMs !== undefined && retryAfterMs >= jittered,
      });
      await (this.policy.sleep ?? sleep)(delayMs);
    }
  }
}

/** Whether an answer with `status` to `method uri` may be asked again (see the class comment). */
export function retriable(method: string, uri: string, status: number): boolean {
  if (status === 429) return true;
  if (!RETRIABLE_5XX.has(status)) return false;
  if (method === 'GET' || method === 'DELETE') return true;
  return method === 'POST' && INSTANCE_PATH.test(new URL(uri).pathname);
}

/** Retry-After: seconds, or an HTTP date; ms from now, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as {get?: (n: string) => unknown} & Record<string, unknown>;
  const v = typeof h.get === 'function' ? h.get(name) : h[name] ?? h[name.toLowerCase()];
  return v === undefined || v === null ? undefined : String(v);
}

function twilioCode(body: unknown): number | undefined {
  let b = body;
  if (typeof b === 'string') {
    try {
      b = JSON.parse(b);
    } catch {
      return undefined;
    }
  }
  const code = (b as {code?: unknown} | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Network errors keep the URL and, for a timeout, how long was allowed (errors.ts words them). */
function annotate(error: unknown, uri: string, timeoutMs: number): unknown {
  if (error instanceof DryRunStop || !error || typeof error !== 'object') return error;
  const e = error as {flexconv?: {url: string; timeoutMs: number}};
  e.flexconv = {url: uri, timeoutMs};
  return error;
}

// ---------------------------------------------------------------------------------------------
// --dry-run: the request, secrets masked

/** Form fields whose values are secrets (the SDK sends none of ours, but a webhook's could be). */
const SECRET_FIELD = /(secret|token|password|passwd|api.?key|credential)/i;
const MASK = '****';

/** `https://user:pass@host/...` → `https://user:****@host/...`. */
export function maskUrlCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#:@]*):[^/?#@]*@/i, `$1:${MASK}@`);
}

function plannedRequest(method: string, url: string, rawHeaders: Record<string, unknown>, data: unknown): PlannedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawHeaders)) {
    if (v === undefined || v === null || typeof v === 'object' || k.toLowerCase() === 'connection') continue;
    headers[k] = k.toLowerCase() === 'authorization' ? maskAuthorization(String(v)) : String(v);
  }
  const out: PlannedRequest = {method: method.toUpperCase(), url: maskUrlCredentials(url), headers};
  if (typeof data === 'string') {
    const json = /json/i.test(headers['Content-Type'] ?? headers['content-type'] ?? '');
    if (json) out.body = data;
    else {
      // the encoded body pair by pair: masked pairs re-encoded, the rest byte for byte as sent
      const pairs = data === '' ? [] : data.split('&');
      const form: [string, string][] = [];
      const body: string[] = [];
      for (const pair of pairs) {
        const i = pair.indexOf('=');
        const [k, v] = i < 0 ? [pair, ''] : [pair.slice(0, i), pair.slice(i + 1)];
        const name = decode(k);
        const value = decode(v);
        const masked = SECRET_FIELD.test(name) ? MASK : maskUrlCredentials(value);
        form.push([name, masked]);
        body.push(masked === value ? pair : `${k}=${encodeURIComponent(masked).replace(/%2A/g, '*')}`);
      }
      out.form = form;
      out.body = body.join('&');
    }
  } else if (data !== undefined && data !== null) out.body = JSON.stringify(data);
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** `Basic base64(user:secret)` → `Basic base64(user:****)`, shown decoded so a user sees which account. */
function maskAuthorization(value: string): string {
  const m = /^basic\s+(\S+)$/i.exec(value);
  if (!m) return `${value.split(' ')[0]} ${MASK}`;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return `Basic ${user}:${MASK} (base64-encoded when sent)`;
}
