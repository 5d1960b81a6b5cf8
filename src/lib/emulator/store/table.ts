/**
 * Table declarations: each domain's `model/<domain>.ts` says what it stores, and the store
 * derives the DDL, the indexes and a repository from that. The store itself knows no resource.
 *
 * Every table has one shape: `seq` (insertion order, the paging key), `sid`, `account_sid`,
 * `parent_sid` (the owning row of `parent`'s table, '' for top-level rows), `doc` (the resource
 * as JSON, without url/links, which depend on the URL the client used) and the declared key
 * columns (for lookups, filters, uniqueness and sorting).
 */

/** A value a key column holds: text, an integer, or nothing (NULL). */
export type KeyValue = string | number | null;

export interface KeyDecl<T> {
  /** How to read the column from the document (undefined and null are stored as NULL). */
  get: (doc: T) => KeyValue | undefined;
  /** `int` for columns that sort numerically (a message index); text otherwise. */
  type?: 'text' | 'int';
  /**
   * An index for filters on this column: true (the default) = within a parent ((account, parent,
   * column, seq)); 'account' = across the account's parents ((account, column, seq): lookups
   * such as "every participant with this address"); false = none.
   */
  indexed?: boolean | 'account';
}

export interface UniqueDecl<T> {
  /** Key columns whose values must be unique together (rows with any NULL among them never clash). */
  columns: string[];
  /** Unique within the parent row (a participant identity per conversation) or the whole account. */
  per: 'parent' | 'account';
  /**
   * The error to raise on a clash, given the document written and the row already holding the
   * values (when it can be found). The store raises it instead of SQLite's constraint error.
   */
  error: (doc: T, existing: T | undefined) => Error;
}

/** A link of every rendered item: a sub-path of the item's own URL, or any path of the domain. */
export type LinkDecl<T> = string | ((doc: T) => string);

export interface TableDecl<T extends {sid: string} = {sid: string}> {
  name: string;
  /** Rows belong to a row of this table: deleting it deletes them (and theirs, down the tree). */
  parent?: TableDecl<any>;
  keys?: Record<string, KeyDecl<T>>;
  unique?: Record<string, UniqueDecl<T>>;
  /**
   * Keep an in-memory listing of each scope for unfiltered lists (hot lists polled by clients).
   * Listings share one memory budget; the least recently used are dropped first.
   */
  listing?: boolean;
  /**
   * `links` of every rendered item: `{participants: 'Participants'}` → `<item url>/Participants`;
   * a function returns a path of the domain (`(d) => '/v1/Services/' + d.chat_service_sid`).
   */
  links?: Record<string, LinkDecl<T>>;
  /**
   * A top-level property of the document that is stored (and returned by reads) but never
   * rendered: state the API does not show (a conversation's timer durations, a participant's
   * binding key). The repository writes it last, and rendering cuts it off.
   */
  internal?: string;
  /**
   * Add rows to the scope list index in batches instead of with each insert (see "Deferred list
   * index" in repository.ts): for tables that grow in many scopes at once, where each insert
   * would otherwise rewrite one more index page per scope (a message into each of 64
   * conversations: 64 pages to write at COMMIT). Such a table keeps no in-memory listing, sorts
   * by seq only, and has no other index within a parent (they would cost the same pages).
   */
  deferredList?: boolean;
}

/** Declare a table (identity function, typed). */
export function table<T extends {sid: string}>(decl: TableDecl<T>): TableDecl<T> {
  for (const [name, u] of Object.entries(decl.unique ?? {}))
    for (const c of u.columns)
      if (!decl.keys?.[c]) throw new Error(`table ${decl.name}: unique ${name} names ${c}, which is not a key column`);
  if (decl.deferredList) {
    if (decl.listing) throw new Error(`table ${decl.name}: a deferred list index and an in-memory listing don't go together`);
    for (const [c, k] of Object.entries(decl.keys ?? {}))
      if (k.indexed === undefined || k.indexed === true) throw new Error(`table ${decl.name}: key ${c} would be indexed within a parent, which a deferred list index rules out`);
    for (const [name, u] of Object.entries(decl.unique ?? {}))
      if (u.per === 'parent') throw new Error(`table ${decl.name}: unique ${name} is per parent, which a deferred list index rules out`);
  }
  return decl;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** The DDL of a declared table (CREATE ... IF NOT EXISTS, so it is safe to run on every start). */
export function tableDdl(decl: TableDecl<any>): string[] {
  const t = decl.name;
  if (!IDENT.test(t)) throw new Error(`table name ${t} is not a plain identifier`);
  const keys = Object.entries(decl.keys ?? {});
  for (const [c] of keys) if (!IDENT.test(c) || RESERVED.has(c)) throw new Error(`table ${t}: bad key column ${c}`);
  const out = [
    // seq is the rowid, not AUTOINCREMENT: that keeps a sqlite_sequence row that every insert
    // rewrites (one more WAL frame per commit). A new row still sorts after every row there is;
    // only the seq of a deleted last row can come back, which no listing or cursor can tell from
    // a row that was never there. (The fixed event_log keeps AUTOINCREMENT: the bus reads it by
    // seq.)
    `CREATE TABLE IF NOT EXISTS ${t} (
      seq INTEGER PRIMARY KEY,
      sid TEXT NOT NULL UNIQUE,
      account_sid TEXT NOT NULL,
      parent_sid TEXT NOT NULL DEFAULT '',
      doc TEXT NOT NULL${keys.map(([c, k]) => `,\n      "${c}" ${columnType(k)}`).join('')}${decl.deferredList ? ',\n      listed INTEGER' : ''}
    )`,
    // a deferred list index holds the rows the repository has marked listed (see repository.ts)
    `CREATE INDEX IF NOT EXISTS ${listIndex(t, decl.deferredList === true)} ON ${t} (account_sid, parent_sid, seq)${decl.deferredList ? ' WHERE listed = 1' : ''}`,
  ];
  for (const [c, k] of keys)
    // partial: rows without a value (NULL) cost no index entry; `col = ?` and ranges imply IS NOT NULL
    if (k.indexed === 'account')
      out.push(`CREATE INDEX IF NOT EXISTS ${t}_across_${c} ON ${t} (account_sid, "${c}", seq) WHERE "${c}" IS NOT NULL`);
    else if (k.indexed !== false)
      out.push(`CREATE INDEX IF NOT EXISTS ${t}_by_${c} ON ${t} (account_sid, parent_sid, "${c}", seq) WHERE "${c}" IS NOT NULL`);
  for (const [name, u] of Object.entries(decl.unique ?? {})) {
    const scope = u.per === 'parent' ? 'account_sid, parent_sid' : 'account_sid';
    // rows with a NULL among the columns never clash, so they need no entry either
    const where = u.columns.map((c) => `"${c}" IS NOT NULL`).join(' AND ');
    out.push(`CREATE UNIQUE INDEX IF NOT EXISTS ${t}_${name} ON ${t} (${scope}, ${u.columns.map((c) => `"${c}"`).join(', ')}) WHERE ${where}`);
  }
  return out;
}

/** The name of a table's scope list index: the plain one, or the partial one of a deferred list index. */
export function listIndex(table: string, deferred: boolean): string {
  return `${table}_${deferred ? 'listed' : 'list'}`;
}

export function columnType(k: KeyDecl<any>): string {
  return k.type === 'int' ? 'INTEGER' : 'TEXT';
}

const RESERVED = new Set(['seq', 'sid', 'account_sid', 'parent_sid', 'doc', 'listed']);
