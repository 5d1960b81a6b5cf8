import type {IncomingHttpHeaders} from 'node:http';
import type {Clock} from './engine/clock.js';
import type {Core} from './engine/core.js';
import {CODES, errors, TwilioApiError} from './errors.js';
import type {Params} from './params.js';
import type {Store} from './store/index.js';
import type {RenderUrls} from './store/repository.js';
import type {Tx} from './store/tx.js';

/** The Twilio domains the emulator answers, as the first path segment (`/conversations/v1/...`). */
export const DOMAINS = ['conversations', 'flex-api', 'taskrouter', 'studio'] as const;
export type Domain = (typeof DOMAINS)[number];

export interface Ctx {
  /** The authenticated account ('' on the emulator's own control routes, which take no auth). */
  accountSid: string;
  /** Path parameters, named as in the route template (`:Sid` → params.Sid). */
  params: Record<string, string>;
  query: Params;
  form: Params;
  /** The parsed JSON body, for the few endpoints that take one. */
  json: unknown;
  headers: IncomingHttpHeaders;
  store: Store;
  clock: Clock;
  /** The engines' shared parts: scheduler, bus, webhook sender. */
  core: Core;
  /** Run fn in a transaction of this request's account (one savepoint of the current batch). */
  tx<T>(fn: (tx: Tx) => T): T;
  /** URLs for rendering the items of the collection at `path` (a Twilio path of this domain). */
  urls(path: string): RenderUrls;
  /** The Twilio path requested, without the domain prefix (`/v1/Configuration/Addresses/IG…`). */
  path: string;
  /** Absolute URL of a path of this resource's domain, pointing back where the client came from. */
  url(path: string): string;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Response headers of the resource (e.g. a versioned document's ETag). */
  headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface Resource {
  domain: Domain;
  /**
   * Path prefixes the routes are mounted under (default: ['']): one declaration serves
   * `/v1/Conversations/...` and `/v1/Services/:ChatServiceSid/Conversations/...` alike.
   */
  mounts?: string[];
  /**
   * `'METHOD /v1/Path/:Param'` → handler; parameters are named as each route's template writes
   * them (the specs' names: `:Sid` here, `:ConversationSid/Messages` there). Update is always POST.
   */
  routes: Record<string, Handler>;
}

/** A response body that is already JSON text (lists built from stored documents), sent as is. */
export class RawJson {
  private encoded?: Buffer;
  constructor(
    readonly text: string,
    /** Its length in UTF-8 bytes, when the builder already knows it (lists sum their items'). */
    readonly bytes?: number,
  ) {}

  /**
   * The text as UTF-8, encoded once: a list page served again unchanged (polling; pageBody keeps
   * its RawJson) is written as the same bytes, without encoding 20 KB again per response.
   */
  buffer(): Buffer {
    return (this.encoded ??= Buffer.from(this.text, 'utf8'));
  }
}

export const ok = (body: unknown): Reply => ({status: 200, body});
export const created = (body: unknown): Reply => ({status: 201, body});
export const noContent = (): Reply => ({status: 204});

/** Handlers made by notImplemented(): the router lists their routes apart (see Router.stubs). */
const STUBS = new WeakSet<Handler>();

/** The handler of an operation the emulator does not implement: Twilio's error body with 501. */
export function notImplemented(what: string): Handler {
  const handler: Handler = (ctx) => {
    throw errors.notImplemented(what, ctx.path);
  };
  STUBS.add(handler);
  return handler;
}

export function defineResource(resource: Resource): Resource {
  return resource;
}

/** Where a set of routes is mounted: a Twilio domain (authenticated) or the control API. */
export interface Mount {
  /** First path segment: the Twilio domain, or `_emulator`. */
  prefix: string;
  /** Basic auth required (every Twilio domain); the control API takes none. */
  auth: boolean;
}

export interface Route {
  mount: Mount;
  handlers: Map<string, Handler>;
  /** Each method's parameter names, in path order (templates may name a position differently). */
  names: Map<string, string[]>;
  /** The methods this path answers, for a 405's Allow header. */
  allow: string;
}

interface Node {
  literal: Map<string, Node>;
  param?: Node;
  route?: Route;
}

const newNode = (): Node => ({literal: new Map()});

/**
 * The emulator's one router: every resource's `'METHOD /path/:Param'` routes in a tree of path
 * segments. Trailing and doubled slashes are ignored; path parameters are %-decoded (a malformed
 * escape is a 400, as on Twilio).
 */
export class Router {
  private readonly root = newNode();

  /** Every route as `METHOD /prefix/path/:Param` (for tests that compare them with the specs). */
  readonly routes: string[] = [];
  /** The routes among them that answer 501 (notImplemented). */
  readonly stubs: string[] = [];

  add(mount: Mount, routes: Record<string, Handler>, mounts: string[] = ['']): void {
    for (const prefix of mounts)
      for (const [key, handler] of Object.entries(routes)) {
        const space = key.indexOf(' ');
        const method = key.slice(0, space);
        const template = prefix + key.slice(space + 1);
        const names: string[] = [];
        let node = this.root;
        for (const seg of [mount.prefix, ...segments(template)]) {
          if (seg.startsWith(':')) {
            names.push(seg.slice(1));
            node.param ??= newNode();
            node = node.param;
          } else {
            let next = node.literal.get(seg);
            if (!next) node.literal.set(seg, (next = newNode()));
            node = next;
          }
        }
        if (new Set(names).size !== names.length) throw new Error(`route ${method} ${template} names a parameter twice`);
        node.route ??= {mount, handlers: new Map(), names: new Map(), allow: ''};
        if (node.route.handlers.has(method)) throw new Error(`route ${method} ${template} is defined twice`);
        node.route.handlers.set(method, handler);
        node.route.names.set(method, names);
        node.route.allow = [...node.route.handlers.keys()].join(', ');
        this.routes.push(`${method} /${mount.prefix}${template}`);
        if (STUBS.has(handler)) this.stubs.push(`${method} /${mount.prefix}${template}`);
      }
  }

  /** The route of a request path (without its query) and its raw parameter segments, or undefined. */
  match(path: string): {route: Route; values: string[]} | undefined {
    const segs = segments(path);
    const values: string[] = [];
    const route = walk(this.root, segs, 0, values);
    return route ? {route, values} : undefined;
  }
}

/** Name a match's parameter values as the method's template does (%-decoded). */
export function routeParams(route: Route, method: string, values: string[]): Record<string, string> {
  const names = route.names.get(method) ?? [];
  const params: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) params[names[i]] = decode(values[i]);
  return params;
}

function walk(node: Node, segs: string[], i: number, values: string[]): Route | undefined {
  if (i === segs.length) return node.route;
  const literal = node.literal.get(segs[i]);
  if (literal) {
    const found = walk(literal, segs, i + 1, values);
    if (found) return found;
  }
  if (!node.param) return undefined;
  const depth = values.length;
  values.push(segs[i]);
  const found = walk(node.param, segs, i + 1, values);
  if (!found) values.length = depth;
  return found;
}

/** The non-empty segments of a path (so trailing and doubled slashes don't count). */
function segments(path: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47 /* / */) {
      if (i > start) out.push(path.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new TwilioApiError(400, CODES.INVALID_PARAMETER, `Invalid request: malformed %-encoding in the path segment '${segment}'`);
  }
}
