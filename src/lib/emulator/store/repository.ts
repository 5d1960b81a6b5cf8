import type {Database, Statement} from 'better-sqlite3';
import type {KeyDecl, KeyValue, LinkDecl, TableDecl, UniqueDecl} from './table.js';

/**
 * Where a page starts: after/before a known seq (cursor, in the list's order), or at an offset.
 * A list sorted by a key column (ListQuery.orderBy) also carries the cursor row's value of it,
 * so that a page goes on from there even when that row was deleted meanwhile.
 */
export type PageStart = {after: number; key?: string} | {before: number; key?: string} | {offset: number};

/** One page of a list, already rendered: `items` is the JSON text of the items, comma-separated. */
export interface PageResult {
  items: string;
  /** Length of `items` in UTF-8 bytes. */
  itemsBytes: number;
  count: number;
  /** Cursor for the previous page (PB<seq>) and the next (PA<seq>), in the list's order. */
  prevSeq?: number;
  nextSeq?: number;
  /** With ListQuery.orderBy: the sort column's value at those cursors (text). */
  prevKey?: string;
  nextKey?: string;
  hasNext: boolean;
  hasPrevious: boolean;
}

/** A condition on a key column: a value (NULL matches IS NULL), a set, a range or a negation. */
export type Cond =
  | KeyValue
  | {in: KeyValue[]}
  | {gt?: KeyValue; gte?: KeyValue; lt?: KeyValue; lte?: KeyValue}
  | {ne: KeyValue};

export interface ListQuery<T> {
  /** Conditions on key columns, all of which must hold (SQL, through the indexes). */
  where?: Record<string, Cond>;
  /** `desc`: newest first (Order=desc). */
  order?: 'asc' | 'desc';
  /**
   * Sort by this key column (then seq) instead of by seq alone, e.g. date_created for a list
   * the spec says is "sorted by latest creation date". A page goes on from the cursor's
   * (column value, seq): page tokens carry both (PageStart.key). Always read through SQL.
   */
  orderBy?: string;
  /** A predicate over the rows SQL narrowed down (JSON attributes, computed fields). */
  filter?: (doc: T) => boolean;
}

/** URLs a rendered item needs: its collection's URL and its domain's root (for links to any path). */
export interface RenderUrls {
  /** The collection URL (the item's url is base + '/' + sid). */
  base: string;
  /** The domain's root URL (`http://127.0.0.1:4010/conversations`), for links given as paths. */
  root: string;
  /**
   * A property left out of this rendering: the document's first property, a string or null
   * (Twilio's account-level views of service resources lack the `chat_service_sid` that their
   * service-scoped views carry).
   */
  omit?: string;
}

/**
 * Scopes (account + parent) with more rows than this are listed from SQLite page by page
 * instead of being held in memory.
 */
export const MAX_LISTED_IN_MEMORY = 100_000;

/** Scopes whose newest key values a repository keeps at most (past it, it starts over). */
const NEWEST_KEPT_MAX = 10_000;

/** Scopes whose SQL pages a repository keeps at once (all dropped past it). */
const MEMO_SCOPES = 256;

/** Rows as parallel arrays, in seq order (a page is a range of indexes). */
interface Rows {
  seqs: number[];
  sids: string[];
  texts: string[];
  /** The ListQuery.orderBy column's values (SQL pages of such a list only; undefined where NULL). */
  keys?: (string | undefined)[];
}

/** Documents kept by a repository's shared() at most (they are small: configurations, services). */
const SHARED_DOCS_MAX = 1000;
/** Rows of one scope sharedAll() keeps at most (a conversation's participants, its webhooks). */
const SHARED_ALL_MAX = 50;

/** A shared reader's kept result, with the account (and parent, or find column) it was read for. */
interface Kept {
  a: string;
  p: string;
  v: unknown;
}

/** What the shared readers keep, one map per reader; SHARED_DOCS_MAX entries in all, then it starts over. */
class SharedDocs {
  readonly gets = new Map<string, Kept>();
  readonly locates = new Map<string, Kept>();
  readonly finds = new Map<string, Kept>();
  readonly alls = new Map<string, Kept>();
  size = 0;

  put(map: Map<string, Kept>, key: string, kept: Kept): void {
    if (this.size >= SHARED_DOCS_MAX) this.clear();
    if (!map.has(key)) this.size++;
    map.set(key, kept);
  }

  clear(): void {
    if (this.size === 0) return;
    this.gets.clear();
    this.locates.clear();
    this.finds.clear();
    this.alls.clear();
    this.size = 0;
  }
}

/** Freeze an object and everything it holds (a shared document can't be changed by mistake). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Memory a listing row costs beyond its strings (arrays' slots, the sid, bookkeeping). */
const ROW_OVERHEAD = 120;

/**
 * The one memory budget of every in-memory listing of a store: listings are charged for their
 * rows' text (stored and rendered), and past the limit the least recently used are dropped (the
 * next list of their scope reads SQLite, and loads the listing again when it fits).
 */
export class ListingBudget {
  used = 0;
  /** Listings in least-recently-used order (a Map keeps insertion order; a use re-inserts). */
  private readonly lru = new Map<Listing, () => void>();

  constructor(readonly limit: number) {}

  /** Register a listing with the function that drops it from its repository. */
  add(listing: Listing, drop: () => void): void {
    this.lru.set(listing, drop);
    this.used += listing.bytes;
  }

  use(listing: Listing): void {
    const drop = this.lru.get(listing);
    if (drop === undefined) return;
    this.lru.delete(listing);
    this.lru.set(listing, drop);
  }

  charge(listing: Listing, bytes: number): void {
    listing.bytes += bytes;
    if (this.lru.has(listing)) this.used += bytes;
  }

  remove(listing: Listing): void {
    if (this.lru.delete(listing)) this.used -= listing.bytes;
  }

  /** Drop the least recently used listings until the budget holds. */
  enforce(): void {
    while (this.used > this.limit && this.lru.size) {
      const [listing, drop] = this.lru.entries().next().value!;
      this.remove(listing);
      drop();
    }
  }

  get size(): number {
    return this.lru.size;
  }
}

/**
 * The rows of one (account, parent) scope in insertion order, held in memory once the scope is
 * first listed and kept in step by every write of the repository (write-through: SQLite stays
 * the source of truth; a rolled-back transaction drops the listings it changed).
 */
export class Listing implements Rows {
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
  /** What this listing is charged in its budget (an estimate of its strings' memory). */
  bytes = 0;
  /** Pages served since the last change, by base URL and position: a change empties it. */
  pages = new Map<string, PageResult>();

  constructor(private readonly budget: ListingBudget) {}

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

  push(seq: number, sid: string, text: string): void {
    this.pages.clear();
    this.seqs.push(seq);
    this.sids.push(sid);
    this.texts.push(text);
    this.rendered.push(undefined);
    this.renderedBytes.push(0);
    this.budget.charge(this, text.length + ROW_OVERHEAD);
  }

  replace(i: number, text: string): void {
    this.pages.clear();
    this.budget.charge(this, text.length - this.texts[i].length - (this.rendered[i]?.length ?? 0));
    this.texts[i] = text;
    this.rendered[i] = undefined;
  }

  setRendered(i: number, item: string, bytes: number): void {
    const before = this.rendered[i]?.length ?? 0;
    this.rendered[i] = item;
    this.renderedBytes[i] = bytes;
    this.budget.charge(this, item.length - before);
  }

  /** Forget every rendered item (a client came with another base URL). */
  rebase(quoted: string): void {
    let freed = 0;
    for (const r of this.rendered) if (r !== undefined) freed += r.length;
    this.budget.charge(this, -freed);
    this.renderedBase = quoted;
    this.rendered = new Array(this.seqs.length);
    this.renderedBytes = new Array(this.seqs.length).fill(0);
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
    this.budget.charge(this, -(this.texts[i].length + (this.rendered[i]?.length ?? 0) + ROW_OVERHEAD));
    this.seqs.splice(i, 1);
    this.sids.splice(i, 1);
    this.texts.splice(i, 1);
    this.rendered.splice(i, 1);
    this.renderedBytes.splice(i, 1);
  }
}

/** What a repository reports to its store: a listing it changed (so a rollback can drop it). */
export interface RepoHost {
  budget: ListingBudget;
  /** A listing of `repo`'s scope changed inside the current transaction. */
  changed(repo: ResourceRepo<any>, scope: string): void;
  /** The repositories of the tables whose parent is this table (deletes cascade into them). */
  children(decl: TableDecl<any>): ResourceRepo<any>[];
  /** Undo an in-memory change if the current transaction rolls back. */
  onUndo(undo: () => void): void;
}

/**
 * One part of a scoped query (see "Deferred list index"): its WHERE text for the scope (account,
 * and parent when scoped; `?` placeholders) and the arguments that go first; `name` tells the
 * statements apart.
 */
interface Arm {
  name: string;
  where: string;
  args: unknown[];
}

/** The flexconv_meta key of a deferred list index's watermark (see "Deferred list index"). */
export function listedWatermarkKey(table: string): string {
  return `listed_up_to:${table}`;
}

/**
 * One repository shape for every emulated resource, derived from its table declaration:
 * documents stored as JSON, scoped to an account (and a parent row for nested lists), listed in
 * insertion order (`seq`) and paged by position or cursor, with declared key columns for
 * lookups, filters, uniqueness and ranges.
 *
 * Reads of unfiltered lists come from an in-memory listing of the scope when the table keeps
 * one (see Listing); other lists read SQLite through the (account, parent[, key], seq) indexes.
 *
 * A document is stored without `url`/`links` (they depend on the URL the client used);
 * rendering adds them, for one document and for every item of a list alike: the document's
 * fields, then `url`, then `links`.
 */
export class ResourceRepo<T extends {sid: string}> {
  readonly table: string;
  private readonly stmts = new Map<string, Statement>();
  private readonly keyCols: string[];
  private readonly keyReads: KeyDecl<T>['get'][];
  private readonly subLinks: [string, string][] = [];
  private readonly pathLinks: [string, (doc: T) => string][] = [];
  private readonly uniques: [string, UniqueDecl<T>][];
  private listings = new Map<string, Listing>();
  /** Pages read from SQLite, per scope, until the scope's next write (polling asks the same page again). */
  private readonly sqlPages = new Map<string, Map<string, PageResult>>();
  /** `,"<internal>":` — where a stored text's internal property begins (see TableDecl.internal). */
  private readonly internalMark?: string;

  constructor(
    private readonly db: Database,
    readonly decl: TableDecl<T>,
    private readonly host: RepoHost,
  ) {
    this.table = decl.name;
    const keys = Object.entries(decl.keys ?? {});
    this.keyCols = keys.map(([c]) => c);
    this.keyReads = keys.map(([, k]) => k.get);
    for (const [name, link] of Object.entries(decl.links ?? {}) as [string, LinkDecl<T>][]) {
      if (typeof link === 'string') this.subLinks.push([name, link]);
      else this.pathLinks.push([name, link]);
    }
    this.uniques = Object.entries(decl.unique ?? {});
    if (decl.internal) this.internalMark = `,${JSON.stringify(decl.internal)}:`;
    this.deferred = decl.deferredList === true;
  }

  // ---- Deferred list index (TableDecl.deferredList) ----
  //
  // A scope's rows are listed through the index (account_sid, parent_sid, seq). Appending to a
  // scope changes the index page that holds the scope's end: inserts into many scopes (a message
  // into each of 64 conversations) write one index page each at COMMIT, and the checkpoint
  // copies each again. On bench/inbound that index cost as much as the rest of the message.
  //
  // A deferred table's index is partial (WHERE listed = 1), and rows are inserted unlisted.
  // Every row up to `listedUpTo` is listed and every row above it is not (the tail); flushTail()
  // lists the tail in one UPDATE (a few hundred rows or more: each scope's index page is written
  // once for all of them), moving the watermark, kept in flexconv_meta in the same transaction.
  // Scoped queries read two parts, ordered by seq: the listed rows through the index, then
  // (when the scope may have rows in the tail) the tail through the rowid range above the
  // watermark. A restart finds the tail again from the watermark.

  private readonly deferred: boolean;
  /** Every row with seq ≤ this is listed; every row above it is in the tail. */
  private listedUpTo = 0;
  /** Scopes that may have rows in the tail (a superset: a rolled-back insert leaves its scope here). */
  private tailScopes = new Set<string>();
  /** Rows inserted into the tail since it was last flushed (a trigger for the flush, not a count). */
  tailRows = 0;

  /** Whether this table's list index is deferred. */
  get deferredList(): boolean {
    return this.deferred;
  }

  private get watermarkKey(): string {
    return listedWatermarkKey(this.table);
  }

  /**
   * Find the watermark and the tail (at start-up, in a transaction). A table that has none yet
   * (new, or made deferred since its rows were written) gets every row listed now.
   */
  openTail(): void {
    if (!this.deferred) return;
    const kept = this.db.prepare('SELECT value FROM flexconv_meta WHERE key = ?').pluck().get(this.watermarkKey) as string | undefined;
    if (kept === undefined) {
      this.db.prepare(`UPDATE ${this.table} SET listed = 1 WHERE listed IS NULL`).run();
      this.setWatermark((this.db.prepare(`SELECT MAX(seq) FROM ${this.table}`).pluck().get() as number | null) ?? 0);
      return;
    }
    this.listedUpTo = Number(kept);
    const rows = this.db.prepare(`SELECT account_sid, parent_sid FROM ${this.table} WHERE seq > ?`).raw().all(this.listedUpTo) as [string, string][];
    this.tailScopes = new Set(rows.map(([a, p]) => scopeKey(a, p)));
    this.tailRows = rows.length;
  }

  /** Store the watermark, then (once that worked) hold it. */
  private setWatermark(seq: number): void {
    this.stmt('watermark', () => 'INSERT INTO flexconv_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
      this.watermarkKey,
      String(seq),
    );
    this.listedUpTo = seq;
  }

  /**
   * The in-memory tail state back as it is now if the current transaction rolls back or its
   * COMMIT fails (registered before any of it changes: a write that throws half-way is undone too).
   */
  private keepTailForUndo(): void {
    const was = {upTo: this.listedUpTo, scopes: this.tailScopes, rows: this.tailRows};
    this.host.onUndo(() => {
      this.listedUpTo = was.upTo;
      this.tailScopes = was.scopes;
      this.tailRows = was.rows;
    });
  }

  /** List the tail's rows (in the current transaction; a rollback puts the tail back). */
  flushTail(): void {
    if (!this.deferred || this.tailScopes.size === 0) return;
    this.keepTailForUndo();
    const top = this.stmt('maxSeq', () => `SELECT MAX(seq) FROM ${this.table}`).pluck().get() as number | null;
    if (top !== null && top > this.listedUpTo) {
      this.stmt('listTail', () => `UPDATE ${this.table} SET listed = 1 WHERE seq > ?`).run(this.listedUpTo);
      this.setWatermark(top);
    }
    this.tailScopes = new Set();
    this.tailRows = 0;
  }

  /** After a reset (in its transaction): the table is empty, its watermark starts over. */
  resetTail(): void {
    if (!this.deferred) return;
    this.keepTailForUndo();
    this.setWatermark(0);
    this.tailScopes = new Set();
    this.tailRows = 0;
  }

  /**
   * The parts of a scoped query, in seq order going up (`up`) or down: one (the whole scope) for
   * a table whose list index is not deferred, or whose scope has no row in the tail; else the
   * listed rows and the tail. `parentSid` undefined: every scope of the account.
   */
  private arms(accountSid: string, parentSid: string | undefined, up = true): Arm[] {
    const scoped = parentSid !== undefined;
    const where = scoped ? 'account_sid = ? AND parent_sid = ?' : 'account_sid = ?';
    const args = scoped ? [accountSid, parentSid] : [accountSid];
    if (!this.deferred) return [{name: '', where, args}];
    const listed: Arm = {name: 'l', where: `${where} AND listed = 1`, args};
    const inTail = scoped ? this.tailScopes.has(scopeKey(accountSid, parentSid)) : this.tailScopes.size > 0;
    if (!inTail) return [listed];
    const tail: Arm = {name: 't', where: `seq > ? AND ${where}`, args: [this.listedUpTo, ...args]};
    return up ? [listed, tail] : [tail, listed];
  }

  /** A document's stored text: its JSON, with the internal property (if any) written last. */
  private serialize(doc: T): string {
    const name = this.decl.internal;
    if (name === undefined || !(name in doc)) return JSON.stringify(doc);
    const hidden = (doc as Record<string, unknown>)[name];
    // Documents are built with the internal property last (the domains' literals put it there,
    // and copies keep the order): then the plain encoding already has it last. Checked, not
    // assumed; the rest-spread below costs V8 ~10 µs per document.
    if (hidden !== undefined) {
      const whole = JSON.stringify(doc);
      if (whole.endsWith(`${this.internalMark}${JSON.stringify(hidden)}}`)) return whole;
    }
    const {[name]: _hidden, ...rest} = doc as Record<string, unknown>;
    const text = JSON.stringify(rest);
    return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(name)}:${JSON.stringify(hidden)}}`;
  }

  /**
   * The API JSON of one stored document: its text with `url` (base + sid) and `links` spliced
   * in before the closing brace. `quotedBase` is JSON-escaped once per call site (see quoteBase).
   */
  private renderText(text: string, sid: string, quotedBase: string, root: string, omit?: string): string {
    if (omit !== undefined) text = omitFirst(text, omit);
    // the internal property is written last: cut it off (its quotes can't occur unescaped in a value)
    const cut = this.internalMark === undefined ? -1 : text.lastIndexOf(this.internalMark);
    let out = `${cut < 0 ? text.slice(0, -1) : text.slice(0, cut)},"url":${quotedBase}${sid}"`;
    if (this.subLinks.length || this.pathLinks.length) {
      out += ',"links":{';
      let first = true;
      for (const [name, sub] of this.subLinks) {
        out += `${first ? '' : ','}"${name}":${quotedBase}${sid}/${sub}"`;
        first = false;
      }
      if (this.pathLinks.length) {
        const doc = JSON.parse(text) as T;
        for (const [name, path] of this.pathLinks) {
          out += `${first ? '' : ','}"${name}":${JSON.stringify(root + path(doc))}`;
          first = false;
        }
      }
      out += '}';
    }
    return `${out}}`;
  }

  /**
   * The document this repository last wrote and its stored text: a create or update answers
   * with the document it just wrote, whose JSON is then not encoded a second time.
   */
  private lastDoc?: T;
  private lastText = '';

  /** The API representation of one document. */
  render(doc: T, urls: RenderUrls): string {
    const text = doc === this.lastDoc ? this.lastText : this.serialize(doc);
    return this.renderText(text, doc.sid, quoteBase(urls.base), urls.root, urls.omit);
  }

  private stmt(key: string, sql: () => string): Statement {
    let s = this.stmts.get(key);
    if (!s) {
      s = this.db.prepare(sql());
      this.stmts.set(key, s);
    }
    return s;
  }

  private keyValues(doc: T): KeyValue[] {
    const out: KeyValue[] = new Array(this.keyReads.length);
    for (let i = 0; i < this.keyReads.length; i++) out[i] = this.keyReads[i](doc) ?? null;
    return out;
  }

  /** Drop every in-memory listing (after a reset): the next list reloads from SQLite. */
  forget(): void {
    this.sharedDocs.clear();
    this.newestKept.clear();
    for (const l of this.listings.values()) this.host.budget.remove(l);
    this.listings = new Map();
    this.tooLarge.clear();
    this.sqlPages.clear();
  }

  /** Drop what is kept of one scope (its listing and pages: a rolled-back write changed it). */
  forgetScope(scope: string): void {
    this.sqlPages.delete(scope);
    this.sharedDocs.clear();
    this.forgetNewest(scope);
    const l = this.listings.get(scope);
    if (!l) return;
    this.host.budget.remove(l);
    this.listings.delete(scope);
  }

  /** Scopes found too large to hold (listed from SQLite; not counted again until forget()). */
  private readonly tooLarge = new Set<string>();

  /** How many times a listing was loaded from SQLite (a diagnostic for tests). */
  listingLoads = 0;

  /** Listings held now (a diagnostic for tests). */
  get listingCount(): number {
    return this.listings.size;
  }

  /** The row whose unique columns clash with doc's, for the declared error. */
  private clash(error: unknown, accountSid: string, doc: T, parentSid: string): Error | undefined {
    const e = error as {code?: string; message?: string};
    if (e.code !== 'SQLITE_CONSTRAINT_UNIQUE' || !e.message) return undefined;
    // "UNIQUE constraint failed: t.account_sid, t.parent_sid, t.identity"
    for (const [, u] of this.uniques) {
      if (!e.message.endsWith(u.columns.map((c) => `${this.table}.${c}`).join(', '))) continue;
      const where: Record<string, KeyValue> = {};
      for (const c of u.columns) where[c] = this.keyReads[this.keyCols.indexOf(c)](doc) ?? null;
      const existing =
        u.per === 'parent' ? this.findBy(accountSid, where, parentSid) : this.findAnywhere(accountSid, where);
      return u.error(doc, existing);
    }
    return undefined;
  }

  /** Store a new document; its seq. A clash with a declared unique constraint raises its error. */
  insert(accountSid: string, doc: T, parentSid = ''): number {
    const text = this.serialize(doc);
    let info: {lastInsertRowid: number | bigint};
    try {
      info = this.stmt(
        'insert',
        () => `INSERT INTO ${this.table} (sid, account_sid, parent_sid, doc${this.keyCols.map((c) => `, "${c}"`).join('')})
          VALUES (?, ?, ?, ?${this.keyCols.map(() => ', ?').join('')})`,
      ).run(doc.sid, accountSid, parentSid, text, ...this.keyValues(doc));
    } catch (error) {
      throw this.clash(error, accountSid, doc, parentSid) ?? error;
    }
    const seq = Number(info.lastInsertRowid);
    this.lastDoc = doc;
    this.lastText = text;
    // a new row's seq is above every row of the table (rowid = max + 1), so it always goes last
    const scope = scopeKey(accountSid, parentSid);
    if (this.deferred) {
      // the seq of a deleted last row can come back below the watermark: that row is listed at once
      if (seq <= this.listedUpTo) this.stmt('listOne', () => `UPDATE ${this.table} SET listed = 1 WHERE seq = ?`).run(seq);
      else {
        this.tailScopes.add(scope);
        this.tailRows++;
      }
    }
    this.wrote(scope);
    // ... and it is the scope's newest row: its key values are what newest() answers now
    if (this.newestRead) this.keptNewest(scope, doc);
    const listing = this.listings.get(scope);
    if (listing) {
      listing.push(seq, doc.sid, text);
      this.grew(scope, listing);
    }
    return seq;
  }

  /**
   * A write to a scope: its kept pages are stale, and the store is told (a rollback then drops
   * what this transaction's reads kept of the scope, listing and pages alike).
   */
  private wrote(scope: string): void {
    this.sqlPages.delete(scope);
    if (this.sharedDocs.size) this.sharedDocs.clear();
    if (this.newestKept.size) this.forgetNewest(scope);
    this.host.changed(this, scope);
  }

  /**
   * What the shared readers (shared, sharedLocate, sharedFind, sharedAll) read, kept across
   * transactions until any write to this table (or a rollback, a failed commit, a reset) drops
   * it all: for rows read far more often than written (configurations, a conversation and its
   * participants while messages flow). Bounded: past SHARED_DOCS_MAX entries it starts over.
   */
  private readonly sharedDocs = new SharedDocs();

  /** A shared reader's result: kept (frozen) or loaded now, and kept unless `keepIf` says no. */
  private keep<R>(map: Map<string, Kept>, key: string, accountSid: string, parentSid: string, load: () => R, keepIf?: (value: R) => boolean): R {
    const kept = map.get(key);
    // keys are strings the caller already holds (a sid, a parent sid: their hash is computed once);
    // the account and parent are checked on the entry
    if (kept !== undefined && kept.a === accountSid && kept.p === parentSid) return kept.v as R;
    const value = load();
    if (keepIf && !keepIf(value)) return value;
    this.sharedDocs.put(map, key, {a: accountSid, p: parentSid, v: value && deepFreeze(value)});
    return value;
  }

  /** get(), shared: the object is frozen (read it, never change it). */
  shared(accountSid: string, sid: string, parentSid = ''): T | undefined {
    return this.keep(this.sharedDocs.gets, sid, accountSid, parentSid, () => this.get(accountSid, sid, parentSid));
  }

  /** locate(), shared (frozen). */
  sharedLocate(accountSid: string, sid: string): {doc: T; parentSid: string} | undefined {
    return this.keep(this.sharedDocs.locates, sid, accountSid, '', () => this.locate(accountSid, sid));
  }

  /** findAnywhere() on equality conditions, shared (frozen). */
  sharedFind(accountSid: string, where: Record<string, string>): T | undefined {
    const names = Object.keys(where);
    // one condition (the usual case): keyed by its value, the column checked on the entry
    const key = names.length === 1 ? where[names[0]] : JSON.stringify(where);
    const column = names.length === 1 ? names[0] : '';
    return this.keep(this.sharedDocs.finds, key, accountSid, column, () => this.findAnywhere(accountSid, where));
  }

  /** Every document of one parent, shared (frozen); a scope of more than SHARED_ALL_MAX rows is read each time. */
  sharedAll(accountSid: string, parentSid: string): readonly T[] {
    return this.keep(
      this.sharedDocs.alls,
      parentSid,
      accountSid,
      '',
      () => this.all(accountSid, {}, parentSid),
      (docs) => docs.length <= SHARED_ALL_MAX,
    );
  }

  /** A listing grew: keep the budget (a listing that alone exceeds it is dropped for good). */
  private grew(scope: string, listing: Listing): void {
    const budget = this.host.budget;
    if (budget.used <= budget.limit) return;
    if (listing.bytes > budget.limit || listing.seqs.length > MAX_LISTED_IN_MEMORY) {
      this.forgetScope(scope);
      this.tooLarge.add(scope);
    }
    budget.enforce();
  }

  get(accountSid: string, sid: string, parentSid = ''): T | undefined {
    const text = this.stmt('get', () => `SELECT doc FROM ${this.table} WHERE sid = ? AND account_sid = ? AND parent_sid = ?`)
      .pluck()
      .get(sid, accountSid, parentSid) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  /** A document by sid in any scope of the account, with its parent sid. */
  locate(accountSid: string, sid: string): {doc: T; parentSid: string} | undefined {
    const row = this.stmt('locate', () => `SELECT doc, parent_sid FROM ${this.table} WHERE sid = ? AND account_sid = ?`).get(
      sid,
      accountSid,
    ) as {doc: string; parent_sid: string} | undefined;
    return row && {doc: JSON.parse(row.doc) as T, parentSid: row.parent_sid};
  }

  /** First document (in seq order) whose key columns meet the conditions. */
  findBy(accountSid: string, where: Record<string, Cond>, parentSid = ''): T | undefined {
    return this.first(accountSid, where, parentSid);
  }

  /** The first document (seq order) meeting the conditions in one scope, or (parentSid undefined) any of the account's. */
  private first(accountSid: string, where: Record<string, Cond>, parentSid: string | undefined): T | undefined {
    const {sql, args, key} = conditions(where);
    for (const arm of this.arms(accountSid, parentSid)) {
      const text = this.stmt(`first:${arm.name}:${parentSid !== undefined}:${key}`, () => `SELECT doc FROM ${this.table} WHERE ${arm.where}${sql} ORDER BY seq LIMIT 1`)
        .pluck()
        .get(...arm.args, ...args) as string | undefined;
      if (text !== undefined) return JSON.parse(text) as T;
    }
    return undefined;
  }

  /** First document in any scope of the account whose key columns meet the conditions. */
  findAnywhere(accountSid: string, where: Record<string, Cond>): T | undefined {
    return this.first(accountSid, where, undefined);
  }

  /** Every document of the account (any scope, or one parent's) meeting the conditions, in seq order. */
  all(accountSid: string, where: Record<string, Cond> = {}, parentSid?: string): T[] {
    const {sql, args, key} = conditions(where);
    const scoped = parentSid !== undefined;
    const out: T[] = [];
    for (const arm of this.arms(accountSid, parentSid))
      for (const t of this.stmt(`all:${arm.name}:${scoped}:${key}`, () => `SELECT doc FROM ${this.table} WHERE ${arm.where}${sql} ORDER BY seq`)
        .pluck()
        .all(...arm.args, ...args) as string[])
        out.push(JSON.parse(t) as T);
    return out;
  }

  update(accountSid: string, doc: T, parentSid = ''): void {
    const text = this.serialize(doc);
    let seq: number | undefined;
    try {
      if (this.keyCols.length) seq = this.updateChanged(accountSid, doc, parentSid, text);
      else
        seq = this.stmt(
          'update',
          () => `UPDATE ${this.table} SET doc = ? WHERE sid = ? AND account_sid = ? AND parent_sid = ? RETURNING seq`,
        )
          .pluck()
          .get(text, doc.sid, accountSid, parentSid) as number | undefined;
    } catch (error) {
      throw this.clash(error, accountSid, doc, parentSid) ?? error;
    }
    if (seq === undefined) return;
    this.lastDoc = doc;
    this.lastText = text;
    const scope = scopeKey(accountSid, parentSid);
    this.wrote(scope);
    const listing = this.listings.get(scope);
    if (listing) {
      const i = listing.indexOfSid(doc.sid, seq);
      if (i >= 0) {
        listing.replace(i, text);
        this.grew(scope, listing);
      }
    }
  }

  /**
   * UPDATE the document and only the key columns whose values changed: SQLite rewrites the
   * entries of every index on a column named in SET, changed or not (measured: an update that
   * set three unchanged indexed columns cost 6× one that set only the document). The row's
   * current key values are read first, by its unique sid; the UPDATE then goes by seq.
   */
  private updateChanged(accountSid: string, doc: T, parentSid: string, text: string): number | undefined {
    const old = this.stmt(
      'keysOf',
      () => `SELECT seq${this.keyCols.map((c) => `, "${c}"`).join('')} FROM ${this.table} WHERE sid = ? AND account_sid = ? AND parent_sid = ?`,
    )
      .raw()
      .get(doc.sid, accountSid, parentSid) as KeyValue[] | undefined;
    if (old === undefined) return undefined;
    const values = this.keyValues(doc);
    let mask = 0;
    const args: KeyValue[] = [text];
    for (let i = 0; i < values.length; i++)
      if (values[i] !== old[i + 1]) {
        mask |= 1 << i;
        args.push(values[i]);
      }
    const seq = old[0] as number;
    args.push(seq);
    this.stmt(`update:${mask}`, () => {
      const set = this.keyCols.filter((_, i) => mask & (1 << i)).map((c) => `, "${c}" = ?`);
      return `UPDATE ${this.table} SET doc = ?${set.join('')} WHERE seq = ?`;
    }).run(...args);
    return seq;
  }

  /** Delete one row and, down the declared tree, every row under it. */
  delete(accountSid: string, sid: string, parentSid = ''): boolean {
    const seq = this.stmt(
      'delete',
      () => `DELETE FROM ${this.table} WHERE sid = ? AND account_sid = ? AND parent_sid = ? RETURNING seq`,
    )
      .pluck()
      .get(sid, accountSid, parentSid) as number | undefined;
    if (seq === undefined) return false;
    const scope = scopeKey(accountSid, parentSid);
    this.wrote(scope);
    const listing = this.listings.get(scope);
    if (listing) {
      const i = listing.indexOfSid(sid, seq);
      if (i >= 0) listing.remove(i);
    }
    this.cascade(accountSid, [sid]);
    return true;
  }

  /** Delete the rows of the given parents (a parent was deleted), and theirs. */
  deleteChildrenOf(accountSid: string, parents: string[]): void {
    const removed: string[] = [];
    for (const p of parents) {
      const sids: string[] = [];
      for (const arm of this.arms(accountSid, p))
        for (const sid of this.stmt(`deleteChildren:${arm.name}`, () => `DELETE FROM ${this.table} WHERE ${arm.where} RETURNING sid`)
          .pluck()
          .all(...arm.args) as string[])
          sids.push(sid);
      for (const s of sids) removed.push(s);
      const scope = scopeKey(accountSid, p);
      if (sids.length || this.listings.has(scope)) {
        this.forgetScope(scope);
        this.host.changed(this, scope);
      }
      this.tooLarge.delete(scope);
    }
    if (removed.length) this.cascade(accountSid, removed);
  }

  private cascade(accountSid: string, parents: string[]): void {
    for (const child of this.host.children(this.decl)) child.deleteChildrenOf(accountSid, parents);
  }

  /**
   * A key column's value in the newest row of one scope (through the list index), or undefined
   * when empty. Kept per scope and column once read (a message's index is read for each new
   * message of its conversation): an insert into the scope sets it, and any other write to the
   * scope, a rollback or a reset drops it.
   */
  newest(accountSid: string, column: string, parentSid = ''): KeyValue | undefined {
    if (!this.keyCols.includes(column)) throw new Error(`table ${this.table}: ${column} is not a key column`);
    const scope = scopeKey(accountSid, parentSid);
    const key = `${column}\n${scope}`;
    if (this.newestKept.has(key)) return this.newestKept.get(key);
    let value: KeyValue | undefined;
    for (const arm of this.arms(accountSid, parentSid, false)) {
      const row = this.stmt(`newest:${arm.name}:${column}`, () => `SELECT "${column}" FROM ${this.table} WHERE ${arm.where} ORDER BY seq DESC LIMIT 1`)
        .raw()
        .get(...arm.args) as [KeyValue] | undefined;
      if (row === undefined) continue;
      value = row[0] ?? undefined;
      break;
    }
    if (this.newestKept.size >= NEWEST_KEPT_MAX) this.newestKept.clear();
    this.newestKept.set(key, value);
    this.newestRead = true;
    // a read inside a transaction that rolls back may have seen its writes: the rollback drops it
    this.host.changed(this, scope);
    return value;
  }

  /** newest() answers, per `column\nscope`. */
  private readonly newestKept = new Map<string, KeyValue | undefined>();
  /** newest() was used on this table: inserts keep their scope's newest values from then on. */
  private newestRead = false;

  private forgetNewest(scope: string): void {
    for (const c of this.keyCols) this.newestKept.delete(`${c}\n${scope}`);
  }

  /** A row inserted into scope is its newest: what newest() answers for the scope's columns. */
  private keptNewest(scope: string, doc: T): void {
    if (this.newestKept.size >= NEWEST_KEPT_MAX) this.newestKept.clear();
    for (let i = 0; i < this.keyCols.length; i++) this.newestKept.set(`${this.keyCols[i]}\n${scope}`, this.keyReads[i](doc) ?? undefined);
  }

  count(accountSid: string, parentSid = '', where: Record<string, Cond> = {}): number {
    const {sql, args, key} = conditions(where);
    let n = 0;
    for (const arm of this.arms(accountSid, parentSid))
      n += this.stmt(`count:${arm.name}:${key}`, () => `SELECT COUNT(*) FROM ${this.table} WHERE ${arm.where}${sql}`)
        .pluck()
        .get(...arm.args, ...args) as number;
    return n;
  }

  /** The scope's listing, loaded from SQLite on first use; undefined when it can't be held. */
  private listing(accountSid: string, parentSid: string): Listing | undefined {
    const key = scopeKey(accountSid, parentSid);
    let listing = this.listings.get(key);
    if (listing) {
      this.host.budget.use(listing);
      return listing;
    }
    if (!this.decl.listing || this.tooLarge.has(key)) return undefined;
    if (this.count(accountSid, parentSid) > MAX_LISTED_IN_MEMORY) {
      this.tooLarge.add(key);
      return undefined;
    }
    listing = new Listing(this.host.budget);
    const rows = this.stmt(
      'listing',
      () => `SELECT seq, sid, doc FROM ${this.table} WHERE account_sid = ? AND parent_sid = ? ORDER BY seq`,
    )
      .raw()
      .iterate(accountSid, parentSid) as IterableIterator<[number, string, string]>;
    for (const [seq, sid, text] of rows) listing.push(seq, sid, text);
    const budget = this.host.budget;
    if (listing.bytes > budget.limit) {
      this.tooLarge.add(key);
      return undefined;
    }
    this.listings.set(key, listing);
    budget.add(listing, () => this.listings.delete(key));
    budget.enforce();
    this.listingLoads++;
    // enforce() may have dropped it again only if it alone exceeds the limit (checked above)
    return listing;
  }

  /**
   * One page, rendered. Unfiltered lists of tables with listings are ranges of the in-memory
   * listing (binary search for cursors); the rest read SQLite through the indexes, and a
   * predicate is applied to the rows SQL returns, reading on until the page is full.
   */
  page(
    accountSid: string,
    query: ListQuery<T>,
    start: PageStart,
    size: number,
    urls: RenderUrls,
    parentSid = '',
  ): PageResult {
    const desc = query.order === 'desc';
    const plain = !query.filter && !query.orderBy && (!query.where || isEmpty(query.where));
    const listing = plain ? this.listing(accountSid, parentSid) : undefined;
    // the same page asked again (polling, a benchmark) while nothing changed: the same result object
    const scope = scopeKey(accountSid, parentSid);
    let key: string | undefined =
      `${urls.base}\n${urls.omit ?? ''}\n${desc ? 'd' : ''}${'after' in start ? `a${start.after}` : 'before' in start ? `b${start.before}` : `o${start.offset}`}${'key' in start ? `~${start.key}` : ''}\n${size}`;
    // SQL pages (no predicate) are kept too, per scope, until the scope's next write
    let memo: Map<string, PageResult> | undefined;
    if (listing) memo = listing.pages;
    else if (!query.filter) {
      if (query.where && !isEmpty(query.where)) key += `\n${JSON.stringify(query.where)}`;
      if (query.orderBy) key += `\nby ${query.orderBy}`;
      memo = this.sqlPages.get(scope);
    } else key = undefined;
    const seen = key === undefined ? undefined : memo?.get(key);
    if (seen) return seen;
    const {rows, from, to, hasNext, hasPrevious} = listing
      ? pageOf(listing, start, size, desc)
      : this.sqlPage(accountSid, query, start, size, parentSid, desc);
    const quoted = quoteBase(urls.base);
    // rendered items are kept per base URL (and omitted property)
    const renderKey = urls.omit === undefined ? quoted : `${quoted}\n${urls.omit}`;
    if (listing && listing.renderedBase !== renderKey) listing.rebase(renderKey);
    let items = '';
    let itemsBytes = Math.max(to - from - 1, 0); // the commas
    const n = to - from;
    for (let k = 0; k < n; k++) {
      // rows come in ascending seq; a descending page walks them backwards
      const i = desc && listing ? to - 1 - k : from + k;
      let item = listing?.rendered[i];
      let bytes: number;
      if (item === undefined) {
        item = this.renderText(rows.texts[i], rows.sids[i], quoted, urls.root, urls.omit);
        bytes = Buffer.byteLength(item);
        if (listing) listing.setRendered(i, item, bytes);
      } else bytes = listing!.renderedBytes[i];
      items += k > 0 ? `,${item}` : item;
      itemsBytes += bytes;
    }
    const firstSeq = n === 0 ? undefined : desc && listing ? rows.seqs[to - 1] : rows.seqs[from];
    const lastSeq = n === 0 ? undefined : desc && listing ? rows.seqs[from] : rows.seqs[to - 1];
    const result: PageResult = {
      items,
      itemsBytes,
      count: n,
      prevSeq: firstSeq ?? emptyCursor(start, desc, 'prev'),
      nextSeq: lastSeq ?? emptyCursor(start, desc, 'next'),
      hasNext,
      hasPrevious,
    };
    if (rows.keys) {
      // an empty page keeps the request's cursor, and its key
      result.prevKey = n === 0 ? ('key' in start ? start.key : undefined) : rows.keys[from];
      result.nextKey = n === 0 ? ('key' in start ? start.key : undefined) : rows.keys[to - 1];
    }
    if (key !== undefined) {
      if (!memo) {
        if (this.sqlPages.size >= MEMO_SCOPES) this.sqlPages.clear();
        this.sqlPages.set(scope, (memo = new Map()));
      }
      if (memo.size >= 64) memo.clear();
      memo.set(key, result);
    }
    return result;
  }

  /**
   * A page from SQLite. Rows come back in display order (`rows` index 0 = first item). With a
   * predicate, rows are read in chunks until the page (and one more, to know of a next page) is
   * full.
   */
  private sqlPage(
    accountSid: string,
    query: ListQuery<T>,
    start: PageStart,
    size: number,
    parentSid: string,
    desc: boolean,
  ): {rows: Rows; from: number; to: number; hasNext: boolean; hasPrevious: boolean} {
    const {sql, args, key} = conditions(query.where ?? {});
    const filter = query.filter;
    if (query.orderBy !== undefined && this.deferred) throw new Error(`table ${this.table}: a deferred list index sorts by seq only`);
    /**
     * Up to `want` matching rows beyond seq `from` (exclusive; undefined = from the end) going up
     * (ascending) or down, skipping the first `skip` matches.
     */
    const by = query.orderBy === undefined ? undefined : quoteIdent(query.orderBy);
    /** A cursor: a seq, and (sorted by a column) the cursor row's value of it, when known. */
    type Cursor = {seq: number; key?: string};
    type Row = [number, string, string, string?];
    // rows past a cursor: by seq, or by (column, seq): the value the token carries, else the cursor row's
    const after = (op: string, c: Cursor | undefined) =>
      c === undefined ? '' : !by ? ` AND seq ${op} ?` : c.key !== undefined ? ` AND (${by}, seq) ${op} (?, ?)` : ` AND (${by}, seq) ${op} ((SELECT ${by} FROM ${this.table} WHERE seq = ?), ?)`;
    const cursorArgs = (c: Cursor | undefined) => (c === undefined ? [] : !by ? [c.seq] : c.key !== undefined ? [c.key, c.seq] : [c.seq, c.seq]);
    const shape = (c: Cursor | undefined) => (c === undefined ? 'none' : by && c.key !== undefined ? 'key' : 'seq');
    const columns = by ? `seq, sid, doc, ${by}` : 'seq, sid, doc';
    const orderSql = (order: string) => (by ? `${by} ${order}, seq ${order}` : `seq ${order}`);
    /**
     * Up to `want` matching rows beyond cursor `from` (exclusive unless `inclusive`; undefined =
     * from the end) going up (ascending) or down, skipping the first `skip` matches.
     */
    const read = (up: boolean, from: Cursor | undefined, want: number, skip = 0, inclusive = false): Row[] => {
      const order = up ? 'ASC' : 'DESC';
      // The limit goes into the SQL text: SQLite reads a bound LIMIT while planning, so binding it
      // re-prepares the statement on every call (measured: twice the cost of the query).
      const arms = this.arms(accountSid, parentSid, up);
      const statement = (arm: Arm, c: Cursor | undefined, limit: number, offset: boolean, op: string) =>
        this.stmt(
          `page:${arm.name}:${key}:${by ?? ''}:${op}:${shape(c)}:${limit}:${offset}`,
          () =>
            `SELECT ${columns} FROM ${this.table} WHERE ${arm.where}${sql}${after(op, c)} ORDER BY ${orderSql(order)} LIMIT ${limit}${offset ? ' OFFSET ?' : ''}`,
        ).raw();
      /** Up to `limit` rows past cursor c, after skipping `skip`: from each part in turn (they follow each other in seq order). */
      const select = (c: Cursor | undefined, limit: number, skip: number, op = (up ? '>' : '<') + (inclusive ? '=' : '')): Row[] => {
        const cArgs = cursorArgs(c);
        if (arms.length === 1) return statement(arms[0], c, limit, skip > 0, op).all(...arms[0].args, ...args, ...cArgs, ...(skip > 0 ? [skip] : [])) as Row[];
        const out: Row[] = [];
        let skipLeft = skip;
        for (const arm of arms) {
          const rows = statement(arm, c, limit, skipLeft > 0, op).all(...arm.args, ...args, ...cArgs, ...(skipLeft > 0 ? [skipLeft] : [])) as Row[];
          for (const r of rows) {
            if (out.length >= limit) break;
            out.push(r);
          }
          if (out.length >= limit) break;
          // nothing left after the skip: this part had at most `skipLeft` rows, the next part skips the rest
          if (skipLeft > 0 && rows.length === 0)
            skipLeft -= this.stmt(`pageCount:${arm.name}:${key}:${op}:${shape(c)}`, () => `SELECT COUNT(*) FROM ${this.table} WHERE ${arm.where}${sql}${after(op, c)}`)
              .pluck()
              .get(...arm.args, ...args, ...cArgs) as number;
          else skipLeft = 0;
        }
        return out;
      };
      if (!filter) return select(from, Math.trunc(want), skip);
      // a predicate: read chunks until enough rows match
      const out: Row[] = [];
      const chunk = 128;
      let cursor = from;
      let skipped = 0;
      for (;;) {
        // the first chunk starts at the cursor as asked; the next ones strictly after the last row read
        const found = cursor === from ? select(cursor, chunk, 0) : select(cursor, chunk, 0, up ? '>' : '<');
        for (const r of found) {
          if (!filter(JSON.parse(r[2]) as T)) continue;
          if (skipped < skip) {
            skipped++;
            continue;
          }
          out.push(r);
          if (out.length >= want) return out;
        }
        if (found.length < chunk) return out;
        const last = found[found.length - 1];
        cursor = {seq: last[0], key: last[3]};
      }
    };
    const exists = (up: boolean, from: Cursor) => read(up, from, 1).length > 0;
    // at or past the cursor row, in display order (by seq: one seq further, as seqs are integers)
    const existsFrom = (up: boolean, c: Cursor) => (by ? read(up, c, 1, 0, true).length > 0 : exists(up, {seq: up ? c.seq - 1 : c.seq + 1}));
    // in display order, "forward" is ascending seq for asc lists and descending for desc ones
    const fwd = !desc;
    let found: Row[];
    let hasNext: boolean;
    let hasPrevious: boolean;
    if ('before' in start) {
      const c = {seq: start.before, key: start.key};
      found = read(!fwd, c, size + 1);
      hasPrevious = found.length > size;
      found = found.slice(0, size).reverse();
      // the cursor row itself may be gone: is anything left at or after it (in display order)?
      hasNext = existsFrom(fwd, c);
    } else if ('after' in start) {
      const c = {seq: start.after, key: start.key};
      found = read(fwd, c, size + 1);
      hasNext = found.length > size;
      found = found.slice(0, size);
      hasPrevious = existsFrom(!fwd, c);
    } else {
      found = read(fwd, undefined, size + 1, start.offset);
      hasNext = found.length > size;
      found = found.slice(0, size);
      hasPrevious = start.offset > 0;
    }
    const rows: Rows = {seqs: found.map((r) => r[0]), sids: found.map((r) => r[1]), texts: found.map((r) => r[2])};
    if (by) rows.keys = found.map((r) => (r[3] === null || r[3] === undefined ? undefined : String(r[3])));
    return {rows, from: 0, to: found.length, hasNext, hasPrevious};
  }
}

/** The cursor an empty page hands on (its rows were deleted meanwhile): the request's own position. */
function emptyCursor(start: PageStart, desc: boolean, which: 'prev' | 'next'): number | undefined {
  const step = desc ? -1 : 1;
  if (which === 'prev') return 'after' in start ? start.after + step : undefined;
  return 'before' in start ? Math.max(start.before - step, 0) : undefined;
}

/**
 * A page of a listing as a range of ascending indexes [from, to) with the same cursor rules as
 * the SQL path; for a descending list the range is shown backwards.
 */
function pageOf(
  listing: Listing,
  start: PageStart,
  size: number,
  desc: boolean,
): {rows: Rows; from: number; to: number; hasNext: boolean; hasPrevious: boolean} {
  const n = listing.seqs.length;
  if (!desc) {
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
  if ('after' in start) {
    // after s in a descending list: seq < s, the highest first
    const end = listing.lowerBound(start.after);
    const from = Math.max(0, end - size);
    return {rows: listing, from, to: end, hasNext: from > 0, hasPrevious: end < n};
  }
  if ('before' in start) {
    // before s in a descending list: seq > s, the ones nearest s
    const from = listing.lowerBound(start.before + 1);
    const to = Math.min(from + size, n);
    return {rows: listing, from, to, hasNext: from > 0, hasPrevious: to < n};
  }
  const to = Math.max(0, n - start.offset);
  const from = Math.max(0, to - size);
  return {rows: listing, from, to, hasNext: from > 0, hasPrevious: start.offset > 0};
}

/** A key column's name quoted for SQL (it may be named like a keyword: index, to). */
function quoteIdent(col: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(col)) throw new Error(`bad column ${col}`);
  return `"${col}"`;
}

/** SQL for conditions on key columns, its arguments, and a key naming its shape (for statement caching). */
export function conditions(where: Record<string, Cond>): {sql: string; args: unknown[]; key: string} {
  let sql = '';
  let key = '';
  const args: unknown[] = [];
  for (const col in where) {
    const q = quoteIdent(col);
    const c = where[col];
    if (c === null) {
      sql += ` AND ${q} IS NULL`;
      key += `${col}:null,`;
    } else if (typeof c !== 'object') {
      sql += ` AND ${q} = ?`;
      args.push(c);
      key += `${col}:eq,`;
    } else if ('in' in c) {
      if (c.in.length === 0) {
        sql += ' AND 0';
        key += `${col}:none,`;
      } else {
        sql += ` AND ${q} IN (${c.in.map(() => '?').join(', ')})`;
        args.push(...c.in);
        key += `${col}:in${c.in.length},`;
      }
    } else if ('ne' in c) {
      sql += c.ne === null ? ` AND ${q} IS NOT NULL` : ` AND (${q} IS NULL OR ${q} != ?)`;
      if (c.ne !== null) args.push(c.ne);
      key += `${col}:ne${c.ne === null ? 'null' : ''},`;
    } else {
      for (const [op, sym] of [
        ['gt', '>'],
        ['gte', '>='],
        ['lt', '<'],
        ['lte', '<='],
      ] as const) {
        const v = (c as Record<string, KeyValue | undefined>)[op];
        if (v === undefined) continue;
        sql += ` AND ${q} ${sym} ?`;
        args.push(v);
        key += `${col}:${op},`;
      }
    }
  }
  return {sql, args, key};
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

export function scopeKey(accountSid: string, parentSid: string): string {
  return `${accountSid}/${parentSid}`;
}

/** The text of a document without its first property `name` (a string or null), when it is first. */
function omitFirst(text: string, name: string): string {
  const head = `{"${name}":`;
  if (!text.startsWith(head)) return text;
  let end: number;
  if (text.startsWith('null', head.length)) end = head.length + 4;
  else {
    end = head.length + 1;
    for (;;) {
      end = text.indexOf('"', end);
      if (end < 0) return text;
      let bs = 0;
      while (text.charCodeAt(end - 1 - bs) === 92 /* \\ */) bs++;
      end++;
      if (bs % 2 === 0) break;
    }
  }
  return text.charCodeAt(end) === 44 /* , */ ? `{${text.slice(end + 1)}` : `{${text.slice(end)}`;
}

/** `http://h/x` → `"http://h/x/` : the opening quote and the JSON-escaped base, ready for a sid and a closing quote. */
let lastBase = '';
let lastQuoted = '"/';
/** Clients keep using one base URL: the last one's quoting is kept (each create renders one item). */
function quoteBase(base: string): string {
  if (base !== lastBase) {
    lastQuoted = `${JSON.stringify(base).slice(0, -1)}/`;
    lastBase = base;
  }
  return lastQuoted;
}
