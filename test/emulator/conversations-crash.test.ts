import {spawn, type ChildProcess} from 'node:child_process';
import {createServer, type ServerResponse} from 'node:http';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parse as parseQs} from 'node:querystring';
import {fileURLToPath} from 'node:url';
import {expect} from 'chai';
import twilio from 'twilio';
import {basic, startTestEmulator} from '../helpers/emulator.js';

/**
 * Conversations across a crash: after kill -9 of the emulator, every acknowledged inbound message
 * is there, a webhook delivery that was in flight (its receiver hung) is sent after the restart,
 * and a conversation timer set before the crash still fires.
 */
describe('emulator: Conversations across a crash (SIGKILL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexconv-conv-crash-'));
  after(() => rmSync(dir, {recursive: true, force: true}));

  function startChild(db: string, acct: {accountSid: string; authToken: string}): {child: ChildProcess; url: Promise<string>} {
    const entry = fileURLToPath(new URL('../../src/lib/emulator/index.ts', import.meta.url));
    const script =
      `import {startEmulator} from ${JSON.stringify(entry)};` +
      `const emu = await startEmulator({port: 0, db: ${JSON.stringify(db)}, accounts: [${JSON.stringify(acct)}], webhookTimeoutMs: 60000});` +
      `process.stdout.write(emu.url + '\\n');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'pipe']});
    const url = new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.trim());
      });
      child.stderr!.on('data', (d) => (err += d));
      child.on('exit', (code) => reject(new Error(`emulator child exited ${code}: ${err}`)));
    });
    return {child, url};
  }

  it('keeps every acknowledged message, sends the in-flight webhook after the restart, and fires the timer', async function () {
    this.timeout(60_000);
    const hung: ServerResponse[] = [];
    const received: Record<string, string | string[]>[] = [];
    let answering = false;
    const waiters: (() => void)[] = [];
    const until = async (n: number) => {
      while (received.length < n) await new Promise<void>((ok) => waiters.push(ok));
    };
    const receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const params = parseQs(raw) as Record<string, string | string[]>;
        const url = `http://127.0.0.1:${(receiver.address() as {port: number}).port}${req.url}`;
        params.__valid = String(twilio.validateRequest(acct.authToken, req.headers['x-twilio-signature'] as string, url, params));
        received.push(params);
        for (const w of waiters.splice(0)) w();
        if (!answering) return void hung.push(res);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as {port: number}).port}/hook`;
    const db = join(dir, 'conv.db');
    const acct = {accountSid: `AC${'c'.repeat(32)}`, authToken: 'conv-crash-token'};
    const first = startChild(db, acct);
    try {
      const url = await first.url;
      const call = async (method: string, path: string, form?: Record<string, string>) => {
        const res = await fetch(url + path, {
          method,
          headers: {Authorization: basic(acct.accountSid, acct.authToken), ...(form ? {'Content-Type': 'application/x-www-form-urlencoded'} : {})},
          body: form ? new URLSearchParams(form).toString() : undefined,
        });
        return {status: res.status, body: (await res.json()) as Record<string, any>};
      };
      expect(
        (
          await call('POST', '/conversations/v1/Configuration/Addresses', {
            Type: 'sms',
            Address: '+15550009999',
            'AutoCreation.Enabled': 'true',
            'AutoCreation.Type': 'webhook',
            'AutoCreation.WebhookUrl': hookUrl,
            'AutoCreation.WebhookFilters': 'onMessageAdded',
          })
        ).status,
      ).to.equal(201);
      // the account's default timers: inactive 10 minutes after the last message
      expect((await call('POST', '/conversations/v1/Configuration', {DefaultInactiveTimer: 'PT10M'})).status).to.equal(200);
      const acked: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await call('POST', '/_emulator/inbound', {From: `+1666000${String(i).padStart(4, '0')}`, To: '+15550009999', Body: `hello ${i}`});
        expect(r.status).to.equal(201);
        acked.push(r.body.message_sid);
      }
      // the first webhook is in flight (the receiver holds it); then the emulator dies
      await until(1);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
    } finally {
      first.child.kill('SIGKILL');
    }
    for (const res of hung) res.destroy();
    answering = true;
    received.length = 0;

    // the restart (in this process, on a manual clock to move time)
    const t = await startTestEmulator({db, accounts: [acct], clock: 'manual'});
    try {
      const client = t.client;
      const convs = await client.conversations.v1.conversations.list();
      expect(convs).to.have.length(20);
      let messages = 0;
      for (const c of convs) messages += (await client.conversations.v1.conversations(c.sid).messages.list()).length;
      expect(messages).to.equal(20);
      // every delivery that had not been answered is sent again, signed
      await until(20);
      await t.emu.idle();
      expect(received.every((p) => p.__valid === 'true' && p.EventType === 'onMessageAdded')).to.equal(true);
      expect(new Set(received.map((p) => p.Body)).size).to.equal(20);
      // the inactive timers set before the crash fire on the restarted clock
      await t.emu.clock.advance('PT11M');
      const after = await client.conversations.v1.conversations.list();
      expect(after.every((c) => c.state === 'inactive')).to.equal(true);
    } finally {
      await t.emu.stop();
      receiver.closeAllConnections();
      receiver.close();
    }
  });
});
