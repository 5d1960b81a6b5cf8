import type {Database, Statement} from 'better-sqlite3';

/** Where a page starts: after/before a known seq (cursor), or at an offset (plain Page=N). */
export type PageStart = {after: number} | {before: number} | {offset: number};

/** One page of a list, already rendered: `items` is the JSON text of the items, comma-separated. */
export interface PageResult {
  items: string;
  /** Length of `items` in UTF-8 bytes. */
  itemsBytes: number;
  count: number;
  /** seq of the first and last item (undefined on an empty page). */
  first?: number;
  last?: number;
  hasNext: boolean;
  hasPrevious: boolean;
}

export interface RepoOptions<T> {
  /** Key columns: column name → how to read it from the document. */
  keys: Record<string, (doc: T) => string>;
  /** Sub-resource links every item carries (`{participants: 'Participants'}` → links.participants = url + '/Participants'). */
  links?: Record<string, string>;
}

/**
 * Scopes (account + parent) with more rows than this are listed from SQLite page by page
 * instead of being held in memory.
 */
export const MAX_LISTED_IN_MEMORY = 100_000;

/** Rows of one scope as parallel arrays, in seq order (a page is a range of indexes). */
interface Rows {
  seqs: number[];
  sids: string[];
  texts: string[];
}

/**
 * The rows of one (account, parent) scope in insertion order, held in memory once the scope is
 * first listed and kept in step by every write of the repository (write-through: SQLite stays
 * the source of truth, and any rolled-back transaction drops every listing).
 */
class Listing implements Rows {
  seqs: number[] = [];
  sids: string[] = [];
  texts: string[] = [];
  /**
   * Items as last rendered (with url and links) for `renderedBase`, filled as pages are read:
   * clients keep asking with the same base URL, and rendering is a third of a list's own work.
   */
  rendered: (string | undefined)[] = [];
  /** UTF-8 length of each rendered item (so a response's Content-Length needs no pass over it). */
  renderedBytes: number[] = [];
  renderedBase = '';

  /** First index whose seq is ≥ seq (binary search). */
  lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Pages served since the last change, by base URL and position: a change empties it. */
  pages = new Map<string, PageResult>();

  push(seq: number, sid: string, text: string): void {
    this.pages.clear();
    this.seqs.push(seq);
    this.sids.push(sid);
    this.texts.push(text);
    this.rendered.push(undefined);
    this.renderedBytes.push(0);
  }

  replace(i: number, text: string): void {
    this.pages.clear();
    this.texts[i] = text;
    this.rendered[i] = undefined;
  }

  indexOfSid(sid: string, seq: number | undefined): number {
    if (seq !== undefined) {
      const i = this.lowerBound(seq);
      return this.sids[i] === sid ? i : -1;
    }
    return this.sids.indexOf(sid);
  }

  remove(i: number): void {
    this.pages.clear();
    this.seqs.splice(i, 1);
    this.sids.splice(i, 1);
    this.texts.splice(i, 1);
    this.rendered.splice(i, 1);
    this.renderedBytes.splice(i, 1);
  }
}

/**
 * One repository shape for every emulated resource: documents stored as JSON, scoped to an
 * account (and a parent resource for nested lists), listed in insertion order (`seq`) and paged
 * by position or cursor, never by scanning, with a few indexed key columns for lookups, filters
 * and uniqueness.
 *
 * Reads of unfiltered lists come from an in-memory listing of the scope (see Listing); filtered
 * lists read SQLite through the (account, parent, key, seq) index.
 *
 * A document is stored without `url`/`links` (they depend on the URL the client used);
 * `renderText` adds them, for one document and for every item of a list alike: the document's
 * fields, then `url`, then `links`.
 */
export class ResourceRepo<T extends {sid: string}> {
  private readonly stmts = new Map<string, Statement>();
  private readonly keys: Record<string, (doc: T) => string>;
  private readonly links: [string, string][];
  private listings = new Map<string, Listing>();

  constructor(
    private readonly db: Database,
    readonly table: string,
    options: RepoOptions<T>,
  ) {
    this.keys = options.keys;
    this.links = Object.entries(options.links ?? {});
  }

  /**
   * The API JSON of one stored document: its text with `url` (base + sid) and `links` spliced
   * in before the closing brace. `base` is JSON-escaped once per call site (see `quoteBase`).
   */
  private renderText(text: string, sid: string, quotedBase: string): string {
    let out = `${text.slice(0, -1)},"url":${quotedBase}${sid}"`;
    if (this.links.length) {
      out += ',"links":{';
      for (let i = 0; i < this.links.length; i++)
        out += `${i ? ',' : ''}"${this.links[i][0]}":${quotedBase}${sid}/${this.links[i][1]}"`;
      out += '}';
    }
    return `${out}}`;
  }

  /** The API representation of one document (`base` = the collection URL). */
  render(doc: T, base: string): string {
    return this.renderText(JSON.stringify(doc), doc.sid, quoteBase(base));
  }

  private stmt(key: string, sql: () => string): Statement {
    let s = this.stmts.get(key);
    if (!s) {
      s = this.db.prepare(sql());
      this.stmts.set(key, s);
    }
    return s;
  }

  private keyValues(doc: T): string[] {
    return Object.values(this.keys).map((read) => read(doc));
  }

  /** Drop every in-memory listing (after a rollback or a reset): the next list reloads from SQLite. */
  forget(): void {
    this.listings = new Map();
    this.tooLarge.clear();
  }

  /** Scopes found too large to hold (listed from SQLite; not counted again until forget()). */
  private readonly tooLarge = new Set<string>();

  /**
   * Counts changes made to in-memory listings, so a rolled-back transaction that changed none
   * (the usual case: a request refused before or by its one write) keeps them.
   */
  get listingChanges(): number {
    return this.changes;
  }
  private changes = 0;

  /** How many times a listing was loaded from SQLite (a diagnostic for tests). */
  listingLoads = 0;

  /**
   * Store a new document; its seq. With `uniqueKey`, a document whose key column already holds
   * that value in the account is not an error but `undefined` (the caller answers the conflict).
   */
  insert(accountSid: string, doc: T, parentSid?: string): number;
  insert(accountSid: string, doc: T, parentSid: string, uniqueKey: string): number | undefined;
  insert(accountSid: string, doc: T, parentSid = '', uniqueKey?: string): number | undefined {
    const cols = Object.keys(this.keys);
    const text = JSON.stringify(doc);
    let info: {lastInsertRowid: number | bigint};
    try {
      info = this.stmt(
        'insert',
        () => `INSERT INTO ${this.table} (sid, account_sid, parent_sid, doc${cols.map((c) => `, ${c}`).join('')})
          VALUES (?, ?, ?, ?${cols.map(() => ', ?').join('')})`,
      ).run(doc.sid, accountSid, parentSid, text, ...this.keyValues(doc));
    } catch (error) {
      // "UNIQUE constraint failed: address_configurations.account_sid, address_configurations.address"
      const e = error as {code?: string; message?: string};
      if (uniqueKey && e.code === 'SQLITE_CONSTRAINT_UNIQUE' && e.message?.endsWith(`${this.table}.${uniqueKey}`))
        return undefined;
      throw error;
    }
    const seq = Number(info.lastInsertRowid);
    // seq only grows (AUTOINCREMENT), so a new row always goes last
    const listing = this.listings.get(scopeKey(accountSid, parentSid));
    if (listing) {
      listing.push(seq, doc.sid, text);
      this.changes++;
    }
    return seq;
  }

  get(accountSid: string, sid: string, parentSid = ''): T | undefined {
    const text = this.stmt('get', () => `SELECT doc FROM ${this.table} WHERE sid = ? AND account_sid = ? AND parent_sid = ?`)
      .pluck()
      .get(sid, accountSid, parentSid) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  /** First document whose key columns equal the given values. */
  findBy(accountSid: string, where: Record<string, string>, parentSid = ''): T | undefined {
    const cols = Object.keys(where);
    const text = this.stmt(
      `findBy:${cols}`,
      () =>
        `SELECT doc FROM ${this.table} WHERE account_sid = ? AND parent_sid = ?${cols
          .map((c) => ` AND ${c} = ?`)
          .join('')} ORDER BY seq LIMIT 1`,
    )
      .pluck()
      .get(accountSid, parentSid, ...Object.values(where)) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  update(accountSid: string, doc: T, parentSid = ''): void {
    const cols = Object.keys(this.keys);
    const text = JSON.stringify(doc);
    const seq = this.stmt(
      'update',
      () => `UPDATE ${this.table} SET doc = ?${cols.map((c) => `, ${c} = ?`).join('')}
        WHERE sid = ? AND account_sid = ? AND parent_sid = ? RETURNING seq`,
    )
      .pluck()
      .get(text, ...this.keyValues(doc), doc.sid, accountSid, parentSid) as number | undefined;
    const listing = this.listings.get(scopeKey(accountSid, parentSid));
    if (listing && seq !== undefined) {
      const i = listing.indexOfSid(doc.sid, seq);
      if (i >= 0) {
        listing.replace(i, text);
        this.changes++;
      }
    }
  }

  delete(accountSid: string, sid: string, parentSid = ''): boolean {
    const seq = this.stmt(
      'delete',
      () => `DELETE FROM ${this.table} WHERE sid = ? AND account_sid = ? AND parent_sid = ? RETURNING seq`,
    )
      .pluck()
      .get(sid, accountSid, parentSid) as number | undefined;
    if (seq === undefined) return false;
    const listing = this.listings.get(scopeKey(accountSid, parentSid));
    if (listing) {
      const i = listing.indexOfSid(sid, seq);
      if (i >= 0) {
        listing.remove(i);
        this.changes++;
      }
    }
    return true;
  }

  count(accountSid: string, parentSid = ''): number {
    return this.stmt('count', () => `SELECT COUNT(*) FROM ${this.table} WHERE account_sid = ? AND parent_sid = ?`)
      .pluck()
      .get(accountSid, parentSid) as number;
  }

  /** The scope's listing, loaded from SQLite on first use; undefined when the scope is too large to hold. */
  private listing(accountSid: string, parentSid: string): Listing | undefined {
    const key = scopeKey(accountSid, parentSid);
    let listing = this.listings.get(key);
    if (listing) return listing;
    if (this.tooLarge.has(key)) return undefined;
    if (this.count(accountSid, parentSid) > MAX_LISTED_IN_MEMORY) {
      this.tooLarge.add(key);
      return undefined;
    }
    listing = new Listing();
    const rows = this.stmt(
      'listing',
      () => `SELECT seq, sid, doc FROM ${this.table} WHERE account_sid = ? AND parent_sid = ? ORDER BY seq`,
    )
      .raw()
      .iterate(accountSid, parentSid) as IterableIterator<[number, string, string]>;
    for (const [seq, sid, text] of rows) listing.push(seq, sid, text);
    this.listings.set(key, listing);
    this.listingLoads++;
    return listing;
  }

  /**
   * One page in insertion order, rendered (`base` = the collection URL). Unfiltered lists are
   * ranges of the in-memory listing (binary search for cursors); filtered ones (and scopes too
   * large to hold) read SQLite through the (account, parent[, filter], seq) index.
   */
  page(
    accountSid: string,
    where: Record<string, string>,
    start: PageStart,
    size: number,
    base: string,
    parentSid = '',
  ): PageResult {
    const listing = Object.keys(where).length === 0 ? this.listing(accountSid, parentSid) : undefined;
    // the same page asked again (polling, a benchmark) while nothing changed: the same result object
    const key = listing && `${base}\n${'after' in start ? `a${start.after}` : 'before' in start ? `b${start.before}` : `o${start.offset}`}\n${size}`;
    const seen = key === undefined ? undefined : listing!.pages.get(key);
    if (seen) return seen;
    const {rows, from, to, hasNext, hasPrevious} = listing
      ? pageOf(listing, start, size)
      : this.sqlPage(accountSid, where, start, size, parentSid);
    const quoted = quoteBase(base);
    if (listing && listing.renderedBase !== quoted) {
      listing.renderedBase = quoted;
      listing.rendered = new Array(listing.seqs.length);
      listing.renderedBytes = new Array(listing.seqs.length).fill(0);
    }
    let items = '';
    let itemsBytes = Math.max(to - from - 1, 0); // the commas
    for (let i = from; i < to; i++) {
      let item = listing?.rendered[i];
      let bytes: number;
      if (item === undefined) {
        item = this.renderText(rows.texts[i], rows.sids[i], quoted);
        bytes = Buffer.byteLength(item);
        if (listing) {
          listing.rendered[i] = item;
          listing.renderedBytes[i] = bytes;
        }
      } else bytes = listing!.renderedBytes[i];
      items += i > from ? `,${item}` : item;
      itemsBytes += bytes;
    }
    const result: PageResult = {
      items,
      itemsBytes,
      count: to - from,
      first: to > from ? rows.seqs[from] : undefined,
      last: to > from ? rows.seqs[to - 1] : undefined,
      hasNext,
      hasPrevious,
    };
    if (key !== undefined) {
      if (listing!.pages.size >= 64) listing!.pages.clear();
      listing!.pages.set(key, result);
    }
    return result;
  }

  private sqlPage(
    accountSid: string,
    where: Record<string, string>,
    start: PageStart,
    size: number,
    parentSid: string,
  ): {rows: Rows; from: number; to: number; hasNext: boolean; hasPrevious: boolean} {
    const cols = Object.keys(where);
    const filter = `account_sid = ? AND parent_sid = ?${cols.map((c) => ` AND ${c} = ?`).join('')}`;
    const args: unknown[] = [accountSid, parentSid, ...Object.values(where)];
    // The limit goes into the SQL text: SQLite reads a bound LIMIT while planning, so binding it
    // re-prepares the statement on every call (measured: twice the cost of the query).
    const limit = Math.trunc(size) + 1;
    const select = (kind: string, tail: string, arg: number) =>
      this.stmt(`page:${kind}:${cols}:${limit}`, () => `SELECT seq, sid, doc FROM ${this.table} WHERE ${filter}${tail}`)
        .raw()
        .all(...args, arg) as [number, string, string][];
    const exists = (op: string, seq: number) =>
      this.stmt(`exists:${cols}:${op}`, () => `SELECT 1 FROM ${this.table} WHERE ${filter} AND seq ${op} ? LIMIT 1`).get(
        ...args,
        seq,
      ) !== undefined;
    let found: [number, string, string][];
    let hasNext: boolean;
    let hasPrevious: boolean;
    if ('before' in start) {
      found = select('before', ` AND seq < ? ORDER BY seq DESC LIMIT ${limit}`, start.before);
      hasPrevious = found.length > size;
      found = found.slice(0, size).reverse();
      // the cursor row itself may be gone: is anything left at or after it?
      hasNext = exists('>=', start.before);
    } else if ('after' in start) {
      found = select('after', ` AND seq > ? ORDER BY seq LIMIT ${limit}`, start.after);
      hasNext = found.length > size;
      found = found.slice(0, size);
      hasPrevious = exists('<=', start.after);
    } else {
      found = select('offset', ` ORDER BY seq LIMIT ${limit} OFFSET ?`, start.offset);
      hasNext = found.length > size;
      found = found.slice(0, size);
      hasPrevious = start.offset > 0;
    }
    const rows: Rows = {seqs: found.map((r) => r[0]), sids: found.map((r) => r[1]), texts: found.map((r) => r[2])};
    return {rows, from: 0, to: found.length, hasNext, hasPrevious};
  }
}

/** A page of a listing as a range of indexes, with the same cursor rules as the SQL path. */
function pageOf(
  listing: Listing,
  start: PageStart,
  size: number,
): {rows: Rows; from: number; to: number; hasNext: boolean; hasPrevious: boolean} {
  const n = listing.seqs.length;
  if ('before' in start) {
    const end = listing.lowerBound(start.before);
    const from = Math.max(0, end - size);
    // the cursor row itself may be gone: is anything left at or after it?
    return {rows: listing, from, to: end, hasNext: end < n, hasPrevious: from > 0};
  }
  const from = 'after' in start ? listing.lowerBound(start.after + 1) : Math.min(start.offset, n);
  const to = Math.min(from + size, n);
  return {rows: listing, from, to, hasNext: to < n, hasPrevious: 'after' in start ? from > 0 : start.offset > 0};
}

function scopeKey(accountSid: string, parentSid: string): string {
  return `${accountSid}/${parentSid}`;
}

/** `http://h/x` → `"http://h/x/` : the opening quote and the JSON-escaped base, ready for a sid and a closing quote. */
function quoteBase(base: string): string {
  return `${JSON.stringify(base).slice(0, -1)}/`;
}
