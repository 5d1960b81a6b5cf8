/**
 * The database file at start-up (issue 7 items 7, 8, 10): a refused file is not modified, a
 * damaged one is refused with a clear error, modes and leftovers. Real SQLite files in temp dirs.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {expect} from 'chai';
import {StoreError, startEmulator} from '../../src/lib/emulator/index.js';

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
});
