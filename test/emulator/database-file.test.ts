/**
 * The database file at start-up (issue 7 items 7, 8, 10): a refused file is not modified, a
 * damaged one is refused with a clear error, modes and leftovers. Real SQLite files in temp dirs.
 */
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {expect} from 'chai';
import {StoreError, startEmulator} from '../../src/lib/emulator/index.js';
import {startTestEmulator} from '../helpers/emulator.js';

async function startFails(db: string): Promise<Error> {
  try {
    const emu = await startEmulator({port: 0, db});
    await emu.stop();
  } catch (e) {
    return e as Error;
  }
  throw new Error(`expected startEmulator({db: ${db}}) to fail`);
}

describe('emulator: the database file at start-up', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flexconv-dbfile-'));
  });
  after(() => rmSync(dir, {recursive: true, force: true}));

  it('a refused SQLite file of another application is left byte for byte as it was (its journal mode too)', async () => {
    for (const version of [0, 3]) {
      const db = join(dir, `other-${version}.db`);
      const other = new Database(db);
      other.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x')");
      if (version) other.pragma(`user_version = ${version}`);
      other.close();
      const before = readFileSync(db);
      const err = await startFails(db);
      expect(err).to.be.instanceOf(StoreError);
      expect(err.message).to.include('not a flexconv emulator database');
      expect(readFileSync(db).equals(before), `user_version ${version}: the file changed`).to.equal(true);
      for (const suffix of ['-wal', '-shm', '-journal', '.lock']) expect(existsSync(db + suffix), db + suffix).to.equal(false);
    }
  });

  it('a damaged file (a page of the addresses table overwritten) is refused at start-up with a clear error, not 500s later', async () => {
    const db = join(dir, 'damaged.db');
    const t = await startTestEmulator({db});
    for (let i = 0; i < 200; i++)
      await t.expect(201, 'POST', '/conversations/v1/Configuration/Addresses', {
        form: {Type: 'sms', Address: `+1555222${String(i).padStart(4, '0')}`, FriendlyName: 'f'.repeat(200)},
      });
    const emu = t.emu;
    await emu.stop(); // the WAL is checkpointed into the file
    const raw = new Database(db, {readonly: true});
    const {rootpage} = raw.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'address_configurations'").get() as {rootpage: number};
    const pageSize = raw.pragma('page_size', {simple: true}) as number;
    raw.close();
    const bytes = readFileSync(db);
    bytes.fill(0xff, (rootpage - 1) * pageSize, rootpage * pageSize);
    writeFileSync(db, bytes);
    const err = await startFails(db);
    expect(err, err.stack).to.be.instanceOf(StoreError);
    expect(err.message).to.match(new RegExp(`^Cannot use the emulator database ${db}: the file is damaged \\(SQLite's quick_check: .+\\); move it away or pass another --db path$`));
  });

  it('a pre-existing empty file (mode 0644) is made 0600 before it holds tokens, its -wal too', async () => {
    const db = join(dir, 'touched.db');
    writeFileSync(db, '');
    chmodSync(db, 0o644);
    const emu = await startEmulator({port: 0, db});
    try {
      expect(statSync(db).mode & 0o777).to.equal(0o600);
      expect(statSync(`${db}-wal`).mode & 0o777).to.equal(0o600);
    } finally {
      await emu.stop();
    }
  });

  it('a start that fails because the port is in use leaves no database behind', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as {port: number}).port;
      const db = join(dir, 'never-started.db');
      let failed: unknown;
      try {
        const emu = await startEmulator({port, db});
        await emu.stop();
      } catch (e) {
        failed = e;
      }
      expect((failed as NodeJS.ErrnoException)?.code).to.equal('EADDRINUSE');
      for (const suffix of ['', '-wal', '-shm', '.lock']) expect(existsSync(db + suffix), db + suffix).to.equal(false);
      // a file that was there before stays
      const kept = join(dir, 'kept.db');
      await (await startEmulator({port: 0, db: kept})).stop();
      const err = await startEmulator({port, db: kept}).catch((e: Error) => e);
      expect((err as NodeJS.ErrnoException).code).to.equal('EADDRINUSE');
      expect(existsSync(kept)).to.equal(true);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
