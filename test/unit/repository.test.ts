import {copyFileSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {expect} from 'chai';
import {Checkpointer, WAL_HARD_LIMIT, WAL_LIMIT} from '../../src/lib/emulator/store/checkpointer.js';
import {ADDRESSES, type AddressConfigurationDoc} from '../../src/lib/emulator/model/conversations.js';
import {TABLES} from '../../src/lib/emulator/model/index.js';
import {Store} from '../../src/lib/emulator/store/index.js';
import type {PageStart} from '../../src/lib/emulator/store/repository.js';
import {DEFAULT_ACCOUNT} from '../../src/lib/emulator/defaults.js';

const ACCOUNT = DEFAULT_ACCOUNT.accountSid;
const BASE = 'http://127.0.0.1:1/conversations/v1/Configuration/Addresses';
const urls = (base: string) => ({base, root: 'http://127.0.0.1:1/conversations'});

/** A small deterministic PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function doc(i: number): AddressConfigurationDoc {
  return {
    sid: `IG${String(i).padStart(32, '0')}`,
    account_sid: ACCOUNT,
    type: 'sms',
    address: `+1555${String(1_000_000 + i)}`,
    friendly_name: `name "${i}" é`,
    auto_creation: {enabled: false, type: 'default'},
    date_created: '2026-01-01T00:00:00Z',
    date_updated: '2026-01-01T00:00:00Z',
    address_country: null,
  };
}

describe('store: in-memory listings stay identical to SQLite', () => {
  let store: Store;
  beforeEach(() => {
    store = new Store(':memory:', [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: TABLES});
  });
  afterEach(() => store.close());

  /** Unfiltered pages come from the listing; `type = sms` (every row here) forces the SQL path. */
  function bothWays(start: PageStart, size: number) {
    const memory = store.repo(ADDRESSES).page(ACCOUNT, {}, start, size, urls(BASE));
    const sql = store.repo(ADDRESSES).page(ACCOUNT, {where: {type: 'sms'}}, start, size, urls(BASE));
    expect(memory, JSON.stringify(start)).to.deep.equal(sql);
    expect(memory.itemsBytes).to.equal(Buffer.byteLength(memory.items)); // the response's Content-Length relies on it
    return memory;
  }

  function allStarts(size: number) {
    const seqs: number[] = [];
    const rows = store.db.prepare('SELECT seq FROM address_configurations ORDER BY seq').pluck().all() as number[];
    seqs.push(...rows);
    const probes = [0, 1, ...seqs, ...seqs.map((s) => s + 1), (seqs.at(-1) ?? 0) + 5];
    for (const p of probes) {
      bothWays({after: p}, size);
      bothWays({before: p}, size);
    }
    for (let offset = 0; offset <= seqs.length + size; offset += size) bothWays({offset}, size);
  }

  it('after random inserts, updates, deletes and rolled-back transactions, every page agrees', () => {
    const rnd = prng(42);
    let next = 0;
    const live: AddressConfigurationDoc[] = [];
    // load the listing first, so every later write must keep it in step
    expect(bothWays({offset: 0}, 5).count).to.equal(0);
    for (let step = 0; step < 400; step++) {
      const r = rnd();
      if (r < 0.5 || live.length === 0) {
        const d = doc(next++);
        store.tx(() => store.repo(ADDRESSES).insert(ACCOUNT, d));
        live.push(d);
      } else if (r < 0.7) {
        const i = Math.floor(rnd() * live.length);
        live[i] = {...live[i], friendly_name: `renamed ${step}`};
        store.tx(() => store.repo(ADDRESSES).update(ACCOUNT, live[i]));
      } else if (r < 0.85) {
        const [gone] = live.splice(Math.floor(rnd() * live.length), 1);
        expect(store.tx(() => store.repo(ADDRESSES).delete(ACCOUNT, gone.sid))).to.equal(true);
      } else {
        // a transaction that writes and then fails: nothing of it may show in a list
        const d = doc(next++);
        expect(() =>
          store.tx(() => {
            store.repo(ADDRESSES).insert(ACCOUNT, d);
            throw new Error('rollback');
          }),
        ).to.throw('rollback');
      }
      if (step % 40 === 0) allStarts(1 + Math.floor(rnd() * 7));
    }
    allStarts(4);
    const everything = store.repo(ADDRESSES).page(ACCOUNT, {}, {offset: 0}, 1000, urls(BASE));
    const items = JSON.parse(`[${everything.items}]`) as {sid: string; friendly_name: string; url: string}[];
    expect(items.map((i) => i.sid)).to.deep.equal(live.map((d) => d.sid));
    expect(items.map((i) => i.friendly_name)).to.deep.equal(live.map((d) => d.friendly_name));
    expect(items[0].url).to.equal(`${BASE}/${items[0].sid}`);
  });

  it('an update or delete shows in the very next page (nothing stale is kept per row)', () => {
    const docs = [0, 1, 2].map(doc);
    for (const d of docs) store.tx(() => store.repo(ADDRESSES).insert(ACCOUNT, d));
    const names = () =>
      (JSON.parse(`[${bothWays({offset: 0}, 10).items}]`) as {friendly_name: string}[]).map((i) => i.friendly_name);
    expect(names()).to.deep.equal(docs.map((d) => d.friendly_name));
    store.tx(() => store.repo(ADDRESSES).update(ACCOUNT, {...docs[1], friendly_name: 'renamed'}));
    expect(names()).to.deep.equal([docs[0].friendly_name, 'renamed', docs[2].friendly_name]);
    store.tx(() => store.repo(ADDRESSES).delete(ACCOUNT, docs[0].sid));
    expect(names()).to.deep.equal(['renamed', docs[2].friendly_name]);
    store.tx(() => store.repo(ADDRESSES).insert(ACCOUNT, doc(3)));
    expect(names()).to.deep.equal(['renamed', docs[2].friendly_name, doc(3).friendly_name]);
    // another base URL (another Host) renders every item for that base
    const other = store.repo(ADDRESSES).page(ACCOUNT, {}, {offset: 0}, 10, urls('https://conversations.twilio.com/v1/X'));
    expect((JSON.parse(`[${other.items}]`) as {url: string}[]).every((i) => i.url.startsWith('https://conversations.twilio.com/v1/X/'))).to.equal(true);
    expect(names()).to.have.length(3);
  });

  it('a refused write (nothing changed) keeps the listings; one that changed them and then failed drops them', () => {
    store.tx(() => store.repo(ADDRESSES).insert(ACCOUNT, doc(0)));
    bothWays({offset: 0}, 10);
    const loads = store.repo(ADDRESSES).listingLoads;
    // a duplicate address: the insert itself fails, nothing reached the listing
    expect(() => store.tx(() => store.repo(ADDRESSES).insert(ACCOUNT, {...doc(1), address: doc(0).address}))).to.throw(
      new RegExp(`already exists: ${doc(0).sid}`),
    );
    expect(bothWays({offset: 0}, 10).count).to.equal(1);
    expect(store.repo(ADDRESSES).listingLoads).to.equal(loads);
    // a write that reached the listing, then a failure: the listing goes, and the next page reloads
    expect(() =>
      store.tx(() => {
        store.repo(ADDRESSES).insert(ACCOUNT, doc(2));
        throw new Error('later failure');
      }),
    ).to.throw('later failure');
    expect(bothWays({offset: 0}, 10).count).to.equal(1);
    expect(store.repo(ADDRESSES).listingLoads).to.equal(loads + 1);
  });

  it('a reset empties the listing too', () => {
    for (let i = 0; i < 3; i++) store.repo(ADDRESSES).insert(ACCOUNT, doc(i));
    expect(bothWays({offset: 0}, 10).count).to.equal(3);
    store.reset(new Date());
    expect(bothWays({offset: 0}, 10).count).to.equal(0);
  });

  it('one rendered document equals the same document as a list item (url, then links)', () => {
    const d = doc(7);
    store.repo(ADDRESSES).insert(ACCOUNT, d);
    const list = store.repo(ADDRESSES).page(ACCOUNT, {}, {offset: 0}, 10, urls('https://x.example/q"uote'));
    expect(list.items).to.equal(store.repo(ADDRESSES).render(d, urls('https://x.example/q"uote')));
    const item = JSON.parse(list.items) as Record<string, unknown>;
    expect(Object.keys(item).at(-1)).to.equal('url');
    expect(item.url).to.equal(`https://x.example/q"uote/${d.sid}`);
  });
});

describe('store: WAL checkpoints run off the request path', () => {
  it('after enough commits a worker copies the WAL into the database file', async function () {
    this.timeout(20000);
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-ckpt-'));
    const path = join(dir, 'e.db');
    const store = new Store(path, [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: TABLES});
    try {
      // a copy of the main file alone (no -wal beside it) holds the rows once they are checkpointed
      const inFile = () => {
        const copy = join(dir, 'copy.db');
        copyFileSync(path, copy);
        const reader = new Database(copy, {readonly: true});
        try {
          return reader.prepare('SELECT COUNT(*) FROM address_configurations').pluck().get() as number;
        } catch {
          return 0; // not there yet (or copied in the middle of a checkpoint): look again
        } finally {
          reader.close();
        }
      };
      for (let i = 0; i < 300; i++) {
        store.tx(() => store.repo(ADDRESSES).insert(ACCOUNT, doc(i)));
        store.flush(); // one commit each, as separate requests would
      }
      expect(store.db.pragma('wal_autocheckpoint', {simple: true})).to.equal(0);
      expect(inFile()).to.be.below(256); // nothing is copied by the commits themselves
      let seen = 0;
      for (let tries = 0; tries < 100 && seen < 256; tries++) {
        await new Promise((r) => setTimeout(r, 50));
        seen = inFile();
      }
      expect(seen).to.be.at.least(256);
    } finally {
      await store.close();
      rmSync(dir, {recursive: true, force: true});
    }
  });
});

/** A WAL-mode database file with automatic checkpoints off, in a temp dir; `cleanup` removes it. */
function walDatabase(): {path: string; db: Database.Database; cleanup(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'flexconv-ckpt-'));
  const path = join(dir, 'w.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (x)');
  return {
    path,
    db,
    cleanup() {
      db.close();
      rmSync(dir, {recursive: true, force: true});
    },
  };
}

/** Polls `cond` for up to 5 s. */
async function waitFor(cond: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  return cond();
}

describe('store: the checkpoint worker', () => {
  it('starts for a checkpoint, ends when idle, starts again for the next one', async function () {
    this.timeout(20000);
    const {path, db, cleanup} = walDatabase();
    let fellBack = false;
    let restarts = 0;
    const cp = new Checkpointer(path, () => (fellBack = true), () => restarts++, {every: 1, retireMs: 200});
    try {
      for (let round = 0; round < 2; round++) {
        db.prepare('INSERT INTO t VALUES (?)').run(round);
        cp.committed();
        expect(cp.running, `round ${round}: started`).to.equal(true);
        expect(await waitFor(() => !cp.running), `round ${round}: retired`).to.equal(true);
      }
      expect(fellBack, 'fell back to automatic checkpoints').to.equal(false);
      expect(restarts, 'a small WAL is left to the worker').to.equal(0);
    } finally {
      await cp.stop();
      cleanup();
    }
  });
});

describe('store: a WAL that outgrows its limit starts over', () => {
  it('keeps the WAL small and its file for the next round (frames that grow the file cost several times more)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-wal-'));
    const store = new Store(join(dir, 'e.db'), [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: TABLES});
    try {
      expect(WAL_LIMIT).to.be.at.most(32 * 1024 * 1024);
      expect(WAL_HARD_LIMIT).to.equal(8 * WAL_LIMIT);
      // a restart past the hard limit cuts the file back to it, not below: the next round reuses its blocks
      expect(store.db.pragma('journal_size_limit', {simple: true})).to.equal(WAL_HARD_LIMIT);
    } finally {
      await store.close();
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('past walLimit, a checkpoint that copied the whole WAL needs no restart: SQLite starts it over at the next write', async function () {
    this.timeout(20000);
    const {path, db, cleanup} = walDatabase();
    let restarts = 0;
    const restart = () => {
      restarts++;
      db.pragma('wal_checkpoint(RESTART)');
    };
    const reports: [number, boolean][] = [];
    const cp = new Checkpointer(path, () => {}, restart, {every: 1, walLimit: 64 * 1024, onCheckpoint: (wal, all) => reports.push([wal, all])});
    try {
      db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000));
      cp.committed();
      expect(await waitFor(() => reports.length > 0), 'checkpointed').to.equal(true);
      const [wal, all] = reports[0];
      expect(wal, 'past the limit').to.be.greaterThan(64 * 1024);
      expect(all, 'copied it all').to.equal(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(restarts, 'no RESTART on the main thread').to.equal(0);
      // the next write starts the WAL over at its beginning
      db.prepare('INSERT INTO t VALUES (?)').run('small');
      const [{log}] = db.pragma('wal_checkpoint(PASSIVE)') as {log: number}[];
      expect(log, 'frames in the WAL after the next write').to.be.below(5);
      expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).to.equal(2);
    } finally {
      await cp.stop();
      cleanup();
    }
  });

  it('writes that go on past walLimit: no RESTART while they go on; in the pause, a worker checkpoint of everything; past walHardLimit, a RESTART at once', async function () {
    this.timeout(20000);
    const {path, db, cleanup} = walDatabase();
    const restartsAt: number[] = [];
    const restart = () => {
      restartsAt.push(performance.now());
      db.pragma('wal_checkpoint(RESTART)');
    };
    const reports: {at: number; wal: number; all: boolean}[] = [];
    const cp = new Checkpointer(path, () => {}, restart, {
      every: 1,
      walLimit: 64 * 1024,
      walHardLimit: 64 * 1024 * 1024,
      quietMs: 300,
      onCheckpoint: (wal, all) => reports.push({at: performance.now(), wal, all}),
    });
    const hard = new Checkpointer(path, () => {}, restart, {every: 1, walLimit: 16 * 1024, walHardLimit: 32 * 1024, quietMs: 60_000});
    // a reader holding its snapshot keeps the worker from copying the frames written after it
    const reader = new Database(path, {readonly: true});
    try {
      db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000));
      reader.exec('BEGIN');
      reader.prepare('SELECT COUNT(*) FROM t').get();
      db.prepare('INSERT INTO t VALUES (?)').run('y'.repeat(100_000));
      cp.committed();
      expect(await waitFor(() => reports.length > 0), 'checkpointed').to.equal(true);
      expect(reports[0].all, 'the reader held frames back').to.equal(false);
      reader.exec('COMMIT');
      // writes every 50 ms for 900 ms: no pause of 300 ms, no restart
      let last = 0;
      for (let i = 0; i < 18; i++) {
        await new Promise((r) => setTimeout(r, 50));
        db.prepare('INSERT INTO t VALUES (?)').run(i);
        cp.committed();
        last = performance.now();
      }
      expect(restartsAt, 'no restart while the writes go on').to.deep.equal([]);
      // in the pause: a checkpoint that copies it all, and still no RESTART on the main thread
      expect(await waitFor(() => reports.some((r) => r.at - last >= 290 && r.all)), 'checkpointed in the pause').to.equal(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(restartsAt, 'the pause needed no RESTART').to.deep.equal([]);
      // past the hard limit, frames the worker could not copy: at once, though the pause it would wait for is a minute
      reader.exec('BEGIN');
      reader.prepare('SELECT COUNT(*) FROM t').get();
      db.prepare('INSERT INTO t VALUES (?)').run('z'.repeat(100_000));
      hard.committed();
      expect(await waitFor(() => restartsAt.length > 0), 'restarted at once').to.equal(true);
      reader.exec('COMMIT');
    } finally {
      if (reader.inTransaction) reader.exec('COMMIT');
      reader.close();
      await cp.stop();
      await hard.stop();
      cleanup();
    }
  });
});
