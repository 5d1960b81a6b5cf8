import {spawn, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {expect} from 'chai';
import {StoreError, startEmulator} from '../../src/lib/emulator/index.js';
import {basic, startTestEmulator, type TestEmulator} from '../helpers/emulator.js';

const BASE = '/conversations/v1/Configuration/Addresses';

async function startFails(db: string): Promise<Error> {
  try {
    const emu = await startEmulator({port: 0, db});
    await emu.stop();
  } catch (e) {
    return e as Error;
  }
  throw new Error(`expected startEmulator({db: ${db}}) to fail`);
}

describe('emulator: persistence, database errors, control API', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flexconv-emu-test-'));
  });
  after(() => {
    rmSync(dir, {recursive: true, force: true});
  });

  describe('file database', () => {
    it('data survives stop() and a new start on the same file', async () => {
      const db = join(dir, 'nested', 'state', 'emulator.db'); // missing directories are created
      let t: TestEmulator = await startTestEmulator({db});
      const created = await t.client.conversations.v1.addressConfigurations.create({
        type: 'sms',
        address: '+15550001111',
        friendlyName: 'durable',
        'autoCreation.enabled': true,
        'autoCreation.type': 'webhook',
        'autoCreation.webhookUrl': 'https://example.com/h',
        'autoCreation.webhookFilters': ['onMessageAdded'],
      });
      const wireBefore = t.wire.last.body as Record<string, unknown>;
      const acct = await t.expect(201, 'POST', '/_emulator/accounts', {form: {AuthToken: 'second-token'}});
      await t.emu.stop();
      await t.emu.stop(); // idempotent
      expect(existsSync(db)).to.equal(true);
      // the WAL was checkpointed into the main file on a clean stop
      expect(!existsSync(`${db}-wal`) || statSync(`${db}-wal`).size === 0).to.equal(true);

      t = await startTestEmulator({db});
      try {
        const fetched = await t.client.conversations.v1.addressConfigurations(created.sid).fetch();
        expect(fetched.friendlyName).to.equal('durable');
        const wireAfter = t.wire.last.body as Record<string, unknown>;
        // identical except the url (a new port)
        expect({...wireAfter, url: ''}).to.deep.equal({...wireBefore, url: ''});
        expect(wireAfter.url).to.equal(`${t.url}${BASE}/${created.sid}`);
        const list = await t.client.conversations.v1.addressConfigurations.list();
        expect(list.map((c) => c.sid)).to.deep.equal([created.sid]);
        // accounts created at runtime are in the file too
        const res = await t.http('GET', BASE, {auth: {username: acct.account_sid, password: 'second-token'}});
        expect(res.status).to.equal(200);
        // and new writes continue after the old ones (paging order)
        const next = await t.expect(201, 'POST', BASE, {form: {Type: 'sms', Address: '+15550002222'}});
        const again = await t.client.conversations.v1.addressConfigurations.list();
        expect(again.map((c) => c.sid)).to.deep.equal([created.sid, next.sid]);
        // the same address is still taken
        expect((await t.http('POST', BASE, {form: {Type: 'sms', Address: '+15550001111'}})).status).to.equal(409);
      } finally {
        await t.emu.stop();
      }
    });

    it('an acknowledged write is in the file while the emulator still runs (another connection sees it)', async () => {
      const db = join(dir, 'live.db');
      const t = await startTestEmulator({db});
      try {
        const created = await t.expect(201, 'POST', BASE, {form: {Type: 'sms', Address: '+15550003333'}});
        const reader = new Database(db, {readonly: true});
        try {
          const row = reader.prepare('SELECT sid FROM address_configurations WHERE sid = ?').get(created.sid);
          expect(row).to.deep.equal({sid: created.sid});
        } finally {
          reader.close();
        }
      } finally {
        await t.emu.stop();
      }
    });

    it('a crash (SIGKILL) right after a write loses nothing that was acknowledged', async function () {
      this.timeout(30000);
      const db = join(dir, 'crash.db');
      const acct = {accountSid: `AC${'c'.repeat(32)}`, authToken: 'crash-token'};
      const entry = fileURLToPath(new URL('../../src/lib/emulator/index.ts', import.meta.url));
      const script =
        `import {startEmulator} from ${JSON.stringify(entry)};` +
        `const emu = await startEmulator({port: 0, db: ${JSON.stringify(db)}, accounts: [${JSON.stringify(acct)}]});` +
        `process.stdout.write(emu.url + '\\n');`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          let err = '';
          child.stdout.on('data', (d) => {
            out += d;
            if (out.includes('\n')) resolve(out.trim());
          });
          child.stderr.on('data', (d) => (err += d));
          child.on('exit', (code) => reject(new Error(`emulator child exited ${code}: ${err}`)));
        });
        const auth = basic(acct.accountSid, acct.authToken);
        const sids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await fetch(`${url}${BASE}`, {
            method: 'POST',
            headers: {Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded'},
            body: `Type=sms&Address=%2B1555888000${i}`,
          });
          expect(res.status).to.equal(201);
          sids.push(((await res.json()) as {sid: string}).sid);
        }
        // a burst of concurrent writes shares group commits; the duplicates among them fail alone
        const burst = await Promise.all(
          Array.from({length: 30}, async (_, i) => {
            const res = await fetch(`${url}${BASE}`, {
              method: 'POST',
              headers: {Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded'},
              body: `Type=sms&Address=%2B1555777${String(i % 25).padStart(4, '0')}`,
            });
            return {status: res.status, body: (await res.json()) as {sid: string; address: string}};
          }),
        );
        expect(burst.filter((r) => r.status === 201)).to.have.length(25);
        expect(burst.filter((r) => r.status === 409)).to.have.length(5);
        const acked = burst.filter((r) => r.status === 201).map((r) => r.body.sid);
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
        const t = await startTestEmulator({db, accounts: [acct]});
        try {
          const list = await t.client.conversations.v1.addressConfigurations.list();
          expect(list.slice(0, 5).map((c) => c.sid)).to.deep.equal(sids);
          expect(list.slice(5).map((c) => c.sid).sort()).to.deep.equal([...acked].sort());
        } finally {
          await t.emu.stop();
        }
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });

    it('an empty (0-byte) file is initialised', async () => {
      const db = join(dir, 'empty.db');
      writeFileSync(db, '');
      const t = await startTestEmulator({db});
      try {
        await t.expect(201, 'POST', BASE, {form: {Type: 'chat', Address: 'webchat'}});
      } finally {
        await t.emu.stop();
      }
    });
  });

  describe('unusable database files → StoreError, no crash', () => {
    it('a corrupt file (random bytes)', async () => {
      const db = join(dir, 'corrupt.db');
      writeFileSync(db, randomBytes(64 * 1024));
      const before = readFileSync(db);
      const err = await startFails(db);
      expect(err).to.be.instanceOf(StoreError);
      expect(err.name).to.equal('StoreError');
      expect(err.message).to.include(db).and.match(/not a valid SQLite database|not a database/);
      expect(readFileSync(db).equals(before), 'the file must not be modified').to.equal(true);
    });

    it('a text file', async () => {
      const db = join(dir, 'notes.txt');
      writeFileSync(db, 'hello, this is not a database\n'.repeat(200));
      const err = await startFails(db);
      expect(err).to.be.instanceOf(StoreError);
      expect(err.message).to.include(db);
    });

    it('a SQLite file of another application', async () => {
      const db = join(dir, 'other-app.db');
      const other = new Database(db);
      other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES (\'x\')');
      other.close();
      const err = await startFails(db);
      expect(err).to.be.instanceOf(StoreError);
      expect(err.message).to.include(db).and.include('not a flexconv emulator database');
      // untouched
      const check = new Database(db, {readonly: true});
      expect(check.prepare('SELECT COUNT(*) AS n FROM customers').get()).to.deep.equal({n: 1});
      expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'accounts'").get()).to.equal(undefined);
      check.close();
    });

    it('a SQLite file of another application that sets user_version', async () => {
      for (const version of [1, 7]) {
        const db = join(dir, `other-app-v${version}.db`);
        const other = new Database(db);
        other.exec('CREATE TABLE things (id INTEGER PRIMARY KEY)');
        other.pragma(`user_version = ${version}`);
        other.close();
        const err = await startFails(db);
        expect(err, `user_version ${version}`).to.be.instanceOf(StoreError);
        expect(err.message).to.include('not a flexconv emulator database');
      }
    });

    it('a flexconv database from a newer version', async () => {
      const db = join(dir, 'future.db');
      const emu = await startEmulator({port: 0, db});
      await emu.stop();
      const raw = new Database(db);
      raw.pragma('user_version = 999');
      raw.close();
      const err = await startFails(db);
      expect(err).to.be.instanceOf(StoreError);
      expect(err.message).to.match(/newer flexconv/);
    });

    it('a directory, or a path under a file', async () => {
      const asDir = join(dir, 'a-directory.db');
      mkdirSync(asDir);
      expect(await startFails(asDir)).to.be.instanceOf(StoreError);
      const file = join(dir, 'plain-file');
      writeFileSync(file, 'x');
      expect(await startFails(join(file, 'emulator.db'))).to.be.instanceOf(StoreError);
    });

    it('one emulator per database file: a second is refused; a lock left by a dead process is taken over', async function () {
      this.timeout(20000);
      const db = join(dir, 'shared.db');
      const first = await startEmulator({port: 0, db});
      try {
        // in this process
        const again = await startFails(db);
        expect(again).to.be.instanceOf(StoreError);
        expect(again.message).to.match(/in use by another emulator/);
        // from another process: the lock names this one's pid
        const entry = fileURLToPath(new URL('../../src/lib/emulator/index.ts', import.meta.url));
        const child = spawnSync(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', `import {startEmulator} from ${JSON.stringify(entry)};
            try { await startEmulator({port: 0, db: ${JSON.stringify(db)}}); console.log('started'); process.exit(0); }
            catch (e) { console.log(e.name + ': ' + e.message); process.exit(3); }`],
          {encoding: 'utf8', timeout: 15000},
        );
        expect(child.status, child.stdout + child.stderr).to.equal(3);
        expect(child.stdout).to.include(`StoreError: The emulator database ${db} is in use by pid ${process.pid}`);
      } finally {
        await first.stop();
      }
      expect(existsSync(`${db}.lock`), 'lock released on stop').to.equal(false);
      // a crashed emulator's lock (its pid is gone) does not block the next start
      writeFileSync(`${db}.lock`, '2147483646\n');
      const next = await startEmulator({port: 0, db});
      expect(readFileSync(`${db}.lock`, 'utf8').trim()).to.equal(String(process.pid));
      await next.stop();
    });

    it('a port already in use fails to start and leaves the database usable', async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as {port: number}).port;
      const db = join(dir, 'port.db');
      try {
        let failed: unknown;
        try {
          const emu = await startEmulator({port, db});
          await emu.stop();
        } catch (e) {
          failed = e;
        }
        expect((failed as NodeJS.ErrnoException)?.code).to.equal('EADDRINUSE');
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
      const t = await startTestEmulator({db});
      await t.emu.stop();
    });
  });

  describe('control API', () => {
    it('/_emulator/health answers without auth', async () => {
      const t = await startTestEmulator();
      try {
        const res = await t.http('GET', '/_emulator/health', {auth: false});
        expect(res.status).to.equal(200);
        expect(res.body).to.include({status: 'ok', name: 'flexconv-emulator', db: ':memory:'});
        expect(res.body.version).to.match(/^\d+\.\d+\.\d+/);
        expect(res.body.accounts).to.include(t.emu.accountSid);
        expect(res.body.pid).to.equal(process.pid);
      } finally {
        await t.emu.stop();
      }
    });

    it('/_emulator/reset wipes the data, keeps the configured account working, drops runtime accounts', async () => {
      const db = join(dir, 'reset.db');
      const t = await startTestEmulator({db});
      try {
        const c = await t.expect(201, 'POST', BASE, {form: {Type: 'sms', Address: '+15550004444'}});
        const acct = await t.expect(201, 'POST', '/_emulator/accounts', {form: {}});
        const res = await t.http('POST', '/_emulator/reset', {auth: false});
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal({status: 'ok', reset: true});
        await t.expect(404, 'GET', `${BASE}/${c.sid}`);
        const list = await t.client.conversations.v1.addressConfigurations.list();
        expect(list).to.deep.equal([]);
        // the configured account and API key still authenticate
        expect((await t.http('GET', BASE, {auth: {username: t.emu.apiKey!, password: t.emu.apiSecret!}})).status).to.equal(200);
        // [documented] accounts created through /_emulator/accounts are data, and go
        expect((await t.http('GET', BASE, {auth: {username: acct.account_sid, password: acct.auth_token}})).status).to.equal(401);
        // the address is free again
        await t.expect(201, 'POST', BASE, {form: {Type: 'sms', Address: '+15550004444'}});
        // reset() from the library API does the same
        await t.emu.reset();
        expect(await t.client.conversations.v1.addressConfigurations.list()).to.deep.equal([]);
      } finally {
        await t.emu.stop();
      }
      // and the reset is persistent
      const again = await startTestEmulator({db});
      try {
        expect(await again.client.conversations.v1.addressConfigurations.list()).to.deep.equal([]);
      } finally {
        await again.emu.stop();
      }
    });

    it('/_emulator/accounts lists the accounts', async () => {
      const t = await startTestEmulator();
      try {
        const made = await t.expect(201, 'POST', '/_emulator/accounts', {form: {FriendlyName: 'Listed'}});
        const res = await t.http('GET', '/_emulator/accounts');
        expect(res.status).to.equal(200);
        const sids = (res.body.accounts as {sid: string}[]).map((a) => a.sid);
        expect(sids).to.include(t.emu.accountSid).and.include(made.account_sid);
      } finally {
        await t.emu.stop();
      }
    });

    it('unknown control paths → 404 Twilio body', async () => {
      const t = await startTestEmulator();
      try {
        const res = await t.http('GET', '/_emulator/nope', {auth: false});
        expect(res.status).to.equal(404);
        expect(res.body.code).to.equal(20404);
      } finally {
        await t.emu.stop();
      }
    });
  });
});
