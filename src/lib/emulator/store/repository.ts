import type {Database, Statement} from 'better-sqlite3';

/** A stored row: its paging key, its SID, and the document as stored JSON text (parsed on demand). */
export class Row<T> {
  constructor(
    readonly seq: number,
    readonly sid: string,
    readonly text: string,
  ) {}

  get doc(): T {
    return JSON.parse(this.text) as T;
  }
}

/** Where a page starts: after/before a known seq (cursor), or at an offset (plain Page=N). */
export type PageStart = {after: number} | {before: number} | {offset: number};

export interface PageResult<T> {
  rows: Row<T>[];
  hasNext: boolean;
  hasPrevious: boolean;
}

/**
 * One repository shape for every emulated resource: documents stored as JSON, scoped to an
 * account (and a parent resource for nested lists), listed by insertion order through an index
 * (never a scan), with a few indexed key columns for lookups, filters and uniqueness.
 */
export class ResourceRepo<T extends {sid: string}> {
  private readonly stmts = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    readonly table: string,
    /** Key columns: column name → how to read it from the document. */
    private readonly keys: Record<string, (doc: T) => string>,
  ) {}

  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private keyValues(doc: T): string[] {
    return Object.values(this.keys).map((read) => read(doc));
  }

  insert(accountSid: string, doc: T, parentSid = ''): number {
    const cols = Object.keys(this.keys);
    const sql = `INSERT INTO ${this.table} (sid, account_sid, parent_sid, doc${cols.map((c) => `, ${c}`).join('')})
      VALUES (?, ?, ?, ?${cols.map(() => ', ?').join('')})`;
    const info = this.stmt(sql).run(doc.sid, accountSid, parentSid, JSON.stringify(doc), ...this.keyValues(doc));
    return Number(info.lastInsertRowid);
  }

  get(accountSid: string, sid: string, parentSid = ''): T | undefined {
    const row = this.stmt(`SELECT doc FROM ${this.table} WHERE sid = ? AND account_sid = ? AND parent_sid = ?`).get(
      sid,
      accountSid,
      parentSid,
    ) as {doc: string} | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  /** First document whose key columns equal the given values. */
  findBy(accountSid: string, where: Record<string, string>, parentSid = ''): T | undefined {
    const cols = Object.keys(where);
    const sql = `SELECT doc FROM ${this.table} WHERE account_sid = ? AND parent_sid = ?${cols
      .map((c) => ` AND ${c} = ?`)
      .join('')} ORDER BY seq LIMIT 1`;
    const row = this.stmt(sql).get(accountSid, parentSid, ...Object.values(where)) as {doc: string} | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  update(accountSid: string, doc: T, parentSid = ''): void {
    const cols = Object.keys(this.keys);
    const sql = `UPDATE ${this.table} SET doc = ?${cols.map((c) => `, ${c} = ?`).join('')}
      WHERE sid = ? AND account_sid = ? AND parent_sid = ?`;
    this.stmt(sql).run(JSON.stringify(doc), ...this.keyValues(doc), doc.sid, accountSid, parentSid);
  }

  delete(accountSid: string, sid: string, parentSid = ''): boolean {
    const info = this.stmt(`DELETE FROM ${this.table} WHERE sid = ? AND account_sid = ? AND parent_sid = ?`).run(
      sid,
      accountSid,
      parentSid,
    );
    return info.changes > 0;
  }

  count(accountSid: string, parentSid = ''): number {
    const row = this.stmt(`SELECT COUNT(*) AS n FROM ${this.table} WHERE account_sid = ? AND parent_sid = ?`).get(
      accountSid,
      parentSid,
    ) as {n: number};
    return row.n;
  }

  private exists(where: string, args: unknown[]): boolean {
    return this.stmt(`SELECT 1 FROM ${this.table} WHERE ${where} LIMIT 1`).get(...args) !== undefined;
  }

  /** One page in insertion order, read through the (account, parent[, filter], seq) index. */
  page(accountSid: string, where: Record<string, string>, start: PageStart, size: number, parentSid = ''): PageResult<T> {
    const cols = Object.keys(where);
    const filter = `account_sid = ? AND parent_sid = ?${cols.map((c) => ` AND ${c} = ?`).join('')}`;
    const args: unknown[] = [accountSid, parentSid, ...Object.values(where)];
    // The limit goes into the SQL text: SQLite reads a bound LIMIT while planning, so binding it
    // re-prepares the statement on every call (measured: twice the cost of the query).
    const limit = Math.trunc(size) + 1;
    let rows: {seq: number; sid: string; doc: string}[];
    let hasNext: boolean;
    let hasPrevious: boolean;
    if ('before' in start) {
      rows = this.stmt(`SELECT seq, sid, doc FROM ${this.table} WHERE ${filter} AND seq < ? ORDER BY seq DESC LIMIT ${limit}`).all(
        ...args,
        start.before,
      ) as typeof rows;
      hasPrevious = rows.length > size;
      rows = rows.slice(0, size).reverse();
      // the cursor row itself may be gone: is anything left at or after it?
      hasNext = this.exists(`${filter} AND seq >= ?`, [...args, start.before]);
    } else if ('after' in start) {
      rows = this.stmt(`SELECT seq, sid, doc FROM ${this.table} WHERE ${filter} AND seq > ? ORDER BY seq LIMIT ${limit}`).all(
        ...args,
        start.after,
      ) as typeof rows;
      hasNext = rows.length > size;
      rows = rows.slice(0, size);
      hasPrevious = this.exists(`${filter} AND seq <= ?`, [...args, start.after]);
    } else {
      rows = this.stmt(`SELECT seq, sid, doc FROM ${this.table} WHERE ${filter} ORDER BY seq LIMIT ${limit} OFFSET ?`).all(
        ...args,
        start.offset,
      ) as typeof rows;
      hasNext = rows.length > size;
      rows = rows.slice(0, size);
      hasPrevious = start.offset > 0;
    }
    return {rows: rows.map((r) => new Row<T>(r.seq, r.sid, r.doc)), hasNext, hasPrevious};
  }
}
