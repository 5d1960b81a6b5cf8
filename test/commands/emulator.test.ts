/**
 * `flexconv emulator start|status|reset|stop`, run as a user runs them: the built CLI
 * (`npm run build` first) as a child process, with fresh state/config dirs and free ports.
 */
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:net';
import {join} from 'node:path';
import {spawn} from 'node:child_process';
import {expect} from 'chai';
import {alive, freePort, killIfAlive, ptyRunner, ROOT, runCli, runCliInPty, sandbox, spawnCli, type CliResult} from '../helpers/cli.js';
import {startEmulator} from '../../src/lib/emulator/index.js';

const STACK = /^\s+at .+[(:]\d+/m;
const SID = /^AC[0-9a-f]{32}$/;

/** No stack trace, nothing but the error on stderr. */
function expectCleanFailure(r: CliResult, exit: number, code: string): void {
  expect(r.exitCode, `exit code; stderr: ${r.stderr}`).to.equal(exit);
  expect(r.stderr).to.contain(`✖ ${code}`);
  expect(r.stderr).not.to.match(STACK);
  expect(r.stdout).not.to.match(STACK);
}

describe('flexconv emulator (built CLI)', () => {
  const box = sandbox('flexconv-emu-cmd-');
  const env = box.env;
  const recordFile = join(box.stateDir, 'emulator.json');
  const cli = (...args: string[]) => runCli(args, {env});
  /** Every process a test may have left running; killed in after(). */
  const pids = new Set<number>();
  const servers: Server[] = [];

  const record = (): {pid: number; url: string; port: number; db: string; accountSid: string; authToken: string} | undefined =>
    existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, 'utf8')) : undefined;

  before(() => {
    for (const f of ['dist/commands/emulator/start.js', 'dist/lib/emulator/daemon.js'])
      if (!existsSync(join(ROOT, f))) throw new Error(`${join(ROOT, f)} is missing: run \`npm run build\` first`);
  });

  after(async () => {
    const r = record();
    if (r) pids.add(r.pid);
    for (const pid of pids) killIfAlive(pid);
    for (const s of servers) s.close();
    box.cleanup();
  });

  describe('start --detach, status, API, stop/start, reset, stop', () => {
    let url: string;
    let pid: number;
    let auth: string;
    let port: number;
    const addressesUrl = () => `${url}/conversations/v1/Configuration/Addresses`;
    const listAddresses = async () => {
      const res = await fetch(addressesUrl(), {headers: {Authorization: auth}});
      expect(res.status).to.equal(200);
      return ((await res.json()) as {address_configurations: {sid: string; address: string}[]}).address_configurations;
    };

    it('start --detach returns once the emulator answers, with URL, credentials and a 0600 record', async () => {
      port = await freePort();
      const started = Date.now();
      const r = await cli('emulator', 'start', '--detach', '--port', String(port), '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      const info = r.json();
      pids.add(info.pid);
      expect(Date.now() - started).to.be.below(15_000);
      expect(info).to.include({url: `http://127.0.0.1:${port}`, port, host: '127.0.0.1', detached: true});
      expect(info.db).to.equal(join(box.stateDir, 'emulator.db')); // the state dir, not the real home
      expect(info.account_sid).to.match(SID);
      expect(info.auth_token).to.be.a('string').and.not.empty;
      expect(info.api_key).to.match(/^SK[0-9a-f]{32}$/);
      expect(info.api_secret).to.be.a('string').and.not.empty;
      expect(info.warnings).to.deep.equal([]);
      ({url, pid} = info);
      auth = `Basic ${Buffer.from(`${info.account_sid}:${info.auth_token}`).toString('base64')}`;
      expect(alive(pid)).to.equal(true);

      const rec = record()!;
      expect(rec).to.include({pid, url, port, db: info.db, accountSid: info.account_sid, authToken: info.auth_token});
      expect(statSync(recordFile).mode & 0o777).to.equal(0o600);
      // The CLI process itself is gone: the emulator runs on its own.
      const health = await (await fetch(`${url}/_emulator/health`)).json();
      expect(health).to.include({status: 'ok', pid});
    });

    it('status --json reports url, pid, db, uptime and the credentials to use', async () => {
      const [r, human] = await Promise.all([cli('emulator', 'status', '--json'), cli('emulator', 'status')]);
      expect(r.exitCode, r.stderr).to.equal(0);
      const s = r.json();
      expect(s).to.include({running: true, url, pid, db: join(box.stateDir, 'emulator.db'), source: 'record', credentials: 'record'});
      expect(s.uptime_seconds).to.be.a('number').at.least(0);
      expect(Date.parse(s.started_at)).to.be.a('number').and.not.NaN;
      expect(s.account_sid).to.match(SID);
      expect(s.auth_token).to.equal(record()!.authToken);
      expect(s.api_key).to.match(/^SK/);
      expect(s.version).to.be.a('string');
      expect(human.exitCode).to.equal(0);
      expect(human.stdout).to.contain(url).and.contain(s.account_sid).and.contain(s.auth_token).and.contain(String(pid));
    });

    it('the Twilio API answers at that URL with those credentials', async () => {
      const res = await fetch(addressesUrl(), {
        method: 'POST',
        headers: {Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded'},
        body: new URLSearchParams({Type: 'sms', Address: '+15005550006'}).toString(),
      });
      expect(res.status, await res.clone().text()).to.equal(201);
      expect(((await res.json()) as {sid: string}).sid).to.match(/^IG[0-9a-f]{32}$/);
      expect((await listAddresses()).map((a) => a.address)).to.deep.equal(['+15005550006']);
      const bad = await fetch(addressesUrl(), {headers: {Authorization: `Basic ${Buffer.from('ACx:nope').toString('base64')}`}});
      expect(bad.status).to.equal(401);
    });

    it('a second start on the same port fails clearly (PORT_IN_USE), detached or not', async () => {
      const [detached, foreground, j] = await Promise.all([
        cli('emulator', 'start', '--port', String(port), '--db', ':memory:', '--detach'),
        cli('emulator', 'start', '--port', String(port), '--db', ':memory:'),
        cli('emulator', 'start', '--detach', '--port', String(port), '--json'),
      ]);
      for (const r of [detached, foreground]) {
        expectCleanFailure(r, 1, 'PORT_IN_USE');
        expect(r.stderr).to.contain(`already running at ${url}`);
        expect(r.stderr).to.contain('flexconv emulator status');
        expect(r.stderr).to.match(/--port \d+/);
      }
      expect(j.exitCode).to.equal(1);
      expect(j.json().error).to.include({code: 'PORT_IN_USE', exit: 1});
      // The running one is untouched.
      expect(record()!.pid).to.equal(pid);
      expect(alive(pid)).to.equal(true);
    });

    it('a port held by another program: PORT_IN_USE, reported from the daemon that tried', async () => {
      const busy = createServer();
      servers.push(busy);
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
      const busyPort = (busy.address() as {port: number}).port;
      // A separate state dir: no recorded emulator there, so the child really tries to listen.
      const other = sandbox('flexconv-emu-busy-');
      try {
        const r = await runCli(['emulator', 'start', '--detach', '--port', String(busyPort)], {env: other.env});
        expectCleanFailure(r, 1, 'PORT_IN_USE');
        expect(r.stderr).to.contain(`Port ${busyPort} on 127.0.0.1 is already in use`);
        expect(existsSync(join(other.stateDir, 'emulator.json'))).to.equal(false);
        expect(readFileSync(join(other.stateDir, 'emulator.log'), 'utf8')).to.match(/failed to start: .*EADDRINUSE/);
      } finally {
        other.cleanup();
        busy.close();
      }
    });

    it('reset without a TTY and without --yes refuses (exit 2) and deletes nothing', async () => {
      const r = await cli('emulator', 'reset');
      expectCleanFailure(r, 2, 'USAGE');
      expect(r.stderr).to.contain('--yes');
      expect(await listAddresses()).to.have.length(1);
    });

    it('reset answered "no" on a terminal: exit 0, "Cancelled; nothing was changed", nothing deleted; --json says cancelled', async function () {
      const pty = ptyRunner();
      if (!pty.ok) this.skip();
      const r = await runCliInPty(['emulator', 'reset'], [{expect: /Delete every resource in the emulator at[^?]*\?[^?]*\(y\s*\/\s*N/, send: 'n\r'}], {env});
      expect(r.exitCode, r.output).to.equal(0);
      expect(r.output).to.include('Cancelled; nothing was changed').and.not.include('✔');
      expect(await listAddresses()).to.have.length(1);

      const out = join(box.root, 'reset-no.json');
      const j = await runCliInPty(['emulator', 'reset', '--json'], [{expect: /\(y\s*\/\s*N/, send: 'n\r'}], {env, stdoutTo: out});
      expect(j.exitCode, j.output).to.equal(0);
      expect(JSON.parse(readFileSync(out, 'utf8'))).to.deep.equal({reset: false, url, db: join(box.stateDir, 'emulator.db'), cancelled: true});
      expect(await listAddresses()).to.have.length(1);
    });

    it('data survives stop + start on the same database', async () => {
      const stop = await cli('emulator', 'stop', '--json');
      expect(stop.exitCode, stop.stderr).to.equal(0);
      expect(stop.json()).to.include({stopped: true, pid, url, forced: false});
      expect(alive(pid)).to.equal(false);
      expect(existsSync(recordFile)).to.equal(false);

      const status = await cli('emulator', 'status', '--emulator-url', url);
      expectCleanFailure(status, 1, 'NOT_RUNNING');
      expect(status.stderr).to.contain('flexconv emulator start --detach');

      port = await freePort();
      const r = await cli('emulator', 'start', '--detach', '--port', String(port), '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      const info = r.json();
      pids.add(info.pid);
      expect(info.pid).not.to.equal(pid);
      ({url, pid} = info);
      expect((await listAddresses()).map((a) => a.address)).to.deep.equal(['+15005550006']);
    });

    it('reset --yes empties it (accounts stay usable)', async () => {
      const r = await cli('emulator', 'reset', '--yes', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.json()).to.include({reset: true, url});
      expect(await listAddresses()).to.deep.equal([]);
    });

    it('stop, then stop again: exit 0 both times, the second with a note in warnings', async () => {
      const first = await cli('emulator', 'stop');
      expect(first.exitCode, first.stderr).to.equal(0);
      expect(first.stderr).to.contain(`Stopped the emulator at ${url}`);
      expect(alive(pid)).to.equal(false);

      const again = await cli('emulator', 'stop', '--json');
      expect(again.exitCode).to.equal(0);
      const j = again.json();
      expect(j.stopped).to.equal(false);
      expect(j.warnings.join(' ')).to.match(/nothing to stop/);
    });
  });

  describe('failures', () => {
    it('a corrupt --db file: exit 1, DB_ERROR with the reason, no stack trace, nothing left running', async () => {
      // one corrupt file per start: they run at once, and one database file takes one emulator at a time
      const bad = [1, 2, 3].map((i) => join(box.root, `corrupt-${i}.db`));
      for (const file of bad) writeFileSync(file, 'this is not a SQLite database, just text that is long enough to have a header '.repeat(20));
      const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
      const [foreground, detached, j] = await Promise.all([
        cli('emulator', 'start', '--db', bad[0], '--port', String(p1)),
        cli('emulator', 'start', '--db', bad[1], '--port', String(p2), '--detach'),
        cli('emulator', 'start', '--db', bad[2], '--port', String(p3), '--detach', '--json'),
      ]);
      for (const [i, r] of [foreground, detached].entries()) {
        expectCleanFailure(r, 1, 'DB_ERROR');
        expect(r.stderr).to.contain(bad[i]).and.match(/not a (valid SQLite )?database/);
      }
      expect(existsSync(recordFile)).to.equal(false);
      // Nothing listens on those ports: the daemons that failed are gone.
      for (const p of [p2, p3]) expect(await fetch(`http://127.0.0.1:${p}/_emulator/health`).then(() => true, () => false)).to.equal(false);
      expect(j.exitCode).to.equal(1);
      expect(j.json().error.code).to.equal('DB_ERROR');
    });

    it('a stale record (process gone): status says stopped, exits 1 and removes the record; stop is a no-op', async () => {
      const gone = spawn(process.execPath, ['-e', '']);
      await new Promise((r) => gone.on('exit', r));
      const stale = {pid: gone.pid, url: 'http://127.0.0.1:1', port: 1, host: '127.0.0.1', db: '/nowhere.db',
        accountSid: 'AC00000000000000000000000000000000', authToken: 'x', startedAt: new Date().toISOString()};
      writeFileSync(recordFile, JSON.stringify(stale), {mode: 0o600});
      const r = await cli('emulator', 'status');
      expectCleanFailure(r, 1, 'NOT_RUNNING');
      expect(r.stderr).to.contain('stopped (stale record');
      expect(existsSync(recordFile)).to.equal(false);

      writeFileSync(recordFile, JSON.stringify(stale), {mode: 0o600});
      const stop = await cli('emulator', 'stop', '--json');
      expect(stop.exitCode).to.equal(0);
      expect(stop.json()).to.include({stopped: false, stale_record_removed: true});
      expect(existsSync(recordFile)).to.equal(false);
    });

    it('a foreground emulator: status/reset --emulator-url find it, SIGTERM stops it cleanly (exit 0)', async () => {
      const fgPort = await freePort();
      const fg = await spawnCli(['emulator', 'start', '--port', String(fgPort), '--db', ':memory:', '--log'], {
        env,
        ready: /Ctrl\+C to stop/,
      });
      pids.add(fg.child.pid!);
      const fgUrl = `http://127.0.0.1:${fgPort}`;
      expect(fg.output().stdout).to.contain(fgUrl).and.contain(':memory:');

      const s = await cli('emulator', 'status', '--emulator-url', fgUrl, '--json');
      expect(s.exitCode, s.stderr).to.equal(0);
      expect(s.json()).to.include({url: fgUrl, pid: fg.child.pid, db: ':memory:', source: 'url'});
      const reset = await cli('emulator', 'reset', '--emulator-url', fgUrl, '--yes');
      expect(reset.exitCode, reset.stderr).to.equal(0);
      expect(fg.output().stdout).to.match(/<-- \[200\] POST \/_emulator\/reset/);

      fg.child.kill('SIGTERM');
      expect(await fg.exited).to.equal(0);
      expect(fg.output().stderr).to.contain('Emulator stopped');
    });

    it('reset with no recorded emulator and no URL: NOT_RUNNING, exit 1, never the one at the default URL', async () => {
      const other = sandbox('flexconv-emu-reset-');
      // An emulator the user did not start here, at the default URL (only if that port is free now).
      const onDefault = await startEmulator({port: 4010, host: '127.0.0.1', db: ':memory:'}).catch(() => undefined);
      try {
        const auth = onDefault && `Basic ${Buffer.from(`${onDefault.accountSid}:${onDefault.authToken}`).toString('base64')}`;
        if (onDefault) {
          const res = await fetch(`${onDefault.url}/conversations/v1/Configuration/Addresses`, {
            method: 'POST',
            headers: {Authorization: auth!, 'Content-Type': 'application/x-www-form-urlencoded'},
            body: new URLSearchParams({Type: 'sms', Address: '+15005550009'}).toString(),
          });
          expect(res.status).to.equal(201);
        }
        const [r, j] = await Promise.all([
          runCli(['emulator', 'reset', '--yes'], {env: other.env}),
          runCli(['emulator', 'reset', '--yes', '--json'], {env: other.env}),
        ]);
        expectCleanFailure(r, 1, 'NOT_RUNNING');
        expect(r.stderr).to.contain('Nothing to reset').and.contain('--emulator-url');
        expect(j.exitCode).to.equal(1);
        expect(j.json().error).to.include({code: 'NOT_RUNNING', exit: 1});
        if (onDefault) {
          expect(r.stderr).to.contain(`an emulator answers at http://127.0.0.1:4010 (pid ${process.pid}`);
          expect(r.stderr).to.contain('flexconv emulator reset --emulator-url http://127.0.0.1:4010');
          const list = await fetch(`${onDefault.url}/conversations/v1/Configuration/Addresses`, {headers: {Authorization: auth!}});
          expect(((await list.json()) as {address_configurations: unknown[]}).address_configurations).to.have.length(1);
          // status may still find it there (read-only); reset acts on it only when named.
          const s = await runCli(['emulator', 'status', '--json'], {env: other.env});
          expect(s.json()).to.include({url: 'http://127.0.0.1:4010', source: 'default'});
          const named = await runCli(['emulator', 'reset', '--yes', '--emulator-url', onDefault.url], {env: other.env});
          expect(named.exitCode, named.stderr).to.equal(0);
        } else {
          expect(r.stderr).to.contain('start one with `flexconv emulator start --detach`');
        }
      } finally {
        await onDefault?.stop();
        other.cleanup();
      }
    });

    it('bad input is a usage error (exit 2) with a hint', async () => {
      const [typo, port, sid, url] = await Promise.all([
        cli('emulator', 'start', '--detatch'),
        cli('emulator', 'start', '--port', '70000'),
        cli('emulator', 'start', '--account-sid', 'nope', '--port', '0'),
        cli('emulator', 'status', '--emulator-url', 'localhost:4010'),
      ]);
      for (const r of [typo, port, sid, url]) expectCleanFailure(r, 2, 'USAGE');
      expect(typo.stderr).to.contain('did you mean --detach?');
      expect(port.stderr).to.contain('65535');
      expect(sid.stderr).to.contain('AC');
      expect(url.stderr).to.contain('http://127.0.0.1:4010');
    });
  });
});
