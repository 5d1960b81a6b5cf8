import {copyFileSync, existsSync, mkdtempSync, rmSync} from 'node:fs';
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
const OTHER = {accountSid: `AC${'b'.repeat(32)}`, authToken: 'other-token'};
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
/** Rows under the deferred table's rows (as receipts are under messages): cascades reach them. */
const GRANDKIDS = table<{sid: string; of: string}>({name: 'dl_grandkids', parent: DEFERRED});
const TABLES = [PARENTS, DEFERRED, PLAIN, GRANDKIDS];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const parentSid = (i: number) => `PP${String(i).padStart(32, '0')}`;
const rowOf = (n: number, account = ACCOUNT): Row => ({sid: `RW${String(n).padStart(32, '0')}`, account_sid: account, n, text: `row ${n}`});

function open(path = ':memory:', tailFlushRows = 1000, accounts = [{...DEFAULT_ACCOUNT}]): Store {
  return new Store(path, accounts, () => new Date(), {tables: TABLES, tailFlushRows});
}

/** Insert a row into both tables (one transaction). */
function add(store: Store, n: number, parent = parentSid(0), account = ACCOUNT): Row {
  const row = rowOf(n, account);
  store.tx(() => {
    store.repo(DEFERRED).insert(account, row, parent);
    store.repo(PLAIN).insert(account, row, parent);
  });
  return row;
}

function addParent(store: Store, i: number, account = ACCOUNT): void {
  store.tx(() => store.repo(PARENTS).insert(account, {sid: parentSid(i)}));
}

/** Every read of both tables, for one parent: pages from every start both ways, with and without a predicate; count, newest, all, findBy. */
function compare(store: Store, parent: string, size: number, account = ACCOUNT): void {
  const d = store.repo(DEFERRED);
  const p = store.repo(PLAIN);
  const seqs = store.db.prepare('SELECT seq FROM dl_plain WHERE parent_sid = ? AND account_sid = ? ORDER BY seq').pluck().all(parent, account) as number[];
  const probes = [0, 1, ...seqs, ...seqs.map((s) => s + 1), ...seqs.map((s) => s - 1), (seqs.at(-1) ?? 0) + 5];
  const starts: PageStart[] = [];
  for (const s of probes) starts.push({after: s}, {before: s});
  for (let offset = 0; offset <= seqs.length + size; offset++) starts.push({offset});
  const queries: ListQuery<Row>[] = [
    {},
    {order: 'desc'},
    {filter: (r) => r.n % 3 !== 0},
    {filter: (r) => r.n % 2 === 0, order: 'desc'},
    {where: {n: {gte: 3}}},
    {where: {n: {gte: 10}}},
  ];
  for (const q of queries)
    for (const start of starts) {
      const label = `${parent} ${JSON.stringify(start)} ${q.order ?? ''}${q.filter ? ' filtered' : ''}${q.where ? ' where' : ''} size ${size}`;
      expect(d.page(account, q, start, size, urls, parent), label).to.deep.equal(p.page(account, q, start, size, urls, parent));
    }
  expect(d.count(account, parent), 'count').to.equal(p.count(account, parent));
  expect(d.count(account, parent, {n: {lt: 20}}), 'count where').to.equal(p.count(account, parent, {n: {lt: 20}}));
  expect(d.newest(account, 'n', parent), 'newest').to.equal(p.newest(account, 'n', parent));
  expect(d.all(account, {}, parent), 'all').to.deep.equal(p.all(account, {}, parent));
  expect(d.all(account, {n: {gte: 5}}, parent), 'all where').to.deep.equal(p.all(account, {n: {gte: 5}}, parent));
  for (const gte of [2, 7]) {
    expect(d.findBy(account, {n: {gte}}, parent), 'findBy').to.deep.equal(p.findBy(account, {n: {gte}}, parent));
    expect(d.findAnywhere(account, {n: {gte}}), 'findAnywhere').to.deep.equal(p.findAnywhere(account, {n: {gte}}));
  }
  expect(d.all(account), 'all of the account').to.deep.equal(p.all(account));
}

/** Every row up to the kept watermark listed, none above. */
function checkInvariant(store: Store, name = 'dl_deferred'): void {
  const upTo = Number(store.meta(`listed_up_to:${name}`) ?? 0);
  const wrong = store.db
    .prepare(`SELECT COUNT(*) FROM ${name} WHERE (seq <= ? AND listed IS NOT 1) OR (seq > ? AND listed IS NOT NULL)`)
    .pluck()
    .get(upTo, upTo) as number;
  expect(wrong, `rows on the wrong side of the watermark ${upTo}`).to.equal(0);
}

/** One table declared both ways (its list index deferred or not), to switch between them. */
const SWITCH = [false, true].map((deferredList) => table<Row>({name: 'dl_switch', parent: PARENTS, keys, deferredList}));
const openAs = (path: string, deferred: boolean) =>
  new Store(path, [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: [PARENTS, SWITCH[Number(deferred)]], tailFlushRows: 1000});
const switchRows = (s: Store, deferred: boolean) => s.repo(SWITCH[Number(deferred)]).all(ACCOUNT, {}, parentSid(0)).map((r) => r.n);

/** A new database with rows 0–4 in the switch table declared one way (a deferred one lists them). */
async function seedSwitch(path: string, deferred: boolean): Promise<void> {
  const store = openAs(path, deferred);
  store.tx(() => {
    store.repo(PARENTS).insert(ACCOUNT, {sid: parentSid(0)});
    for (let n = 0; n < 5; n++) store.repo(SWITCH[Number(deferred)]).insert(ACCOUNT, rowOf(n), parentSid(0));
  });
  if (deferred) store.tx(() => store.repo(SWITCH[1]).flushTail());
  await store.close();
}

/** Make the batch's COMMIT fail (a deferred foreign key violated inside it). */
function poisonBatch(store: Store): void {
  store.db.exec(
    'CREATE TABLE IF NOT EXISTS fk_parent (id INTEGER PRIMARY KEY); CREATE TABLE IF NOT EXISTS fk_child (p INTEGER REFERENCES fk_parent(id) DEFERRABLE INITIALLY DEFERRED)',
  );
  store.tx(() => store.db.prepare('INSERT INTO fk_child (p) VALUES (42)').run());
}

describe('store: a deferred list index reads as a plain one', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'flexconv-deferred-'))));
  after(() => rmSync(dir, {recursive: true, force: true}));

  it('after random inserts, deletes, cascades, flushes and rolled-back writes, every read agrees', () => {
    const store = open(':memory:', 5);
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
    let store = open(path);
    addParent(store, 0);
    for (let n = 0; n < 10; n++) add(store, n);
    store.tx(() => store.repo(DEFERRED).flushTail());
    for (let n = 10; n < 16; n++) add(store, n);
    store.flush();
    expect(store.repo(DEFERRED).tailRows).to.equal(6);
    await store.close();

    store = open(path);
    expect(store.repo(DEFERRED).tailRows).to.equal(6);
    checkInvariant(store);
    compare(store, parentSid(0), 4);
    store.reset(new Date());
    store.flush();
    expect(store.meta('listed_up_to:dl_deferred')).to.equal('0');
    addParent(store, 0);
    for (let n = 0; n < 3; n++) add(store, n);
    store.flush();
    checkInvariant(store);
    compare(store, parentSid(0), 2);
    expect(store.repo(DEFERRED).count(ACCOUNT, parentSid(0))).to.equal(3);
    await store.close();
  });

  it('a tail left waiting is listed a moment after the commit, in a batch of its own', async () => {
    const store = open();
    try {
      store.tx(() => {
        store.repo(PARENTS).insert(ACCOUNT, {sid: parentSid(0)});
        store.repo(DEFERRED).insert(ACCOUNT, rowOf(0), parentSid(0));
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
    await seedSwitch(path, false);
    let store = openAs(path, true);
    const indexes = () => store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dl_switch'").pluck().all();
    expect(indexes()).to.include('dl_switch_listed').and.not.include('dl_switch_list');
    expect(store.db.prepare('SELECT COUNT(*) FROM dl_switch WHERE listed = 1').pluck().get()).to.equal(5);
    expect(store.repo(SWITCH[1]).tailRows).to.equal(0);
    expect(store.repo(SWITCH[1]).all(ACCOUNT, {}, parentSid(0)).map((r) => r.n)).to.deep.equal([0, 1, 2, 3, 4]);
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
    store = openAs(path, false);
    expect(indexes()).to.include('dl_switch_list').and.not.include('dl_switch_listed');
    expect(store.repo(SWITCH[0]).count(ACCOUNT, parentSid(0))).to.equal(5);
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

describe('store: a deferred list index through failures, restarts and switches', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'flexconv-deferred-cases-'))));
  after(() => rmSync(dir, {recursive: true, force: true}));

  // ---------------------------------------------------------------- found in review (they failed on 48db02c)

  it('a tail flush whose watermark write fails leaves the tail readable (and listable later)', async () => {
    const store = open(':memory:', 2);
    try {
      addParent(store, 0);
      store.flush();
      // the watermark's UPDATE fails (a stand-in for SQLITE_FULL / SQLITE_IOERR on that page)
      store.db.exec(
        "CREATE TEMP TRIGGER dl_fail BEFORE UPDATE ON main.flexconv_meta WHEN NEW.key = 'listed_up_to:dl_deferred' BEGIN SELECT RAISE(ABORT, 'simulated write error'); END",
      );
      for (let n = 0; n < 3; n++) add(store, n);
      // flush() tries to list the tail (3 ≥ 2), fails, and swallows it: "the tail stays as it is"
      store.flush();
      expect(store.repo(PLAIN).count(ACCOUNT, parentSid(0))).to.equal(3);
      expect(store.repo(DEFERRED).count(ACCOUNT, parentSid(0)), 'rows of the tail after a failed flush').to.equal(3);
      compare(store, parentSid(0), 2);
      // the error goes away: the next flush lists every row of the tail
      store.db.exec('DROP TRIGGER dl_fail');
      add(store, 3);
      add(store, 4);
      store.flush();
      checkInvariant(store);
      compare(store, parentSid(0), 2);
    } finally {
      await store.close();
    }
  });

  it('a reset whose COMMIT fails leaves the tail state as the database still has it', async () => {
    const store = open();
    try {
      addParent(store, 0);
      for (let n = 0; n < 3; n++) add(store, n);
      store.tx(() => store.repo(DEFERRED).flushTail());
      add(store, 3);
      add(store, 4);
      store.flush();
      expect(store.meta('listed_up_to:dl_deferred')).to.not.equal('0');
      expect(store.repo(DEFERRED).tailRows).to.equal(2);
      // a reset, in a batch whose COMMIT fails: the database keeps every row and its watermark
      store.reset(new Date());
      poisonBatch(store);
      expect(() => store.flush()).to.throw(/FOREIGN KEY/);
      expect(store.repo(PLAIN).count(ACCOUNT, parentSid(0))).to.equal(5);
      expect(store.repo(DEFERRED).count(ACCOUNT, parentSid(0)), 'rows after the failed reset').to.equal(5);
      // a new row: its scope's reads must neither lose the old tail nor repeat the listed rows
      add(store, 5);
      store.flush();
      expect(store.repo(DEFERRED).all(ACCOUNT, {}, parentSid(0)).map((r) => r.n), 'rows after one more insert').to.deep.equal([0, 1, 2, 3, 4, 5]);
      compare(store, parentSid(0), 2);
    } finally {
      await store.close();
    }
  });

  // the table switched deferred → plain → deferred (a downgrade and upgrade, or a declaration
  // changed back): the watermark kept from the first deferred phase is stale

  it('deferred → plain (last rows deleted, seqs reused) → deferred: every row is still read', async () => {
    const path = join(dir, 'switch-reuse.db');
    await seedSwitch(path, true);
    expect(existsSync(path)).to.equal(true);

    let store = openAs(path, false);
    store.tx(() => {
      // the two newest rows go, and their seqs come back for the next two
      store.repo(SWITCH[0]).delete(ACCOUNT, rowOf(3).sid, parentSid(0));
      store.repo(SWITCH[0]).delete(ACCOUNT, rowOf(4).sid, parentSid(0));
      store.repo(SWITCH[0]).insert(ACCOUNT, rowOf(10), parentSid(0));
      store.repo(SWITCH[0]).insert(ACCOUNT, rowOf(11), parentSid(0));
    });
    expect(switchRows(store, false)).to.deep.equal([0, 1, 2, 10, 11]);
    await store.close();

    store = openAs(path, true);
    try {
      expect(switchRows(store, true), 'rows after switching back to deferred').to.deep.equal([0, 1, 2, 10, 11]);
      expect(store.repo(SWITCH[1]).count(ACCOUNT, parentSid(0))).to.equal(5);
      checkInvariant(store, 'dl_switch');
    } finally {
      await store.close();
    }
  });

  it('deferred → plain (reset, new rows) → deferred: every row is still read', async () => {
    const path = join(dir, 'switch-reset.db');
    await seedSwitch(path, true);

    let store = openAs(path, false);
    store.reset(new Date());
    store.tx(() => {
      store.repo(PARENTS).insert(ACCOUNT, {sid: parentSid(0)});
      for (let n = 20; n < 23; n++) store.repo(SWITCH[0]).insert(ACCOUNT, rowOf(n), parentSid(0));
    });
    await store.close();

    store = openAs(path, true);
    try {
      expect(switchRows(store, true), 'rows after switching back to deferred').to.deep.equal([20, 21, 22]);
      checkInvariant(store, 'dl_switch');
    } finally {
      await store.close();
    }
  });

  // ---------------------------------------------------------------- more cases

  it('the tail timer firing while another batch is open joins it; a failed COMMIT of that batch restores everything', async () => {
    const store = open();
    try {
      addParent(store, 0);
      addParent(store, 1);
      add(store, 0);
      add(store, 1);
      store.tx(() => store.repo(DEFERRED).flushTail());
      add(store, 2);
      store.flush();
      // a batch is open (row 3) when the timer's work runs: it lists the tail inside that batch
      add(store, 3, parentSid(1));
      store['listTails']();
      expect(store.repo(DEFERRED).tailRows, 'the tail timer listed the tail inside the open batch').to.equal(0);
      poisonBatch(store);
      expect(() => store.flush()).to.throw();
      // the batch (row 3 and the listing) was rolled back at COMMIT
      expect(store.repo(PLAIN).count(ACCOUNT, parentSid(1))).to.equal(0);
      checkInvariant(store);
      compare(store, parentSid(0), 2);
      compare(store, parentSid(1), 2);
      // the tail (row 2) is still a tail, and is listed by the next flush
      add(store, 4, parentSid(1));
      store.flush();
      store.tx(() => store.repo(DEFERRED).flushTail());
      store.flush();
      checkInvariant(store);
      expect(Number(store.meta('listed_up_to:dl_deferred'))).to.be.greaterThan(0);
      compare(store, parentSid(0), 2);
      compare(store, parentSid(1), 2);
    } finally {
      await store.close();
    }
  });

  it('close() leaves no tail timer behind; the next start finds the tail', async () => {
    const path = join(dir, 'close-timer.db');
    let store = open(path);
    addParent(store, 0);
    add(store, 0);
    add(store, 1);
    // close() commits (which asks for a tail listing) and then clears the timer
    await store.close();
    expect(store['tailTimer']).to.equal(undefined);
    store = open(path);
    try {
      expect(store.repo(DEFERRED).tailRows).to.equal(2);
      compare(store, parentSid(0), 1);
    } finally {
      await store.close();
    }
  });

  it('a crash with a tail (the files copied while open): the copy reads every row, and lists them later', async () => {
    const path = join(dir, 'crash.db');
    const store = open(path);
    let copy: Store | undefined;
    try {
      addParent(store, 0);
      addParent(store, 1);
      for (let n = 0; n < 4; n++) add(store, n, parentSid(n % 2));
      store.tx(() => store.repo(DEFERRED).flushTail());
      for (let n = 4; n < 9; n++) add(store, n, parentSid(n % 2));
      // the newest listed row and a tail row go: no seq reuse below the tail here
      store.tx(() => {
        store.repo(DEFERRED).delete(ACCOUNT, rowOf(5).sid, parentSid(1));
        store.repo(PLAIN).delete(ACCOUNT, rowOf(5).sid, parentSid(1));
      });
      store.flush();
      const crashed = join(dir, 'crashed.db');
      copyFileSync(path, crashed);
      if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${crashed}-wal`);
      copy = open(crashed);
      expect(copy.repo(DEFERRED).tailRows).to.equal(4);
      checkInvariant(copy);
      compare(copy, parentSid(0), 2);
      compare(copy, parentSid(1), 2);
      copy.tx(() => copy!.repo(DEFERRED).flushTail());
      copy.flush();
      checkInvariant(copy);
      compare(copy, parentSid(0), 3);
      compare(copy, parentSid(1), 3);
    } finally {
      await copy?.close();
      await store.close();
    }
  });

  it('the last rows deleted below the watermark: the reused seqs are listed at once, across a restart too', async () => {
    const path = join(dir, 'reuse.db');
    let store = open(path);
    addParent(store, 0);
    for (let n = 0; n < 6; n++) add(store, n);
    store.tx(() => store.repo(DEFERRED).flushTail());
    store.flush();
    const upTo = Number(store.meta('listed_up_to:dl_deferred'));
    // every row of the deferred table goes but the first, then new rows come back below the watermark
    store.tx(() => {
      for (let n = 1; n < 6; n++) {
        store.repo(DEFERRED).delete(ACCOUNT, rowOf(n).sid, parentSid(0));
        store.repo(PLAIN).delete(ACCOUNT, rowOf(n).sid, parentSid(0));
      }
    });
    store.flush();
    add(store, 10);
    add(store, 11);
    store.flush();
    expect(store.repo(DEFERRED).tailRows).to.equal(0);
    expect(Number(store.meta('listed_up_to:dl_deferred'))).to.equal(upTo);
    checkInvariant(store);
    compare(store, parentSid(0), 2);
    await store.close();
    store = open(path);
    try {
      checkInvariant(store);
      compare(store, parentSid(0), 2);
      // past the watermark again: the tail
      for (let n = 20; n < 26; n++) add(store, n);
      store.flush();
      expect(store.repo(DEFERRED).tailRows).to.be.greaterThan(0);
      checkInvariant(store);
      compare(store, parentSid(0), 3);
    } finally {
      await store.close();
    }
  });

  it('a parent deleted with rows listed and in the tail: the cascade takes both, and their children', async () => {
    const store = open();
    try {
      addParent(store, 0);
      addParent(store, 1);
      const kids = store.repo(GRANDKIDS);
      for (let n = 0; n < 6; n++) {
        const row = add(store, n, parentSid(n % 2));
        store.tx(() => kids.insert(ACCOUNT, {sid: `GK${String(n).padStart(32, '0')}`, of: row.sid}, row.sid));
        if (n === 2) store.tx(() => store.repo(DEFERRED).flushTail());
      }
      store.flush();
      store.tx(() => store.repo(PARENTS).delete(ACCOUNT, parentSid(1)));
      store.flush();
      expect(store.repo(DEFERRED).count(ACCOUNT, parentSid(1))).to.equal(0);
      expect(store.db.prepare("SELECT COUNT(*) FROM dl_deferred WHERE parent_sid = ?").pluck().get(parentSid(1))).to.equal(0);
      compare(store, parentSid(0), 2);
      compare(store, parentSid(1), 2);
      const left = store.db.prepare('SELECT parent_sid FROM dl_grandkids ORDER BY seq').pluck().all() as string[];
      expect(left).to.deep.equal([rowOf(0).sid, rowOf(2).sid, rowOf(4).sid]);
      // the parent comes back: new rows, nothing of the old ones
      addParent(store, 1);
      add(store, 10, parentSid(1));
      store.flush();
      compare(store, parentSid(1), 2);
    } finally {
      await store.close();
    }
  });

  it('newest(): kept values stay right through tail flushes, rollbacks, deletes of the newest row and cascades', async () => {
    const store = open();
    try {
      addParent(store, 0);
      const d = store.repo(DEFERRED);
      const p = store.repo(PLAIN);
      const same = (label: string) => expect(d.newest(ACCOUNT, 'n', parentSid(0)), label).to.equal(p.newest(ACCOUNT, 'n', parentSid(0)));
      same('empty');
      add(store, 0);
      same('one in the tail');
      store.tx(() => d.flushTail());
      same('listed');
      add(store, 1);
      same('listed + tail');
      // read inside a transaction that rolls back (it saw its own insert)
      expect(() =>
        store.tx(() => {
          add(store, 2);
          same('inside');
          throw new Error('rollback');
        }),
      ).to.throw('rollback');
      same('after the rollback');
      // a rolled-back tail flush
      expect(() =>
        store.tx(() => {
          d.flushTail();
          same('inside the flush');
          throw new Error('rollback');
        }),
      ).to.throw('rollback');
      same('after the rolled-back flush');
      // the newest row goes (in the tail), then the newest listed one
      store.tx(() => {
        d.delete(ACCOUNT, rowOf(1).sid, parentSid(0));
        p.delete(ACCOUNT, rowOf(1).sid, parentSid(0));
      });
      same('newest tail row deleted');
      store.tx(() => {
        d.delete(ACCOUNT, rowOf(0).sid, parentSid(0));
        p.delete(ACCOUNT, rowOf(0).sid, parentSid(0));
      });
      same('all deleted');
      add(store, 3);
      same('seq reused');
      store.flush();
      // a failed COMMIT after a newest() read that saw the batch's insert
      add(store, 4);
      same('before failed commit');
      poisonBatch(store);
      expect(() => store.flush()).to.throw(/FOREIGN KEY/);
      same('after failed commit');
      store.tx(() => store.repo(PARENTS).delete(ACCOUNT, parentSid(0)));
      same('after cascade');
    } finally {
      await store.close();
    }
  });

  it('paging by cursor while the tail is listed between pages neither skips nor repeats a row', async () => {
    const store = open(':memory:', 3);
    try {
      addParent(store, 0);
      addParent(store, 1);
      for (let n = 0; n < 7; n++) add(store, n, parentSid(n % 3 === 0 ? 1 : 0));
      store.flush();
      let extra = 100;
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let start: PageStart = {offset: 0};
        for (let guard = 0; guard < 50; guard++) {
          const page = store.repo(DEFERRED).page(ACCOUNT, {order}, start, 2, urls, parentSid(0));
          for (const item of page.items ? (JSON.parse(`[${page.items}]`) as Row[]) : []) seen.push(item.sid);
          if (!page.hasNext) break;
          start = {after: page.nextSeq!};
          // between pages: rows in other scopes (a flush lists the tail) and in this one
          add(store, extra++, parentSid(1));
          if (order === 'asc') add(store, extra++, parentSid(0));
          store.flush();
        }
        const want = store.repo(PLAIN).all(ACCOUNT, {}, parentSid(0)).map((r) => r.sid);
        expect(new Set(seen).size, `${order}: no row twice`).to.equal(seen.length);
        // asc: rows added to the scope behind the cursor are reached too; desc: the scope did not change
        expect(seen).to.deep.equal(order === 'asc' ? want : [...want].reverse());
        checkInvariant(store);
      }
      compare(store, parentSid(0), 2);
    } finally {
      await store.close();
    }
  });

  it('account-wide reads with the tail in another account, and rows of two accounts in one tail', async () => {
    const store = open(':memory:', 1000, [{...DEFAULT_ACCOUNT}, {...OTHER}]);
    try {
      addParent(store, 0);
      addParent(store, 5, OTHER.accountSid);
      add(store, 0);
      add(store, 1, parentSid(5), OTHER.accountSid);
      store.tx(() => store.repo(DEFERRED).flushTail());
      add(store, 2, parentSid(5), OTHER.accountSid);
      add(store, 3);
      add(store, 4, parentSid(5), OTHER.accountSid);
      store.flush();
      compare(store, parentSid(0), 2);
      compare(store, parentSid(5), 2, OTHER.accountSid);
      expect(store.repo(DEFERRED).findAnywhere(OTHER.accountSid, {n: {gte: 2}})?.n).to.equal(2);
      expect(store.repo(DEFERRED).all(OTHER.accountSid).map((r) => r.n)).to.deep.equal([1, 2, 4]);
      // the default account's parent goes, with a tail row: the other account's rows stay
      store.tx(() => store.repo(PARENTS).delete(ACCOUNT, parentSid(0)));
      store.flush();
      compare(store, parentSid(0), 2);
      compare(store, parentSid(5), 2, OTHER.accountSid);
    } finally {
      await store.close();
    }
  });

  it('a reset with a tail (committed), then a restart: the watermark starts over and the new rows are read', async () => {
    const path = join(dir, 'reset-restart.db');
    let store = open(path);
    addParent(store, 0);
    for (let n = 0; n < 4; n++) add(store, n);
    store.tx(() => store.repo(DEFERRED).flushTail());
    add(store, 4);
    store.flush();
    store.reset(new Date());
    store.flush();
    addParent(store, 0);
    add(store, 7);
    add(store, 8);
    await store.close();
    store = open(path);
    try {
      expect(store.meta('listed_up_to:dl_deferred')).to.equal('0');
      expect(store.repo(DEFERRED).tailRows).to.equal(2);
      checkInvariant(store);
      compare(store, parentSid(0), 2);
    } finally {
      await store.close();
    }
  });
});
