import type {IncomingHttpHeaders} from 'node:http';
import type {Clock} from './engine/clock.js';
import {Params} from './params.js';
import type {Store} from './store/index.js';

/** The Twilio domains the emulator answers, as the first path segment (`/conversations/v1/...`). */
export const DOMAINS = ['conversations', 'flex-api', 'taskrouter', 'studio'] as const;
export type Domain = (typeof DOMAINS)[number];

export interface Ctx {
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
  constructor(readonly text: string) {}
}

export const ok = (body: unknown): Reply => ({status: 200, body});
export const created = (body: unknown): Reply => ({status: 201, body});
export const noContent = (): Reply => ({status: 204});

export function defineResource(resource: Resource): Resource {
  return resource;
}
