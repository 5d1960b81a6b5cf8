/**
 * One emulator per database file, whatever the path (issue 7 item 3; issue 6: a zombie owner).
 * Real SQLite files in temp dirs; the other emulator is a real child process.
 */
import {spawn} from 'node:child_process';
import {chmodSync, chownSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {expect} from 'chai';
import nock from 'nock';
import {StoreError, startEmulator} from '../../src/lib/emulator/index.js';
import {rawExchange, startDaemon, type Daemon} from '../helpers/raw.js';

const BASE = '/conversations/v1/Configuration/Addresses';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function startFails(db: string): Promise<Error> {
  try {
    const emu = await startEmulator({port: 0, db});
    await emu.stop();
  } catch (e) {
    return e as Error;
  }
  throw new Error(`expected startEmulator({db: ${db}}) to fail`);
}

async function stopDaemon(d: Daemon): Promise<void> {
  if (d.child.exitCode !== null || d.child.signalCode !== null) return;
  d.child.kill('SIGTERM');
  const exit = await d.exited;
  expect(exit, d.stdout()).to.deep.equal({code: 0, signal: null});
}

function integrity(db: string): string[] {
  const check = new Database(db, {readonly: true});
  try {
    return (check.pragma('integrity_check') as {integrity_check: string}[]).map((r) => r.integrity_check);
  } finally {
    check.close();
  }
}

describe('emulator: one emulator per database file, whatever the path', function () {
  this.timeout(60_000);
  before(() => nock.restore());
  after(() => nock.activate());
  let dir: string;
  const daemons: Daemon[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flexconv-lock-'));
    chmodSync(dir, 0o755);
  });
  after(async () => {
    for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    rmSync(dir, {recursive: true, force: true});
  });

  it('a hard link (in another directory) or a symlink to a database in use is refused, naming the owner; nothing is created beside them', async () => {
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    const db = join(dir, 'a', 'emulator.db');
    const d = await startDaemon(db);
    daemons.push(d);
    // a few rows, so a second writer would have something to corrupt
    for (let i = 0; i < 3; i++) {
      const body = `Type=sms&Address=%2B1555333000${i}`;
      const auth = Buffer.from('ACf1ec0000000000000000000000000001:f1ec0000000000000000000000000001').toString('base64');
      const res = await rawExchange(
        d.port,
        `POST ${BASE} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      expect(res.text).to.match(/^HTTP\/1\.1 201/);
    }
    const hard = join(dir, 'b', 'linked.db');
    linkSync(db, hard);
    const soft = join(dir, 'b', 'symlinked.db');
    symlinkSync(db, soft);
    for (const path of [hard, soft]) {
      const err = await startFails(path);
      expect(err, path).to.be.instanceOf(StoreError);
      expect(err.message).to.include(`The emulator database ${path} is in use by pid ${d.pid}`);
      // a symlink finds the owner's lock file by its real path; a hard link cannot
      if (path === hard) expect(err.message).to.include('perhaps under another path (a hard link or symlink)');
      expect(existsSync(`${path}-wal`), `${path}-wal`).to.equal(false);
      expect(existsSync(`${path}-shm`), `${path}-shm`).to.equal(false);
      expect(existsSync(`${path}.lock`), `${path}.lock`).to.equal(false);
    }
    // the same path: its lock file names the owner, no talk of other paths
    const same = await startFails(db);
    expect(same.message).to.match(new RegExp(`^The emulator database ${db} is in use by pid ${d.pid} \\(node\\): stop it`));
    await stopDaemon(d);
    expect(integrity(db)).to.deep.equal(['ok']);
    // once the owner is gone, the link is just another name for the file
    const next = await startEmulator({port: 0, db: hard});
    await next.stop();
  });

  it('in one process: a second store on a hard link or symlink is refused too', async () => {
    const db = join(dir, 'same-process.db');
    const first = await startEmulator({port: 0, db});
    try {
      const hard = join(dir, 'same-process-link.db');
      linkSync(db, hard);
      const soft = join(dir, 'same-process-symlink.db');
      symlinkSync(db, soft);
      for (const path of [hard, soft]) {
        const err = await startFails(path);
        expect(err.message, path).to.match(/in use by another emulator in this process/);
      }
    } finally {
      await first.stop();
    }
  });

  it('also when the directory is not writable (no lock file can be made beside the database)', async function () {
    const root = process.getuid?.() === 0;
    const nobody = {uid: 65534, gid: 65534};
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    if (root) chownSync(ro, nobody.uid, nobody.gid);
    const db = join(ro, 'emulator.db');
    // a first run leaves the -wal and -shm SQLite needs (killed: no clean close removes them)
    const first = await startDaemon(db, root ? nobody : {});
    daemons.push(first);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(`${db}-shm`)).to.equal(true);
    chmodSync(ro, 0o555);
    try {
      // this one can write no lock file: only the file's identity says it is in use
      const owner = await startDaemon(db, root ? nobody : {});
      daemons.push(owner);
      const err = await startFails(db);
      expect(err.message).to.include(`The emulator database ${db} is in use by pid ${owner.pid}`);
      await stopDaemon(owner);
    } finally {
      chmodSync(ro, 0o755);
    }
  });

  it('a lock file whose owner is a zombie (kill -9\'d, not yet reaped by its parent) is taken over', async function () {
    if (!existsSync('/proc/self/stat')) this.skip();
    const db = join(dir, 'zombie.db');
    const entry = join(ROOT, 'src/lib/emulator/daemon.ts');
    // sh starts the emulator in the background, then becomes `sleep`, which never reaps it
    const parent = spawn('sh', ['-c', '"$@" & exec sleep 60 >/dev/null 2>&1', 'sh', process.execPath, '--import', 'tsx', entry, '--port', '0', '--db', db], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      const pid = await new Promise<number>((resolve, reject) => {
        parent.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on \S+ \(pid (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        parent.once('exit', () => reject(new Error(`no emulator: ${out}`)));
      });
      expect(readFileSync(`${db}.lock`, 'utf8').trim()).to.equal(String(pid));
      // only the emulator writes to the pipe: it closes when the emulator dies
      const closed = new Promise((resolve) => parent.stdout!.once('close', resolve));
      process.kill(pid, 'SIGKILL');
      await closed;
      // the exit completes a moment after the descriptors are closed (bounded)
      const state = () => {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.charAt(stat.lastIndexOf(')') + 2);
      };
      for (const deadline = Date.now() + 2000; state() !== 'Z' && Date.now() < deadline; ) await new Promise((r) => setImmediate(r));
      expect(state(), 'the emulator is a zombie').to.equal('Z');
      expect(readFileSync(`${db}.lock`, 'utf8').trim(), 'its lock file is left').to.equal(String(pid));
      const next = await startEmulator({port: 0, db});
      try {
        expect(readFileSync(`${db}.lock`, 'utf8').trim()).to.equal(String(process.pid));
      } finally {
        await next.stop();
      }
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a foreign process holding the file open (a sqlite3 session) is named too', async () => {
    const db = join(dir, 'held.db');
    const emu = await startEmulator({port: 0, db});
    await emu.stop();
    const holder = spawn(process.execPath, ['-e', `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(db)}); d.prepare('SELECT 1 FROM accounts').all(); console.log('holding'); setInterval(() => {}, 1000);`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise((resolve) => holder.stdout!.once('data', resolve));
      const err = await startFails(db);
      expect(err.message).to.include(`is in use by pid ${holder.pid} (node)`);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
