import {randomBytes} from 'node:crypto';
import {STATUS_CODES, type IncomingMessage} from 'node:http';
import {parse as parseQs} from 'node:querystring';
import formbody from '@fastify/formbody';
import Fastify, {type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify';
import {RESOURCES} from './api/index.js';
import {registerControl} from './control/index.js';
import type {Clock} from './engine/clock.js';
import {CODES, errors, TwilioApiError} from './errors.js';
import {Params} from './params.js';
import {DOMAINS, RawJson, type Ctx, type Handler, type Resource} from './router.js';
import type {Store} from './store/index.js';
import {newSid} from './sid.js';

export interface ServerOptions {
  store: Store;
  clock: Clock;
  /** One line per request (`<-- [201] POST /conversations/v1/...`), when set. */
  log?: (line: string) => void;
  /** Called with unexpected errors (they still answer Twilio's 500 body). */
  onError?: (error: unknown) => void;
  startedAt: Date;
}

const TWILIO_HOST = /^([a-z0-9-]+)(?:\.[a-z0-9-]+)*\.twilio\.com(?::\d+)?$/i;
const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH'] as const;

type RawWithHost = IncomingMessage & {flexconvTwilioHost?: string};
type AuthedRequest = FastifyRequest & {accountSid?: string};

/**
 * The emulator's HTTP server: one fastify instance, one router for every resource. Requests
 * reach a resource as `/{domain}/{twilio path}` or with `Host: {domain}.twilio.com`; Basic auth
 * picks the account; handlers return {status, body} or throw TwilioApiError, and every failure
 * leaves as Twilio's error body.
 */
export function createServer(opts: ServerOptions): FastifyInstance {
  const {store, clock} = opts;
  const app = Fastify({
    logger: false,
    // addresses, emails and unique names travel as path parameters: allow long ones
    routerOptions: {ignoreTrailingSlash: true, maxParamLength: 2048},
    bodyLimit: 5 * 1024 * 1024,
    // fastify's own early errors (malformed %-encoding in the URL, over-long path parameter) get
    // Twilio's body too, never fastify's {error, statusCode}
    frameworkErrors(error, _req, reply) {
      const e = new TwilioApiError(400, CODES.INVALID_PARAMETER, `Invalid request: ${error.message}`);
      (reply as FastifyReply).code(e.status).type('application/json').send(e.toBody());
    },
    // HTTP that cannot be parsed at all (e.g. a DELETE body sent without Content-Length, which
    // then reads as a second request): answer Twilio's error shape and close the connection
    clientErrorHandler(error, socket) {
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
      const code = (error as NodeJS.ErrnoException).code;
      const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const body = JSON.stringify(
        new TwilioApiError(status, CODES.INVALID_PARAMETER, `Malformed HTTP request (${code ?? error.message})`).toBody(),
      );
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(error);
    },
    // Requests addressed to https://{domain}.twilio.com/... (a proxy, or Host header) route as /{domain}/...
    rewriteUrl(req) {
      const host = req.headers.host;
      const m = host ? TWILIO_HOST.exec(host) : null;
      if (m && (DOMAINS as readonly string[]).includes(m[1].toLowerCase())) {
        (req as RawWithHost).flexconvTwilioHost = host!.replace(/:\d+$/, '');
        return `/${m[1].toLowerCase()}${req.url ?? '/'}`;
      }
      return req.url ?? '/';
    },
  });

  app.register(formbody, {parser: (body) => parseQs(body)});
  // Anything else (text/plain, no type at all): read it as a form, like Twilio does. fastify's
  // built-in text/plain parser would hand the handler a bare string, so it goes too.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', {parseAs: 'string'}, (_req, body, done) => {
    done(null, parseQs(body as string));
  });

  const auth = new AuthCache(store);
  app.addHook('onRequest', (req: AuthedRequest, reply, done) => {
    reply.header('Twilio-Request-Id', newSid('RQ'));
    if (req.url.startsWith('/_emulator')) return done();
    const accountSid = auth.account(req.headers.authorization);
    if (!accountSid) {
      reply.header('WWW-Authenticate', 'Basic realm="Twilio API"');
      return done(errors.unauthorized());
    }
    req.accountSid = accountSid;
    done();
  });

  if (opts.log) {
    const log = opts.log;
    app.addHook('onResponse', async (req, reply) => {
      log(`<-- [${reply.statusCode}] ${req.method} ${req.url} ${reply.elapsedTime.toFixed(1)}ms`);
    });
  }

  app.setErrorHandler((error: unknown, _req, reply) => {
    const e = toTwilioError(error);
    if (e.status >= 500) opts.onError?.(error);
    // an error may name rows written by other requests of the pending batch: answer after it commits
    const answer = () => reply.code(e.status).type('application/json').send(e.toBody());
    const pending = store.settled();
    if (pending) pending.then(answer, answer);
    else answer();
  });

  app.setNotFoundHandler((req, reply) => {
    const e = errors.notFound(twilioPath(req.url));
    reply.code(404).type('application/json').send(e.toBody());
  });

  for (const resource of RESOURCES) registerResource(app, resource, opts);
  registerControl(app, opts);
  return app;
}

function registerResource(app: FastifyInstance, resource: Resource, opts: ServerOptions): void {
  const byPath = new Map<string, Map<string, Handler>>();
  for (const [key, handler] of Object.entries(resource.routes)) {
    const [method, path] = key.split(' ');
    if (!byPath.has(path)) byPath.set(path, new Map());
    byPath.get(path)!.set(method, handler);
  }
  for (const [path, handlers] of byPath) {
    const url = `/${resource.domain}${path}`;
    for (const method of METHODS) {
      const handler = handlers.get(method);
      const allow = [...handlers.keys()].join(', ');
      app.route({
        method,
        url,
        handler: handler
          ? (req, reply) => run(handler, resource, req as AuthedRequest, reply, opts)
          : (req, reply) => {
              reply.header('Allow', allow);
              throw errors.methodNotAllowed(req.method, twilioPath(req.url));
            },
      });
    }
  }
}

function run(
  handler: Handler,
  resource: Resource,
  req: AuthedRequest,
  reply: FastifyReply,
  opts: ServerOptions,
): FastifyReply | Promise<FastifyReply> {
  const result = handler(new RequestCtx(req, resource, opts));
  if (result instanceof Promise) return result.then((r) => afterCommit(opts.store, () => send(reply, r)));
  return afterCommit(opts.store, () => send(reply, result));
}

/** Run `then` once the store's pending writes are committed (at once when none are pending). */
function afterCommit<T>(store: Store, then: () => T): T | Promise<T> {
  const pending = store.settled();
  return pending ? pending.then(then) : then();
}

function send(reply: FastifyReply, result: Awaited<ReturnType<Handler>>): FastifyReply {
  reply.code(result.status);
  if (result.body === undefined) return reply.send();
  reply.type('application/json');
  return reply.send(result.body instanceof RawJson ? result.body.text : result.body);
}

/** What a handler sees of its request; the parts most handlers never read are built on first use. */
class RequestCtx implements Ctx {
  readonly accountSid: string;
  readonly params: Record<string, string>;
  readonly headers: FastifyRequest['headers'];
  readonly store: Store;
  readonly clock: Clock;
  private readonly base: string;
  private parsedQuery?: Params;
  private parsedForm?: Params;

  constructor(
    private readonly req: AuthedRequest,
    resource: Resource,
    opts: ServerOptions,
  ) {
    this.accountSid = req.accountSid!;
    this.params = req.params as Record<string, string>;
    this.headers = req.headers;
    this.store = opts.store;
    this.clock = opts.clock;
    const twilioHost = (req.raw as RawWithHost).flexconvTwilioHost;
    this.base = twilioHost ? `https://${twilioHost}` : `http://${req.headers.host ?? 'localhost'}/${resource.domain}`;
  }

  get query(): Params {
    return (this.parsedQuery ??= new Params(this.req.query as Record<string, string | string[]>, 'query'));
  }

  get form(): Params {
    const body = this.req.body;
    const isForm = body !== null && typeof body === 'object' && !Array.isArray(body) && !isJson(this.req);
    return (this.parsedForm ??= new Params(isForm ? (body as Record<string, string | string[]>) : {}));
  }

  get json(): unknown {
    return isJson(this.req) ? this.req.body : undefined;
  }

  get path(): string {
    return twilioPath(this.req.url);
  }

  url(path: string): string {
    return this.base + path;
  }
}

function isJson(req: FastifyRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
}

/** `/conversations/v1/X?y` → `/v1/X` (Twilio's own path, for error messages). */
function twilioPath(url: string): string {
  const path = url.split('?')[0];
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
  const e = error as {statusCode?: number; message?: string; code?: string};
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // fastify's own client errors: malformed JSON, body too large, bad content type
    return new TwilioApiError(e.statusCode, CODES.INVALID_PARAMETER, e.message ?? 'Invalid request');
  }
  return errors.internal(`Internal server error (${randomBytes(4).toString('hex')}): ${e?.message ?? 'unknown'}`);
}
