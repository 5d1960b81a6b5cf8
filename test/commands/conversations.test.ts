/**
 * `flexconv conversations|messages|services|simulate|webhooks *` as a user runs them: the built
 * CLI as a child process against an emulator started here (FLEXCONV_EMULATOR_URL), with fresh
 * config and state directories. Checks exit codes, stdout/stderr separation, --json as the REST
 * API's wire shape, bad input (one clear error, non-zero exit, nothing stored lost), and the two
 * followers (`webhooks tail`, `conversations tail`) started, fed and stopped with SIGINT.
 */
import {expect} from 'chai';
import {spawn, type ChildProcess} from 'node:child_process';
import {createServer, type Server} from 'node:http';
import {BIN, cleanEnv, freePort, runCli, sandbox, type CliResult, type Sandbox} from '../helpers/cli.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';

let emu: Emulator;
let box: Sandbox;
const env = () => ({...box.env, FLEXCONV_EMULATOR_URL: emu.url});
const cli = (...args: string[]): Promise<CliResult> => runCli(args, {env: env()});

let n = 0;
const phone = () => `+1555${String(3_000_000 + ++n)}`;
const PROXY = '+15005550006';

/** The emulator's raw HTTP answer (what the REST API returns on the wire). */
async function wire(path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(emu.url + path, {
    ...init,
    headers: {
      Authorization: `Basic ${Buffer.from(`${emu.accountSid}:${emu.authToken}`).toString('base64')}`,
      ...(init.body ? {'Content-Type': 'application/x-www-form-urlencoded'} : {}),
    },
  });
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

async function conversation(extra: string[] = []): Promise<any> {
  const r = await cli('conversations', 'create', '--friendly-name', `t${++n}`, ...extra, '--json');
  expect(r.exitCode, r.stderr).to.equal(0);
  return r.json();
}

/** Exit code, one `✖ CODE…` line first on stderr, nothing on stdout. */
function expectError(r: CliResult, exit: number, code: string, pattern?: RegExp): void {
  expect(r.exitCode, `${r.stdout}${r.stderr}`).to.equal(exit);
  expect(r.stdout).to.equal('');
  const first = r.stderr.split('\n')[0];
  expect(first).to.match(new RegExp(`^✖ ${code}( \\(twilio \\d+\\))?: `));
  if (pattern) expect(first).to.match(pattern);
}

/** A long-running CLI command: its output so far, a bounded wait for a pattern, and SIGINT. */
function follower(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe']});
  const out = {stdout: '', stderr: ''};
  const waiters: (() => void)[] = [];
  const poke = () => waiters.splice(0).forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => ((out.stdout += d), poke()));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => ((out.stderr += d), poke()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => (poke(), r(code))));
  let done = false;
  void exited.then(() => (done = true));
  return {
    out,
    exited,
    /** Resolves once `stream` matches `re`; rejects after `ms` or when the process exits first. */
    async waitFor(stream: 'stdout' | 'stderr', re: RegExp, ms = 15_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!re.test(out[stream])) {
        if (done) throw new Error(`exited before ${re}: ${out.stdout}${out.stderr}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${re} on ${stream} within ${ms} ms: ${out.stdout}${out.stderr}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => (clearTimeout(t), resolve()));
        });
      }
    },
    stop: () => child.kill('SIGINT'),
    kill: () => child.kill('SIGKILL'),
  };
}

let hooks: Server;
let hooksUrl: string;
const received: {path: string; body: string}[] = [];

describe('flexconv conversations, messages, simulate, webhooks (CLI against the emulator)', function () {
  this.timeout(90_000);

  before(async () => {
    box = sandbox('flexconv-conversations-');
    emu = await startEmulator({port: 0, db: ':memory:'});
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({path: req.url ?? '', body});
        if (req.url?.startsWith('/fail')) res.writeHead(500).end('nope');
        else res.end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    hooksUrl = `http://127.0.0.1:${(hooks.address() as {port: number}).port}`;
  });
  after(async () => {
    await emu?.stop();
    hooks?.close();
    box?.cleanup();
  });

  describe('conversations', () => {
    it('create → get → update → list: --json is the REST resource, the table is on stdout, the note on stderr', async () => {
      const unique = `case-${process.pid}-${++n}`;
      const created = await cli('conversations', 'create', '--friendly-name', 'Case', '--unique-name', unique, '--attributes', '{"a":1}', '--inactive-timer', 'PT30M', '--json');
      expect(created.exitCode, created.stderr).to.equal(0);
      expect(created.stderr).to.equal('');
      const c = created.json();
      expect(c.sid).to.match(/^CH[0-9a-f]{32}$/);
      expect(c).to.deep.equal(await wire(`/conversations/v1/Conversations/${c.sid}`));
      expect(c.timers.date_inactive).to.be.a('string');

      const got = await cli('conversations', 'get', unique, '--json');
      expect(got.json()).to.deep.equal(c);
      const human = await cli('conversations', 'get', c.sid);
      expect(human.stdout).to.match(new RegExp(`^SID\\s+${c.sid}$`, 'm')).and.match(/^Unique name\s+case-/m);

      const updated = await cli('conversations', 'update', unique, '--friendly-name', 'Escalated', '--json');
      expect(updated.json()).to.include({sid: c.sid, friendly_name: 'Escalated', attributes: '{"a":1}'});

      const list = await cli('conversations', 'list', '--state', 'active', '--all', '--json');
      expect(list.json().map((x: any) => x.sid)).to.include(c.sid);
      const table = await cli('conversations', 'list', '--columns', 'sid,state', '--no-header', '--all');
      expect(table.stdout).to.match(new RegExp(`^${c.sid}\\s+active$`, 'm'));
    });

    it('list follows next_page_url and says "showing N of more" when --limit stops it', async () => {
      for (let i = 0; i < 3; i++) await conversation();
      const r = await cli('conversations', 'list', '--limit', '2', '--page-size', '1', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.json()).to.have.length(2);
      expect(r.stderr).to.match(/showing 2 of more/);
      const all = await cli('conversations', 'list', '--all', '--page-size', '1', '--json');
      expect(all.json().length).to.be.greaterThan(3);
      expect(all.stderr).to.equal('');
    });

    it('close: --dry-run changes nothing, no terminal without --yes is exit 2, --yes closes, again is a warning', async () => {
      const c = await conversation();
      const dry = await cli('conversations', 'close', c.sid, '--dry-run', '--json');
      expect(dry.exitCode).to.equal(0);
      expect(dry.json()).to.include({sid: c.sid, dry_run: true, state: 'active'});
      expect((await wire(`/conversations/v1/Conversations/${c.sid}`)).state).to.equal('active');
      expectError(await cli('conversations', 'close', c.sid), 2, 'USAGE', /without confirmation/);
      const closed = await cli('conversations', 'close', c.sid, '--yes', '--json');
      expect(closed.json()).to.include({sid: c.sid, state: 'closed'});
      const again = await cli('conversations', 'close', c.sid, '--yes');
      expect(again.exitCode).to.equal(0);
      expect(again.stderr).to.match(/closed already; nothing changed/);
    });

    it('delete: --yes removes it with its messages', async () => {
      const c = await conversation();
      await cli('messages', 'send', c.sid, '--body', 'bye');
      const r = await cli('conversations', 'delete', c.sid, '--yes');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.match(new RegExp(`Deleted conversation ${c.sid}`));
      expect((await wire(`/conversations/v1/Conversations/${c.sid}`)).code).to.equal(20404);
    });

    it('prune: finds what holds an address, previews, closes with --yes, which frees the binding', async () => {
      const customer = phone();
      const a = await conversation();
      expect((await cli('conversations', 'participants', 'add', a.sid, '--address', customer, '--proxy-address', PROXY)).exitCode).to.equal(0);
      const other = await conversation();
      const dry = await cli('conversations', 'prune', '--address', customer, '--dry-run', '--json');
      expect(dry.exitCode, dry.stderr).to.equal(0);
      expect(dry.json()).to.include({action: 'close', dry_run: true});
      expect(dry.json().conversations.map((x: any) => x.sid)).to.deep.equal([a.sid]);
      const human = await cli('conversations', 'prune', '--address', customer, '--dry-run');
      expect(human.stdout).to.contain(a.sid).and.contain(`sms ${customer} via ${PROXY}`);
      expect(human.stderr).to.match(/Dry run: would close 1 conversation/);
      const done = await cli('conversations', 'prune', '--address', customer, '--yes');
      expect(done.exitCode, done.stderr).to.equal(0);
      expect((await wire(`/conversations/v1/Conversations/${a.sid}`)).state).to.equal('closed');
      expect((await wire(`/conversations/v1/Conversations/${other.sid}`)).state).to.equal('active');
      // the pair is free again
      const again = await cli('conversations', 'participants', 'add', other.sid, '--address', customer, '--proxy-address', PROXY, '--json');
      expect(again.exitCode, again.stderr).to.equal(0);
    });

    it('prune --older-than with --delete: only what was not touched for that long (a new message counts, though it leaves date_updated)', async () => {
      const old = await conversation();
      const talked = await conversation();
      await wire('/_emulator/clock', {method: 'POST', body: 'advance=PT3H'});
      const fresh = await conversation();
      expect((await cli('messages', 'send', talked.sid, '--body', 'still here')).exitCode).to.equal(0);
      const r = await cli('conversations', 'prune', '--older-than', '2h', '--delete', '--yes', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      const sids = r.json().conversations.map((x: any) => x.sid);
      expect(sids).to.include(old.sid).and.not.include(fresh.sid).and.not.include(talked.sid);
      expect((await wire(`/conversations/v1/Conversations/${talked.sid}`)).state).to.equal('active');
      expect((await wire(`/conversations/v1/Conversations/${old.sid}`)).code).to.equal(20404);
      expect((await wire(`/conversations/v1/Conversations/${fresh.sid}`)).state).to.equal('active');
    });
  });

  describe('participants, webhooks, messages, config, services', () => {
    it('participants add (chat and SMS) → list → remove', async () => {
      const c = await conversation();
      const chat = await cli('conversations', 'participants', 'add', c.sid, '--identity', 'alice', '--json');
      expect(chat.exitCode, chat.stderr).to.equal(0);
      expect(chat.json()).to.include({identity: 'alice', conversation_sid: c.sid});
      const sms = (await cli('conversations', 'participants', 'add', c.sid, '--address', phone(), '--proxy-address', PROXY, '--json')).json();
      expect(sms.messaging_binding).to.include({proxy_address: PROXY});
      const list = await cli('conversations', 'participants', 'list', c.sid, '--json');
      expect(list.json().map((p: any) => p.sid)).to.have.members([chat.json().sid, sms.sid]);
      expect(list.json()).to.deep.equal((await wire(`/conversations/v1/Conversations/${c.sid}/Participants`)).participants);
      const removed = await cli('conversations', 'participants', 'remove', c.sid, 'alice', '--yes');
      expect(removed.exitCode, removed.stderr).to.equal(0);
      expect((await wire(`/conversations/v1/Conversations/${c.sid}/Participants`)).participants).to.have.length(1);
    });

    it('conversation webhooks add → list → remove', async () => {
      const c = await conversation();
      const added = await cli('conversations', 'webhooks', 'add', c.sid, '--url', `${hooksUrl}/scoped`, '--filters', 'onMessageAdded', '--json');
      expect(added.exitCode, added.stderr).to.equal(0);
      expect(added.json()).to.deep.include({target: 'webhook'});
      expect(added.json().configuration).to.deep.include({url: `${hooksUrl}/scoped`, filters: ['onMessageAdded']});
      const list = await cli('conversations', 'webhooks', 'list', c.sid);
      expect(list.stdout).to.contain(added.json().sid).and.contain(`POST ${hooksUrl}/scoped`);
      const removed = await cli('conversations', 'webhooks', 'remove', c.sid, added.json().sid, '--yes', '--json');
      expect(removed.exitCode, removed.stderr).to.equal(0);
      expect((await wire(`/conversations/v1/Conversations/${c.sid}/Webhooks`)).webhooks).to.deep.equal([]);
    });

    it('messages send → list → get → delete; an SMS participant gets it in the outbox', async () => {
      const c = await conversation();
      const customer = phone();
      await cli('conversations', 'participants', 'add', c.sid, '--address', customer, '--proxy-address', PROXY);
      const sent = await cli('messages', 'send', c.sid, '--body', 'Hello & welcome', '--author', 'agent', '--attributes', '{"k":"v"}', '--json');
      expect(sent.exitCode, sent.stderr).to.equal(0);
      const m = sent.json();
      expect(m).to.include({body: 'Hello & welcome', author: 'agent', attributes: '{"k":"v"}', index: 0});
      expect((await cli('messages', 'get', c.sid, m.sid, '--json')).json()).to.deep.equal(await wire(`/conversations/v1/Conversations/${c.sid}/Messages/${m.sid}`));
      const list = await cli('messages', 'list', c.sid);
      expect(list.stdout).to.match(/^0\s+IM[0-9a-f]{32}\s+agent\s+Hello & welcome/m);
      const outbox = await cli('simulate', 'outbox', '--to', customer, '--json');
      expect(outbox.json().map((o: any) => o.body)).to.deep.equal(['Hello & welcome']);
      const del = await cli('messages', 'delete', c.sid, m.sid, '--yes');
      expect(del.exitCode, del.stderr).to.equal(0);
      expect((await wire(`/conversations/v1/Conversations/${c.sid}/Messages`)).messages).to.deep.equal([]);
    });

    it('config set → get; services list → get', async () => {
      const set = await cli('conversations', 'config', 'set', '--inactive-timer', 'PT2H', '--post-webhook-url', `${hooksUrl}/global`, '--webhook-filters', 'onConversationAdded', '--json');
      expect(set.exitCode, set.stderr).to.equal(0);
      const got = (await cli('conversations', 'config', 'get', '--json')).json();
      expect(got.configuration).to.deep.equal(await wire('/conversations/v1/Configuration'));
      expect(got.configuration.default_inactive_timer).to.equal('PT2H');
      expect(got.webhooks).to.include({post_webhook_url: `${hooksUrl}/global`});
      const services = (await cli('services', 'list', '--json')).json();
      expect(services.map((s: any) => s.sid)).to.include(got.configuration.default_chat_service_sid);
      const one = await cli('services', 'get', got.configuration.default_chat_service_sid, '--json');
      expect(one.json()).to.deep.equal(await wire(`/conversations/v1/Services/${got.configuration.default_chat_service_sid}`));
      // leave no global webhook for the other tests
      expect((await cli('conversations', 'config', 'set', '--post-webhook-url', '', '--inactive-timer', '')).exitCode).to.equal(0);
    });
  });

  describe('simulate', () => {
    it('inbound to a configured address: conversation, participant, message; again: the same conversation', async () => {
      const to = phone();
      expect((await cli('addresses', 'create', '--type', 'sms', '--address', to, '--auto-creation-type', 'default')).exitCode).to.equal(0);
      const from = phone();
      const first = await cli('simulate', 'inbound', '--from', from, '--to', to, '--body', 'my order is late', '--json');
      expect(first.exitCode, first.stderr).to.equal(0);
      expect(first.json()).to.include({status: 'accepted', created_conversation: true, from, to});
      const second = await cli('simulate', 'inbound', '--from', from, '--to', to, '--body', 'hello?');
      expect(second.exitCode).to.equal(0);
      expect(second.stderr).to.match(new RegExp(`^✔ Conversation ${first.json().conversation_sid}: message IM`));
      const msgs = await wire(`/conversations/v1/Conversations/${first.json().conversation_sid}/Messages`);
      expect(msgs.messages.map((m: any) => m.body)).to.deep.equal(['my order is late', 'hello?']);
    });

    it('inbound to an address nobody configured is dropped: INBOUND_DROPPED, exit 1, the reason and the command that fixes it', async () => {
      const to = phone();
      const r = await cli('simulate', 'inbound', '--from', phone(), '--to', to, '--body', 'hi');
      expectError(r, 1, 'INBOUND_DROPPED', /no Address Configuration/);
      expect(r.stderr).to.contain(`flexconv addresses create --type sms --address ${to}`);
    });

    it("a drop's hint fits its cause: auto-creation off says turn it on, not create the address again", async () => {
      const to = phone();
      expect((await cli('addresses', 'create', '--type', 'sms', '--address', to, '--no-auto-creation')).exitCode).to.equal(0);
      const r = await cli('simulate', 'inbound', '--from', phone(), '--to', to, '--body', 'hi');
      expectError(r, 1, 'INBOUND_DROPPED', /auto-creation is disabled/);
      expect(r.stderr).to.contain(`flexconv addresses update ${to} --auto-creation`);
      expect(r.stderr).to.not.contain('addresses create');
    });

    it('on Twilio: EMULATOR_ONLY, exit 2, nothing sent', async () => {
      const r = await runCli(['simulate', 'outbox', '--target', 'twilio', '--json'], {
        env: {...env(), TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001', TWILIO_AUTH_TOKEN: 'x'},
      });
      expect(r.exitCode).to.equal(2);
      expect(r.json().error).to.include({code: 'EMULATOR_ONLY'});
    });
  });

  describe('bad input: one clear line, non-zero exit, nothing stored lost', () => {
    it('caught before any request (exit 2): an inbound without a body or over 1,600 characters, unknown webhook events, timers under the minimum', async () => {
      const to = phone();
      expectError(await cli('simulate', 'inbound', '--from', phone(), '--to', to), 2, 'USAGE', /Nothing to send: give --body/);
      expectError(await cli('simulate', 'inbound', '--from', phone(), '--to', to, '--body', 'x'.repeat(1601)), 2, 'USAGE', /1601 characters long; a message body may have at most 1600/);
      const filters = await cli('conversations', 'config', 'set', '--webhook-filters', 'onMessageAdded,bogus');
      expectError(filters, 2, 'USAGE', /"bogus" is not an event of Conversations/);
      expect(filters.stderr).to.contain('onMessageAdd, onMessageUpdate');
      expectError(await cli('conversations', 'config', 'set', '--closed-timer', 'PT5M'), 2, 'USAGE', /--closed-timer PT5M is shorter than Twilio allows: at least PT10M/);
      // "" still clears the global filters
      const cleared = await cli('conversations', 'config', 'set', '--webhook-filters', '', '--json');
      expect(cleared.exitCode, cleared.stderr).to.equal(0);
      expect((await wire('/conversations/v1/Configuration/Webhooks')).filters).to.deep.equal([]);
      expectError(await cli('conversations', 'create', '--inactive-timer', 'PT30S'), 2, 'USAGE', /at least PT1M/);
      const wrongService = await cli('conversations', 'config', 'set', '--default-service', 'IS00000000000000000000000000000000');
      expectError(wrongService, 1, 'NOT_FOUND', /No Conversation Service IS0+/);
      expect(wrongService.stderr).to.contain('flexconv services list').and.not.contain('addresses list');
    });

    it('messages send --dry-run fails as the send would for an unknown or closed conversation (and shows the request for an open one)', async () => {
      expectError(await cli('messages', 'send', 'CH00000000000000000000000000000000', '--body', 'x', '--dry-run'), 1, 'NOT_FOUND');
      const c = await conversation();
      const open = await cli('messages', 'send', c.sid, '--body', 'x', '--dry-run');
      expect(open.exitCode, open.stderr).to.equal(0);
      expect(open.stderr + open.stdout).to.contain(`/Conversations/${c.sid}/Messages`);
      await cli('conversations', 'close', c.sid, '--yes');
      expectError(await cli('messages', 'send', c.sid, '--body', 'x', '--dry-run'), 1, 'CONVERSATION_CLOSED');
      expect((await wire(`/conversations/v1/Conversations/${c.sid}/Messages`)).messages).to.deep.equal([]);
    });

    it('a binding Twilio would refuse is caught before the request (exit 2): not a phone number, channels that differ', async () => {
      const c = await conversation();
      expectError(await cli('conversations', 'participants', 'add', c.sid, '--address', 'notanumber', '--proxy-address', PROXY), 2, 'USAGE', /--address "notanumber" is not an SMS address/);
      expectError(await cli('conversations', 'participants', 'add', c.sid, '--address', 'whatsapp:+15551234567', '--proxy-address', PROXY), 2, 'USAGE', /is a WhatsApp address but --proxy-address an SMS one/);
      expectError(await cli('conversations', 'participants', 'add', c.sid, '--address', 'WhatsApp:+15551234567', '--proxy-address', 'whatsapp:+15005550006'), 2, 'USAGE', /a channel prefix is lower-case/);
      expect((await wire(`/conversations/v1/Conversations/${c.sid}/Participants`)).participants).to.deep.equal([]);
      // other channels are not refused: email, messenger
      const email = await cli('conversations', 'participants', 'add', c.sid, '--address', 'alice@example.com', '--proxy-address', 'support@example.com', '--json');
      expect(email.exitCode, email.stderr).to.equal(0);
      const messenger = await cli('conversations', 'participants', 'add', c.sid, '--address', 'messenger:1234567', '--proxy-address', 'messenger:7654321', '--json');
      expect(messenger.exitCode, messenger.stderr).to.equal(0);
    });

    it('an SMS customer that is not a phone number: the emulator refuses it (exit 1), as Twilio never hands one on', async () => {
      const to = phone();
      expect((await cli('addresses', 'create', '--type', 'sms', '--address', to, '--auto-creation-type', 'default')).exitCode).to.equal(0);
      expectError(await cli('simulate', 'inbound', '--from', 'notanumber', '--to', to, '--body', 'x'), 1, 'INVALID_PARAMETER', /'notanumber' is not an E\.164 phone number/);
    });

    it('a malformed SID is a usage error before any request; an unknown one is NOT_FOUND', async () => {
      expectError(await cli('conversations', 'get', 'CH123'), 2, 'USAGE', /"CH123" is 5 characters long; a Conversation SID is CH \+ 32 hex/);
      expectError(await cli('messages', 'get', 'CH00000000000000000000000000000000', 'IMxyz'), 2, 'USAGE', /"IMxyz" is 5 characters long; a Message SID is IM/);
      expectError(await cli('services', 'get', 'nope'), 2, 'USAGE', /not a Conversation Service SID/);
      expectError(await cli('webhooks', 'replay', 'WD1'), 2, 'USAGE');
      const unknown = await cli('conversations', 'get', 'CH00000000000000000000000000000000');
      expectError(unknown, 1, 'NOT_FOUND', /No conversation matches "CH0+"/);
      expect(unknown.stderr).to.contain('→ list what exists with `flexconv conversations list`');
      expectError(await cli('messages', 'list', 'no-such-unique-name'), 1, 'NOT_FOUND');
      expectError(await cli('webhooks', 'replay', 'WD00000000000000000000000000000000'), 1, 'NOT_FOUND', /No webhook delivery/);
    });

    it('a closed conversation written to: CONVERSATION_CLOSED, exit 1, its messages still there', async () => {
      const c = await conversation();
      await cli('messages', 'send', c.sid, '--body', 'kept');
      await cli('conversations', 'close', c.sid, '--yes');
      const r = await cli('messages', 'send', c.sid, '--body', 'too late');
      expectError(r, 1, 'CONVERSATION_CLOSED', /is closed/);
      expectError(await cli('conversations', 'update', c.sid, '--friendly-name', 'x'), 1, 'CONVERSATION_CLOSED');
      expectError(await cli('conversations', 'participants', 'add', c.sid, '--identity', 'late'), 1, 'CONVERSATION_CLOSED');
      expect((await wire(`/conversations/v1/Conversations/${c.sid}/Messages`)).messages.map((m: any) => m.body)).to.deep.equal(['kept']);
    });

    it('a duplicate binding: BINDING_IN_USE, exit 1, naming the one conversation to close; the first stays', async () => {
      const customer = phone();
      const a = await conversation();
      const b = await conversation();
      await cli('conversations', 'participants', 'add', a.sid, '--address', customer, '--proxy-address', PROXY);
      const r = await cli('conversations', 'participants', 'add', b.sid, '--address', customer, '--proxy-address', PROXY);
      expectError(r, 1, 'BINDING_IN_USE', new RegExp(a.sid));
      expect(r.stderr).to.contain(`flexconv conversations close ${a.sid}`);
      // not a prune by address: that matches the customer's conversations with every number
      expect(r.stderr).to.not.contain('prune');
      expect(r.stderr).to.contain(`is already in conversation ${a.sid}, which is not closed`);
      // the same binding again in the conversation that holds it: said as such, not "another conversation"
      const again = await cli('conversations', 'participants', 'add', a.sid, '--address', customer, '--proxy-address', PROXY);
      expectError(again, 1, 'PARTICIPANT_EXISTS', new RegExp(`is a participant of ${a.sid} already`));
      // also when the conversation is named by its unique name
      const name = `holder-${process.pid}-${++n}`;
      await cli('conversations', 'update', a.sid, '--unique-name', name);
      expectError(await cli('conversations', 'participants', 'add', name, '--address', customer, '--proxy-address', PROXY), 1, 'PARTICIPANT_EXISTS');
      expect(again.stderr).to.not.contain('another conversation');
      const dupe = await cli('conversations', 'participants', 'add', a.sid, '--identity', 'bob');
      expect(dupe.exitCode).to.equal(0);
      expectError(await cli('conversations', 'participants', 'add', a.sid, '--identity', 'bob'), 1, 'PARTICIPANT_EXISTS');
      expect((await wire(`/conversations/v1/Conversations/${a.sid}/Participants`)).participants).to.have.length(2);
      expect((await wire(`/conversations/v1/Conversations/${b.sid}/Participants`)).participants).to.have.length(0);
    });

    it('bad JSON attributes, a body over 1,600 characters, a bad ISO duration: exit 2, nothing changed', async () => {
      const c = await conversation(['--attributes', '{"keep":true}']);
      expectError(await cli('conversations', 'update', c.sid, '--attributes', '{bad'), 2, 'USAGE', /--attributes is not valid JSON/);
      expectError(await cli('messages', 'send', c.sid, '--body', 'x'.repeat(1601)), 2, 'USAGE', /--body is 1601 characters long; a message body may have at most 1600/);
      expectError(await cli('conversations', 'update', c.sid, '--inactive-timer', '10m'), 2, 'USAGE', /"10m" is not an ISO 8601 duration/);
      expectError(await cli('conversations', 'create', '--closed-timer', 'P'), 2, 'USAGE');
      // valid ISO but under Twilio's minimum: caught before the request too
      expectError(await cli('conversations', 'update', c.sid, '--inactive-timer', 'PT30S'), 2, 'USAGE', /at least PT1M/);
      const now = await wire(`/conversations/v1/Conversations/${c.sid}`);
      expect(now).to.deep.include({attributes: '{"keep":true}', date_updated: c.date_updated});
      expect((await wire(`/conversations/v1/Conversations/${c.sid}/Messages`)).messages).to.deep.equal([]);
    });
  });

  describe('followers (started, fed, stopped with SIGINT)', () => {
    it('webhooks tail: each attempt as it happens — 200, 500, an unreachable URL — and exit 0 on Ctrl-C', async () => {
      const c = await conversation();
      const dead = `http://127.0.0.1:${await freePort()}/dead`;
      for (const url of [`${hooksUrl}/ok`, `${hooksUrl}/fail`, dead])
        expect((await cli('conversations', 'webhooks', 'add', c.sid, '--url', url, '--filters', 'onMessageAdded')).exitCode).to.equal(0);
      const tail = follower(['webhooks', 'tail']);
      try {
        await tail.waitFor('stderr', /Following webhook deliveries/);
        const sent = await cli('messages', 'send', c.sid, '--body', 'ping', '--webhooks', '--json');
        expect(sent.exitCode, sent.stderr).to.equal(0);
        await tail.waitFor('stdout', new RegExp(`onMessageAdded\\s+POST ${hooksUrl}/ok\\s+\\[200\\] [\\d.]+ ms\\s+WD[0-9a-f]{32}`));
        await tail.waitFor('stdout', new RegExp(`POST ${hooksUrl}/fail\\s+\\[500\\]`));
        await tail.waitFor('stdout', new RegExp(`POST ${dead}\\s+\\[ERR\\] [\\d.]+ ms\\s+WD[0-9a-f]{32}\\s+ECONNREFUSED`));
        tail.stop();
        expect(await tail.exited).to.equal(0);
      } finally {
        tail.kill();
      }
      // the message is stored whatever its webhooks did
      expect((await wire(`/conversations/v1/Conversations/${c.sid}/Messages`)).messages.map((m: any) => m.body)).to.deep.equal(['ping']);
    });

    it('webhooks tail --json is NDJSON; webhooks replay sends one again and prints its outcome', async () => {
      const c = await conversation();
      await cli('conversations', 'webhooks', 'add', c.sid, '--url', `${hooksUrl}/replayed`, '--filters', 'onMessageAdded');
      const tail = follower(['webhooks', 'tail', '--json', '--event', 'onMessageAdded']);
      let sid: string;
      try {
        await tail.waitFor('stderr', /Following/);
        await cli('messages', 'send', c.sid, '--body', 'once', '--webhooks');
        await tail.waitFor('stdout', /\n/);
        const attempt = JSON.parse(tail.out.stdout.split('\n')[0]);
        expect(attempt).to.include({event_type: 'onMessageAdded', url: `${hooksUrl}/replayed`, status: 200});
        sid = attempt.delivery_sid;
        tail.stop();
        expect(await tail.exited).to.equal(0);
      } finally {
        tail.kill();
      }
      const before = received.filter((x) => x.path === '/replayed').length;
      const r = await cli('webhooks', 'replay', sid, '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.json()).to.include({replay_of: sid});
      expect(r.json().attempt).to.include({status: 200, url: `${hooksUrl}/replayed`});
      expect(received.filter((x) => x.path === '/replayed')).to.have.length(before + 1);
    });

    it('conversations tail: the backlog, then each new message (REST and inbound) as it arrives; exit 0 on Ctrl-C', async () => {
      const to = phone();
      await cli('addresses', 'create', '--type', 'sms', '--address', to, '--auto-creation-type', 'default');
      const from = phone();
      const first = (await cli('simulate', 'inbound', '--from', from, '--to', to, '--body', 'earlier', '--json')).json();
      const tail = follower(['conversations', 'tail', first.conversation_sid, '--interval', '100']);
      try {
        await tail.waitFor('stdout', new RegExp(`^#0 \\S+ \\${from}: earlier$`, 'm'));
        await cli('messages', 'send', first.conversation_sid, '--body', 'agent reply', '--author', 'agent');
        await tail.waitFor('stdout', /^#1 \S+ agent: agent reply$/m);
        await cli('simulate', 'inbound', '--from', from, '--to', to, '--body', 'thanks');
        await tail.waitFor('stdout', new RegExp(`^#2 \\S+ \\${from}: thanks$`, 'm'));
        tail.stop();
        expect(await tail.exited).to.equal(0);
        expect(tail.out.stdout.match(/^#/gm)).to.have.length(3);
      } finally {
        tail.kill();
      }
    });
  });
});
