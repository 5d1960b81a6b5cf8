import {isoSeconds} from '../../engine/clock.js';
import {errors, TwilioApiError} from '../../errors.js';
import {WORKSPACES, type TaskDoc, type WorkspaceDoc} from '../../model/taskrouter.js';
import {positionPage, readPaging, tablePage} from '../../paging.js';
import type {Params} from '../../params.js';
import {RawJson, type Ctx, type Reply} from '../../router.js';
import type {ListQuery} from '../../store/repository.js';
import type {TableDecl} from '../../store/table.js';
import {Tx} from '../../store/tx.js';

export const WS = '/v1/Workspaces/:WorkspaceSid';
export const MAX_PAGE = 1000;

/** A Tx for reads outside any write. */
export const reader = (ctx: Ctx): Tx => new Tx(ctx.store, ctx.accountSid, ctx.clock.now());

export const wsPath = (sid: string) => `/v1/Workspaces/${sid}`;

/** The workspace of the path (404 when unknown). */
export function workspaceOf(ctx: Ctx, sid = ctx.params.WorkspaceSid ?? ctx.params.Sid): WorkspaceDoc {
  const ws = ctx.store.repo(WORKSPACES).get(ctx.accountSid, sid);
  if (!ws) throw errors.notFound(wsPath(sid));
  return ws;
}

/** A document of the workspace by the path's Sid (404 when unknown). */
export function docOf<T extends {sid: string}>(ctx: Ctx, decl: TableDecl<T>, collection: string, sid = ctx.params.Sid, parent?: string): T {
  const ws = workspaceOf(ctx);
  const doc = ctx.store.repo(decl).get(ctx.accountSid, sid, parent ?? ws.sid);
  if (!doc) throw errors.notFound(`${wsPath(ws.sid)}/${collection}/${sid}`);
  return doc;
}

export function render<T extends {sid: string}>(ctx: Ctx, decl: TableDecl<T>, doc: T, collection: string): RawJson {
  return new RawJson(ctx.store.repo(decl).render(doc, ctx.urls(collection)));
}

/** A task as shown: its age derived from the clock. */
export function withAge(t: TaskDoc, now: Date): TaskDoc {
  return {...t, age: Math.max(0, Math.floor((now.getTime() - Date.parse(t.date_created)) / 1000))};
}

export function list<T extends {sid: string}>(
  ctx: Ctx,
  decl: TableDecl<T>,
  opts: {collection: string; key: string; parent: string; query?: ListQuery<T>; filters?: Record<string, string>},
): RawJson {
  return tablePage(ctx, decl, ctx.urls(opts.collection), {...opts, max: MAX_PAGE});
}

/** A list built in memory (derived items, or items needing a derived field), paged by position. */
export function derivedList(ctx: Ctx, items: string[], opts: {collection: string; key: string; filters?: Record<string, string>}): RawJson {
  return positionPage(ctx.url(opts.collection), opts.key, items, readPaging(ctx.query, MAX_PAGE), opts.filters ?? {});
}

/** The query filters a list was asked with (echoed in its page URLs). */
export function echo(query: Params, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = query.list(n);
    if (v && v.length) out[n] = v.join(',');
  }
  return out;
}

export function jsonParam(form: Params, name: string): string | undefined {
  const v = form.str(name);
  if (v === undefined) return undefined;
  if (v === '') return '{}';
  if (v.length > 16 * 1024) throw errors.invalid(name, 'must be at most 16384 characters');
  return v;
}

export function urlParam(form: Params, name: string): string | null | undefined {
  const v = form.str(name);
  if (v === undefined) return undefined;
  if (v === '') return null;
  if (!/^https?:\/\/\S+$/i.test(v)) throw errors.invalid(name, `'${v}' is not an absolute http(s) URL`);
  return v;
}

export function dateParam(p: Params, name: string): string | undefined {
  const v = p.str(name);
  if (v === undefined || v === '') return undefined;
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || !Number.isFinite(ms)) throw errors.invalid(name, `'${v}' is not an ISO 8601 date-time`);
  return isoSeconds(new Date(ms));
}

/**
 * The ETag of a versioned document (task, reservation, worker) [OAI: ETag response header]: its
 * version, which If-Match names to update only that version [unverified: Twilio's ETag text].
 */
export function withETag(reply: Reply, doc: {_: {version: number}}): Reply {
  return {...reply, headers: {...reply.headers, ETag: `"${doc._.version}"`}};
}

export const ifMatch = (ctx: Ctx): string | undefined => {
  const h = ctx.headers['if-match'];
  return Array.isArray(h) ? h[0] : h;
};

export {notImplemented} from '../../router.js';
