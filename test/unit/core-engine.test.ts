import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {parse as parseQs} from 'node:querystring';
import {expect} from 'chai';
import twilio from 'twilio';
import {DEFAULT_ACCOUNT} from '../../src/lib/emulator/defaults.js';
import {ManualClock, parseDuration} from '../../src/lib/emulator/engine/clock.js';
import {createCore, startCore, stopCore, type Core} from '../../src/lib/emulator/engine/core.js';
import {twilioSignature} from '../../src/lib/emulator/engine/signature.js';
import {enqueue} from '../../src/lib/emulator/engine/webhooks.js';
import {Store} from '../../src/lib/emulator/store/index.js';
import {MIGRATIONS} from '../../src/lib/emulator/store/migrations.js';
import Database from 'better-sqlite3';
import {Tx} from '../../src/lib/emulator/store/tx.js';

const ACCOUNT = DEFAULT_ACCOUNT.accountSid;
const T0 = Date.parse('2030-01-01T00:00:00Z');

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string | string[]>;
}

/** A local webhook receiver; `answer` decides each response (default 200). */
async function receiver(answer: (r: Received, res: ServerResponse) => void = (_r, res) => res.end()) {
  const got: Received[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {method: req.method!, url: req.url!, headers: req.headers, params: parseQs(Buffer.concat(chunks).toString()) as Record<string, string | string[]>};
      got.push(r);
      for (const w of waiters.splice(0)) w();
      answer(r, res);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    got,
    async until(n: number) {
      while (got.length < n) await new Promise<void>((ok) => waiters.push(ok));
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function makeCore(path = ':memory:', clock = new ManualClock(T0), webhookTimeoutMs?: number, webhookLogKeep?: number): Core {
  const store = new Store(path, [{...DEFAULT_ACCOUNT}], () => clock.now(), {tables: []});
  return createCore(store, clock, {webhookTimeoutMs, webhookLogKeep, onError: (e) => errors.push(e)});
}

/** Enqueue one delivery in a transaction of its own; its SID. */
function send(core: Core, url: string, eventType: string, maxAttempts = 1): string {
  return core.store.tx(() => enqueue(new Tx(core.store, ACCOUNT, core.clock.now()), {url, params: {E: eventType}, eventType, maxAttempts}));
}

/** Resolves once the log holds n attempts (idle() would also wait for a request that hangs on purpose). */
async function attemptsReach(core: Core, n: number): Promise<void> {
  while (core.webhooks.attempts(ACCOUNT, {limit: 10_000}).length < n) await new Promise((ok) => setTimeout(ok, 5));
}
const errors: unknown[] = [];

describe('core engine: clock, timers, bus, webhook delivery', () => {
  let core: Core | undefined;
  afterEach(async () => {
    if (!core) return;
    stopCore(core);
    await core.store.close();
    core = undefined;
  });

  it('parses ISO 8601 durations and refuses malformed ones', () => {
    expect(parseDuration('PT10M')).to.equal(600_000);
    expect(parseDuration('P1DT2H0.5S')).to.equal(93_600_500);
    expect(parseDuration('P2W')).to.equal(14 * 86_400_000);
    for (const bad of ['', 'P', 'PT', '10M', 'P1M', 'PT1X', 'P1Y']) expect(parseDuration(bad), bad).to.equal(undefined);
  });

  it('advance fires every timer due in the window in due order, each at its own time, and drains reactions after each', async () => {
    core = makeCore()!;
    startCore(core);
    const fired: string[] = [];
    core.scheduler.handle('test.fire', (tx, data: {name: string}) => {
      fired.push(`${data.name}@${tx.now.toISOString()}`);
      tx.emit('test.fired', {name: data.name});
      // a handler may set the next timer: it fires in the same advance when due in the window
      if (data.name === 'b') tx.at('t:d', tx.now.getTime() + 60_000, 'test.fire', {name: 'd'});
    });
    const reacted: string[] = [];
    core.bus.on('test.fired', (_tx, e) => reacted.push(`${e.data.name} after ${fired.length}`));
    core.store.tx(() => {
      const tx = new Tx(core.store, ACCOUNT, core.clock.now());
      tx.at('t:c', T0 + 30 * 60_000, 'test.fire', {name: 'c'});
      tx.at('t:a', T0 + 5 * 60_000, 'test.fire', {name: 'a'});
      tx.at('t:b', T0 + 10 * 60_000, 'test.fire', {name: 'b'});
      tx.at('t:z', T0 + 3600_000, 'test.fire', {name: 'z'});
    });
    await core.scheduler.advance('PT30M');
    expect(fired).to.deep.equal(['a@2030-01-01T00:05:00.000Z', 'b@2030-01-01T00:10:00.000Z', 'd@2030-01-01T00:11:00.000Z', 'c@2030-01-01T00:30:00.000Z']);
    expect(reacted).to.deep.equal(['a after 1', 'b after 2', 'd after 3', 'c after 4']);
    expect(core.clock.now().toISOString()).to.equal('2030-01-01T00:30:00.000Z');
    expect(core.scheduler.nextDue()).to.equal(T0 + 3600_000);
    // rescheduling is an upsert by key; a cancelled timer never fires
    core.store.tx(() => {
      const tx = new Tx(core.store, ACCOUNT, core.clock.now());
      tx.at('t:z', T0 + 40 * 60_000, 'test.fire', {name: 'z'});
      tx.at('t:y', T0 + 45 * 60_000, 'test.fire', {name: 'y'});
      tx.cancel('t:y');
    });
    await core.scheduler.advance(15 * 60_000);
    expect(fired.at(-1)).to.equal('z@2030-01-01T00:40:00.000Z');
    expect(fired).to.have.length(5);
    await expectRejects(core.scheduler.advance('PT1X'), /not a duration/);
    await expectRejects(core.scheduler.advanceTo(T0), /cannot go back/);
  });

  it('a handler that throws is reported, rolls back alone and does not fire again', async () => {
    core = makeCore()!;
    startCore(core);
    let calls = 0;
    core.scheduler.handle('test.bad', (tx) => {
      calls++;
      tx.emit('test.never', {});
      throw new Error('handler failed');
    });
    core.store.tx(() => new Tx(core.store, ACCOUNT, core.clock.now()).at('bad', T0 + 1000, 'test.bad'));
    const before = errors.length;
    await core.scheduler.advance(5000);
    await core.scheduler.advance(5000);
    expect(calls).to.equal(1);
    expect(String(errors.slice(before))).to.include('handler failed');
    expect(core.store.db.prepare("SELECT COUNT(*) FROM event_log WHERE type = 'test.never'").pluck().get()).to.equal(0);
  });

  it('a reactor runs after COMMIT, before the batch is settled; one that throws rolls back alone', async () => {
    core = makeCore()!;
    startCore(core);
    const order: string[] = [];
    core.bus.on('test.thing', (tx) => {
      order.push('reactor 1');
      tx.emit('test.second', {});
      throw new Error('reactor 1 fails');
    });
    core.bus.on('test.thing', () => void order.push('reactor 2'));
    core.bus.on('test.second', () => void order.push('second-level'));
    core.store.tx(() => new Tx(core.store, ACCOUNT, core.clock.now()).emit('test.thing', {x: 1}));
    await core.store.settled();
    order.push('settled');
    expect(order).to.deep.equal(['reactor 1', 'reactor 2', 'settled']);
    // the event reactor 1 emitted was rolled back with it
    expect(core.store.db.prepare("SELECT COUNT(*) FROM event_log WHERE type = 'test.second'").pluck().get()).to.equal(0);
  });

  it('timers and unreacted events survive a restart; overdue timers fire at start-up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-engine-'));
    try {
      const path = join(dir, 'e.db');
      core = makeCore(path);
      core.store.tx(() => {
        const tx = new Tx(core.store, ACCOUNT, core.clock.now());
        tx.at('persist', T0 + 60_000, 'test.persist', {v: 42});
        // an event committed by a process that died before its reactions ran (the bus never saw it)
        core!.store.sql('INSERT INTO event_log (account_sid, type, date_ms, data) VALUES (?, ?, ?, ?)').run(ACCOUNT, 'test.later', T0, '{"v":7}');
      });
      core.store.flush();
      stopCore(core);
      await core.store.close();
      const seen: unknown[] = [];
      core = makeCore(path, new ManualClock(T0 + 120_000));
      core.scheduler.handle('test.persist', (_tx, data) => void seen.push(['timer', data]));
      core.bus.on('test.later', (_tx, e) => void seen.push(['event', e.data]));
      startCore(core);
      expect(seen).to.deep.equal([
        ['event', {v: 7}],
        ['timer', {v: 42}],
      ]);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('the clock does not go back across a restart: a manual one resumes where it was advanced to, a ticking one keeps its lead; a reset starts over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-engine-'));
    try {
      const path = join(dir, 'e.db');
      core = makeCore(path);
      startCore(core);
      await core.scheduler.advance('PT17M');
      expect(core.clock.now().getTime()).to.equal(T0 + 17 * 60_000);
      stopCore(core);
      await core.store.close();
      core = makeCore(path, new ManualClock(T0));
      startCore(core);
      expect(core.clock.now().getTime(), 'manual: where the advance left it').to.equal(T0 + 17 * 60_000);
      stopCore(core);
      await core.store.close();

      // a real-time clock advanced by an hour is still an hour ahead after the restart
      const {SystemClock} = await import('../../src/lib/emulator/engine/clock.js');
      const ticking = join(dir, 't.db');
      core = makeCore(ticking, new SystemClock() as unknown as ManualClock);
      startCore(core);
      await core.scheduler.advance('PT1H');
      stopCore(core);
      await core.store.close();
      core = makeCore(ticking, new SystemClock() as unknown as ManualClock);
      startCore(core);
      const lead = core.clock.now().getTime() - Date.now();
      expect(lead).to.be.within(3_600_000 - 1000, 3_600_000 + 1000);
      stopCore(core);
      await core.store.close();
      // a manual clock after that ticking run resumes where the ticking one got to, not at its last advance
      core = makeCore(ticking, new ManualClock(Date.now()));
      startCore(core);
      expect(core.clock.now().getTime() - Date.now()).to.be.within(3_600_000 - 1000, 3_600_000 + 1000);
      // a reset starts over: the next start-up takes the clock as given
      core.store.reset(core.clock.now());
      await core.store.settled();
      stopCore(core);
      await core.store.close();
      core = makeCore(ticking, new SystemClock() as unknown as ManualClock);
      startCore(core);
      expect(Math.abs(core.clock.now().getTime() - Date.now())).to.be.below(1000);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('delivers signed form webhooks that twilio.validateRequest accepts, logs every attempt, and replays', async () => {
    const r = await receiver();
    try {
      core = makeCore()!;
      startCore(core);
      const params = {EventType: 'onMessageAdded', Body: 'héllo & bye=1 +', 'MessagingBinding.Address': '+15551234567', Filters: ['b', 'a', 'a']};
      core.store.tx(() => {
        const tx = new Tx(core.store, ACCOUNT, core.clock.now());
        enqueue(tx, {url: `${r.url}/hook?x=1`, params, eventType: 'onMessageAdded', orderingKey: 'CH1'});
        enqueue(tx, {url: `${r.url}/hook?x=2`, params: {...params, Body: 'second'}, eventType: 'onMessageAdded', orderingKey: 'CH1'});
        enqueue(tx, {url: `${r.url}/get`, method: 'GET', params: {A: '1'}, eventType: 'onX'});
      });
      await r.until(3);
      await core.webhooks.idle();
      const posts = r.got.filter((g) => g.method === 'POST');
      // same ordering key: in order
      expect(posts.map((g) => g.url)).to.deep.equal(['/hook?x=1', '/hook?x=2']);
      for (const g of r.got) {
        const url = `${r.url}${g.url}`;
        const ok = twilio.validateRequest(DEFAULT_ACCOUNT.authToken, g.headers['x-twilio-signature'] as string, url, g.method === 'GET' ? {} : g.params);
        expect(ok, `${g.method} ${g.url}`).to.equal(true);
      }
      expect(posts[0].params.Body, JSON.stringify(posts[0])).to.equal('héllo & bye=1 +');
      expect(posts[0].headers['content-type']).to.match(/^application\/x-www-form-urlencoded/);
      expect(r.got.find((g) => g.method === 'GET')!.url).to.equal('/get?A=1');
      const attempts = core.webhooks.attempts(ACCOUNT);
      expect(attempts).to.have.length(3);
      expect(attempts.every((a) => a.status === 200 && a.latency_ms >= 0 && a.error === null)).to.equal(true);
      // a replay is a new delivery with the same params, signed afresh
      const first = attempts.find((a) => a.url.endsWith('/hook?x=1'))!;
      const replay = core.webhooks.replay(ACCOUNT, first.delivery_sid)!;
      expect(replay).to.match(/^WD[0-9a-f]{32}$/);
      await r.until(4);
      // what was stored (the form body) is what goes again: repeated keys in their order
      expect(r.got[3].params.Body).to.equal('héllo & bye=1 +');
      expect(r.got[3].params.Filters).to.deep.equal(['b', 'a', 'a']);
      expect(r.got[3].params['MessagingBinding.Address']).to.equal('+15551234567');
      expect(twilio.validateRequest(DEFAULT_ACCOUNT.authToken, r.got[3].headers['x-twilio-signature'] as string, `${r.url}${r.got[3].url}`, r.got[3].params)).to.equal(true);
    } finally {
      await r.close();
    }
  });

  it('a receiver that answers 500, hangs past the timeout, or is not there: a logged failed attempt, nothing lost', async () => {
    const r = await receiver((g, res) => {
      if (g.url === '/500') res.writeHead(500).end('boom');
      else if (g.url === '/hang') return; // never answers
      else res.end();
    });
    try {
      core = makeCore(':memory:', new ManualClock(T0), 200);
      startCore(core);
      core.store.tx(() => {
        const tx = new Tx(core.store, ACCOUNT, core.clock.now());
        enqueue(tx, {url: `${r.url}/500`, params: {a: '1'}, eventType: 'e500', maxAttempts: 2});
        enqueue(tx, {url: `${r.url}/hang`, params: {a: '1'}, eventType: 'ehang'});
        enqueue(tx, {url: 'http://127.0.0.1:1/nobody', params: {a: '1'}, eventType: 'enobody'});
        enqueue(tx, {url: 'not a url', params: {a: '1'}, eventType: 'ebad'});
      });
      await core.store.settled();
      await core.webhooks.idle();
      const byEvent = Object.fromEntries(core.webhooks.attempts(ACCOUNT).map((a) => [a.event_type, a]));
      expect(byEvent.e500.status).to.equal(500);
      expect(byEvent.ehang.error).to.match(/timed out after 200 ms/);
      expect(byEvent.enobody.error).to.match(/ECONNREFUSED/);
      expect(byEvent.ebad.error).to.match(/bad URL/);
      // the 500 is retried on the clock (1 s later), not at once
      expect(core.webhooks.attempts(ACCOUNT, {eventType: 'e500'})).to.have.length(1);
      await core.scheduler.advance('PT1S');
      await core.webhooks.idle();
      const retried = core.webhooks.attempts(ACCOUNT, {eventType: 'e500'});
      expect(retried.map((a) => [a.attempt, a.status])).to.deep.equal([
        [1, 500],
        [2, 500],
      ]);
      const d = core.webhooks.delivery(ACCOUNT, retried[0].delivery_sid)!;
      expect([d.status, d.attempts]).to.deep.equal(['failed', 2]);
    } finally {
      await r.close();
    }
  });

  it("a delivery's state is its attempts: start-up sends exactly the unfinished ones, retries wait for the clock, SIDs never repeat (also after a reset)", async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-engine-'));
    const r = await receiver((g, res) => res.writeHead(g.url === '/500' ? 500 : 200).end());
    const clock = new ManualClock(T0);
    try {
      const path = join(dir, 'e.db');
      core = makeCore(path, clock);
      startCore(core);
      const ok = send(core, `${r.url}/ok`, 'ok');
      const retrying = send(core, `${r.url}/500`, 'retrying', 2);
      const failed = send(core, `${r.url}/500`, 'failed');
      await core.store.settled();
      await core.webhooks.idle();
      const state = (sid: string) => {
        const d = core!.webhooks.delivery(ACCOUNT, sid)!;
        return [d.status, d.attempts, d.last_status];
      };
      expect([state(ok), state(retrying), state(failed)]).to.deep.equal([
        ['delivered', 1, 200],
        ['retrying', 1, 500],
        ['failed', 1, 500],
      ]);
      // stopped: written, not sent (the next process finds it pending)
      stopCore(core);
      const pending = send(core, `${r.url}/ok`, 'pending');
      expect(state(pending)).to.deep.equal(['pending', 0, null]);
      await core.store.close();
      expect(r.got).to.have.length(3);

      core = makeCore(path, clock);
      startCore(core);
      await r.until(4);
      await core.webhooks.idle();
      // only the pending one went: the retry waits for its timer, the finished ones stay finished
      expect(r.got.slice(3).map((g) => g.params.E)).to.deep.equal(['pending']);
      expect(state(pending)).to.deep.equal(['delivered', 1, 200]);
      await core.scheduler.advance('PT1S');
      await core.webhooks.idle();
      expect(r.got.slice(4).map((g) => g.params.E)).to.deep.equal(['retrying']);
      expect(state(retrying)).to.deep.equal(['failed', 2, 500]);
      const lastAttempt = core.webhooks.attempts(ACCOUNT).at(-1)!.seq;

      // a reset empties the log; what comes after has new SIDs and attempt seqs, also in the next process
      core.store.reset(clock.now());
      const afterReset = send(core, `${r.url}/ok`, 'after-reset');
      await core.store.settled();
      await core.webhooks.idle();
      expect(afterReset > pending, `${afterReset} > ${pending}`).to.equal(true);
      expect(core.webhooks.attempts(ACCOUNT).map((a) => a.seq)).to.deep.equal([lastAttempt + 1]);
      core.store.reset(clock.now());
      stopCore(core);
      await core.store.close();
      core = makeCore(path, clock);
      startCore(core);
      const nextProcess = send(core, `${r.url}/ok`, 'next-process');
      await core.store.settled();
      await core.webhooks.idle();
      expect(nextProcess > afterReset, `${nextProcess} > ${afterReset}`).to.equal(true);
      expect(core.webhooks.attempts(ACCOUNT).map((a) => a.seq)).to.deep.equal([lastAttempt + 2]);
    } finally {
      await r.close();
      if (core) {
        stopCore(core);
        await core.store.close();
        core = undefined;
      }
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('prunes the log to the newest deliveries, never past one that is unfinished', async function () {
    this.timeout(20_000);
    let release: (() => void) | undefined;
    const r = await receiver((g, res) => {
      if (g.url === '/hold') release = () => res.end();
      else res.end();
    });
    try {
      // keeps 20: prunes after every 2 outcomes
      core = makeCore(':memory:', new ManualClock(T0), 10_000, 20);
      startCore(core);
      const held = send(core, `${r.url}/hold`, 'held');
      for (let i = 0; i < 40; i++) send(core, `${r.url}/ok`, `ok-${i}`);
      await attemptsReach(core, 40);
      // the held one is unfinished: nothing at or after it may go
      const count = () => core!.store.sql('SELECT COUNT(*) FROM deliveries').pluck().get() as number;
      expect(count()).to.equal(41);
      release!();
      await core.webhooks.idle();
      for (let i = 0; i < 4; i++) send(core, `${r.url}/ok`, `more-${i}`);
      await core.store.settled();
      await core.webhooks.idle();
      // now the oldest go, with their attempts; the newest 20 (and a few since the last prune) stay
      expect(count()).to.be.within(20, 24);
      expect(core.webhooks.delivery(ACCOUNT, held)).to.equal(undefined);
      const orphans = core.store.sql('SELECT COUNT(*) FROM webhook_attempts WHERE delivery_seq NOT IN (SELECT seq FROM deliveries)').pluck().get();
      expect(orphans).to.equal(0);
      const watermark = Number(core.store.sql("SELECT value FROM flexconv_meta WHERE key = 'deliveries_done_below'").pluck().get());
      expect(watermark).to.be.greaterThan(40);
    } finally {
      release?.();
      await r.close();
    }
  });

  it('migrates a delivery log written before schema 4: pending ones are sent, finished ones are not, seqs continue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-engine-'));
    const r = await receiver();
    try {
      const path = join(dir, 'e.db');
      const old = new Database(path);
      old.pragma('journal_mode = WAL');
      for (let i = 0; i < 3; i++) old.exec(MIGRATIONS[i]);
      old.pragma('user_version = 3');
      const insert = old.prepare(
        `INSERT INTO deliveries (seq, account_sid, event_type, url, method, params, ordering_key, status, attempts, max_attempts, date_created_ms, date_updated_ms)
         VALUES (?, ?, ?, ?, 'POST', ?, '', ?, ?, 1, 0, 0)`,
      );
      insert.run(1, ACCOUNT, 'delivered', `${r.url}/old`, '{"E":"delivered"}', 'delivered', 1);
      insert.run(2, ACCOUNT, 'pruned', `${r.url}/old`, '{"E":"pruned"}', 'failed', 1);
      insert.run(3, ACCOUNT, 'pending', `${r.url}/old`, '{"E":"pending"}', 'pending', 0);
      insert.run(7, ACCOUNT, 'gone', `${r.url}/old`, '{"E":"gone"}', 'delivered', 1);
      old.prepare('DELETE FROM deliveries WHERE seq = 7').run(); // AUTOINCREMENT remembers 7
      old.prepare(
        `INSERT INTO webhook_attempts (seq, delivery_seq, account_sid, attempt, date_ms, event_type, url, method, status, latency_ms)
         VALUES (5, 1, ?, 1, 0, 'delivered', ?, 'POST', 200, 1)`,
      ).run(ACCOUNT, `${r.url}/old`);
      old.close();

      core = makeCore(path);
      startCore(core);
      await r.until(1);
      await core.webhooks.idle();
      expect(r.got.map((g) => g.params.E)).to.deep.equal(['pending']);
      const sids = (core.store.sql('SELECT seq FROM deliveries ORDER BY seq').pluck().all() as number[]);
      expect(sids, 'the finished delivery whose attempts were pruned is gone').to.deep.equal([1, 3]);
      const next = send(core, `${r.url}/ok`, 'new');
      await core.store.settled();
      await core.webhooks.idle();
      expect(next).to.equal(`WD${(8).toString(16).padStart(32, '0')}`);
      expect(core.webhooks.attempts(ACCOUNT).map((a) => [a.seq, a.event_type])).to.deep.equal([
        [5, 'delivered'],
        [6, 'pending'],
        [7, 'new'],
      ]);
    } finally {
      await r.close();
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('deliveries of one ordering key go one at a time in order, however many wait; other keys and unkeyed ones pass them', async function () {
    this.timeout(20_000);
    let inFlight = 0;
    let most = 0;
    const perKey = new Map<string, number>();
    const r = await receiver((g, res) => {
      const key = String(g.params.K);
      const busy = (perKey.get(key) ?? 0) + 1;
      perKey.set(key, busy);
      inFlight++;
      most = Math.max(most, inFlight);
      expect(busy, `key ${key} had two in flight`).to.equal(1);
      setImmediate(() => {
        perKey.set(key, busy - 1);
        inFlight--;
        res.end();
      });
    });
    try {
      core = makeCore();
      startCore(core);
      core.store.tx(() => {
        const tx = new Tx(core!.store, ACCOUNT, core!.clock.now());
        for (let i = 0; i < 300; i++) enqueue(tx, {url: `${r.url}/a`, params: {K: 'A', N: String(i)}, eventType: 'e', orderingKey: 'A'});
        for (let i = 0; i < 20; i++) enqueue(tx, {url: `${r.url}/b`, params: {K: 'B', N: String(i)}, eventType: 'e', orderingKey: 'B'});
        for (let i = 0; i < 20; i++) enqueue(tx, {url: `${r.url}/u`, params: {K: `u${i}`, N: String(i)}, eventType: 'e'});
      });
      await core.store.settled();
      await core.webhooks.idle();
      expect(r.got).to.have.length(340);
      const order = (key: string) => r.got.filter((g) => g.params.K === key).map((g) => Number(g.params.N));
      expect(order('A')).to.deep.equal(Array.from({length: 300}, (_, i) => i));
      expect(order('B')).to.deep.equal(Array.from({length: 20}, (_, i) => i));
      // B and the unkeyed ones did not wait for A's line
      const lastB = r.got.findIndex((g) => g.params.K === 'B' && g.params.N === '19');
      expect(lastB, 'B done before A').to.be.below(200);
      expect(most, 'in parallel across keys').to.be.greaterThan(1);
    } finally {
      await r.close();
    }
  });

  it('a receiver that hangs holds at most its own 32 requests: deliveries to other receivers go meanwhile, its parked ones follow', async function () {
    this.timeout(20_000);
    const held: ServerResponse[] = [];
    const stuck = await receiver((_g, res) => void held.push(res));
    const healthy = await receiver();
    try {
      core = makeCore();
      startCore(core);
      core.store.tx(() => {
        const tx = new Tx(core!.store, ACCOUNT, core!.clock.now());
        for (let i = 0; i < 100; i++) enqueue(tx, {url: `${stuck.url}/h?n=${i}`, params: {N: String(i)}, eventType: 'e'});
        for (let i = 0; i < 10; i++) enqueue(tx, {url: `${healthy.url}/ok`, params: {N: String(i)}, eventType: 'e'});
      });
      await core.store.settled();
      // every healthy one arrives while the stuck receiver holds its 32 (the other 68 wait for them)
      await healthy.until(10);
      await stuck.until(32);
      await new Promise((ok) => setTimeout(ok, 50));
      expect(stuck.got).to.have.length(32);
      for (let done = 0; done < 100; ) {
        const batch = held.splice(0);
        done += batch.length;
        for (const res of batch) res.end();
        if (done < 100) await stuck.until(Math.min(100, done + 32));
      }
      await core.webhooks.idle();
      // in parallel (no ordering key): each batch of 32 in any order, but none lost or sent twice
      expect(stuck.got.map((g) => Number(g.params.N)).sort((x, y) => x - y)).to.deep.equal(Array.from({length: 100}, (_, i) => i));
      expect(Math.max(...stuck.got.slice(0, 32).map((g) => Number(g.params.N))), 'the first 32 went first').to.equal(31);
      expect(core.webhooks.attempts(ACCOUNT, {limit: 1000}).filter((a) => a.status === 200)).to.have.length(110);
    } finally {
      await stuck.close();
      await healthy.close();
    }
  });

  it('signs exactly as Twilio documents (test vector)', () => {
    const sig = twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    });
    expect(sig).to.equal('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('a delivery pending when the process is killed (-9) is sent after the restart', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-engine-'));
    const hang = await receiver(() => {}); // holds the first process's delivery in flight
    const good = await receiver();
    try {
      const path = join(dir, 'e.db');
      const script = join(dir, 'child.ts');
      const src = resolve('src/lib/emulator');
      writeFileSync(
        script,
        `import {Store} from '${src}/store/index.ts';
         import {createCore, startCore} from '${src}/engine/core.ts';
         import {enqueue} from '${src}/engine/webhooks.ts';
         import {Tx} from '${src}/store/tx.ts';
         import {SystemClock} from '${src}/engine/clock.ts';
         const clock = new SystemClock();
         const store = new Store(${JSON.stringify(path)}, [${JSON.stringify(DEFAULT_ACCOUNT)}], () => clock.now(), {tables: []});
         const core = createCore(store, clock, {webhookTimeoutMs: 60000});
         startCore(core);
         store.tx(() => enqueue(new Tx(store, ${JSON.stringify(ACCOUNT)}, clock.now()), {url: process.argv[2], params: {Body: 'survives'}, eventType: 'onMessageAdded'}));
         store.settled().then(() => console.log('committed'));
         setInterval(() => {}, 1000);`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script, `${hang.url}/first`], {stdio: ['ignore', 'pipe', 'inherit']});
      await new Promise<void>((ok) => child.stdout.on('data', (d: Buffer) => String(d).includes('committed') && ok()));
      await hang.until(1); // in flight, unanswered
      child.kill('SIGKILL');
      await new Promise((ok) => child.on('exit', ok));
      // the next process finds it pending; point the receiver's URL at one that answers
      const store = new Store(path, [{...DEFAULT_ACCOUNT}], () => new Date(), {tables: []});
      store.tx(() => store.sql('UPDATE deliveries SET url = ?').run(`${good.url}/after-restart`));
      store.flush();
      core = createCore(store, new ManualClock(), {});
      startCore(core);
      await good.until(1);
      expect(good.got[0].params.Body).to.equal('survives');
      await core.webhooks.idle();
      expect(core.webhooks.attempts(ACCOUNT).map((a) => a.status)).to.deep.equal([200]);
    } finally {
      await hang.close();
      await good.close();
      rmSync(dir, {recursive: true, force: true});
    }
  });
});

async function expectRejects(p: Promise<unknown>, re: RegExp) {
  try {
    await p;
  } catch (error) {
    expect(String(error)).to.match(re);
    return;
  }
  expect.fail(`expected a rejection matching ${re}`);
}
