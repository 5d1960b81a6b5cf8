/**
 * How one request reaches the wire: the step below FlexconvRequestClient (./request.ts), which
 * adds retries, the overall timeout, the emulator's URL rewrite and --dry-run on top.
 *
 * The SDK hands its `httpClient` the request it built (method, URL, auth, headers, params, data);
 * turning that into bytes is `toWire`, which does what the SDK's own RequestClient does (Basic
 * auth or the auth strategy, qs-style form encoding with repeated keys, params in the query
 * string, JSON bodies as JSON), so --dry-run shows exactly what is sent. Two ways to send it:
 *
 * - `nodeTransport`, the CLI's: node:http/https directly. The SDK's RequestClient loads axios,
 *   form-data, mime-db, https/TLS and http2 as it is imported, a fifth of every API command's
 *   start-up, for features a CLI request never uses (multipart, fetch, streams). Keep-alive
 *   agents, HTTP_PROXY through https-proxy-agent and TWILIO_CA_BUNDLE as the SDK has them; TLS
 *   is loaded only for https URLs (the emulator is plain http).
 * - `sdkTransport(RequestClient)`: the SDK's own RequestClient (axios), which tests use so the
 *   official SDK's whole HTTP stack talks to the emulator.
 *
 * Both answer as the SDK's RequestClient does: {statusCode, body, headers}, the body parsed as
 * JSON when it is JSON (else the text), headers with lower-case names.
 */
import type {Agent, IncomingMessage, RequestOptions} from 'node:http';

/** What the SDK passes to its httpClient's `request` (twilio/lib/base/BaseTwilio.js). */
export interface SdkRequest {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  authStrategy?: {getAuthString(): Promise<string>};
  headers?: Record<string, string>;
  params?: object;
  data?: object;
  timeout?: number;
  allowRedirects?: boolean;
  logLevel?: string;
}

export interface SdkResponse<T = unknown> {
  statusCode: number;
  body: T;
  headers: unknown;
}

/** A request as it goes on the wire. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The encoded body (form or JSON); undefined: none. */
  body?: string;
}

export interface Transport {
  /** Send once; reject on a network failure or when `timeoutMs` passes (code ETIMEDOUT). */
  send(opts: SdkRequest, timeoutMs: number): Promise<SdkResponse>;
}

/** The request the SDK built, as bytes on the wire (the SDK's RequestClient's rules). */
export async function toWire(opts: SdkRequest): Promise<WireRequest> {
  if (!opts.method) throw new Error('http method is required');
  if (!opts.uri) throw new Error('uri is required');
  const headers: Record<string, string> = {...opts.headers};
  if (!headers.Connection && !headers.connection) headers.Connection = 'keep-alive';
  // axios's default, which the SDK leaves in place where it sets none (deletes)
  if (!headers.Accept && !headers.accept) headers.Accept = 'application/json, text/plain, */*';
  if (opts.username && opts.password) headers.Authorization = 'Basic ' + Buffer.from(opts.username + ':' + opts.password).toString('base64');
  else if (opts.authStrategy) headers.Authorization = await opts.authStrategy.getAuthString();
  let url = opts.uri;
  if (opts.params) {
    const query = formEncode(opts.params);
    if (query) {
      const hash = url.indexOf('#');
      if (hash >= 0) url = url.slice(0, hash);
      url += (url.includes('?') ? '&' : '?') + query;
    }
  }
  let body: string | undefined;
  if (opts.data) {
    const type = headers['Content-Type'];
    if (type === 'application/x-www-form-urlencoded') body = formEncode(opts.data);
    else if (type === 'application/json') body = typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data);
  }
  return {method: opts.method.toUpperCase(), url, headers, body};
}

/**
 * `qs.stringify(value, {arrayFormat: 'repeat'})`, as the SDK encodes forms and query strings:
 * repeated keys for arrays, `a[b]` for nested objects, null as an empty value, undefined left
 * out, dates as ISO strings, and every byte but A–Z a–z 0–9 - _ . ~ percent-encoded (RFC 3986).
 */
export function formEncode(value: object): string {
  const parts: string[] = [];
  const add = (key: string, v: unknown): void => {
    if (v === undefined) return;
    if (v === null) parts.push(`${encode(key)}=`);
    else if (v instanceof Date) parts.push(`${encode(key)}=${encode(v.toISOString())}`);
    else if (Array.isArray(v)) for (const item of v) add(key, item);
    else if (typeof v === 'object') for (const [k, inner] of Object.entries(v)) add(`${key}[${k}]`, inner);
    else parts.push(`${encode(key)}=${encode(String(v))}`);
  };
  for (const [k, v] of Object.entries(value)) add(k, v);
  return parts.join('&');
}

const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Keep-alive agents, one per protocol (and proxy), made on first use. */
const agents = new Map<string, Agent>();

async function agentFor(protocol: string, timeoutMs: number): Promise<Agent> {
  const proxy = protocol === 'https:' ? process.env.HTTP_PROXY : undefined;
  const key = proxy ? `proxy ${proxy}` : protocol;
  let agent = agents.get(key);
  if (agent) return agent;
  if (proxy) {
    // as the SDK: HTTPS requests through the HTTP_PROXY (https-proxy-agent, the SDK's own dependency)
    const {default: createProxyAgent} = (await import('https-proxy-agent')) as unknown as {default: (url: string) => Agent};
    agent = createProxyAgent(proxy);
  } else {
    const opts = {keepAlive: true, timeout: timeoutMs, maxSockets: 20, maxTotalSockets: 100, maxFreeSockets: 5};
    if (protocol === 'https:') {
      const https = process.getBuiltinModule('node:https');
      const caFile = process.env.TWILIO_CA_BUNDLE;
      const ca = caFile === undefined ? undefined : process.getBuiltinModule('node:fs').readFileSync(caFile);
      agent = new https.Agent({...opts, ...(ca ? {ca} : {})}) as unknown as Agent;
    } else agent = new (process.getBuiltinModule('node:http').Agent)(opts);
  }
  agents.set(key, agent);
  return agent;
}

/** The CLI's transport: node:http/https (see the top of this file). */
export const nodeTransport: Transport = {
  async send(opts, timeoutMs) {
    const wire = await toWire(opts);
    if (opts.logLevel === 'debug') logRequest(wire);
    const url = new URL(wire.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol ${url.protocol} in ${wire.url}`);
    const lib = process.getBuiltinModule(url.protocol === 'https:' ? 'node:https' : 'node:http') as typeof import('node:http');
    const agent = await agentFor(url.protocol, timeoutMs);
    const headers: Record<string, string | number> = {...wire.headers, 'Accept-Encoding': 'gzip, deflate'};
    if (wire.body !== undefined) headers['Content-Length'] = Buffer.byteLength(wire.body);
    const options: RequestOptions = {method: wire.method, headers, agent};
    const res = await new Promise<{status: number; headers: IncomingMessage['headers']; raw: Buffer}>((resolve, reject) => {
      const req = lib.request(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({status: response.statusCode ?? 0, headers: response.headers, raw: Buffer.concat(chunks)});
        });
        response.on('error', fail);
      });
      const timer = setTimeout(() => {
        const error = Object.assign(new Error(`timeout of ${timeoutMs}ms exceeded`), {code: 'ETIMEDOUT'});
        req.destroy(error);
      }, timeoutMs);
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      req.on('error', fail);
      req.end(wire.body);
    });
    const text = decompress(res.raw, res.headers['content-encoding']).toString('utf8');
    if (opts.logLevel === 'debug') {
      console.log(`response.statusCode: ${res.status}`);
      console.log(`response.headers: ${JSON.stringify(res.headers)}`);
    }
    return {statusCode: res.status, body: parseBody(text), headers: res.headers};
  },
};

function decompress(raw: Buffer, encoding: string | undefined): Buffer {
  const coding = encoding?.trim().toLowerCase();
  if (!coding || coding === 'identity' || raw.length === 0) return raw;
  const zlib = process.getBuiltinModule('node:zlib');
  if (coding === 'gzip' || coding === 'x-gzip') return zlib.gunzipSync(raw);
  if (coding === 'deflate') return zlib.inflateSync(raw);
  if (coding === 'br') return zlib.brotliDecompressSync(raw);
  return raw;
}

/** As axios (the SDK's client) answers: JSON parsed when the text is JSON, else the text itself. */
function parseBody(text: string): unknown {
  if (!text) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** TWILIO_LOG_LEVEL=debug: the lines the SDK's RequestClient prints, the Authorization header left out. */
function logRequest(wire: WireRequest): void {
  console.log('-- BEGIN Twilio API Request --');
  console.log(`${wire.method} ${wire.url}`);
  console.log('Headers:');
  for (const [k, v] of Object.entries(wire.headers)) if (k.toLowerCase() !== 'authorization') console.log(`${k}: ${v}`);
  console.log('-- END Twilio API Request --');
}

/** The SDK's own RequestClient as a transport (tests: the official SDK's whole HTTP stack). */
export function sdkTransport(client: {request<T>(opts: SdkRequest & {timeout: number}): Promise<SdkResponse<T>>}): Transport {
  return {send: (opts, timeoutMs) => client.request({...opts, timeout: timeoutMs})};
}
