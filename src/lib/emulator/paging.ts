import {errors} from './errors.js';
import type {Params} from './params.js';
import {RawJson} from './router.js';
import type {Ctx} from './router.js';
import type {ListQuery, PageResult, PageStart, RenderUrls} from './store/repository.js';
import type {TableDecl} from './store/table.js';

export interface Paging {
  size: number;
  page: number;
  start: PageStart;
  token?: string;
}

export const DEFAULT_PAGE_SIZE = 50;

/**
 * Read PageSize/Page/PageToken. PageSize above the endpoint's maximum is clamped (the SDK asks
 * for min(limit, 1000) and follows next_page_url, so clamping keeps list() working); below 1 is
 * a 400. PageToken is our cursor: PA<seq> = after that row, PB<seq> = before it (a list sorted by
 * a column adds _<base64url of the row's value of it>, so it goes on from there if the row is deleted).
 */
export function readPaging(query: Params, maxPageSize = 1000): Paging {
  const requested = query.int('PageSize', {min: 1}) ?? DEFAULT_PAGE_SIZE;
  const size = Math.min(requested, maxPageSize);
  const page = query.int('Page', {min: 0}) ?? 0;
  const token = query.str('PageToken');
  if (token) {
    // P[AB]<seq>, and for a list sorted by a column, _<that column's value at the cursor, base64url>
    const m = /^P([AB])(\d{1,16})(?:_([A-Za-z0-9_-]{1,344}))?$/.exec(token);
    const seq = m ? Number(m[2]) : NaN;
    if (!m || !Number.isSafeInteger(seq)) throw errors.invalid('PageToken', `'${token}' is not a page token this API issued`);
    const key = m[3] === undefined ? undefined : Buffer.from(m[3], 'base64url').toString('utf8');
    const start = m[1] === 'A' ? {after: seq} : {before: seq};
    return {size, page, token, start: key === undefined ? start : {...start, key}};
  }
  if (!Number.isSafeInteger(page * size)) throw errors.invalid('Page', `${page} is out of range`);
  return {size, page, start: {offset: page * size}};
}

/**
 * Twilio's list envelope: {<key>: [...], meta: {page, page_size, first_page_url,
 * previous_page_url, url, next_page_url, key}} with absolute URLs back to this emulator, keeping
 * the request's filters in every page URL. The items arrive already rendered (see
 * ResourceRepo.page), so the body is assembled as text.
 */
export function pageBody(
  collectionUrl: string,
  key: string,
  result: PageResult,
  paging: Paging,
  filters: Record<string, string>,
): RawJson {
  // a page served again unchanged (ResourceRepo.page hands out the same result): the same body
  let bodies = built.get(result);
  const memoKey = `${collectionUrl}\n${key}\n${paging.page}\n${paging.token ?? ''}\n${JSON.stringify(filters)}`;
  const seen = bodies?.get(memoKey);
  if (seen) return seen;
  if (!bodies) built.set(result, (bodies = new Map()));
  else if (bodies.size >= 16) bodies.clear();
  let query = '';
  for (const name in filters) query += `${encodeURIComponent(name)}=${encodeURIComponent(filters[name])}&`;
  // every link is this JSON-escaped prefix plus characters that need no escaping
  const prefix = JSON.stringify(`${collectionUrl}?${query}PageSize=${paging.size}&Page=`).slice(0, -1);
  const link = (page: number, token?: string) => `${prefix}${page}${token ? `&PageToken=${token}` : ''}"`;
  // cursors around this page (an empty page, its records deleted meanwhile, keeps the request's)
  const prevSeq = result.prevSeq;
  const nextSeq = result.nextSeq;
  // a PageToken without Page (curl users copy just the token) still gets its previous link
  const withKey = (k: string | undefined) => (k === undefined ? '' : `_${Buffer.from(k, 'utf8').toString('base64url')}`);
  const previous =
    result.hasPrevious && prevSeq !== undefined ? link(Math.max(paging.page - 1, 0), `PB${prevSeq}${withKey(result.prevKey)}`) : 'null';
  const next = result.hasNext && nextSeq !== undefined ? link(paging.page + 1, `PA${nextSeq}${withKey(result.nextKey)}`) : 'null';
  // the request's own token is echoed as sent (readPaging accepts only P[AB]<digits>[_<base64url>])
  const quotedKey = JSON.stringify(key);
  const head = `{${quotedKey}:[`;
  const tail =
    `],"meta":{"page":${paging.page},"page_size":${paging.size},` +
    `"first_page_url":${link(0)},"previous_page_url":${previous},"url":${link(paging.page, paging.token)},` +
    `"next_page_url":${next},"key":${quotedKey}}}`;
  const body = new RawJson(head + result.items + tail, Buffer.byteLength(head) + result.itemsBytes + Buffer.byteLength(tail));
  bodies.set(memoKey, body);
  return body;
}

/** Bodies built per page result (results are immutable, and dropped with their listing's next change). */
const built = new WeakMap<PageResult, Map<string, RawJson>>();

/**
 * One page of a list built in memory (derived items that are not rows of one table): JSON texts
 * paged by position, so PA<n> / PB<n> are positions here. `collectionUrl` as for pageBody.
 */
export function positionPage(
  collectionUrl: string,
  key: string,
  texts: string[],
  paging: Paging,
  filters: Record<string, string>,
): RawJson {
  const s = paging.start;
  const from = 'offset' in s ? s.offset : 'after' in s ? s.after : Math.max(0, s.before - paging.size);
  const to = 'before' in s ? Math.min(s.before, texts.length) : Math.min(from + paging.size, texts.length);
  const page = texts.slice(from, Math.max(from, to));
  const text = page.join(',');
  const result: PageResult = {
    items: text,
    itemsBytes: Buffer.byteLength(text),
    count: page.length,
    prevSeq: from,
    nextSeq: Math.max(from, to),
    hasNext: to < texts.length,
    hasPrevious: from > 0,
  };
  return pageBody(collectionUrl, key, result, paging, filters);
}

/** One page of a declared table's rows in the request's account: the list handler of every domain. */
export function tablePage<T extends {sid: string}>(
  ctx: Ctx,
  decl: TableDecl<T>,
  urls: RenderUrls,
  opts: {key: string; max: number; parent?: string; query?: ListQuery<T>; filters?: Record<string, string>},
): RawJson {
  const paging = readPaging(ctx.query, opts.max);
  const result = ctx.store.repo(decl).page(ctx.accountSid, opts.query ?? {}, paging.start, paging.size, urls, opts.parent ?? '');
  return pageBody(urls.base, opts.key, result, paging, opts.filters ?? {});
}
