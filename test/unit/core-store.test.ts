import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {expect} from 'chai';
import {DEFAULT_ACCOUNT} from '../../src/lib/emulator/defaults.js';
import {Store} from '../../src/lib/emulator/store/index.js';
import type {Cond, ListQuery, PageStart} from '../../src/lib/emulator/store/repository.js';
import {table} from '../../src/lib/emulator/store/table.js';
import {Tx} from '../../src/lib/emulator/store/tx.js';
import {Router} from '../../src/lib/emulator/router.js';

const ACCOUNT = DEFAULT_ACCOUNT.accountSid;
const urls = {base: 'http://h/d/v1/Things', root: 'http://h/d'};

interface Thing {
  sid: string;
  name: string | null;
  n: number;
  tag: string;
  date: string;
  attrs: {vip?: boolean};
}
interface Child {
  sid: string;
  thing: string;
}
interface Grandchild {
  sid: string;
}

class Conflict extends Error {}

const THINGS = table<Thing>({
  name: 'test_things',
  keys: {name: {get: (d) => d.name}, n: {get: (d) => d.n, type: 'int'}, tag: {get: (d) => d.tag}, date: {get: (d) => d.date}},
  unique: {name: {columns: ['name'], per: 'parent', error: (d, e) => new Conflict(`name ${d.name} taken by ${e?.sid}`)}},
  listing: true,
  links: {children: 'Children', home: (d) => `/v1/Homes/${d.tag}`},
});
const CHILDREN = table<Child>({name: 'test_children', parent: THINGS, listing: true});
const GRANDCHILDREN = table<Grandchild>({name: 'test_grandchildren', parent: CHILDREN, listing: true});
interface Hidden {
  sid: string;
  name: string;
  _: {k: number};
}
const HIDDEN = table<Hidden>({name: 'test_hidden', internal: '_'});
const TABLES = [THINGS, CHILDREN, GRANDCHILDREN, HIDDEN];

function thing(i: number, over: Partial<Thing> = {}): Thing {
  return {
    sid: `TT${String(i).padStart(32, '0')}`,
    name: i % 7 === 0 ? null : `thing ${i}`,
    n: (i * 37) % 11,
    tag: ['a', 'b', 'c'][i % 3],
    date: `2026-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`,
    attrs: {vip: i % 4 === 0},
    ...over,
  };
}

describe('core store: declared tables, queries, cascades, rollback, budget', () => {
  let store: Store;
  beforeEach(() => {
    store = new Store(':memory:', [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: TABLES});
  });
  afterEach(() => store.close());

  const things = () => store.repo(THINGS);

  it('derives key columns, indexes and named unique constraints from the declaration', () => {
    const cols = (store.db.pragma('table_info(test_things)') as {name: string; type: string}[]).map((c) => `${c.name}:${c.type}`);
    expect(cols).to.include.members(['name:TEXT', 'n:INTEGER', 'tag:TEXT', 'date:TEXT']);
    const indexes = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'test_things'").pluck().all() as string[]);
    expect(indexes).to.include.members(['test_things_list', 'test_things_by_tag', 'test_things_name']);
    store.tx(() => things().insert(ACCOUNT, thing(1)));
    // the declared error, naming the row that holds the value; NULLs never clash
    expect(() => store.tx(() => things().insert(ACCOUNT, thing(2, {name: 'thing 1'})))).to.throw(Conflict, `taken by ${thing(1).sid}`);
    store.tx(() => things().insert(ACCOUNT, thing(7)));
    store.tx(() => things().insert(ACCOUNT, thing(14)));
    expect(things().count(ACCOUNT)).to.equal(3);
    // unique per parent: the same name under another parent is fine
    store.tx(() => things().insert(ACCOUNT, thing(3, {name: 'thing 1'}), 'PARENT'));
  });

  it("a key indexed across the account serves lookups over every parent (an index, not a scan)", async () => {
    const across = table<{sid: string; address: string}>({name: 'test_across', parent: THINGS, keys: {address: {get: (d) => d.address, indexed: 'account'}}});
    const s = new Store(':memory:', [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: [THINGS, across]});
    try {
      for (let i = 0; i < 5; i++) s.tx(() => s.repo(across).insert(ACCOUNT, {sid: `AX${i}`, address: i % 2 ? '+1' : '+2'}, `P${i}`));
      expect(s.repo(across).all(ACCOUNT, {address: '+1'}).map((d) => d.sid)).to.deep.equal(['AX1', 'AX3']);
      const plan = s.db.prepare('EXPLAIN QUERY PLAN SELECT doc FROM test_across WHERE account_sid = ? AND "address" = ? ORDER BY seq').all(ACCOUNT, '+1') as {detail: string}[];
      expect(plan.map((p) => p.detail).join(' ')).to.match(/USING INDEX test_across_across_address/);
      // key indexes are partial (no entry for NULL), and still serve equality and range filters
      const ranged = s.db.prepare('EXPLAIN QUERY PLAN SELECT doc FROM test_things WHERE account_sid = ? AND parent_sid = ? AND "tag" >= ? ORDER BY seq').all(ACCOUNT, '', 'a') as {detail: string}[];
      expect(ranged.map((p) => p.detail).join(' ')).to.match(/USING INDEX test_things_by_tag/);
    } finally {
      await s.close();
    }
  });

  it('renders links to sub-paths and to any path of the domain', () => {
    const d = thing(5);
    store.tx(() => things().insert(ACCOUNT, d));
    const one = JSON.parse(things().render(d, urls));
    expect(one.links).to.deep.equal({children: `${urls.base}/${d.sid}/Children`, home: 'http://h/d/v1/Homes/c'});
    const page = things().page(ACCOUNT, {}, {offset: 0}, 10, urls);
    expect(JSON.parse(`[${page.items}]`)[0]).to.deep.equal(one);
  });

  /** Every page of every start, both orders, equals the reference computed in JS. */
  function checkAgainstReference(query: ListQuery<Thing>, all: {seq: number; doc: Thing}[]) {
    const match = (d: Thing) => {
      for (const [col, c] of Object.entries(query.where ?? {})) {
        const v = (d as unknown as Record<string, unknown>)[col] as string | number | null;
        if (!holds(v, c)) return false;
      }
      return query.filter ? query.filter(d) : true;
    };
    const asc = all.filter((r) => match(r.doc));
    const ordered = query.order === 'desc' ? [...asc].reverse() : asc;
    const seqs = all.map((r) => r.seq);
    const size = 3;
    const starts: PageStart[] = [{offset: 0}, {offset: 2}, {offset: 5}];
    for (const s of [0, ...seqs, (seqs.at(-1) ?? 0) + 2]) starts.push({after: s}, {before: s});
    for (const start of starts) {
      const page = things().page(ACCOUNT, query, start, size, urls);
      const got = (JSON.parse(`[${page.items}]`) as Thing[]).map((d) => d.sid);
      // reference: position of the start in display order
      const before = (seq: number) => (query.order === 'desc' ? seq > (start as {after: number}).after : seq < (start as {after: number}).after);
      let from: number;
      let expected: {seq: number; doc: Thing}[];
      if ('offset' in start) {
        from = start.offset;
        expected = ordered.slice(from, from + size);
      } else if ('after' in start) {
        const rest = ordered.filter((r) => (query.order === 'desc' ? r.seq < start.after : r.seq > start.after));
        expected = rest.slice(0, size);
      } else {
        const head = ordered.filter((r) => (query.order === 'desc' ? r.seq > start.before : r.seq < start.before));
        expected = head.slice(Math.max(0, head.length - size));
      }
      void before;
      expect(got, `${JSON.stringify(query.where)} ${query.order} ${JSON.stringify(start)}`).to.deep.equal(expected.map((r) => r.doc.sid));
      if (expected.length) {
        const i = ordered.indexOf(expected[0]);
        const j = ordered.indexOf(expected.at(-1)!);
        expect(page.hasNext, `hasNext ${JSON.stringify(start)}`).to.equal(j < ordered.length - 1);
        if (!('offset' in start)) expect(page.hasPrevious, `hasPrevious ${JSON.stringify(start)}`).to.equal(i > 0);
        // the cursors hand on to exactly the neighbouring pages
        if (page.hasNext) {
          const next = things().page(ACCOUNT, query, {after: page.nextSeq!}, size, urls);
          expect((JSON.parse(`[${next.items}]`) as Thing[])[0].sid).to.equal(ordered[j + 1].doc.sid);
        }
        if (page.hasPrevious) {
          const prev = things().page(ACCOUNT, query, {before: page.prevSeq!}, size, urls);
          expect((JSON.parse(`[${prev.items}]`) as Thing[]).at(-1)!.sid).to.equal(ordered[i - 1].doc.sid);
        }
      }
    }
  }

  function holds(v: string | number | null, c: Cond): boolean {
    if (c === null) return v === null;
    if (typeof c !== 'object') return v === c;
    if ('in' in c) return c.in.includes(v);
    if ('ne' in c) return c.ne === null ? v !== null : v === null || v !== c.ne;
    if (v === null) return false;
    const r = c as {gt?: string | number; gte?: string | number; lt?: string | number; lte?: string | number};
    return (r.gt === undefined || v > r.gt) && (r.gte === undefined || v >= r.gte) && (r.lt === undefined || v < r.lt) && (r.lte === undefined || v <= r.lte);
  }

  it('IN, ranges, NULL, negation, descending order and predicates page both ways like a reference', () => {
    const all: {seq: number; doc: Thing}[] = [];
    for (let i = 1; i <= 40; i++) {
      const d = thing(i);
      all.push({seq: store.tx(() => things().insert(ACCOUNT, d)), doc: d});
    }
    // deletions leave gaps in seq
    for (const i of [4, 5, 17]) {
      store.tx(() => things().delete(ACCOUNT, thing(i).sid));
      all.splice(all.findIndex((r) => r.doc.sid === thing(i).sid), 1);
    }
    const queries: ListQuery<Thing>[] = [
      {},
      {order: 'desc'},
      {where: {tag: 'a'}},
      {where: {tag: {in: ['a', 'c']}}, order: 'desc'},
      {where: {n: {gte: 3, lt: 8}}},
      {where: {date: {gte: '2026-01-05T00:00:00Z', lte: '2026-01-20T00:00:00Z'}}, order: 'desc'},
      {where: {name: null}},
      {where: {name: {ne: null}, tag: {ne: 'b'}}},
      {filter: (d) => d.attrs.vip === true},
      {filter: (d) => d.attrs.vip === true, order: 'desc', where: {tag: {in: ['a', 'b']}}},
      {where: {tag: {in: []}}},
    ];
    for (const q of queries) checkAgainstReference(q, all);
  });

  it('deleting a row deletes its children and theirs, and drops the listings of the removed scopes', () => {
    const parent = thing(1);
    store.tx(() => things().insert(ACCOUNT, parent));
    for (let i = 0; i < 3; i++) {
      const c = {sid: `CC${String(i).padStart(32, '0')}`, thing: parent.sid};
      store.tx(() => store.repo(CHILDREN).insert(ACCOUNT, c, parent.sid));
      store.tx(() => store.repo(GRANDCHILDREN).insert(ACCOUNT, {sid: `GG${String(i).padStart(32, '0')}`}, c.sid));
    }
    // listings loaded for the child scopes
    expect(store.repo(CHILDREN).page(ACCOUNT, {}, {offset: 0}, 10, urls, parent.sid).count).to.equal(3);
    expect(store.repo(GRANDCHILDREN).page(ACCOUNT, {}, {offset: 0}, 10, urls, 'CC00000000000000000000000000000000').count).to.equal(1);
    store.tx(() => things().delete(ACCOUNT, parent.sid));
    expect(store.db.prepare('SELECT COUNT(*) FROM test_children').pluck().get()).to.equal(0);
    expect(store.db.prepare('SELECT COUNT(*) FROM test_grandchildren').pluck().get()).to.equal(0);
    expect(store.repo(CHILDREN).page(ACCOUNT, {}, {offset: 0}, 10, urls, parent.sid).count).to.equal(0);
    expect(store.repo(GRANDCHILDREN).page(ACCOUNT, {}, {offset: 0}, 10, urls, 'CC00000000000000000000000000000000').count).to.equal(0);
  });

  it('a rolled-back transaction drops the listings of every repository it changed, not only one', () => {
    const parent = thing(1);
    store.tx(() => things().insert(ACCOUNT, parent));
    const list = () => things().page(ACCOUNT, {}, {offset: 0}, 10, urls).count;
    const kids = () => store.repo(CHILDREN).page(ACCOUNT, {}, {offset: 0}, 10, urls, parent.sid).count;
    expect([list(), kids()]).to.deep.equal([1, 0]);
    expect(() =>
      store.tx(() => {
        things().insert(ACCOUNT, thing(2));
        store.repo(CHILDREN).insert(ACCOUNT, {sid: 'CC00000000000000000000000000000009', thing: parent.sid}, parent.sid);
        throw new Error('fails after two writes');
      }),
    ).to.throw('fails after two writes');
    expect([list(), kids()]).to.deep.equal([1, 0]);
    // a nested savepoint that fails leaves the outer one's changes listed
    store.tx(() => {
      things().insert(ACCOUNT, thing(3));
      expect(() =>
        store.tx(() => {
          store.repo(CHILDREN).insert(ACCOUNT, {sid: 'CC00000000000000000000000000000008', thing: parent.sid}, parent.sid);
          throw new Error('inner');
        }),
      ).to.throw('inner');
    });
    expect([list(), kids()]).to.deep.equal([2, 0]);
  });

  it('SQL pages are kept until the scope changes, and never outlive a rolled-back write they saw', () => {
    const kids = store.repo(GRANDCHILDREN); // listing: true, but filtered lists read SQLite
    const sqlList = () => things().page(ACCOUNT, {where: {tag: 'a'}}, {offset: 0}, 10, urls);
    store.tx(() => things().insert(ACCOUNT, thing(3)));
    const first = sqlList();
    expect(sqlList()).to.equal(first); // the same page again: the same result object
    store.tx(() => things().insert(ACCOUNT, thing(6)));
    const second = sqlList();
    expect(second).to.not.equal(first);
    expect(second.count).to.equal(2);
    // a page read inside a transaction that then rolls back is not served afterwards
    expect(() =>
      store.tx(() => {
        things().insert(ACCOUNT, thing(9));
        expect(sqlList().count).to.equal(3);
        throw new Error('rolled back');
      }),
    ).to.throw('rolled back');
    expect(sqlList().count).to.equal(2);
    void kids;
  });

  it('a failed COMMIT drops every listing the batch changed', () => {
    const list = () => things().page(ACCOUNT, {}, {offset: 0}, 10, urls).count;
    expect(list()).to.equal(0);
    store.tx(() => things().insert(ACCOUNT, thing(1)));
    expect(list()).to.equal(1); // served from the listing, not yet committed
    // make COMMIT fail: a deferred foreign key violated inside the batch
    store.db.exec('CREATE TABLE fk_parent (id INTEGER PRIMARY KEY); CREATE TABLE fk_child (p INTEGER REFERENCES fk_parent(id) DEFERRABLE INITIALLY DEFERRED)');
    store.tx(() => store.db.prepare('INSERT INTO fk_child (p) VALUES (42)').run());
    expect(() => store.flush()).to.throw(/FOREIGN KEY/);
    expect(list()).to.equal(0);
  });

  it('all listings share one budget: the least recently used are dropped, and a scope too large for it reads SQLite', () => {
    store.close();
    store = new Store(':memory:', [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: TABLES, listingBudget: 25_000});
    const kids = store.repo(CHILDREN);
    const fill = (parent: string, n: number) => {
      for (let i = 0; i < n; i++) store.tx(() => kids.insert(ACCOUNT, {sid: `CC${parent}${String(i).padStart(30, '0')}`, thing: parent}, parent));
    };
    fill('p1', 40);
    fill('p2', 40);
    fill('p3', 40);
    const list = (p: string) => kids.page(ACCOUNT, {}, {offset: 0}, 50, urls, p).count;
    expect(list('p1')).to.equal(40);
    expect(list('p2')).to.equal(40);
    expect(kids.listingCount).to.equal(2);
    expect(list('p2')).to.equal(40); // p2 is now the most recently used
    const loads = kids.listingLoads;
    expect(list('p3')).to.equal(40); // loading a third drops the least recently used (p1)
    expect(store.budget.used).to.be.at.most(25_000);
    expect(kids.listingCount).to.equal(2);
    expect(list('p2')).to.equal(40);
    expect(kids.listingLoads).to.equal(loads + 1); // p2 was still held
    expect(list('p1')).to.equal(40);
    expect(kids.listingLoads).to.equal(loads + 2); // p1 had to be loaded again
    // one scope growing past the whole budget stops being held; its lists stay right
    for (let i = 0; i < 400; i++) store.tx(() => kids.insert(ACCOUNT, {sid: `CCbig${String(i).padStart(29, '0')}`, thing: 'p3'}, 'p3'));
    expect(store.budget.used).to.be.at.most(25_000 + 10_000); // rendered items are charged as pages are read
    expect(kids.page(ACCOUNT, {}, {offset: 0}, 1000, urls, 'p3').count).to.equal(440);
  });

  it('a key column added to a declaration is added to the existing table and filled from the documents', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-core-'));
    try {
      const path = join(dir, 'e.db');
      const v1 = table<Thing>({name: 'test_evolve', keys: {tag: {get: (d) => d.tag}}});
      let s = new Store(path, [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: [v1]});
      s.tx(() => s.repo(v1).insert(ACCOUNT, thing(1)));
      s.tx(() => s.repo(v1).insert(ACCOUNT, thing(2)));
      s.flush();
      await s.close();
      const v2 = table<Thing>({name: 'test_evolve', keys: {tag: {get: (d) => d.tag}, n: {get: (d) => d.n, type: 'int'}}});
      s = new Store(path, [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: [v2]});
      expect(s.repo(v2).all(ACCOUNT, {n: thing(2).n}).map((d) => d.sid)).to.deep.equal([thing(2).sid]);
      await s.close();
      const db = new Database(path, {readonly: true});
      expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'test_evolve_by_n'").pluck().get()).to.equal(1);
      db.close();
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('an index the declaration no longer asks for is dropped; filters on the column still answer (a scan)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-core-'));
    try {
      const path = join(dir, 'e.db');
      const v1 = table<Thing>({name: 'test_unindex', keys: {tag: {get: (d) => d.tag}, n: {get: (d) => d.n, type: 'int'}}});
      let s = new Store(path, [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: [v1]});
      for (let i = 1; i <= 6; i++) s.tx(() => s.repo(v1).insert(ACCOUNT, thing(i)));
      s.flush();
      await s.close();
      const v2 = table<Thing>({
        name: 'test_unindex',
        keys: {tag: {get: (d) => d.tag, indexed: false}, n: {get: (d) => d.n, type: 'int'}},
      });
      s = new Store(path, [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: [v2]});
      const tagged = [1, 2, 3, 4, 5, 6].filter((i) => thing(i).tag === 'b').map((i) => thing(i).sid);
      expect(s.repo(v2).all(ACCOUNT, {tag: 'b'}).map((d) => d.sid)).to.deep.equal(tagged);
      await s.close();
      const db = new Database(path, {readonly: true});
      const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'test_unindex' ORDER BY name").pluck().all();
      db.close();
      expect(names).to.include('test_unindex_by_n').and.not.include('test_unindex_by_tag');
      expect(names).to.include('test_unindex_list');
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('an update sets only the key columns that changed, and a changed unique column still clashes', () => {
    const r = things();
    store.tx(() => r.insert(ACCOUNT, thing(1), 'P'));
    store.tx(() => r.insert(ACCOUNT, thing(2), 'P'));
    // the document alone changed: every filter still finds the row, by its old key values
    store.tx(() => r.update(ACCOUNT, {...thing(1), attrs: {vip: true}}, 'P'));
    expect(r.findBy(ACCOUNT, {tag: thing(1).tag, n: thing(1).n}, 'P')?.attrs).to.deep.equal({vip: true});
    // one key column changed: found by its new value only
    store.tx(() => r.update(ACCOUNT, {...thing(1), tag: 'z'}, 'P'));
    expect(r.findBy(ACCOUNT, {tag: 'z'}, 'P')?.sid).to.equal(thing(1).sid);
    expect(r.all(ACCOUNT, {tag: thing(1).tag}, 'P').map((d) => d.sid)).to.not.include(thing(1).sid);
    // a key column set to NULL and back
    store.tx(() => r.update(ACCOUNT, {...thing(1), tag: 'z', name: null}, 'P'));
    expect(r.findBy(ACCOUNT, {name: thing(1).name}, 'P')).to.equal(undefined);
    store.tx(() => r.update(ACCOUNT, {...thing(1), tag: 'z'}, 'P'));
    expect(r.findBy(ACCOUNT, {name: thing(1).name}, 'P')?.sid).to.equal(thing(1).sid);
    // the unique name taken by the other row: its declared error, and nothing changed
    expect(() => store.tx(() => r.update(ACCOUNT, {...thing(1), name: thing(2).name}, 'P'))).to.throw(Conflict, thing(2).sid);
    expect(r.get(ACCOUNT, thing(1).sid, 'P')?.name).to.equal(thing(1).name);
    // a row that does not exist is not created
    store.tx(() => r.update(ACCOUNT, thing(3), 'P'));
    expect(r.get(ACCOUNT, thing(3).sid, 'P')).to.equal(undefined);
  });

  it('key columns may be named like SQL keywords (index, to, order)', async () => {
    const kw = table<{sid: string; index: number; to: string; order: string}>({
      name: 'test_keywords',
      keys: {index: {get: (d) => d.index, type: 'int'}, to: {get: (d) => d.to}, order: {get: (d) => d.order}},
      unique: {index: {columns: ['index'], per: 'parent', error: () => new Conflict('index taken')}},
    });
    const s = new Store(':memory:', [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: [kw]});
    try {
      s.tx(() => s.repo(kw).insert(ACCOUNT, {sid: 'KW1', index: 0, to: '+1', order: 'a'}, 'P'));
      s.tx(() => s.repo(kw).insert(ACCOUNT, {sid: 'KW2', index: 1, to: '+2', order: 'b'}, 'P'));
      expect(() => s.tx(() => s.repo(kw).insert(ACCOUNT, {sid: 'KW3', index: 1, to: '+3', order: 'c'}, 'P'))).to.throw(Conflict);
      expect(s.repo(kw).findBy(ACCOUNT, {to: '+2', index: {gte: 1}}, 'P')?.sid).to.equal('KW2');
      const page = s.repo(kw).page(ACCOUNT, {where: {order: {in: ['a', 'b']}}, order: 'desc'}, {offset: 0}, 10, urls, 'P');
      expect((JSON.parse(`[${page.items}]`) as {sid: string}[]).map((d) => d.sid)).to.deep.equal(['KW2', 'KW1']);
    } finally {
      await s.close();
    }
  });

  it('events and timers written in a transaction that rolls back leave nothing', () => {
    const tx = () => new Tx(store, ACCOUNT, new Date());
    expect(() =>
      store.tx(() => {
        tx().emit('thing.added', {a: 1});
        tx().at('t:1', Date.now() + 1000, 'x');
        throw new Error('no');
      }),
    ).to.throw('no');
    store.flush();
    expect(store.db.prepare('SELECT COUNT(*) FROM event_log').pluck().get()).to.equal(0);
    expect(store.db.prepare('SELECT COUNT(*) FROM timers').pluck().get()).to.equal(0);
  });

  it('stores the internal property last whatever the order it was built in; renders never show it', () => {
    const hidden = store.repo(HIDDEN);
    const last: Hidden = {sid: 'HD1', name: 'last', _: {k: 1}};
    const first = {_: {k: 2}, sid: 'HD2', name: 'first'} as Hidden;
    store.tx(() => hidden.insert(ACCOUNT, last));
    // a create's answer reuses the text it stored: the same as a render of a copy
    expect(hidden.render(last, urls)).to.equal(hidden.render({...last}, urls));
    store.tx(() => hidden.insert(ACCOUNT, first));
    const text = (sid: string) => store.db.prepare('SELECT doc FROM test_hidden WHERE sid = ?').pluck().get(sid) as string;
    expect(text('HD1')).to.equal('{"sid":"HD1","name":"last","_":{"k":1}}');
    expect(text('HD2')).to.equal('{"sid":"HD2","name":"first","_":{"k":2}}');
    expect(JSON.parse(hidden.render(first, urls))).to.deep.equal({sid: 'HD2', name: 'first', url: `${urls.base}/HD2`});
    expect(hidden.get(ACCOUNT, 'HD2')).to.deep.equal(first);
  });

  it('cached(): one read until the table is written, across transactions; frozen; dropped by a rollback or a reset', () => {
    const tx = new Tx(store, ACCOUNT, new Date());
    store.tx(() => tx.repo(THINGS).insert(thing(1)));
    const a = tx.repo(THINGS).cached(thing(1).sid);
    expect(a?.name).to.equal('thing 1');
    expect(tx.repo(THINGS).cached(thing(1).sid)).to.equal(a);
    // a later transaction (a later request) gets the same object: no SQLite read, no parse
    const later = () => new Tx(store, ACCOUNT, new Date()).repo(THINGS).cached(thing(1).sid);
    expect(later()).to.equal(a);
    // shared, so nobody may change it
    expect(Object.isFrozen(a) && Object.isFrozen(a!.attrs)).to.equal(true);
    expect(Reflect.set(a!, 'name', 'changed in place')).to.equal(false);
    expect(a!.name).to.equal('thing 1');
    // a write to the table (any row) drops what was kept
    store.tx(() => tx.repo(THINGS).update({...a!, name: 'renamed'}));
    expect(later()?.name).to.equal('renamed');
    store.tx(() => tx.repo(THINGS).insert(thing(2)));
    expect(later()).to.not.equal(a);
    // a row read inside a transaction that rolls back is not kept: the next read sees SQLite
    expect(() =>
      store.tx(() => {
        tx.repo(THINGS).update({...thing(1), name: 'never committed'});
        expect(tx.repo(THINGS).cached(thing(1).sid)?.name).to.equal('never committed');
        throw new Error('rolls back');
      }),
    ).to.throw('rolls back');
    expect(later()?.name).to.equal('renamed');
    // a missing row is kept as missing until an insert
    expect(new Tx(store, ACCOUNT, new Date()).repo(THINGS).cached(thing(3).sid)).to.equal(undefined);
    store.tx(() => tx.repo(THINGS).insert(thing(3)));
    expect(new Tx(store, ACCOUNT, new Date()).repo(THINGS).cached(thing(3).sid)?.sid).to.equal(thing(3).sid);
    // a reset drops everything
    store.reset(new Date());
    expect(later()).to.equal(undefined);
  });

  it('cachedLocate, cachedFind, cachedAll: shared and frozen until the table is written; a large scope is read each time', () => {
    const tx = () => new Tx(store, ACCOUNT, new Date());
    const parent = thing(1);
    store.tx(() => tx().repo(THINGS).insert(parent));
    const kid = (i: number) => ({sid: `CC${String(i).padStart(32, '0')}`, thing: parent.sid});
    store.tx(() => tx().repo(CHILDREN).insert(kid(1), parent.sid));
    const kids = tx().repo(CHILDREN).cachedAll(parent.sid);
    expect(kids.map((k) => k.sid)).to.deep.equal([kid(1).sid]);
    expect(tx().repo(CHILDREN).cachedAll(parent.sid)).to.equal(kids);
    expect(Object.isFrozen(kids) && Object.isFrozen(kids[0])).to.equal(true);
    const located = tx().repo(CHILDREN).cachedLocate(kid(1).sid);
    expect(located?.parentSid).to.equal(parent.sid);
    expect(tx().repo(CHILDREN).cachedLocate(kid(1).sid)).to.equal(located);
    const found = tx().repo(THINGS).cachedFind({name: 'thing 1'});
    expect(found?.sid).to.equal(parent.sid);
    expect(tx().repo(THINGS).cachedFind({name: 'thing 1'})).to.equal(found);
    expect(tx().repo(THINGS).cachedFind({name: 'nobody'})).to.equal(undefined);
    // a write to the table: every reader sees it
    store.tx(() => tx().repo(CHILDREN).insert(kid(2), parent.sid));
    expect(tx().repo(CHILDREN).cachedAll(parent.sid).map((k) => k.sid)).to.deep.equal([kid(1).sid, kid(2).sid]);
    store.tx(() => tx().repo(CHILDREN).delete(kid(1).sid, parent.sid));
    expect(tx().repo(CHILDREN).cachedLocate(kid(1).sid)).to.equal(undefined);
    store.tx(() => tx().repo(THINGS).insert(thing(8, {name: 'nobody'})));
    expect(tx().repo(THINGS).cachedFind({name: 'nobody'})?.sid).to.equal(thing(8).sid);
    // deleting the parent cascades into the children: their shared reads go too
    expect(tx().repo(CHILDREN).cachedAll(parent.sid)).to.have.length(1);
    store.tx(() => tx().repo(THINGS).delete(parent.sid));
    expect(tx().repo(CHILDREN).cachedAll(parent.sid)).to.deep.equal([]);
    // more than 50 rows in one scope: read each time, not kept
    const big = thing(2);
    store.tx(() => {
      tx().repo(THINGS).insert(big);
      for (let i = 100; i < 160; i++) tx().repo(CHILDREN).insert({sid: `CC${String(i).padStart(32, '0')}`, thing: big.sid}, big.sid);
    });
    const first = tx().repo(CHILDREN).cachedAll(big.sid);
    expect(first).to.have.length(60);
    expect(tx().repo(CHILDREN).cachedAll(big.sid)).to.not.equal(first);
  });

  it('shared readers keep per account and parent: the same sid, value or parent asked by another account is read for it', () => {
    const OTHER = 'AC' + 'e'.repeat(32);
    const parent = 'TP00000000000000000000000000000009';
    const t = thing(201, {tag: 'shared-tag'});
    store.tx(() => new Tx(store, ACCOUNT, new Date()).repo(THINGS).insert(t, parent));
    const repo = store.repo(THINGS);
    for (let round = 0; round < 2; round++) {
      expect(repo.sharedLocate(ACCOUNT, t.sid)?.doc.sid).to.equal(t.sid);
      expect(repo.sharedLocate(OTHER, t.sid)).to.equal(undefined);
      expect(repo.shared(ACCOUNT, t.sid, parent)?.sid).to.equal(t.sid);
      expect(repo.shared(ACCOUNT, t.sid, 'TP-another-parent')).to.equal(undefined);
      expect(repo.shared(OTHER, t.sid, parent)).to.equal(undefined);
      expect(repo.sharedFind(ACCOUNT, {tag: 'shared-tag'})?.sid).to.equal(t.sid);
      expect(repo.sharedFind(OTHER, {tag: 'shared-tag'})).to.equal(undefined);
      expect(repo.sharedFind(ACCOUNT, {name: 'shared-tag'})).to.equal(undefined);
      expect(repo.sharedAll(ACCOUNT, parent).map((d) => d.sid)).to.deep.equal([t.sid]);
      expect(repo.sharedAll(OTHER, parent)).to.deep.equal([]);
    }
  });

  it('newest(): kept once read, set by an insert, dropped by an update, a delete, a rollback and a reset', () => {
    const repo = () => new Tx(store, ACCOUNT, new Date()).repo(THINGS);
    const parent = 'TP00000000000000000000000000000001';
    const raw = store.repo(THINGS);
    expect(raw.newest(ACCOUNT, 'n', parent)).to.equal(undefined);
    store.tx(() => repo().insert(thing(101, {n: 5}), parent));
    expect(raw.newest(ACCOUNT, 'n', parent)).to.equal(5);
    store.tx(() => repo().insert(thing(102, {n: 9}), parent));
    expect(raw.newest(ACCOUNT, 'n', parent)).to.equal(9);
    // a rolled-back insert is not the newest; nor is a value read inside the rolled-back transaction
    expect(() =>
      store.tx(() => {
        repo().insert(thing(103, {n: 1}), parent);
        expect(raw.newest(ACCOUNT, 'n', parent)).to.equal(1);
        throw new Error('rolls back');
      }),
    ).to.throw('rolls back');
    expect(raw.newest(ACCOUNT, 'n', parent)).to.equal(9);
    store.tx(() => repo().update({...thing(102), n: 4}, parent));
    expect(raw.newest(ACCOUNT, 'n', parent)).to.equal(4);
    store.tx(() => repo().delete(thing(102).sid, parent));
    expect(raw.newest(ACCOUNT, 'n', parent)).to.equal(5);
    // other scopes are their own
    expect(raw.newest(ACCOUNT, 'n', 'TP00000000000000000000000000000002')).to.equal(undefined);
    store.reset(new Date());
    expect(raw.newest(ACCOUNT, 'n', parent)).to.equal(undefined);
  });

  it('savepoint page copies stay in memory (no temporary file per request)', () => {
    expect(store.db.pragma('temp_store', {simple: true})).to.equal(2);
  });
});

describe('core router: parameter names per route, mounts', () => {
  const mount = {prefix: 'conversations', auth: true};
  const h = (name: string) => () => ({status: 200, body: name});

  it("takes the specs' own names at the same position and mounts one declaration twice", () => {
    const r = new Router();
    r.add(
      mount,
      {
        'GET /Conversations/:Sid': h('conv'),
        'GET /Conversations/:ConversationSid/Messages': h('msgs'),
        'GET /Conversations/:ConversationSid/Messages/:Sid': h('msg'),
      },
      ['/v1', '/v1/Services/:ChatServiceSid'],
    );
    const one = r.match('/conversations/v1/Conversations/CH1')!;
    expect(one.route.names.get('GET')).to.deep.equal(['Sid']);
    expect(one.values).to.deep.equal(['CH1']);
    const msg = r.match('/conversations/v1/Services/IS1/Conversations/CH1/Messages/IM1')!;
    expect(msg.route.names.get('GET')).to.deep.equal(['ChatServiceSid', 'ConversationSid', 'Sid']);
    expect(msg.values).to.deep.equal(['IS1', 'CH1', 'IM1']);
    expect(r.routes).to.include('GET /conversations/v1/Services/:ChatServiceSid/Conversations/:ConversationSid/Messages');
    expect(r.match('/conversations/v1/Conversations/CH1/Nope')).to.equal(undefined);
  });

  it('prefers a literal segment and backtracks to a parameter', () => {
    const r = new Router();
    r.add(mount, {'GET /v1/Workers/Statistics': h('stats'), 'GET /v1/Workers/:Sid': h('worker'), 'GET /v1/Workers/:WorkerSid/Channels': h('ch')});
    expect(r.match('/conversations/v1/Workers/Statistics')!.values).to.deep.equal([]);
    expect(r.match('/conversations/v1/Workers/Statistics/Channels')!.values).to.deep.equal(['Statistics']);
    expect(r.match('/conversations/v1/Workers/WK1')!.values).to.deep.equal(['WK1']);
  });

  it('refuses a route defined twice or naming a parameter twice', () => {
    const r = new Router();
    r.add(mount, {'GET /v1/A/:Sid': h('a')});
    expect(() => r.add(mount, {'GET /v1/A/:Other': h('b')})).to.throw(/defined twice/);
    expect(() => r.add(mount, {'GET /v1/B/:Sid/C/:Sid': h('b')})).to.throw(/twice/);
  });
});
