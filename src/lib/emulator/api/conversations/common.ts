import {parseDuration, isoSeconds} from '../../engine/clock.js';
import {restOrigin, type Origin} from '../../engine/conversations/hooks.js';
import {accountConfig} from '../../engine/conversations/ops.js';
import {errors, TwilioApiError} from '../../errors.js';
import {CONVERSATIONS, MESSAGES, PARTICIPANTS, RECEIPTS, SCOPED_WEBHOOKS, SERVICES, type ConversationDoc} from '../../model/conversations.js';
import {positionPage, readPaging, tablePage} from '../../paging.js';
import type {Params} from '../../params.js';
import {RawJson, type Ctx} from '../../router.js';
import type {ListQuery} from '../../store/repository.js';
import type {TableDecl} from '../../store/table.js';
import {Tx} from '../../store/tx.js';

/**
 * The service-scoped subtree is mounted twice: `/v1/...` acts on the account's default
 * service, `/v1/Services/{ChatServiceSid}/...` on the one named [docs].
 */
export const MOUNTS = ['/v1', '/v1/Services/:ChatServiceSid'];

/** A Tx for reads outside any write (no transaction is opened). */
export const reader = (ctx: Ctx): Tx => new Tx(ctx.store, ctx.accountSid, ctx.clock.now());

/** The service a request acts on: the one in the path (404 when unknown), else the default. */
export function serviceSid(ctx: Ctx): string {
  const named = ctx.params.ChatServiceSid;
  if (named === undefined) return accountConfig(reader(ctx)).default_chat_service_sid;
  if (!ctx.store.repo(SERVICES).get(ctx.accountSid, named)) throw errors.notFound(`/v1/Services/${named}`);
  return named;
}

/** The path the request's subtree hangs under: `/v1` or `/v1/Services/IS…`. */
export function scope(ctx: Ctx): string {
  return ctx.params.ChatServiceSid === undefined ? '/v1' : `/v1/Services/${ctx.params.ChatServiceSid}`;
}

/** The conversation of the path (a CH sid or its unique name) in the request's service. */
export function conversationOf(ctx: Ctx, key = ctx.params.ConversationSid ?? ctx.params.Sid): ConversationDoc {
  const service = serviceSid(ctx);
  const repo = ctx.store.repo(CONVERSATIONS);
  const doc = /^CH[0-9a-fA-F]{32}$/.test(key) ? repo.get(ctx.accountSid, key, service) : repo.findBy(ctx.accountSid, {unique_name: key}, service);
  if (!doc) throw errors.notFound(`${scope(ctx)}/Conversations/${key}`);
  return doc;
}

/** REST actions fire webhooks only with X-Twilio-Webhook-Enabled: true [docs]. */
export function origin(ctx: Ctx): Origin {
  const h = ctx.headers['x-twilio-webhook-enabled'];
  return restOrigin((Array.isArray(h) ? h[0] : h)?.toLowerCase() === 'true');
}

/** A JSON-string parameter (Attributes): refused unless it parses [unverified: Twilio's code]. */
export function jsonParam(form: Params, name: string, max = 16 * 1024): string | undefined {
  const v = form.str(name);
  if (v === undefined) return undefined;
  if (v === '') return '{}';
  if (v.length > max) throw errors.invalid(name, `must be at most ${max} characters`);
  try {
    JSON.parse(v);
  } catch {
    throw errors.invalid(name, `'${v.slice(0, 80)}' is not valid JSON`);
  }
  return v;
}

/** An ISO 8601 date-time parameter, stored as Twilio writes dates. */
export function dateParam(form: Params, name: string): string | undefined {
  const v = form.str(name);
  if (v === undefined || v === '') return undefined;
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || !Number.isFinite(ms)) throw errors.invalid(name, `'${v}' is not an ISO 8601 date-time`);
  return isoSeconds(new Date(ms));
}

/**
 * An ISO 8601 duration (`Timers.Inactive`, `DefaultClosedTimer`): ms, null when sent empty
 * (clears it), undefined when absent. Minimums per the spec: inactive PT1M, closed PT10M.
 */
export function durationParam(form: Params, name: string, minMs: number): number | null | undefined {
  const v = form.str(name);
  if (v === undefined) return undefined;
  if (v === '') return null;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw errors.invalid(name, `'${v}' is not an ISO 8601 duration (for example PT10M)`);
  if (ms < minMs) throw errors.invalid(name, `must be at least ${minMs / 60000} minutes (${v} is shorter)`);
  return ms;
}

export const MIN_INACTIVE_MS = 60_000;
export const MIN_CLOSED_MS = 600_000;

/** Tables whose service-scoped views carry `chat_service_sid` and whose account-level views don't (the specs'). */
const SERVICE_FIELD = new Set<TableDecl<any>>([PARTICIPANTS, MESSAGES, RECEIPTS, SCOPED_WEBHOOKS]);

function urlsFor(ctx: Ctx, decl: TableDecl<any>, collection: string) {
  const urls = ctx.urls(collection);
  return SERVICE_FIELD.has(decl) && ctx.params.ChatServiceSid === undefined ? {...urls, omit: 'chat_service_sid'} : urls;
}

/** One stored document, rendered for the collection at `collection`. */
export function render<T extends {sid: string}>(ctx: Ctx, decl: TableDecl<T>, doc: T, collection: string): RawJson {
  return new RawJson(ctx.store.repo(decl).render(doc, urlsFor(ctx, decl, collection)));
}

/** A stored list, paged (index-backed). */
export function list<T extends {sid: string}>(
  ctx: Ctx,
  decl: TableDecl<T>,
  opts: {collection: string; key: string; max: number; parent?: string; query?: ListQuery<T>; filters?: Record<string, string>},
): RawJson {
  return tablePage(ctx, decl, urlsFor(ctx, decl, opts.collection), opts);
}

/**
 * A derived list (items built from other rows, not stored): paged by position; the cursor of
 * PA<n> / PB<n> is a position here.
 */
export function derivedList(ctx: Ctx, items: unknown[], opts: {collection: string; key: string; max: number; filters?: Record<string, string>}): RawJson {
  const texts = items.map((i) => JSON.stringify(i));
  return positionPage(ctx.url(opts.collection), opts.key, texts, readPaging(ctx.query, opts.max), opts.filters ?? {});
}

export {notImplemented} from '../../router.js';
