import {spawn} from 'node:child_process';
import {createServer, type ServerResponse} from 'node:http';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {expect} from 'chai';
import {basic, startTestEmulator} from '../helpers/emulator.js';

/** TaskRouter's timers and pending assignment callbacks survive kill -9 of the emulator. */
describe('emulator: TaskRouter across a crash (SIGKILL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexconv-tr-crash-'));
  after(() => rmSync(dir, {recursive: true, force: true}));

  it('an unanswered assignment callback is called again after the restart, and a task TTL still fires', async function () {
    this.timeout(30000);
    // the callback receiver hangs until told to answer
    let answering = false;
    const hung: ServerResponse[] = [];
    const calls: string[] = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        calls.push(new URLSearchParams(raw).get('ReservationSid') ?? '');
        if (!answering) return void hung.push(res);
        res.writeHead(200, {'Content-Type': 'application/json'});
        res.end(JSON.stringify({instruction: 'accept'}));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const cbUrl = `http://127.0.0.1:${(server.address() as {port: number}).port}/assign`;
    const db = join(dir, 'tr.db');
    const acct = {accountSid: `AC${'d'.repeat(32)}`, authToken: 'tr-crash-token'};
    const entry = fileURLToPath(new URL('../../src/lib/emulator/index.ts', import.meta.url));
    const script =
      `import {startEmulator} from ${JSON.stringify(entry)};` +
      `const emu = await startEmulator({port: 0, db: ${JSON.stringify(db)}, accounts: [${JSON.stringify(acct)}]});` +
      `process.stdout.write(emu.url + '\\n');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'pipe']});
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
      const post = async (path: string, form: Record<string, string>) => {
        const res = await fetch(`${url}/taskrouter/v1/Workspaces${path}`, {
          method: 'POST',
          headers: {Authorization: basic(acct.accountSid, acct.authToken), 'Content-Type': 'application/x-www-form-urlencoded'},
          body: new URLSearchParams(form).toString(),
        });
        expect(res.status, path).to.be.oneOf([200, 201]);
        return (await res.json()) as Record<string, any>;
      };
      const ws = await post('', {FriendlyName: 'crash'});
      const acts = (await (await fetch(`${url}/taskrouter/v1/Workspaces/${ws.sid}/Activities?FriendlyName=Available`, {headers: {Authorization: basic(acct.accountSid, acct.authToken)}})).json()) as {activities: {sid: string}[]};
      const q = await post(`/${ws.sid}/TaskQueues`, {FriendlyName: 'all'});
      await post(`/${ws.sid}/Workflows`, {FriendlyName: 'wf', Configuration: JSON.stringify({task_routing: {default_filter: {queue: q.sid}}}), AssignmentCallbackUrl: cbUrl});
      await post(`/${ws.sid}/Workers`, {FriendlyName: 'alice', ActivitySid: acts.activities[0].sid});
      const first = await post(`/${ws.sid}/Tasks`, {Attributes: '{}'});
      const second = await post(`/${ws.sid}/Tasks`, {Attributes: '{}', Timeout: '100'});
      expect([first.assignment_status, second.assignment_status]).to.deep.equal(['reserved', 'pending']);
      // the callback was sent and hangs: kill the emulator while it waits
      for (let i = 0; i < 100 && calls.length === 0; i++) await new Promise((r) => setImmediate(r));
      while (calls.length === 0) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      for (const res of hung) res.destroy();
      answering = true;

      const t = await startTestEmulator({db, accounts: [acct], clock: 'manual'});
      try {
        await t.emu.idle();
        expect(calls.length).to.equal(2);
        expect(calls[1]).to.equal(calls[0]);
        const task = await t.expect(200, 'GET', `/taskrouter/v1/Workspaces/${ws.sid}/Tasks/${first.sid}`);
        expect(task.assignment_status).to.equal('assigned');
        // the second task's TTL timer survived: it fires on the new process's clock
        await t.emu.clock.advance('PT101S');
        const gone = await t.expect(200, 'GET', `/taskrouter/v1/Workspaces/${ws.sid}/Tasks/${second.sid}`);
        expect([gone.assignment_status, gone.reason]).to.deep.equal(['canceled', 'Task TTL Exceeded']);
      } finally {
        await t.emu.stop();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await new Promise((r) => server.close(r));
    }
  });
});
