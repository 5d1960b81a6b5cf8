import {randomBytes} from 'node:crypto';
import {
  createServer as createHttpServer,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type {Socket} from 'node:net';
import {parse as parseQs} from 'node:querystring';
import {RESOURCES} from './api/index.js';
import {controlRoutes} from './control/index.js';
import type {Clock} from './engine/clock.js';
import type {Core} from './engine/core.js';
import type {RenderUrls} from './store/repository.js';
import {Tx} from './store/tx.js';
import {CODES, errors, TwilioApiError} from './errors.js';
import {Params} from './params.js';
import {DOMAINS, RawJson, routeParams, Router, type Ctx, type Handler, type Reply} from './router.js';
import type {Store} from './store/index.js';
import {newSid} from './sid.js';
import {RateLimiter} from './ratelimit.js';

export interface ServerOptions {
  store: Store;
  clock: Clock;
  core: Core;
  /** One line per request (`<-- [201] POST /conversations/v1/... 1.2ms`), when set. */
  log?: (line: string) => void;
  /** Called with unexpected errors (they still answer Twilio's 500 body). */
  onError?: (error: unknown) => void;
  startedAt: Date;
  /** Bounds on slow or stuck clients (ms); see TIMEOUTS for the defaults. */
  timeouts?: Partial<Timeouts>;
  /** Requests per second per account on the Twilio routes (not /_emulator); past it, 429/20429. */
  rateLimit?: number;
}

export interface Timeouts {
  /** Time for a request's headers to arrive, from the start of the request. */
  headers: number;
  /** Time for a whole request (headers and body) to arrive. */
  body: number;
  /** How long stop() lets requests in flight finish before it destroys every connection. */
  drain: number;
}

/** A client that stalls gets Twilio's 408 and its connection closed after these. */
export const TIMEOUTS: Timeouts = {headers: 30_000, body: 30_000, drain: 3_000};

export interface EmulatorServer {
  readonly http: Server;
  listen(port: number, host: string): Promise<void>;
  /** Stop accepting, let requests in flight finish (at most `timeouts.drain`), then destroy every connection. */
  close(): Promise<void>;
}

/** Largest request body read (Twilio's own limits are far lower for these endpoints). */
export const BODY_LIMIT = 5 * 1024 * 1024;
const TWILIO_HOST = /^([a-z0-9-]+)(?:\.[a-z0-9-]+)*\.twilio\.com(?::\d+)?$/i;
const CONTROL_PREFIX = '/_emulator';
/** Most parameters read from one form body or query string (node's querystring stops at 1,000 silently). */
export const MAX_PARAMS = 1000;
/** Deepest nesting of a JSON body (JSON.parse and what reads its result recurse). */
export const MAX_JSON_DEPTH = 64;

/**
 * The emulator's HTTP server: node:http, one router for every resource, one error path.
 * Requests reach a resource as `/{domain}/{twilio path}` or with `Host: {domain}.twilio.com`;
 * Basic auth picks the account; handlers return {status, body} or throw TwilioApiError, and
 * every failure leaves as Twilio's error body. Responses wait for the store's group commit, so
 * no write is acknowledged before it is durable.
 *
 * Built directly on node:http rather than a framework: measured here, a fastify hello-world
 * costs ~45 % more CPU per request than a bare node:http one and fastify adds ~20 MiB of resident
 * memory, while the emulator needs little of it (see README "Design").
 */
export function createServer(opts: ServerOptions): EmulatorServer {
  const router = new Router();
  for (const resource of RESOURCES) router.add({prefix: resource.domain, auth: true}, resource.routes, resource.mounts);
  router.add({prefix: CONTROL_PREFIX.slice(1), auth: false}, controlRoutes(opts));
  const auth = new AuthCache(opts.store);
  // undefined when off: one null check per request, nothing else
  const limiter = opts.rateLimit ? new RateLimiter(opts.rateLimit, () => opts.clock.now().getTime()) : undefined;

  const timeouts = {...TIMEOUTS, ...opts.timeouts};
  const state: ServerState = {
    closing: false,
    inFlight: new WeakMap(),
    sockets: new Set(),
    hosts: new HostCheck(),
    writes: new WriteQueue(opts.store),
  };
  const headersTimeout = Math.min(timeouts.headers, timeouts.body);
  const server = createHttpServer(
    {
      // requireHostHeader off: an HTTP/1.1 request without Host gets our answer, not node's bare 400
      requireHostHeader: false,
      // a client that stalls mid-headers or mid-body (a half-sent upload) gets a 408 (clientError
      // below), never a connection held open for node's default 5 minutes
      headersTimeout,
      requestTimeout: timeouts.body,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    (req, res) => {
      // HTTP/1.1 pipelining: node hands us the next request of a connection before the previous
      // one is answered; it runs once that answer is written, so it sees what its predecessor did.
      // An answer already ended (its write committed) need not have left the socket yet.
      const previous = state.inFlight.get(req.socket);
      if (!previous || previous.writableEnded || previous.destroyed) return handle(req, res, router, auth, opts, state, limiter);
      let started = false;
      const start = () => {
        if (started) return;
        started = true;
        handle(req, res, router, auth, opts, state, limiter);
      };
      previous.once('finish', start);
      previous.once('close', start);
    },
  );
  // longer than the keep-alive of common clients and proxies, so they never reuse a socket we just closed
  server.keepAliveTimeout = 65_000;
  // every connection, so stop() can destroy the ones that outlive the drain
  server.on('connection', (socket: Socket) => {
    state.sockets.add(socket);
    socket.once('close', () => state.sockets.delete(socket));
  });
  // HTTP that cannot be parsed (e.g. a DELETE body sent without Content-Length, which then reads
  // as a second request, or a malformed chunk), a client that stalls past a timeout, or one that
  // goes away in the middle of its body: answer Twilio's error shape and close the connection.
  // A request whose body is all in and whose answer waits for its commit (a write) is answered
  // first, never replaced; one whose body never completes cannot be, so it is not waited for.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (socket.destroyed) return;
    if (error.code === 'ECONNRESET') return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message =
      status === 408
        ? `Request timed out: the headers must arrive within ${seconds(headersTimeout)} s and the whole request within ${seconds(timeouts.body)} s`
        : error.code === 'HPE_INVALID_EOF_STATE'
          ? 'Incomplete HTTP request: the client closed the connection before the body was complete'
          : `Malformed HTTP request (${error.code ?? error.message})`;
    const answer = () => rawError(socket, status, message);
    const pending = state.inFlight.get(socket);
    // the answer on this connection said it is the last (Connection: close): bytes the client
    // sent after it (an unsupported body coding's body) get no second answer
    if (pending && lastAnswers.has(pending)) {
      if (pending.writableFinished) socket.destroy();
      else pending.once('close', () => socket.destroy());
      return;
    }
    if (pending && !pending.writableFinished && pending.req.complete) pending.once('close', answer);
    else answer();
  });
  // Expect: 100-continue (curl sends it with bodies over 1 KiB): refuse bad credentials before
  // the client uploads its body, not after
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(req.url ?? '').includes(CONTROL_PREFIX) && !auth.account(req.headers.authorization)) {
      res.shouldKeepAlive = false;
      return fail(res, errors.unauthorized(), opts);
    }
    res.writeContinue();
    handle(req, res, router, auth, opts, state, limiter);
  });
  // Expect: anything but 100-continue, and CONNECT (a proxy tunnel): Twilio's error body too
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) =>
    send(res, {status: 417, body: new TwilioApiError(417, CODES.INVALID_PARAMETER, `Unsupported Expect: ${req.headers.expect}`).toBody()}),
  );
  server.on('connect', (_req: IncomingMessage, socket: Socket) =>
    rawError(socket, 405, 'CONNECT is not supported: the emulator is not a proxy'),
  );

  return {
    http: server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address();
          state.hosts.bound(host, typeof address === 'object' && address ? address.port : port);
          resolve();
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        // requests in flight finish; their responses say Connection: close, so busy keep-alive
        // clients reconnect (and are refused) instead of being cut off. Whatever is still open
        // after the drain (a stalled upload, a slow reader) is destroyed: stop always completes.
        state.closing = true;
        const force = setTimeout(() => {
          server.closeAllConnections();
          for (const socket of state.sockets) socket.destroy();
        }, timeouts.drain);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

interface ServerState {
  closing: boolean;
  /** The response being prepared on each connection (a write may be waiting for its commit). */
  inFlight: WeakMap<Socket, ServerResponse>;
  /** Every open connection. */
  sockets: Set<Socket>;
  hosts: HostCheck;
  writes: WriteQueue;
}

/**
 * Longest run of write handlers between two chances for reads. An interaction create takes ~1 ms;
 * on bench/interactions a 4 ms slice gave a p99 of 18-20 ms, 2 ms one of 13 ms, at the same rate.
 */
const WRITE_SLICE_MS = 2;

/**
 * Reads before writes: a request that may write (any method but GET/HEAD) runs after the reads
 * that arrived in the same event-loop turn, then the writes' batch commits at once. A read never
 * waits behind the writes it arrived with (it used to wait for their handlers and their COMMIT,
 * as its answer waits for the pending commit): polling a task list while interactions are
 * created answers in the time of one read. Writes run in slices of WRITE_SLICE_MS, each
 * committed as one batch, so a long queue of writes never holds reads back for longer. Requests
 * on one connection keep their order (a pipelined one starts once its predecessor is answered).
 */
class WriteQueue {
  private queue: (() => void)[] = [];
  private scheduled = false;

  constructor(private readonly store: Store) {}

  defer(fn: () => void): void {
    this.queue.push(fn);
    this.schedule();
  }

  private drain(): void {
    this.scheduled = false;
    // a slice of WRITE_SLICE_MS at most (always one write at least): what remains runs in the
    // next turn, after the reads that came meanwhile
    const until = performance.now() + WRITE_SLICE_MS;
    let i = 0;
    const queue = this.queue;
    while (i < queue.length) {
      queue[i++]();
      if (performance.now() >= until) break;
    }
    queue.splice(0, i);
    // the writes' batch commits now: their answers leave in this turn
    try {
      this.store.flush();
    } catch {
      // delivered to the batch's waiters (each answers Twilio's error body)
    }
    if (queue.length) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Twilio's error body written straight to a socket that HTTP parsing gave up on, then closed. */
function rawError(socket: Socket, status: number, message: string): void {
  const body = JSON.stringify(new TwilioApiError(status, CODES.INVALID_PARAMETER, message).toBody());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

type Body = {form?: Record<string, string | string[]>; json?: unknown};

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  router: Router,
  auth: AuthCache,
  opts: ServerOptions,
  state: ServerState,
  limiter: RateLimiter | undefined,
): void {
  state.inFlight.set(req.socket, res);
  if (state.closing) res.shouldKeepAlive = false;
  if (opts.log) {
    const log = opts.log;
    const started = performance.now();
    const url = req.url;
    res.once('finish', () =>
      log(`<-- [${res.statusCode}] ${req.method} ${url} ${(performance.now() - started).toFixed(1)}ms`),
    );
  }
  try {
    // Requests addressed to https://{domain}.twilio.com/... (a Host header, or a proxy's absolute
    // target `GET http://conversations.twilio.com/v1/...`) route as /{domain}/...
    let url = req.url ?? '/';
    let base = '';
    let host = req.headers.host;
    const absolute = /^https?:\/\/([^/?#]*)/i.exec(url);
    if (absolute) {
      host = absolute[1];
      url = url.slice(absolute[0].length) || '/';
    }
    const twilioHost = host && /twilio/i.test(host) ? TWILIO_HOST.exec(host) : null;
    if (twilioHost && (DOMAINS as readonly string[]).includes(twilioHost[1].toLowerCase())) {
      url = `/${twilioHost[1].toLowerCase()}${url}`;
      base = `https://${host!.replace(/:\d+$/, '')}`;
    }
    // DNS rebinding: a web page whose name now resolves to 127.0.0.1 reaches us with its own Host
    if (host !== undefined && !state.hosts.allows(host)) throw foreignHost(host);
    // a browser request (curl, the SDK and the CLI send no Origin) from a page that is not local
    if (req.headers.origin !== undefined) refuseForeignOrigin(req.headers.origin);
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);

    let accountSid = '';
    if (!path.startsWith(CONTROL_PREFIX)) {
      accountSid = auth.account(req.headers.authorization) ?? '';
      if (!accountSid) throw errors.unauthorized();
      // refused before anything is read or done, as Twilio does with a 429
      if (limiter) limiter.take(accountSid);
    }
    const match = router.match(path);
    if (!match) throw errors.notFound(twilioPath(path));
    const route = match.route;
    const method = req.method ?? 'GET';
    const verb = method === 'HEAD' ? 'GET' : method;
    const handler = route.handlers.get(verb);
    if (!handler) throw errors.methodNotAllowed(method, twilioPath(path), route.allow);
    const params = routeParams(route, verb, match.values);
    // the control API takes no credentials, but a request that sends some acts for that account
    if (!route.mount.auth && req.headers.authorization) {
      accountSid = auth.account(req.headers.authorization) ?? '';
      if (!accountSid) throw errors.unauthorized();
    }

    // no Host (HTTP/1.0): the address the client reached
    base ||= `http://${host || `${hostForUrl(req.socket.localAddress)}:${req.socket.localPort}`}/${route.mount.prefix}`;
    const query = q < 0 ? undefined : url.slice(q + 1);
    const now = (body: Body) =>
      run(handler, new RequestCtx(accountSid, params, query, body, req.headers, opts, path, base), res, opts);
    const dispatch = verb === 'GET' ? now : (body: Body) => state.writes.defer(() => now(body));
    if (hasBody(req)) {
      const coding = req.headers['transfer-encoding'];
      // only chunked is decoded; anything else (gzip: a body that would last until the client
      // closes) is refused at once, and the connection closed, rather than read forever
      if (coding !== undefined && coding.trim().toLowerCase() !== 'chunked') throw unsupportedCoding(coding);
      readBody(req).then(dispatch, (error) => fail(res, error, opts));
    }
    else dispatch({});
  } catch (error) {
    fail(res, error, opts);
  }
}

/**
 * Browsers send Origin, and only a loopback origin is accepted: the control API takes no
 * credentials (a cross-site POST to /_emulator/reset would wipe the data) and the Twilio routes
 * take documented default ones. curl, the SDK and the CLI send none.
 */
function refuseForeignOrigin(origin: string): void {
  let hostname = '';
  try {
    hostname = new URL(origin).hostname;
  } catch {
    // "null" or garbage: not loopback
  }
  if (!isLoopbackName(hostname))
    throw new TwilioApiError(403, CODES.FORBIDDEN, `The emulator does not accept requests from web pages of ${origin}`);
}

function foreignHost(host: string): TwilioApiError {
  return new TwilioApiError(
    403,
    CODES.FORBIDDEN,
    `The emulator does not answer requests for host ${host}: use 127.0.0.1, localhost or {domain}.twilio.com (start it with --host to expose it on purpose)`,
  );
}

function unsupportedCoding(coding: string): TwilioApiError {
  return new TwilioApiError(501, CODES.INVALID_PARAMETER, `Unsupported Transfer-Encoding: ${coding} (only chunked is accepted)`, undefined, {
    Connection: 'close',
  });
}

/** localhost (and *.localhost), 127.0.0.0/8, ::1; lower-case, IPv6 in brackets or not. */
function isLoopbackName(name: string): boolean {
  return (
    name === 'localhost' ||
    name === '127.0.0.1' ||
    name === '[::1]' ||
    name === '::1' ||
    name.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}

/**
 * Which Host headers are answered: loopback names, the address the server is bound to and
 * {domain}.twilio.com (any port). The names clients of this server send most
 * (`127.0.0.1:{port}`) are one Set lookup; everything else is parsed once per request. When the
 * server listens on a non-loopback address (exposed on purpose with --host), any Host is.
 */
class HostCheck {
  private exact = new Set<string>();
  private any = false;
  private boundName = '';

  bound(host: string, port: number): void {
    const name = host.includes(':') && !host.startsWith('[') ? `[${host.toLowerCase()}]` : host.toLowerCase();
    this.any = !isLoopbackName(name);
    this.boundName = name;
    for (const n of ['127.0.0.1', 'localhost', '[::1]', name]) this.exact.add(`${n}:${port}`).add(n);
  }

  allows(host: string): boolean {
    return this.any || this.exact.has(host) || this.parse(host);
  }

  private parse(host: string): boolean {
    let name = host.toLowerCase();
    let port = '';
    if (name.startsWith('[')) {
      const end = name.indexOf(']');
      if (end < 0) return false;
      port = name.slice(end + 1);
      name = name.slice(0, end + 1);
      if (port !== '' && !port.startsWith(':')) return false;
      port = port.slice(1);
    } else {
      const colon = name.lastIndexOf(':');
      if (colon >= 0) {
        port = name.slice(colon + 1);
        name = name.slice(0, colon);
      }
    }
    if (port !== '' && !/^\d{1,5}$/.test(port)) return false;
    if (name.endsWith('.')) name = name.slice(0, -1); // a fully qualified name
    return isLoopbackName(name) || name === this.boundName || name.endsWith('.twilio.com');
  }
}

function hostForUrl(address: string | undefined): string {
  if (!address) return 'localhost';
  const v4 = address.replace(/^::ffff:/, '');
  return v4.includes(':') ? `[${v4}]` : v4;
}

function run(handler: Handler, ctx: Ctx, res: ServerResponse, opts: ServerOptions): void {
  let result: Reply | Promise<Reply>;
  try {
    result = handler(ctx);
  } catch (error) {
    return fail(res, error, opts);
  }
  const failed = (e: unknown) => fail(res, e, opts);
  if (result instanceof Promise) result.then((r) => afterCommit(opts.store, () => send(res, r), failed), failed);
  else afterCommit(opts.store, () => send(res, result), failed);
}

/** Run `then` once the store's pending writes are committed (at once when none are pending). */
function afterCommit(store: Store, then: () => void, onError: (e: unknown) => void): void {
  const pending = store.settled();
  if (pending) pending.then(then, onError);
  else then();
}

/** Responses sent with Connection: close (nothing more is answered on their connection). */
const lastAnswers = new WeakSet<ServerResponse>();

function send(res: ServerResponse, reply: Reply, headers?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  if (headers?.Connection === 'close') lastAnswers.add(res);
  // headers as a flat [name, value, ...] list: node takes it without per-name bookkeeping
  const out: string[] = ['Twilio-Request-Id', newSid('RQ')];
  if (headers) for (const name in headers) out.push(name, headers[name]);
  if (reply.headers) for (const name in reply.headers) out.push(name, reply.headers[name]);
  if (reply.body === undefined) {
    res.writeHead(reply.status, out);
    res.end();
    return;
  }
  const raw = reply.body instanceof RawJson ? reply.body : undefined;
  const payload = raw ? raw.buffer() : JSON.stringify(reply.body);
  out.push('Content-Type', 'application/json', 'Content-Length', String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length));
  res.writeHead(reply.status, out);
  res.end(payload);
}

/**
 * The one error path: a TwilioApiError as Twilio's body (with the headers it needs), anything
 * else as a shaped 500. Sent after the pending group commit: an error may name a row that
 * another request of the batch wrote.
 */
function fail(res: ServerResponse, error: unknown, opts: ServerOptions): void {
  if (error instanceof ClientGone) return; // nobody to answer, nothing went wrong here
  const e = toTwilioError(error);
  if (e.status >= 500) opts.onError?.(error);
  const answer = () => send(res, {status: e.status, body: e.toBody()}, e.headers);
  afterCommit(opts.store, answer, answer);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** The client went away in the middle of its request (an aborted upload). */
class ClientGone extends Error {}

/** Read and parse the body: JSON when it says so, a form otherwise (Twilio reads any other type as a form). */
function readBody(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new TwilioApiError(413, CODES.INVALID_PARAMETER, `Request body is larger than ${BODY_LIMIT / 1024 / 1024} MB`, undefined, {
        Connection: 'close',
      });
    // announced too large: answer now rather than read it all first
    if (Number(req.headers['content-length']) > BODY_LIMIT) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on('error', () => reject(new ClientGone()));
    req.on('end', () => {
      if (size > BODY_LIMIT) return reject(tooLarge());
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      try {
        if (!isJson(req.headers)) return resolve({form: parseParams(text, 'post body')});
        if (text.trim() === '') return resolve({});
        if (text.length > MAX_JSON_DEPTH && nestedDeeper(text, MAX_JSON_DEPTH))
          throw new TwilioApiError(400, CODES.INVALID_PARAMETER, `Invalid request: the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (error) {
          throw new TwilioApiError(400, CODES.INVALID_PARAMETER, `Invalid request: the body is not valid JSON (${(error as Error).message})`);
        }
        resolve({json});
      } catch (error) {
        reject(error);
      }
    });
  });
}

/**
 * A form body or query string as {name: value | values}. More than MAX_PARAMS pairs is a 400
 * (node's querystring would silently drop the rest, and a required parameter with them).
 */
function parseParams(text: string, where: 'post body' | 'query'): Record<string, string | string[]> {
  // fewer characters than this cannot hold more than MAX_PARAMS pairs: nothing to count
  if (text.length > 2 * MAX_PARAMS) {
    let pairs = 1;
    for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) pairs++;
    if (pairs > MAX_PARAMS)
      throw new TwilioApiError(400, CODES.INVALID_PARAMETER, `Too many parameters in the ${where}: ${pairs} (at most ${MAX_PARAMS})`);
  }
  return parseQs(text) as Record<string, string | string[]>;
}

/** Whether JSON text nests objects/arrays deeper than `max` (strings skipped; invalid JSON is JSON.parse's to report). */
function nestedDeeper(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function isJson(headers: IncomingHttpHeaders): boolean {
  return (headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
}

/** What a handler sees of its request; the parts most handlers never read are built on first use. */
class RequestCtx implements Ctx {
  readonly store: Store;
  readonly clock: Clock;
  readonly core: Core;
  private parsedQuery?: Params;
  private parsedForm?: Params;

  constructor(
    readonly accountSid: string,
    readonly params: Record<string, string>,
    private readonly rawQuery: string | undefined,
    private readonly body: Body,
    readonly headers: IncomingHttpHeaders,
    opts: ServerOptions,
    private readonly rawPath: string,
    private readonly base: string,
  ) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.core = opts.core;
  }

  tx<T>(fn: (tx: Tx) => T): T {
    return this.store.tx(() => fn(new Tx(this.store, this.accountSid, this.clock.now())));
  }

  urls(path: string): RenderUrls {
    return {base: this.base + path, root: this.base};
  }

  get query(): Params {
    return (this.parsedQuery ??= new Params(this.rawQuery ? parseParams(this.rawQuery, 'query') : {}, 'query'));
  }

  get form(): Params {
    return (this.parsedForm ??= new Params(this.body.form ?? {}));
  }

  get json(): unknown {
    return this.body.json;
  }

  get path(): string {
    return twilioPath(this.rawPath);
  }

  url(path: string): string {
    return this.base + path;
  }
}

/** `/conversations/v1/X` → `/v1/X` (Twilio's own path, for error messages). */
function twilioPath(path: string): string {
  const m = /^\/([a-z-]+)(\/.*)$/.exec(path);
  return m && (DOMAINS as readonly string[]).includes(m[1]) ? m[2] : path;
}

/**
 * Basic auth → account SID. Clients send the same header on every request, so answers are
 * remembered per header (bounded; cleared when the store's accounts change).
 */
class AuthCache {
  private known = new Map<string, string | undefined>();
  private generation: number;

  constructor(private readonly store: Store) {
    this.generation = store.principalsGeneration;
  }

  account(header: string | undefined): string | undefined {
    if (!header) return undefined;
    if (this.generation !== this.store.principalsGeneration) {
      this.known.clear();
      this.generation = this.store.principalsGeneration;
    }
    if (this.known.has(header)) return this.known.get(header);
    const accountSid = authenticate(this.store, header);
    if (this.known.size >= 1000) this.known.clear();
    this.known.set(header, accountSid);
    return accountSid;
  }
}

function authenticate(store: Store, header: string): string | undefined {
  // the auth scheme is case-insensitive (RFC 9110 §11.1): curl and most clients send "Basic"
  const m = /^basic\s+(\S+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return store.authenticate(decoded.slice(0, i), decoded.slice(i + 1));
}

function toTwilioError(error: unknown): TwilioApiError {
  if (error instanceof TwilioApiError) return error;
  const e = error as {message?: string};
  return errors.internal(`Internal server error (${randomBytes(4).toString('hex')}): ${e?.message ?? 'unknown'}`);
}

