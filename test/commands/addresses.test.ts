/**
 * `flexconv addresses *` as a user runs it: the built CLI as a child process against an
 * emulator started here (FLEXCONV_EMULATOR_URL), with fresh config and state directories.
 * Checks exit codes, stdout/stderr separation, and that --json is the REST API's wire shape.
 */
import {expect} from 'chai';
import {createServer, type Server} from 'node:http';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {freePort, ptyRunner, runCli, runCliInPty, sandbox, type CliResult, type Sandbox} from '../helpers/cli.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';

const BASE = '/conversations/v1/Configuration/Addresses';
const FW = 'FW0123456789abcdef0123456789abcdef';
const IS = 'IS0123456789abcdef0123456789abcdef';

let emu: Emulator;
let box: Sandbox;
const env = (extra: Record<string, string> = {}) => ({
  ...box.env,
  FLEXCONV_EMULATOR_URL: emu.url,
  ...extra,
});
const cli = (...args: string[]): Promise<CliResult> => runCli(args, {env: env()});
const json = (r: CliResult) => JSON.parse(r.stdout) as any;

let n = 0;
/** A fresh E.164 number for every call. */
const phone = () => `+1555${String(2_000_000 + ++n)}`;

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

async function wireAll(query = ''): Promise<any[]> {
  const out: any[] = [];
  let url: string | null = `${emu.url}${BASE}?PageSize=50${query}`;
  while (url) {
    const page: any = await wire(url.slice(emu.url.length));
    out.push(...page.address_configurations);
    url = page.meta.next_page_url;
  }
  return out;
}

function expectUsage(r: CliResult, pattern: RegExp): void {
  expect(r.exitCode, `stderr: ${r.stderr}`).to.equal(2);
  expect(r.stdout).to.equal('');
  expect(r.stderr).to.match(/^✖ USAGE: /);
  expect(r.stderr).to.match(pattern);
}

describe('flexconv addresses (CLI against the emulator)', function () {
  this.timeout(60_000);

  before(async () => {
    box = sandbox('flexconv-addresses-');
    emu = await startEmulator({port: 0, db: ':memory:'});
  });
  after(async () => {
    await emu?.stop();
    box?.cleanup();
  });

  describe('create', () => {
    it('webhook type: every webhook flag, repeated and comma-separated filters; --json is the wire resource', async () => {
      const address = phone();
      const r = await cli(
        'addresses', 'create', '--type', 'sms', '--address', address, '--friendly-name', 'Hooked',
        '--webhook-url', 'https://example.com/hook', '--webhook-method', 'get',
        '--webhook-filters', 'onMessageAdded,onConversationUpdated', '--webhook-filters', 'onParticipantAdded',
        '--webhook-filters', 'onMessageAdded', // given twice: sent once
        '--json',
      );
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      const created = json(r);
      expect(created.sid).to.match(/^IG[0-9a-f]{32}$/);
      expect(created).to.include({type: 'sms', address, friendly_name: 'Hooked'});
      expect(created.auto_creation).to.deep.equal({
        enabled: true,
        type: 'webhook',
        webhook_url: 'https://example.com/hook',
        webhook_method: 'GET',
        webhook_filters: ['onMessageAdded', 'onConversationUpdated', 'onParticipantAdded'],
      });
      expect(created).to.deep.equal(await wire(`${BASE}/${created.sid}`));
    });

    it('studio type, with retry count and conversation service', async () => {
      const address = phone();
      const r = await cli(
        'addresses', 'create', '--type', 'sms', '--address', address, '--studio-flow', FW, '--studio-retry-count', '3',
        '--conversation-service', IS, '--json',
      );
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(json(r).auto_creation).to.deep.equal({
        enabled: true,
        type: 'studio',
        conversation_service_sid: IS,
        studio_flow_sid: FW,
        studio_retry_count: 3,
      });
    });

    it('default type, explicitly; --no-auto-creation keeps it disabled', async () => {
      const r = await cli('addresses', 'create', '--type', 'chat', '--address', `chat-${n++}`, '--auto-creation-type', 'default', '--no-auto-creation', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(json(r).auto_creation).to.deep.equal({enabled: false, type: 'default'});
    });

    it('whatsapp:+E164, and the human output: record on stdout, confirmation on stderr', async () => {
      const address = `whatsapp:${phone()}`;
      const r = await cli('addresses', 'create', '--type', 'whatsapp', '--address', address, '--address-country', 'us');
      expect(r.exitCode, r.stderr).to.equal(0);
      // The success line names where the change happened.
      expect(r.stderr).to.match(/^✔ Created address configuration IG[0-9a-f]{32} \(whatsapp whatsapp:\+1555\d+\) on the emulator at (\S+)\n$/);
      expect(/ at (\S+)\n$/.exec(r.stderr)![1]).to.equal(emu.url);
      expect(r.stdout).to.match(/^SID\s+IG[0-9a-f]{32}$/m);
      expect(r.stdout).to.include(`Address        ${address}`);
      expect(r.stdout).to.match(/^Country\s+US$/m);
      expect(r.stdout).to.match(/^Auto-creation\s+default, disabled$/m);
    });

    it('a duplicate address is ADDRESS_EXISTS, exit 1, with hints naming the address', async () => {
      const address = phone();
      expect((await cli('addresses', 'create', '--type', 'sms', '--address', address)).exitCode).to.equal(0);
      const r = await cli('addresses', 'create', '--type', 'sms', '--address', address);
      expect(r.exitCode).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/✖ ADDRESS_EXISTS \(twilio \d+\): .*already exists/);
      expect(r.stderr).to.include(`flexconv addresses get ${address}`);
      const j = await cli('addresses', 'create', '--type', 'sms', '--address', address, '--json');
      expect(j.exitCode).to.equal(1);
      expect(json(j).error.code).to.equal('ADDRESS_EXISTS');
    });
  });

  describe('get', () => {
    it('by SID, by E.164 address and by whatsapp: address — all the wire resource', async () => {
      const sms = phone();
      const wa = `whatsapp:${phone()}`;
      const a = json(await cli('addresses', 'create', '--type', 'sms', '--address', sms, '--json'));
      const b = json(await cli('addresses', 'create', '--type', 'whatsapp', '--address', wa, '--json'));
      const [bySid, byAddress, byWa] = await Promise.all([
        cli('addresses', 'get', a.sid, '--json'),
        cli('addresses', 'get', sms, '--json'),
        cli('addresses', 'get', wa, '--json'),
      ]);
      for (const r of [bySid, byAddress, byWa]) expect(r.exitCode, r.stderr).to.equal(0);
      expect(json(bySid)).to.deep.equal(await wire(`${BASE}/${a.sid}`));
      expect(json(byAddress)).to.deep.equal(json(bySid));
      expect(json(byWa)).to.deep.equal(await wire(`${BASE}/${b.sid}`));
    });

    it('human output is a record', async () => {
      const address = phone();
      await cli('addresses', 'create', '--type', 'sms', '--address', address, '--studio-flow', FW, '--friendly-name', 'Front desk');
      const r = await cli('addresses', 'get', address);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.match(/^Friendly name\s+Front desk$/m);
      expect(r.stdout).to.match(/^Auto-creation\s+studio, enabled$/m);
      expect(r.stdout).to.match(new RegExp(`^Studio flow\\s+${FW}$`, 'm'));
    });

    it('an unknown SID or address is NOT_FOUND, exit 1, with a clear message', async () => {
      const [bySid, byAddress, asJson] = await Promise.all([
        cli('addresses', 'get', 'IG00000000000000000000000000000000'),
        cli('addresses', 'get', '+19990000000'),
        cli('addresses', 'get', '+19990000000', '--json'),
      ]);
      expect(bySid.exitCode).to.equal(1);
      expect(bySid.stderr).to.include('✖ NOT_FOUND (twilio 20404): No address configuration matches "IG00000000000000000000000000000000"');
      expect(bySid.stderr).to.include('→ list what exists with `flexconv addresses list`');
      expect(byAddress.exitCode).to.equal(1);
      expect(byAddress.stderr).to.include('No address configuration matches "+19990000000"');
      expect(asJson.exitCode).to.equal(1);
      expect(json(asJson)).to.deep.include({status: 1});
      expect(json(asJson).error).to.include({code: 'NOT_FOUND', exit: 1});
    });
  });

  describe('update', () => {
    it('friendly name and --no-auto-creation; nothing else changes', async () => {
      const address = phone();
      const before = json(await cli('addresses', 'create', '--type', 'sms', '--address', address, '--studio-flow', FW, '--json'));
      const r = await cli('addresses', 'update', address, '--friendly-name', 'Renamed', '--no-auto-creation', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      const after = json(r);
      expect(after).to.deep.equal(await wire(`${BASE}/${before.sid}`));
      expect(after.friendly_name).to.equal('Renamed');
      expect(after.auto_creation).to.deep.equal({...before.auto_creation, enabled: false});
    });

    it('switches studio → webhook by SID with --auto-creation-type', async () => {
      const before = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--studio-flow', FW, '--json'));
      const r = await cli(
        'addresses', 'update', before.sid, '--auto-creation-type', 'webhook', '--webhook-url', 'https://example.com/new',
        '--webhook-filters', 'onMessageAdded',
      );
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.equal(`✔ Updated address configuration ${before.sid} (sms ${before.address}) on the emulator at ${emu.url}\n`);
      expect(r.stdout).to.match(/^Webhook\s+POST https:\/\/example\.com\/new$/m);
      const now = await wire(`${BASE}/${before.sid}`);
      expect(now.auto_creation).to.include({type: 'webhook', webhook_url: 'https://example.com/new'});
    });

    it('webhook flags on a studio address without --auto-creation-type: usage error, unchanged', async () => {
      const before = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--studio-flow', FW, '--json'));
      const r = await cli('addresses', 'update', before.sid, '--webhook-url', 'https://example.com/x');
      expectUsage(r, /--webhook-url only applies to auto-creation type webhook, but IG\w+ has auto-creation type studio/);
      expect(r.stderr).to.include('use --auto-creation-type webhook');
      expect(await wire(`${BASE}/${before.sid}`)).to.deep.equal(before);
    });

    it('--auto-creation-type webhook/studio without a URL/flow stored or given: usage error naming the flag, unchanged', async () => {
      const plain = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--json'));
      const studio = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--studio-flow', FW, '--json'));
      const [webhookOnPlain, webhookOnStudio, studioOnPlain, asJson] = await Promise.all([
        cli('addresses', 'update', plain.sid, '--auto-creation-type', 'webhook'),
        cli('addresses', 'update', studio.address, '--auto-creation-type', 'webhook', '--webhook-method', 'GET'),
        cli('addresses', 'update', plain.address, '--auto-creation-type', 'studio', '--studio-retry-count', '2'),
        cli('addresses', 'update', plain.sid, '--auto-creation-type', 'webhook', '--json'),
      ]);
      expectUsage(webhookOnPlain, new RegExp(`Auto-creation type webhook needs --webhook-url: ${plain.sid} has no webhook URL stored \\(its type is default\\)`));
      expect(webhookOnPlain.stderr).to.include(`--auto-creation-type webhook --webhook-url https://`);
      expectUsage(webhookOnStudio, /Auto-creation type webhook needs --webhook-url: IG\w+ has no webhook URL stored \(its type is studio\)/);
      expectUsage(studioOnPlain, /Auto-creation type studio needs --studio-flow FW…: IG\w+ has no Studio flow stored/);
      expect(studioOnPlain.stderr).to.include('--studio-flow FW');
      expect(asJson.exitCode).to.equal(2);
      expect(json(asJson).error).to.include({code: 'USAGE', exit: 2});
      expect(json(asJson).error.hints.join(' ')).to.include('--webhook-url');
      expect(await wire(`${BASE}/${plain.sid}`)).to.deep.equal(plain);
      expect(await wire(`${BASE}/${studio.sid}`)).to.deep.equal(studio);
    });

    it('--auto-creation-type webhook without --webhook-url is fine when the configuration has a URL', async () => {
      const hooked = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--webhook-url', 'https://example.com/kept', '--json'));
      const r = await cli('addresses', 'update', hooked.sid, '--auto-creation-type', 'webhook', '--webhook-method', 'GET', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(json(r).auto_creation).to.include({type: 'webhook', webhook_url: 'https://example.com/kept', webhook_method: 'GET'});
    });

    it('nothing to update, or an unknown address', async () => {
      const [none, unknown] = await Promise.all([
        cli('addresses', 'update', '+15550000000'),
        cli('addresses', 'update', '+19990000001', '--friendly-name', 'x'),
      ]);
      expectUsage(none, /Nothing to update/);
      expect(unknown.exitCode).to.equal(1);
      expect(unknown.stderr).to.include('No address configuration matches "+19990000001"');
    });
  });

  describe('delete', () => {
    it('--yes deletes (by address), prints what went, and returns the resource under --json', async () => {
      const address = phone();
      const created = json(await cli('addresses', 'create', '--type', 'sms', '--address', address, '--json'));
      const r = await cli('addresses', 'delete', address, '--yes', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(json(r)).to.deep.equal(created);
      const gone = await cli('addresses', 'get', created.sid);
      expect(gone.exitCode).to.equal(1);
      expect(gone.stderr).to.include('NOT_FOUND');
    });

    it('--yes by SID, human output on stderr', async () => {
      const created = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--json'));
      const r = await cli('addresses', 'delete', created.sid, '-y');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(new RegExp(`^✔ Deleted address configuration ${created.sid} \\(sms \\+1555\\d+\\) on the emulator at ${emu.url}\\n$`));
    });

    it('without a TTY and without --yes it refuses (exit 2) and deletes nothing', async () => {
      const created = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--json'));
      const r = await cli('addresses', 'delete', created.sid);
      expectUsage(r, /Refusing to go on without confirmation/);
      expect(r.stderr).to.include('pass --yes');
      expect(await wire(`${BASE}/${created.sid}`)).to.deep.equal(created);
    });

    it('--dry-run shows what would be deleted, exits 0, deletes nothing', async () => {
      const created = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--friendly-name', 'Keep', '--json'));
      const r = await cli('addresses', 'delete', created.sid, '--dry-run');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.include(`Dry run: would delete address configuration ${created.sid}`).and.include(`on the emulator at ${emu.url}`);
      expect(r.stdout).to.match(/^Friendly name\s+Keep$/m);
      expect(await wire(`${BASE}/${created.sid}`)).to.deep.equal(created);
      // --json says it was a dry run (a script must not read it as a deletion)
      const j = await cli('addresses', 'delete', created.sid, '--dry-run', '--json');
      expect(j.exitCode).to.equal(0);
      // …and shows the request it held back (the one mechanism of --dry-run: test/commands/dry-run.test.ts)
      const {request, ...rest} = json(j);
      expect(rest).to.deep.equal({...created, dry_run: true});
      expect(request).to.include({method: 'DELETE', url: `${emu.url}${BASE}/${created.sid}`});
    });

    describe('on a terminal', function () {
      const pty = ptyRunner();
      before(function () {
        if (!pty.ok) {
          // eslint-disable-next-line no-console
          console.log(`      (skipped: ${pty.reason})`);
          this.skip();
        }
      });

      it('answering "no": nothing deleted, "Cancelled; nothing was changed", exit 0; --json adds cancelled: true', async () => {
        const created = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--json'));
        const prompt = new RegExp(`Delete address configuration ${created.sid}[^?]*\\?[^?]*\\(y\\s*/\\s*N`);
        const r = await runCliInPty(['addresses', 'delete', created.sid], [{expect: prompt, send: 'n\r'}], {env: env()});
        expect(r.exitCode, r.output).to.equal(0);
        // The question names where the delete would happen (the prompt may wrap the line).
        expect(r.output.replace(/\s*\n/g, '')).to.include(`on the emulator at ${emu.url}?`);
        expect(r.output).to.include('Cancelled; nothing was changed').and.not.include('CANCELLED').and.not.include('Deleted');
        expect(r.output, 'no green tick on a "no"').not.to.include('✔');
        expect(await wire(`${BASE}/${created.sid}`)).to.deep.equal(created);

        const out = join(box.root, 'delete-no.json');
        const j = await runCliInPty(['addresses', 'delete', created.sid, '--json'], [{expect: prompt, send: 'n\r'}], {env: env(), stdoutTo: out});
        expect(j.exitCode, j.output).to.equal(0);
        expect(j.output).to.include('Cancelled; nothing was changed'); // stderr: the terminal
        expect(JSON.parse(readFileSync(out, 'utf8'))).to.deep.equal({...created, cancelled: true});
        expect(await wire(`${BASE}/${created.sid}`)).to.deep.equal(created);
      });

      it('answering "yes" deletes', async () => {
        const created = json(await cli('addresses', 'create', '--type', 'sms', '--address', phone(), '--json'));
        const r = await runCliInPty(['addresses', 'delete', created.sid], [{expect: /Delete address configuration/, send: 'y\r'}], {env: env()});
        expect(r.exitCode, r.output).to.equal(0);
        expect(r.output).to.include(`✔ Deleted address configuration ${created.sid}`);
        expect((await wire(`${BASE}/${created.sid}`)).code).to.equal(20404);
      });
    });

    it('an unknown SID is NOT_FOUND, exit 1', async () => {
      const r = await cli('addresses', 'delete', 'IG00000000000000000000000000000000', '--yes');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.include('NOT_FOUND (twilio 20404)');
    });
  });

  describe('list', () => {
    before(async () => {
      await emu.reset();
      // 55 sms + 2 whatsapp + 1 chat, straight through the API.
      const post = (form: Record<string, string>) => wire(BASE, {method: 'POST', body: new URLSearchParams(form).toString()});
      for (let i = 0; i < 55; i++) await post({Type: 'sms', Address: `+1555300${String(i).padStart(4, '0')}`, FriendlyName: `line ${i}`});
      await post({Type: 'whatsapp', Address: 'whatsapp:+15554000001', 'AutoCreation.Enabled': 'true', 'AutoCreation.Type': 'webhook', 'AutoCreation.WebhookUrl': 'https://example.com/wa'});
      await post({Type: 'whatsapp', Address: 'whatsapp:+15554000002', 'AutoCreation.Enabled': 'true', 'AutoCreation.Type': 'studio', 'AutoCreation.StudioFlowSid': FW});
      await post({Type: 'chat', Address: 'web-chat'});
    });

    it('default: a table of the first 50, and a note on stderr that more exist', async () => {
      const r = await cli('addresses', 'list');
      expect(r.exitCode, r.stderr).to.equal(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).to.match(/^SID\s+TYPE\s+ADDRESS\s+FRIENDLY NAME\s+AUTO-CREATION\s+ENABLED\s+TARGET$/);
      expect(lines).to.have.length(51);
      expect(lines[1]).to.match(/^IG[0-9a-f]{32}\s+sms\s+\+15553000000\s+line 0\s+default\s+no$/);
      expect(r.stderr).to.equal('! showing 50; more exist — use --limit N or --all\n');
    });

    it('--json equals the wire resources, in order', async () => {
      const r = await cli('addresses', 'list', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      const all = await wireAll();
      expect(all).to.have.length(58);
      expect(json(r)).to.deep.equal(all.slice(0, 50));
      expect(r.stderr).to.include('showing 50; more exist');
    });

    it('--all pages to the end: everything, no note', async () => {
      const r = await cli('addresses', 'list', '--all', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(json(r)).to.deep.equal(await wireAll());
      expect(r.stderr).to.equal('');
    });

    it('--limit across pages with --page-size; --limit equal to the total says nothing', async () => {
      const [some, exact] = await Promise.all([
        cli('addresses', 'list', '--limit', '7', '--page-size', '3', '--json'),
        cli('addresses', 'list', '--limit', '58', '--page-size', '20', '--json'),
      ]);
      const all = await wireAll();
      expect(json(some)).to.deep.equal(all.slice(0, 7));
      expect(some.stderr).to.include('showing 7; more exist — use --limit N or --all');
      expect(json(exact)).to.deep.equal(all);
      expect(exact.stderr).to.equal('');
    });

    it('--type filters', async () => {
      const r = await cli('addresses', 'list', '--type', 'whatsapp', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(json(r).map((a: any) => a.address)).to.deep.equal(['whatsapp:+15554000001', 'whatsapp:+15554000002']);
      expect(json(r)).to.deep.equal(await wireAll('&Type=whatsapp'));
    });

    it('--columns and --no-header shape the table; the target column shows webhook URL or flow', async () => {
      const r = await cli('addresses', 'list', '--type', 'whatsapp', '--columns', 'address,auto_creation,target', '--no-header');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).to.equal(
        'whatsapp:+15554000001  webhook  POST https://example.com/wa\n' +
          `whatsapp:+15554000002  studio   ${FW}\n`,
      );
    });

    it('an empty list says so on stderr, and --json is []', async () => {
      const [human, asJson] = await Promise.all([cli('addresses', 'list', '--type', 'email'), cli('addresses', 'list', '--type', 'email', '--json')]);
      expect(human.exitCode).to.equal(0);
      expect(human.stdout).to.equal('');
      expect(human.stderr).to.include('No address configurations of type email');
      expect(json(asJson)).to.deep.equal([]);
    });

    it('bad list flags are usage errors', async () => {
      const rs = await Promise.all([
        cli('addresses', 'list', '--columns', 'sid,nope'),
        cli('addresses', 'list', '--limit', '0'),
        cli('addresses', 'list', '--page-size', '51'),
        cli('addresses', 'list', '--all', '--limit', '5'),
        cli('addresses', 'list', '--type', 'fax'),
      ]);
      expectUsage(rs[0], /unknown column "nope"/);
      expectUsage(rs[1], /--limit.*greater than or equal to 1/);
      expectUsage(rs[2], /--page-size.*less than or equal to 50/);
      expectUsage(rs[3], /cannot also be provided/);
      expectUsage(rs[4], /Expected --type=fax to be one of: sms, whatsapp/);
    });
  });

  describe('bad input is a usage error (exit 2) before any request', () => {
    const cases: [string, string[], RegExp][] = [
      ['invalid --type', ['--type', 'fax', '--address', '+15551234567'], /Expected --type=fax to be one of: sms, whatsapp, messenger, gbm, email, rcs, apple, chat/],
      ['invalid --auto-creation-type', ['--type', 'sms', '--address', '+15551234567', '--auto-creation-type', 'flow'], /Expected --auto-creation-type=flow to be one of: webhook, studio, default/],
      ['invalid webhook filter', ['--type', 'sms', '--address', '+15551234567', '--webhook-url', 'https://e.example', '--webhook-filters', 'onMessageAdded,onTyping'], /--webhook-filters: "onTyping" is not a webhook event/],
      ['invalid --webhook-method', ['--type', 'sms', '--address', '+15551234567', '--webhook-url', 'https://e.example', '--webhook-method', 'PUT'], /--webhook-method must be GET or POST, not "PUT"/],
      ['malformed phone number', ['--type', 'sms', '--address', '555-123-4567'], /--address "555-123-4567" is not an E.164 phone number \(for example \+15551234567\)/],
      ['phone number with spaces', ['--type', 'sms', '--address', '+1 555 123 4567'], /is not an E\.164 phone number/],
      ['malformed whatsapp address', ['--type', 'whatsapp', '--address', 'whatsapp:5551234567'], /is not a WhatsApp address: whatsapp:\+E164 or a bare E\.164 number \(for example whatsapp:\+15551234567 or \+15551234567\)/],
      ['malformed studio flow SID', ['--type', 'sms', '--address', '+15551234567', '--studio-flow', 'FW123'], /--studio-flow "FW123" is not a Studio Flow SID/],
      ['malformed service SID', ['--type', 'sms', '--address', '+15551234567', '--conversation-service', 'CH0123456789abcdef0123456789abcdef'], /is not a Conversation Service SID/],
      ['webhook flag with studio type', ['--type', 'sms', '--address', '+15551234567', '--auto-creation-type', 'studio', '--studio-flow', FW, '--webhook-url', 'https://e.example'], /--webhook-url only applies to auto-creation type webhook, but --auto-creation-type is studio/],
      ['studio flag with webhook type', ['--type', 'sms', '--address', '+15551234567', '--auto-creation-type', 'webhook', '--webhook-url', 'https://e.example', '--studio-retry-count', '2'], /--studio-retry-count only applies to auto-creation type studio/],
      ['webhook type without a URL', ['--type', 'sms', '--address', '+15551234567', '--auto-creation-type', 'webhook'], /Auto-creation type webhook needs --webhook-url/],
      ['studio type without a flow', ['--type', 'sms', '--address', '+15551234567', '--auto-creation-type', 'studio'], /Auto-creation type studio needs --studio-flow/],
      ['relative webhook URL', ['--type', 'sms', '--address', '+15551234567', '--webhook-url', '/hook'], /--webhook-url "\/hook" is not an absolute http\(s\) URL/],
      ['bad country', ['--type', 'sms', '--address', '12345', '--address-country', 'USA'], /--address-country "USA" is not an ISO 3166-1 alpha-2/],
      ['missing --address', ['--type', 'sms'], /Missing required flag address/],
      ['missing both required flags', [], /Missing required flag/],
    ];
    it('create: enums, formats, SID shapes, type-specific flags, required flags', async () => {
      const before = (await wireAll()).length;
      const results = await Promise.all(cases.map(([, args]) => cli('addresses', 'create', ...args)));
      results.forEach((r, i) => {
        const [name, , pattern] = cases[i];
        expect(r.exitCode, `${name}: ${r.stderr}`).to.equal(2);
        expect(r.stdout, name).to.equal('');
        expect(r.stderr, name).to.match(pattern);
      });
      expect(await wireAll()).to.have.length(before); // nothing was created
    });

    it('a malformed Account SID or API key names its source (not the SDK\'s bare error)', async () => {
      const fromEnv = await runCli(['addresses', 'list'], {env: env({TWILIO_ACCOUNT_SID: 'bogus', TWILIO_AUTH_TOKEN: 'x'})});
      expect(fromEnv.exitCode, fromEnv.stderr).to.equal(2);
      expect(fromEnv.stderr).to.include('BAD_CREDENTIALS: "bogus" (from TWILIO_ACCOUNT_SID) is not an Account SID');
      const fromFlag = await cli('addresses', 'list', '--account-sid', `AC${'0'.repeat(32)}`, '--api-key', 'SK1', '--api-secret', 's', '--json');
      expect(fromFlag.exitCode).to.equal(2);
      expect(json(fromFlag).error.message).to.include('"SK1" (from --api-key) is not an API key SID');
    });

    it('--json puts the usage error on stdout as JSON', async () => {
      const r = await cli('addresses', 'create', '--type', 'sms', '--address', 'nope', '--json');
      expect(r.exitCode).to.equal(2);
      expect(json(r).error).to.include({code: 'USAGE', exit: 2});
    });

    it('get/update/delete without the argument', async () => {
      const rs = await Promise.all(['get', 'update', 'delete'].map((c) => cli('addresses', c)));
      for (const r of rs) expectUsage(r, /Missing 1 required arg/);
    });
  });

  describe('target problems', () => {
    it('no emulator at the URL: NETWORK, exit 1, says to start one', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const r = await runCli(['addresses', 'list'], {env: env({FLEXCONV_EMULATOR_URL: url})});
      expect(r.exitCode).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.include(`✖ NETWORK: No emulator is answering at ${url}`);
      expect(r.stderr).to.include('start one with `flexconv emulator start`');
      const j = await runCli(['addresses', 'get', '+15551234567', '--json'], {env: env({FLEXCONV_EMULATOR_URL: url})});
      expect(j.exitCode).to.equal(1);
      expect(json(j).error.code).to.equal('NETWORK');
    });

    for (const [kind, contentType, body] of [
      ['an HTML 404', 'text/html', '<html><body>Cannot GET</body></html>'],
      ['a JSON 404 that is not Twilio\'s error shape', 'application/json', '{"error":"Not Found"}'],
    ] as const) {
      it(`another HTTP server at the emulator URL (${kind}): NOT_AN_EMULATOR, exit 1, hint to check it`, async () => {
        const server: Server = createServer((_req, res) => res.writeHead(404, {'Content-Type': contentType}).end(body));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
        const url = `http://127.0.0.1:${(server.address() as {port: number}).port}`;
        try {
          const run = (...args: string[]) => runCli(args, {env: env({FLEXCONV_EMULATOR_URL: url})});
          const [list, get, del, update] = await Promise.all([
            run('addresses', 'list'),
            run('addresses', 'get', '+15551234567', '--json'),
            run('addresses', 'delete', 'IG00000000000000000000000000000000', '--yes'),
            run('addresses', 'update', '+15551234567', '--studio-flow', FW),
          ]);
          for (const r of [list, del, update]) {
            expect(r.exitCode, r.stderr).to.equal(1);
            expect(r.stdout).to.equal('');
            expect(r.stderr).to.include(`✖ NOT_AN_EMULATOR: The server at ${url} did not answer like a flexconv emulator (HTTP 404`);
            expect(r.stderr).to.include(`flexconv emulator status --emulator-url ${url}`);
            expect(r.stderr).not.to.include('Failed to execute request').and.not.include('No address configuration matches');
          }
          expect(get.exitCode).to.equal(1);
          expect(json(get).error).to.include({code: 'NOT_AN_EMULATOR', exit: 1});
          expect(json(get).error).not.to.have.property('twilio');
        } finally {
          server.close();
        }
      });
    }

    it('wrong credentials: AUTH_FAILED, exit 1', async () => {
      const [flags, envCreds] = await Promise.all([
        cli('addresses', 'list', '--target', 'emulator', '--account-sid', emu.accountSid, '--auth-token', 'wrong-token'),
        runCli(['addresses', 'get', '+15551234567', '--json'], {
          env: env({FLEXCONV_EMULATOR_ACCOUNT_SID: emu.accountSid, FLEXCONV_EMULATOR_AUTH_TOKEN: 'wrong-token'}),
        }),
      ]);
      expect(flags.exitCode).to.equal(1);
      expect(flags.stderr).to.include('✖ AUTH_FAILED (twilio 20003)');
      expect(envCreds.exitCode).to.equal(1);
      expect(json(envCreds).error.code).to.equal('AUTH_FAILED');
    });
  });

  describe('help', () => {
    it('every command has a summary and examples, one with --json', async () => {
      const rs = await Promise.all(['list', 'get', 'create', 'update', 'delete'].map((c) => cli('addresses', c, '--help')));
      for (const r of rs) {
        expect(r.exitCode, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/EXAMPLES/);
        // Long examples are wrapped with a trailing backslash: join them back into one line.
        expect(r.stdout.replace(/ \\\n\s+/g, ' ')).to.match(/\$ flexconv addresses \w+ .*--json/);
      }
    });
  });
});
