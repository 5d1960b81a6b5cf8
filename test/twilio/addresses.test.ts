/**
 * The real-Twilio path of `flexconv addresses *`: the CLI runs in this process with
 * --target twilio and TWILIO_* credentials, nock stands in for conversations.twilio.com, and
 * every test asserts the exact request (method, URL, form body, Basic auth) the SDK sent.
 */
import {expect} from 'chai';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import nock from 'nock';
import {runInProcess, type CliResult} from '../helpers/cli.js';
import {OAI_DIR, SPEC_FILES} from '../helpers/oai.js';
import {
  ADDRESS_TYPES,
  AUTO_CREATION_TYPES,
  WEBHOOK_FILTERS,
} from '../../src/lib/flows/addresses.js';

const HOST = 'https://conversations.twilio.com';
const BASE = '/v1/Configuration/Addresses';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const AUTH = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;
const IG = 'IG0123456789abcdef0123456789abcdef';
const IG2 = 'IGfedcba9876543210fedcba9876543210';
const FW = 'FW0123456789abcdef0123456789abcdef';
const IS = 'IS0123456789abcdef0123456789abcdef';

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  contentType: string | null;
  /** Form body as ordered [key, value] pairs (repeated keys stay repeated). */
  form: [string, string][];
}

/** Records every request a scope answers (nock 15 hands the reply function a fetch Request). */
function recorder() {
  const seen: Seen[] = [];
  const reply =
    (status: number, body: unknown) =>
    async (req: Request): Promise<[number, unknown]> => {
      const text = await req.text();
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.get('authorization'),
        contentType: req.headers.get('content-type'),
        form: [...new URLSearchParams(text).entries()],
      });
      return [status, body];
    };
  return {seen, reply};
}

function resource(over: Record<string, unknown> = {}): Record<string, unknown> {
  const sid = (over.sid as string) ?? IG;
  return {
    sid,
    account_sid: ACCOUNT,
    type: 'sms',
    address: '+15551234567',
    friendly_name: 'Main line',
    auto_creation: {enabled: true, type: 'studio', conversation_service_sid: IS, studio_flow_sid: FW, studio_retry_count: 2},
    date_created: '2024-01-02T03:04:05Z',
    date_updated: '2024-01-02T03:04:06Z',
    url: `${HOST}${BASE}/${sid}`,
    address_country: null,
    ...over,
  };
}

const twilioError = (status: number, code: number, message: string) => ({
  code,
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
});

let configDir: string;
const ENV = () => ({
  TWILIO_ACCOUNT_SID: ACCOUNT,
  TWILIO_AUTH_TOKEN: TOKEN,
  FLEXCONV_CONFIG_DIR: configDir,
  FLEXCONV_STATE_DIR: configDir,
  TWILIO_CLI_CONFIG_DIR: configDir,
});
const run = (...args: string[]): Promise<CliResult> => runInProcess([...args, '--target', 'twilio'], {env: ENV()});
const json = (r: CliResult) => JSON.parse(r.stdout) as any;

describe('addresses on real Twilio (nock)', function () {
  this.timeout(20_000);

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), 'flexconv-twilio-'));
  });
  after(() => rmSync(configDir, {recursive: true, force: true}));
  afterEach(() => nock.cleanAll());

  it('uses the enums of the OpenAPI spec', () => {
    const spec = JSON.parse(readFileSync(join(OAI_DIR, SPEC_FILES['conversations/v1']), 'utf8'));
    const s = spec.components.schemas;
    expect([...ADDRESS_TYPES]).to.deep.equal(s.configuration_address_enum_type.enum);
    expect([...AUTO_CREATION_TYPES]).to.deep.equal(s.configuration_address_enum_auto_creation_type.enum);
    const filtersDoc: string = spec.paths[BASE].post.requestBody.content['application/x-www-form-urlencoded'].schema.properties['AutoCreation.WebhookFilters'].description;
    for (const f of WEBHOOK_FILTERS) expect(filtersDoc).to.include(`\`${f}\``);
  });

  describe('create', () => {
    it('POSTs every webhook field, filters as repeated keys, method in the spec spelling', async () => {
      const {seen, reply} = recorder();
      const body = resource({
        type: 'whatsapp',
        address: 'whatsapp:+15551234567',
        auto_creation: {
          enabled: true,
          type: 'webhook',
          conversation_service_sid: IS,
          webhook_url: 'https://example.com/hook',
          webhook_method: 'POST',
          webhook_filters: ['onMessageAdded', 'onConversationUpdated', 'onParticipantAdded'],
        },
      });
      const scope = nock(HOST).post(BASE).reply(reply(201, body));
      const r = await run(
        'addresses', 'create', '--type', 'whatsapp', '--address', 'whatsapp:+15551234567', '--friendly-name', 'Main line',
        '--conversation-service', IS, '--webhook-url', 'https://example.com/hook', '--webhook-method', 'POST',
        '--webhook-filters', 'onMessageAdded,onConversationUpdated', '--webhook-filters', 'onParticipantAdded',
        '--address-country', 'US', '--json',
      );
      expect(r.exitCode, r.stderr).to.equal(0);
      scope.done();
      expect(seen).to.have.length(1);
      expect(seen[0].method).to.equal('POST');
      expect(seen[0].url).to.equal(`${HOST}${BASE}`);
      expect(seen[0].authorization).to.equal(AUTH);
      expect(seen[0].contentType).to.equal('application/x-www-form-urlencoded');
      expect(seen[0].form).to.deep.equal([
        ['Type', 'whatsapp'],
        ['Address', 'whatsapp:+15551234567'],
        ['FriendlyName', 'Main line'],
        ['AutoCreation.Enabled', 'true'],
        ['AutoCreation.Type', 'webhook'],
        ['AutoCreation.ConversationServiceSid', IS],
        ['AutoCreation.WebhookUrl', 'https://example.com/hook'],
        ['AutoCreation.WebhookMethod', 'post'],
        ['AutoCreation.WebhookFilters', 'onMessageAdded'],
        ['AutoCreation.WebhookFilters', 'onConversationUpdated'],
        ['AutoCreation.WebhookFilters', 'onParticipantAdded'],
        ['AddressCountry', 'US'],
      ]);
      expect(json(r)).to.deep.equal(body);
    });

    it('POSTs the studio fields', async () => {
      const {seen, reply} = recorder();
      nock(HOST).post(BASE).reply(reply(201, resource()));
      const r = await run('addresses', 'create', '--type', 'sms', '--address', '+15551234567', '--studio-flow', FW, '--studio-retry-count', '2', '--no-auto-creation');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen[0].form).to.deep.equal([
        ['Type', 'sms'],
        ['Address', '+15551234567'],
        ['AutoCreation.Enabled', 'false'],
        ['AutoCreation.Type', 'studio'],
        ['AutoCreation.StudioFlowSid', FW],
        ['AutoCreation.StudioRetryCount', '2'],
      ]);
      expect(r.stdout).to.match(/Studio flow\s+FW0123456789abcdef0123456789abcdef/);
    });

    it('sends only Type and Address when nothing else is given', async () => {
      const {seen, reply} = recorder();
      nock(HOST).post(BASE).reply(reply(201, resource({type: 'chat', address: 'site', auto_creation: {enabled: false, type: 'default'}})));
      const r = await run('addresses', 'create', '--type', 'chat', '--address', 'site');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen[0].form).to.deep.equal([['Type', 'chat'], ['Address', 'site']]);
      expect(r.stderr).to.contain(`✔ Created address configuration ${IG} (chat site) on Twilio (account ${ACCOUNT})\n`);
    });

    it('the success line names the region when there is one', async () => {
      nock('https://conversations.dublin.ie1.twilio.com').post(BASE).reply(201, resource());
      const r = await runInProcess(['addresses', 'create', '--type', 'sms', '--address', '+15551234567', '--target', 'twilio'], {
        env: {...ENV(), TWILIO_REGION: 'ie1', TWILIO_EDGE: 'dublin'},
      });
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.contain(`on Twilio (account ${ACCOUNT}, region ie1)`);
    });

    it('a 409 becomes ADDRESS_EXISTS with hints, exit 1', async () => {
      nock(HOST).post(BASE).reply(409, twilioError(409, 50353, 'Address configuration already exists'));
      const r = await run('addresses', 'create', '--type', 'sms', '--address', '+15551234567');
      expect(r.exitCode).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.include('ADDRESS_EXISTS (twilio 50353): Address configuration already exists');
      expect(r.stderr).to.include('flexconv addresses get +15551234567');
    });

    it('a 400 20001 becomes INVALID_PARAMETER with the API message, exit 1', async () => {
      nock(HOST).post(BASE).reply(400, twilioError(400, 20001, 'Invalid Address'));
      const r = await run('addresses', 'create', '--type', 'sms', '--address', '+15551234567', '--json');
      expect(r.exitCode).to.equal(1);
      const out = json(r);
      expect(out.error).to.include({code: 'INVALID_PARAMETER', message: 'Invalid Address', exit: 1});
      expect(out.error.twilio).to.deep.equal({code: 20001, status: 400, moreInfo: 'https://www.twilio.com/docs/errors/20001'});
    });

    it('a 401 20003 becomes AUTH_FAILED, exit 1', async () => {
      nock(HOST).post(BASE).reply(401, {...twilioError(401, 20003, 'Authenticate'), detail: 'Your AccountSid or AuthToken was incorrect.'});
      const r = await run('addresses', 'create', '--type', 'sms', '--address', '+15551234567');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.include('AUTH_FAILED (twilio 20003): Authentication failed');
      expect(r.stderr).to.include('flexconv whoami');
    });

    it('bad input is refused before any request (exit 2)', async () => {
      // No interceptor: a request would fail with a nock "no match" error, not a usage error.
      for (const args of [
        ['--type', 'sms', '--address', '555-1234'],
        ['--type', 'fax', '--address', '+15551234567'],
        ['--type', 'sms', '--address', '+15551234567', '--studio-flow', 'FW123'],
        ['--type', 'sms', '--address', '+15551234567', '--webhook-url', 'https://x.example', '--auto-creation-type', 'studio'],
      ]) {
        const r = await run('addresses', 'create', ...args);
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
        expect(r.stderr).to.match(/^✖ USAGE: /);
      }
    });
  });

  describe('list', () => {
    it('follows next_page_url verbatim, stops at --limit and says more exist', async () => {
      const {seen, reply} = recorder();
      const a = [resource({sid: IG, address: '+15550000001'}), resource({sid: IG2, address: '+15550000002'})];
      const b = [resource({sid: 'IG' + '1'.repeat(32), address: '+15550000003'}), resource({sid: 'IG' + '2'.repeat(32), address: '+15550000004'})];
      const next = `${HOST}${BASE}?Type=sms&PageSize=2&Page=1&PageToken=PAabc`;
      const meta = (page: number, url: string, nextUrl: string | null) => ({
        page, page_size: 2, first_page_url: `${HOST}${BASE}?Type=sms&PageSize=2&Page=0`, previous_page_url: null, url, next_page_url: nextUrl, key: 'address_configurations',
      });
      nock(HOST)
        .get(BASE).query({Type: 'sms', PageSize: '2'})
        .reply(reply(200, {address_configurations: a, meta: meta(0, `${HOST}${BASE}?Type=sms&PageSize=2&Page=0`, next)}))
        .get(BASE).query({Type: 'sms', PageSize: '2', Page: '1', PageToken: 'PAabc'})
        .reply(reply(200, {address_configurations: b, meta: meta(1, next, `${HOST}${BASE}?Type=sms&PageSize=2&Page=2&PageToken=PAdef`)}));
      const r = await run('addresses', 'list', '--type', 'sms', '--limit', '3', '--page-size', '2', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen.map((s) => [s.method, s.url, s.authorization])).to.deep.equal([
        ['GET', `${HOST}${BASE}?Type=sms&PageSize=2`, AUTH],
        ['GET', next, AUTH],
      ]);
      expect(json(r)).to.deep.equal([...a, b[0]]);
      expect(r.stderr).to.include('showing 3; more exist — use --limit N or --all');
    });

    it('--all walks to the end; default page size 50; table on stdout', async () => {
      const {seen, reply} = recorder();
      const next = `${HOST}${BASE}?PageSize=50&Page=1&PageToken=PAx`;
      const meta = (url: string, nextUrl: string | null) => ({page: 0, page_size: 50, first_page_url: url, previous_page_url: null, url, next_page_url: nextUrl, key: 'address_configurations'});
      nock(HOST)
        .get(BASE).query({PageSize: '50'})
        .reply(reply(200, {address_configurations: [resource()], meta: meta(`${HOST}${BASE}?PageSize=50&Page=0`, next)}))
        .get(BASE).query({PageSize: '50', Page: '1', PageToken: 'PAx'})
        .reply(reply(200, {address_configurations: [resource({sid: IG2, address: '+15557654321', auto_creation: {enabled: false, type: 'webhook', webhook_url: 'https://e.example/h', webhook_method: 'GET'}})], meta: meta(next, null)}));
      const r = await run('addresses', 'list', '--all');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen.map((s) => s.url)).to.deep.equal([`${HOST}${BASE}?PageSize=50`, next]);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).to.match(/^SID\s+TYPE\s+ADDRESS\s+FRIENDLY NAME\s+AUTO-CREATION\s+ENABLED\s+TARGET$/);
      expect(lines[1]).to.match(new RegExp(`^${IG}\\s+sms\\s+\\+15551234567\\s+Main line\\s+studio\\s+yes\\s+${FW} \\(retries 2\\)$`));
      expect(lines[2]).to.match(/webhook\s+no\s+GET https:\/\/e\.example\/h$/);
      expect(r.stderr).to.equal('');
    });

    it('a 401 on list is AUTH_FAILED, exit 1', async () => {
      nock(HOST).get(BASE).query(true).reply(401, twilioError(401, 20003, 'Authenticate'));
      const r = await run('addresses', 'list', '--json');
      expect(r.exitCode).to.equal(1);
      expect(json(r).error.code).to.equal('AUTH_FAILED');
    });
  });

  describe('get', () => {
    it('GETs by SID', async () => {
      const {seen, reply} = recorder();
      nock(HOST).get(`${BASE}/${IG}`).reply(reply(200, resource()));
      const r = await run('addresses', 'get', IG, '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen).to.deep.equal([{method: 'GET', url: `${HOST}${BASE}/${IG}`, authorization: AUTH, contentType: null, form: []}]);
      expect(json(r)).to.deep.equal(resource());
    });

    it('GETs by address (+ and : stay as they are in the path)', async () => {
      const {seen, reply} = recorder();
      nock(HOST)
        .get(`${BASE}/+15551234567`).reply(reply(200, resource()))
        .get(`${BASE}/whatsapp:+15551234567`).reply(reply(200, resource({type: 'whatsapp', address: 'whatsapp:+15551234567'})));
      expect((await run('addresses', 'get', '+15551234567')).exitCode).to.equal(0);
      expect((await run('addresses', 'get', 'whatsapp:+15551234567')).exitCode).to.equal(0);
      expect(seen.map((s) => s.url)).to.deep.equal([`${HOST}${BASE}/+15551234567`, `${HOST}${BASE}/whatsapp:+15551234567`]);
    });

    it('a 404 20404 becomes NOT_FOUND naming what was looked up, exit 1', async () => {
      nock(HOST).get(`${BASE}/${IG}`).reply(404, twilioError(404, 20404, `The requested resource /Configuration/Addresses/${IG} was not found`));
      const r = await run('addresses', 'get', IG);
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.include(`NOT_FOUND (twilio 20404): No address configuration matches "${IG}"`);
      expect(r.stderr).to.include('flexconv addresses list');
    });
  });

  describe('update', () => {
    it('POSTs only the given fields to the instance URL', async () => {
      const {seen, reply} = recorder();
      nock(HOST).post(`${BASE}/${IG}`).reply(reply(200, resource({friendly_name: 'Renamed'})));
      const r = await run(
        'addresses', 'update', IG, '--friendly-name', 'Renamed', '--auto-creation-type', 'webhook',
        '--webhook-url', 'https://example.com/h2', '--webhook-method', 'get', '--webhook-filters', 'onMessageAdded', '--auto-creation', '--json',
      );
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen).to.have.length(1);
      expect(seen[0]).to.deep.include({method: 'POST', url: `${HOST}${BASE}/${IG}`, authorization: AUTH, contentType: 'application/x-www-form-urlencoded'});
      expect(seen[0].form).to.deep.equal([
        ['FriendlyName', 'Renamed'],
        ['AutoCreation.Enabled', 'true'],
        ['AutoCreation.Type', 'webhook'],
        ['AutoCreation.WebhookUrl', 'https://example.com/h2'],
        ['AutoCreation.WebhookMethod', 'get'],
        ['AutoCreation.WebhookFilters', 'onMessageAdded'],
      ]);
      expect(json(r).friendly_name).to.equal('Renamed');
    });

    it('studio settings without --auto-creation-type: GET to check the type, then POST', async () => {
      const {seen, reply} = recorder();
      nock(HOST)
        .get(`${BASE}/+15551234567`).reply(reply(200, resource()))
        .post(`${BASE}/+15551234567`).reply(reply(200, resource({auto_creation: {enabled: true, type: 'studio', studio_flow_sid: FW, studio_retry_count: 5}})));
      const r = await run('addresses', 'update', '+15551234567', '--studio-retry-count', '5');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen.map((s) => [s.method, s.url, s.form])).to.deep.equal([
        ['GET', `${HOST}${BASE}/+15551234567`, []],
        ['POST', `${HOST}${BASE}/+15551234567`, [['AutoCreation.StudioRetryCount', '5']]],
      ]);
    });

    it('webhook settings for a studio address: usage error after the GET, nothing POSTed', async () => {
      const {seen, reply} = recorder();
      nock(HOST).get(`${BASE}/${IG}`).reply(reply(200, resource()));
      const r = await run('addresses', 'update', IG, '--webhook-url', 'https://example.com/h');
      expect(r.exitCode).to.equal(2);
      expect(seen.map((s) => s.method)).to.deep.equal(['GET']);
      expect(r.stderr).to.include(`--webhook-url only applies to auto-creation type webhook, but ${IG} has auto-creation type studio`);
    });

    it('--auto-creation-type webhook without --webhook-url on a studio address: usage error after the GET, nothing POSTed', async () => {
      const {seen, reply} = recorder();
      nock(HOST).get(`${BASE}/${IG}`).reply(reply(200, resource()));
      const r = await run('addresses', 'update', IG, '--auto-creation-type', 'webhook');
      expect(r.exitCode, r.stderr).to.equal(2);
      expect(seen.map((s) => s.method)).to.deep.equal(['GET']);
      expect(r.stderr).to.include(`✖ USAGE: Auto-creation type webhook needs --webhook-url: ${IG} has no webhook URL stored (its type is studio)`);
      expect(r.stderr).to.include('--webhook-url https://');
    });

    it('--auto-creation-type webhook without --webhook-url when a URL is stored: GET, then POST', async () => {
      const {seen, reply} = recorder();
      const hooked = resource({auto_creation: {enabled: true, type: 'webhook', webhook_url: 'https://example.com/kept', webhook_method: 'POST'}});
      nock(HOST).get(`${BASE}/${IG}`).reply(reply(200, hooked)).post(`${BASE}/${IG}`).reply(reply(200, hooked));
      const r = await run('addresses', 'update', IG, '--auto-creation-type', 'webhook', '--auto-creation');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen.map((s) => [s.method, s.form])).to.deep.equal([
        ['GET', []],
        ['POST', [['AutoCreation.Enabled', 'true'], ['AutoCreation.Type', 'webhook']]],
      ]);
      expect(r.stderr).to.include(`✔ Updated address configuration ${IG} (sms +15551234567) on Twilio (account ${ACCOUNT})`);
    });

    it('a 400 20001 from the API is exit 1 with its message', async () => {
      nock(HOST).post(`${BASE}/${IG}`).reply(400, twilioError(400, 20001, 'Invalid parameter: AutoCreation.ConversationServiceSid'));
      const r = await run('addresses', 'update', IG, '--conversation-service', IS);
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.include('INVALID_PARAMETER (twilio 20001): Invalid parameter: AutoCreation.ConversationServiceSid');
    });

    it('a 404 is NOT_FOUND, exit 1', async () => {
      nock(HOST).post(`${BASE}/${IG}`).reply(404, twilioError(404, 20404, 'not found'));
      const r = await run('addresses', 'update', IG, '--friendly-name', 'x');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.include('NOT_FOUND');
    });
  });

  describe('delete', () => {
    it('--yes: GET (what is deleted), then DELETE by SID', async () => {
      const {seen, reply} = recorder();
      nock(HOST)
        .get(`${BASE}/+15551234567`).reply(reply(200, resource()))
        .delete(`${BASE}/${IG}`).reply(reply(204, ''));
      const r = await run('addresses', 'delete', '+15551234567', '--yes', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen.map((s) => [s.method, s.url, s.authorization])).to.deep.equal([
        ['GET', `${HOST}${BASE}/+15551234567`, AUTH],
        ['DELETE', `${HOST}${BASE}/${IG}`, AUTH],
      ]);
      expect(json(r)).to.deep.equal(resource());
    });

    it('the success line names Twilio and the account', async () => {
      nock(HOST).get(`${BASE}/${IG}`).reply(200, resource()).delete(`${BASE}/${IG}`).reply(204, '');
      const r = await run('addresses', 'delete', IG, '--yes');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.equal(`✔ Deleted address configuration ${IG} (sms +15551234567, "Main line") on Twilio (account ${ACCOUNT})\n`);
    });

    it('--dry-run: only the GET', async () => {
      const {seen, reply} = recorder();
      nock(HOST).get(`${BASE}/${IG}`).reply(reply(200, resource()));
      const r = await run('addresses', 'delete', IG, '--dry-run');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(seen.map((s) => s.method)).to.deep.equal(['GET']);
      expect(r.stderr).to.include(`Dry run: would delete address configuration ${IG}`);
    });

    it('a 404 is NOT_FOUND, exit 1', async () => {
      nock(HOST).get(`${BASE}/${IG}`).reply(404, twilioError(404, 20404, 'not found'));
      const r = await run('addresses', 'delete', IG, '--yes');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.include(`No address configuration matches "${IG}"`);
    });

    it('a 404 on the DELETE itself (gone in between) is NOT_FOUND, exit 1', async () => {
      nock(HOST)
        .get(`${BASE}/${IG}`).reply(200, resource())
        .delete(`${BASE}/${IG}`).reply(404, twilioError(404, 20404, 'not found'));
      const r = await run('addresses', 'delete', IG, '--yes');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.include('NOT_FOUND (twilio 20404)');
    });
  });
});
