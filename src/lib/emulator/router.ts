import type {IncomingHttpHeaders} from 'node:http';
import type {Clock} from './engine/clock.js';
import {CODES, TwilioApiError} from './errors.js';
import type {Params} from './params.js';
import type {Store} from './store/index.js';

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
  /** The Twilio path requested, without the domain prefix (`/v1/Configuration/Addresses/IG…`). */
  path: string;
  /** Absolute URL of a path of this resource's domain, pointing back where the client came from. */
  url(path: string): string;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface Resource {
  domain: Domain;
  /** `'METHOD /v1/Path/:Param'` → handler. Update is always POST, as on Twilio. */
  routes: Record<string, Handler>;
}

/** A response body that is already JSON text (lists built from stored documents), sent as is. */
export class RawJson {
  constructor(
    readonly text: string,
    /** Its length in UTF-8 bytes, when the builder already knows it (lists sum their items'). */
    readonly bytes?: number,
  ) {}
}

export const ok = (body: unknown): Reply => ({status: 200, body});
export const created = (body: unknown): Reply => ({status: 201, body});
export const noContent = (): Reply => ({status: 204});

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
  /** The methods this path answers, for a 405's Allow header. */
  allow: string;
}

interface Node {
  literal: Map<string, Node>;
  param?: {name: string; node: Node};
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

  add(mount: Mount, routes: Record<string, Handler>): void {
    for (const [key, handler] of Object.entries(routes)) {
      const space = key.indexOf(' ');
      const method = key.slice(0, space);
      let node = this.root;
      for (const seg of [mount.prefix, ...segments(key.slice(space + 1))]) {
        if (seg.startsWith(':')) {
          const name = seg.slice(1);
          if (node.param && node.param.name !== name)
            throw new Error(`route ${key}: parameter :${name} clashes with :${node.param.name}`);
          node.param ??= {name, node: newNode()};
          node = node.param.node;
        } else {
          let next = node.literal.get(seg);
          if (!next) node.literal.set(seg, (next = newNode()));
          node = next;
        }
      }
      node.route ??= {mount, handlers: new Map(), allow: ''};
      if (node.route.handlers.has(method)) throw new Error(`route ${key} is defined twice`);
      node.route.handlers.set(method, handler);
      node.route.allow = [...node.route.handlers.keys()].join(', ');
    }
  }

  /** The route of a request path (without its query) and its decoded parameters, or undefined. */
  match(path: string): {route: Route; params: Record<string, string>} | undefined {
    const segs = segments(path);
    const params: Record<string, string> = {};
    const route = walk(this.root, segs, 0, params);
    return route ? {route, params} : undefined;
  }
}

function walk(node: Node, segs: string[], i: number, params: Record<string, string>): Route | undefined {
  if (i === segs.length) return node.route;
  const literal = node.literal.get(segs[i]);
  if (literal) {
    const found = walk(literal, segs, i + 1, params);
    if (found) return found;
  }
  if (!node.param) return undefined;
  const found = walk(node.param.node, segs, i + 1, params);
  if (found) params[node.param.name] = decode(segs[i]);
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
