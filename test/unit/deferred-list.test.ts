import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {expect} from 'chai';
import {Store} from '../../src/lib/emulator/store/index.js';
import type {ListQuery, PageStart} from '../../src/lib/emulator/store/repository.js';
import {table} from '../../src/lib/emulator/store/table.js';
import {DEFAULT_ACCOUNT} from '../../src/lib/emulator/defaults.js';

// A deferred list index (TableDecl.deferredList) must answer every scoped read exactly as a
// plain one does, wherever the watermark between its listed rows and its tail happens to be.
// Two tables get the same writes; every read of one is compared with the other's.

const ACCOUNT = DEFAULT_ACCOUNT.accountSid;
const urls = {base: 'http://127.0.0.1:1/v1/P', root: 'http://127.0.0.1:1'};

interface Row {
  sid: string;
  account_sid: string;
  n: number;
  text: string;
}
const PARENTS = table<{sid: string}>({name: 'dl_parents'});
const keys = {n: {get: (d: Row) => d.n, type: 'int' as const, indexed: false}};
const DEFERRED = table<Row>({name: 'dl_deferred', parent: PARENTS, keys, deferredList: true});
const PLAIN = table<Row>({name: 'dl_plain', parent: PARENTS, keys});
const TABLES = [PARENTS, DEFERRED, PLAIN];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const parentSid = (i: number) => `PP${String(i).padStart(32, '0')}`;

function open(path = ':memory:', tailFlushRows = 5): Store {
  return new Store(path, [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: TABLES, tailFlushRows});
}

/** Every read of both tables, for one parent: pages from every start both ways, with and without a predicate; count, newest, all, findBy. */
function compare(store: Store, parent: string, size: number): void {
  const d = store.repo(DEFERRED);
  const p = store.repo(PLAIN);
  const seqs = store.db.prepare('SELECT seq FROM dl_plain WHERE parent_sid = ? ORDER BY seq').pluck().all(parent) as number[];
  const probes = [0, 1, ...seqs, ...seqs.map((s) => s + 1), ...seqs.map((s) => s - 1), (seqs.at(-1) ?? 0) + 5];
  const starts: PageStart[] = [];
  for (const s of probes) starts.push({after: s}, {before: s});
  for (let offset = 0; offset <= seqs.length + size; offset++) starts.push({offset});
  const queries: ListQuery<Row>[] = [{}, {order: 'desc'}, {filter: (r) => r.n % 3 !== 0}, {filter: (r) => r.n % 2 === 0, order: 'desc'}, {where: {n: {gte: 10}}}];
  for (const q of queries)
    for (const start of starts) {
      const label = `${parent} ${JSON.stringify(start)} ${q.order ?? ''}${q.filter ? ' filtered' : ''}${q.where ? ' where' : ''} size ${size}`;
      // the rendered items carry the collection URL, the same for both
      expect(d.page(ACCOUNT, q, start, size, urls, parent), label).to.deep.equal(p.page(ACCOUNT, q, start, size, urls, parent));
    }
  expect(d.count(ACCOUNT, parent)).to.equal(p.count(ACCOUNT, parent));
  expect(d.count(ACCOUNT, parent, {n: {lt: 20}})).to.equal(p.count(ACCOUNT, parent, {n: {lt: 20}}));
  expect(d.newest(ACCOUNT, 'n', parent)).to.equal(p.newest(ACCOUNT, 'n', parent));
  expect(d.all(ACCOUNT, {}, parent)).to.deep.equal(p.all(ACCOUNT, {}, parent));
  expect(d.all(ACCOUNT, {n: {gte: 5}}, parent)).to.deep.equal(p.all(ACCOUNT, {n: {gte: 5}}, parent));
  expect(d.findBy(ACCOUNT, {n: {gte: 7}}, parent)).to.deep.equal(p.findBy(ACCOUNT, {n: {gte: 7}}, parent));
  expect(d.findAnywhere(ACCOUNT, {n: {gte: 7}})).to.deep.equal(p.findAnywhere(ACCOUNT, {n: {gte: 7}}));
  expect(d.all(ACCOUNT)).to.deep.equal(p.all(ACCOUNT));
}

/** The rows of the deferred table that are listed, and the watermark: every row up to it listed, none above. */
function checkInvariant(store: Store): void {
  const upTo = Number(store.meta('listed_up_to:dl_deferred') ?? 0);
  const wrong = store.db
    .prepare('SELECT COUNT(*) FROM dl_deferred WHERE (seq <= ? AND listed IS NOT 1) OR (seq > ? AND listed IS NOT NULL)')
    .pluck()
    .get(upTo, upTo) as number;
  expect(wrong, `rows on the wrong side of the watermark ${upTo}`).to.equal(0);
}

describe('store: a deferred list index reads as a plain one', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'flexconv-deferred-'))));
  after(() => rmSync(dir, {recursive: true, force: true}));

  it('after random inserts, deletes, cascades, flushes and rolled-back writes, every read agrees', () => {
    const store = open();
    try {
      const rnd = prng(7);
      store.tx(() => {
        for (let i = 0; i < 4; i++) store.repo(PARENTS).insert(ACCOUNT, {sid: parentSid(i)});
      });
      let next = 0;
      let split = 0;
      const live: {row: Row; parent: string}[] = [];
      for (let step = 0; step < 300; step++) {
        const r = rnd();
        if (r < 0.55 || live.length === 0) {
          // parent 3 is deleted at step 200: rows go to the others from then on
          const parent = parentSid(Math.floor(rnd() * (step > 200 ? 3 : 4)));
          const row: Row = {sid: `RW${String(next).padStart(32, '0')}`, account_sid: ACCOUNT, n: next++, text: `row ${step}`};
          store.tx(() => {
            store.repo(DEFERRED).insert(ACCOUNT, row, parent);
            store.repo(PLAIN).insert(ACCOUNT, row, parent);
          });
          live.push({row, parent});
        } else if (r < 0.7) {
          // the newest row goes: its seq comes back for the next insert, maybe below the watermark
          const i = rnd() < 0.5 ? live.length - 1 : Math.floor(rnd() * live.length);
          const [{row, parent}] = live.splice(i, 1);
          store.tx(() => {
            expect(store.repo(DEFERRED).delete(ACCOUNT, row.sid, parent)).to.equal(true);
            expect(store.repo(PLAIN).delete(ACCOUNT, row.sid, parent)).to.equal(true);
          });
        } else if (r < 0.8) {
          const row: Row = {sid: `RW${String(next).padStart(32, '0')}`, account_sid: ACCOUNT, n: next++, text: 'never'};
          expect(() =>
            store.tx(() => {
              store.repo(DEFERRED).insert(ACCOUNT, row, parentSid(0));
              store.repo(PLAIN).insert(ACCOUNT, row, parentSid(0));
              throw new Error('rollback');
            }),
          ).to.throw('rollback');
        } else if (r < 0.9) {
          // a flush that rolls back leaves the tail as it was
          expect(() =>
            store.tx(() => {
              store.repo(DEFERRED).flushTail();
              throw new Error('rollback');
            }),
          ).to.throw('rollback');
        } else store.tx(() => store.repo(DEFERRED).flushTail());
        // the batch commits now (a tail of tailFlushRows rows or more is listed by it)
        store.flush();
        checkInvariant(store);
        if (step % 25 === 0) {
          // compared while the scope has rows on both sides of the watermark, as well as on one
          const upTo = Number(store.meta('listed_up_to:dl_deferred'));
          const sides = store.db.prepare('SELECT COUNT(DISTINCT seq > ?) FROM dl_deferred WHERE parent_sid = ?').pluck();
          for (let i = 0; i < 4; i++) {
            if ((sides.get(upTo, parentSid(i)) as number) === 2) split++;
            compare(store, parentSid(i), 1 + Math.floor(rnd() * 4));
          }
        }
        if (step === 200) {
          // a parent goes, with its rows in both tables
          store.tx(() => store.repo(PARENTS).delete(ACCOUNT, parentSid(3)));
          for (let i = live.length - 1; i >= 0; i--) if (live[i].parent === parentSid(3)) live.splice(i, 1);
          store.flush();
        }
      }
      for (let i = 0; i < 4; i++) compare(store, parentSid(i), 3);
      expect(split).to.be.greaterThan(5);
      expect(store.repo(DEFERRED).count(ACCOUNT, parentSid(3))).to.equal(0);
      const everything = store.repo(DEFERRED).all(ACCOUNT);
      expect(everything.map((d) => d.sid).sort()).to.deep.equal(live.map((l) => l.row.sid).sort());
    } finally {
      void store.close();
    }
  });

  it('a restart finds the tail from the watermark; a reset starts it over', async () => {
    const path = join(dir, 'restart.db');
    let store = open(path, 1000);
    store.tx(() => store.repo(PARENTS).insert(ACCOUNT, {sid: parentSid(0)}));
    const add = (s: Store, n: number) =>
      s.tx(() => {
        const row: Row = {sid: `RW${String(n).padStart(32, '0')}`, account_sid: ACCOUNT, n, text: 'x'};
        s.repo(DEFERRED).insert(ACCOUNT, row, parentSid(0));
        s.repo(PLAIN).insert(ACCOUNT, row, parentSid(0));
      });
    for (let n = 0; n < 10; n++) add(store, n);
    store.tx(() => store.repo(DEFERRED).flushTail());
    for (let n = 10; n < 16; n++) add(store, n);
    store.flush();
    expect(store.repo(DEFERRED).tailRows).to.equal(6);
    await store.close();

    store = open(path, 1000);
    expect(store.repo(DEFERRED).tailRows).to.equal(6);
    checkInvariant(store);
    compare(store, parentSid(0), 4);
    store.reset(new Date());
    store.flush();
    expect(store.meta('listed_up_to:dl_deferred')).to.equal('0');
    store.tx(() => store.repo(PARENTS).insert(ACCOUNT, {sid: parentSid(0)}));
    for (let n = 0; n < 3; n++) add(store, n);
    store.flush();
    checkInvariant(store);
    compare(store, parentSid(0), 2);
    expect(store.repo(DEFERRED).count(ACCOUNT, parentSid(0))).to.equal(3);
    await store.close();
  });

  it('a tail left waiting is listed a moment after the commit, in a batch of its own', async () => {
    const store = open(':memory:', 1000);
    try {
      store.tx(() => {
        store.repo(PARENTS).insert(ACCOUNT, {sid: parentSid(0)});
        store.repo(DEFERRED).insert(ACCOUNT, {sid: `RW${'0'.repeat(32)}`, account_sid: ACCOUNT, n: 0, text: 'x'}, parentSid(0));
      });
      store.flush();
      expect(store.repo(DEFERRED).tailRows).to.equal(1);
      const deadline = Date.now() + 5000;
      while (store.repo(DEFERRED).tailRows > 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
      await store.settled();
      expect(store.repo(DEFERRED).tailRows).to.equal(0);
      checkInvariant(store);
      expect(store.meta('listed_up_to:dl_deferred')).to.equal('1');
    } finally {
      await store.close();
    }
  });

  it('a table made deferred lists the rows it already has; made plain again, it keeps them', async () => {
    const path = join(dir, 'migrate.db');
    const declared = [false, true].map((deferredList) => table<Row>({name: 'dl_switch', parent: PARENTS, keys, deferredList}));
    const NAMED = (deferred: boolean) => declared[Number(deferred)];
    const openAs = (deferred: boolean) => new Store(path, [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: [PARENTS, NAMED(deferred)], tailFlushRows: 1000});
    let store = openAs(false);
    store.tx(() => {
      store.repo(PARENTS).insert(ACCOUNT, {sid: parentSid(0)});
      for (let n = 0; n < 5; n++) store.repo(NAMED(false)).insert(ACCOUNT, {sid: `RW${String(n).padStart(32, '0')}`, account_sid: ACCOUNT, n, text: 'x'}, parentSid(0));
    });
    await store.close();
    store = openAs(true);
    const indexes = () => store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dl_switch'").pluck().all();
    expect(indexes()).to.include('dl_switch_listed').and.not.include('dl_switch_list');
    expect(store.db.prepare('SELECT COUNT(*) FROM dl_switch WHERE listed = 1').pluck().get()).to.equal(5);
    expect(store.repo(NAMED(true)).tailRows).to.equal(0);
    expect(store.repo(NAMED(true)).all(ACCOUNT, {}, parentSid(0)).map((r) => r.n)).to.deep.equal([0, 1, 2, 3, 4]);
    // the partial index serves the scope's listed rows (no scan of the table)
    const plan = store.db
      .prepare(`EXPLAIN QUERY PLAN SELECT doc FROM dl_switch WHERE account_sid = ? AND parent_sid = ? AND listed = 1 ORDER BY seq LIMIT 5`)
      .all(ACCOUNT, parentSid(0)) as {detail: string}[];
    expect(plan.map((p) => p.detail).join('; ')).to.contain('dl_switch_listed');
    // and the tail is read by its seq range (a scan of the tail alone, not of the table)
    const tailPlan = store.db
      .prepare(`EXPLAIN QUERY PLAN SELECT doc FROM dl_switch WHERE seq > ? AND account_sid = ? AND parent_sid = ? ORDER BY seq DESC LIMIT 5`)
      .all(0, ACCOUNT, parentSid(0)) as {detail: string}[];
    expect(tailPlan.map((p) => p.detail).join('; ')).to.match(/USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    await store.close();
    store = openAs(false);
    expect(indexes()).to.include('dl_switch_list').and.not.include('dl_switch_listed');
    expect(store.repo(NAMED(false)).count(ACCOUNT, parentSid(0))).to.equal(5);
    await store.close();
  });

  it('refuses declarations a deferred list index cannot serve', () => {
    expect(() => table<Row>({name: 'x1', deferredList: true, listing: true})).to.throw(/in-memory listing/);
    expect(() => table<Row>({name: 'x2', deferredList: true, keys: {n: {get: (d) => d.n}}})).to.throw(/indexed within a parent/);
    const store = open();
    try {
      expect(() => store.repo(DEFERRED).page(ACCOUNT, {orderBy: 'n'}, {offset: 0}, 5, urls, parentSid(0))).to.throw(/sorts by seq only/);
    } finally {
      void store.close();
    }
  });
});
