/**
 * `flexconv doctor` on real Twilio (nock): the checks that need the real target — a number whose
 * Messaging webhook (SmsUrl) would handle messages a second time, Studio flows that are missing or
 * lack Send to Flex, a Standard API key told apart from a Main one — and the requests doctor
 * sends (GETs and a HEAD per webhook URL only: doctor changes nothing).
 */
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import nock from 'nock';
import {runInProcess} from '../helpers/cli.js';

const AC = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const SK = 'SK0123456789abcdef0123456789abcdef';
const WS = 'WS0123456789abcdef0123456789abcdef';
const WW = 'WW0123456789abcdef0123456789abcdef';
const IS = 'IS0123456789abcdef0123456789abcdef';
const IS_GONE = 'ISdeaddeaddeaddeaddeaddeaddeaddead';
const FW = 'FW0123456789abcdef0123456789abcdef';
const FW_PLAIN = 'FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const FW_GONE = 'FWdeaddeaddeaddeaddeaddeaddeaddead';
const NUMBER = '+15551234567';

const twilioError = (status: number, code: number, message: string) => ({code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status});
const meta = (key: string, url: string) => ({page: 0, page_size: 50, first_page_url: url, previous_page_url: null, url, next_page_url: null, key});

let seen: {method: string; url: string}[] = [];
const answer =
  (status: number, body: unknown) =>
  async (req: Request): Promise<[number, unknown]> => {
    seen.push({method: req.method, url: req.url});
    return [status, body];
  };

const address = (sid: string, over: Record<string, unknown>) => ({
  sid,
  account_sid: AC,
  type: 'sms',
  address: NUMBER,
  friendly_name: null,
  auto_creation: {enabled: true, type: 'studio', conversation_service_sid: IS, studio_flow_sid: FW, studio_retry_count: 3},
  date_created: '2026-12-01T00:00:00Z',
  date_updated: '2026-12-01T00:00:00Z',
  url: `https://conversations.twilio.com/v1/Configuration/Addresses/${sid}`,
  address_country: null,
  ...over,
});

const flow = (sid: string, types: string[]) => ({
  sid,
  account_sid: AC,
  friendly_name: `flow ${sid.slice(0, 6)}`,
  status: 'published',
  revision: 1,
  definition: {initial_state: 'Trigger', states: types.map((type, i) => ({name: `s${i}`, type, transitions: [], properties: {}}))},
  valid: true,
  errors: [],
  warnings: [],
  url: `https://studio.twilio.com/v2/Flows/${sid}`,
});

/** An account with Flex, the given address configurations, and the number's SmsUrl. */
function account(opts: {addresses: Record<string, unknown>[]; smsUrl?: string; postWebhook?: string}) {
  nock('https://flex-api.twilio.com')
    .persist()
    .get('/v1/Configuration')
    .reply(answer(200, {account_sid: AC, status: 'ok', taskrouter_workspace_sid: WS, taskrouter_target_workflow_sid: WW, chat_service_instance_sid: IS, url: 'https://flex-api.twilio.com/v1/Configuration'}));
  const conv = 'https://conversations.twilio.com';
  nock(conv)
    .persist()
    .get('/v1/Configuration/Addresses')
    .query(true)
    .reply(answer(200, {address_configurations: opts.addresses, meta: meta('address_configurations', `${conv}/v1/Configuration/Addresses`)}))
    .get('/v1/Services')
    .query(true)
    .reply(answer(200, {services: [{sid: IS, account_sid: AC, friendly_name: 'Flex Chat Service'}], meta: meta('services', `${conv}/v1/Services`)}))
    .get('/v1/Conversations')
    .query(true)
    .reply(answer(200, {conversations: [], meta: meta('conversations', `${conv}/v1/Conversations`)}))
    .get('/v1/Configuration/Webhooks')
    .reply(answer(200, {account_sid: AC, method: 'POST', filters: [], pre_webhook_url: null, post_webhook_url: opts.postWebhook ?? null, target: 'webhook', url: `${conv}/v1/Configuration/Webhooks`}));
  // the orphans check: the Flex workspace's tasks and workers (none), then the open conversations (none)
  const tr = `https://taskrouter.twilio.com/v1/Workspaces/${WS}`;
  nock('https://taskrouter.twilio.com')
    .persist()
    .get(`/v1/Workspaces/${WS}/Tasks`)
    .query(true)
    .reply(answer(200, {tasks: [], meta: meta('tasks', `${tr}/Tasks`)}))
    .get(`/v1/Workspaces/${WS}/Workers`)
    .query(true)
    .reply(answer(200, {workers: [], meta: meta('workers', `${tr}/Workers`)}));
  nock('https://studio.twilio.com')
    .persist()
    .get('/v2/Flows')
    .query(true)
    .reply(answer(200, {flows: [], meta: meta('flows', 'https://studio.twilio.com/v2/Flows')}))
    .get(`/v2/Flows/${FW}`)
    .reply(answer(200, flow(FW, ['trigger', 'send-to-flex'])))
    .get(`/v2/Flows/${FW_PLAIN}`)
    .reply(answer(200, flow(FW_PLAIN, ['trigger', 'send-message'])))
    .get(`/v2/Flows/${FW_GONE}`)
    .reply(answer(404, twilioError(404, 20404, `The requested resource /Flows/${FW_GONE} was not found`)));
  nock('https://api.twilio.com')
    .persist()
    .get(`/2010-04-01/Accounts/${AC}/IncomingPhoneNumbers.json`)
    .query(true)
    .reply(
      answer(200, {
        incoming_phone_numbers: [{sid: 'PN0123456789abcdef0123456789abcdef', account_sid: AC, phone_number: NUMBER, sms_url: opts.smsUrl ?? '', friendly_name: 'main'}],
        start: 0,
        end: 0,
        page: 0,
        page_size: 50,
        uri: `/2010-04-01/Accounts/${AC}/IncomingPhoneNumbers.json`,
        next_page_uri: null,
      }),
    );
}

let dir: string;
const run = (env: Record<string, string> = {}, ...args: string[]) =>
  runInProcess(['doctor', '--target', 'twilio', '--json', ...args], {
    env: {TWILIO_ACCOUNT_SID: AC, TWILIO_AUTH_TOKEN: TOKEN, FLEXCONV_CONFIG_DIR: dir, FLEXCONV_STATE_DIR: dir, TWILIO_CLI_CONFIG_DIR: dir, HOME: dir, ...env},
  });
type Report = {ok: boolean; checks: {id: string; status: string; detail: string; fix?: string[]}[]};
const report = (stdout: string) => JSON.parse(stdout) as Report;
const byId = (r: Report, id: string) => r.checks.filter((c) => c.id === id);

describe('doctor on real Twilio (nock)', function () {
  this.timeout(30_000);
  beforeEach(() => {
    seen = [];
    dir = mkdtempSync(join(tmpdir(), 'flexconv-twilio-doctor-'));
  });
  afterEach(() => {
    nock.cleanAll();
    rmSync(dir, {recursive: true, force: true});
  });

  it('a healthy account: every check ok, exit 0; only GETs and HEADs were sent', async () => {
    account({addresses: [address('IG0123456789abcdef0123456789abcdef', {})], postWebhook: 'https://hooks.example.com/post'});
    nock('https://hooks.example.com').head('/post').reply(answer(200, ''));
    const r = await run();
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    const rep = report(r.stdout);
    expect(rep.ok).to.equal(true);
    expect(rep.checks.find((c) => c.id === 'emulator')).to.deep.include({status: 'skip', detail: 'the target is Twilio'});
    expect(rep.checks.find((c) => c.id === 'auth')?.detail).to.contain('the Auth Token: full access');
    expect(rep.checks.find((c) => c.id === 'addresses')).to.deep.include({status: 'ok'});
    expect(rep.checks.find((c) => c.id === 'webhooks')?.detail).to.contain('https://hooks.example.com/post (Conversations post-event webhook): HTTP 200');
    expect(new Set(seen.map((s) => s.method))).to.deep.equal(new Set(['GET', 'HEAD']));
    expect(seen.map((s) => s.url)).to.include(`https://studio.twilio.com/v2/Flows/${FW}`);
    expect(seen.some((s) => s.url.startsWith(`https://api.twilio.com/2010-04-01/Accounts/${AC}/IncomingPhoneNumbers.json?PhoneNumber=%2B15551234567`))).to.equal(true);
  });

  it('a number that also has a Messaging webhook (SmsUrl): double handling is a failure, with the fix', async () => {
    account({addresses: [address('IG0123456789abcdef0123456789abcdef', {})], smsUrl: 'https://legacy.example.com/sms'});
    const r = await run();
    expect(r.exitCode).to.equal(1);
    const [c] = byId(report(r.stdout), 'address:IG0123456789abcdef0123456789abcdef');
    expect(c.status).to.equal('fail');
    expect(c.detail).to.contain(`the number ${NUMBER} also has a Messaging webhook (SmsUrl https://legacy.example.com/sms)`);
    expect(c.fix?.[0]).to.contain('"A message comes in" webhook');
  });

  it('a missing Studio flow, a flow without Send to Flex, a missing service: one failure each', async () => {
    account({
      addresses: [
        address('IGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', {address: '+15550000001', auto_creation: {enabled: true, type: 'studio', studio_flow_sid: FW_GONE}}),
        address('IGbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', {address: '+15550000002', auto_creation: {enabled: true, type: 'studio', studio_flow_sid: FW_PLAIN}}),
        address('IGcccccccccccccccccccccccccccccccc', {type: 'chat', address: 'site', auto_creation: {enabled: true, type: 'default', conversation_service_sid: IS_GONE}}),
      ],
    });
    const r = await run();
    expect(r.exitCode).to.equal(1);
    const rep = report(r.stdout);
    expect(byId(rep, 'address:IGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')[0]).to.deep.include({status: 'fail', detail: `its Studio flow ${FW_GONE} does not exist`});
    expect(byId(rep, 'address:IGbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')[0].detail).to.contain(`its Studio flow ${FW_PLAIN} ("flow FWaaaa") has no Send to Flex widget`);
    expect(byId(rep, 'address:IGcccccccccccccccccccccccccccccccc')[0]).to.deep.include({status: 'fail', detail: `its conversation service ${IS_GONE} does not exist`});
    expect(rep.checks.filter((c) => c.status === 'fail')).to.have.length(3);
  });

  it('a webhook URL that answers 5xx fails, naming the status', async () => {
    account({addresses: [address('IG0123456789abcdef0123456789abcdef', {auto_creation: {enabled: true, type: 'webhook', webhook_url: 'https://slow.example.com/hook', webhook_method: 'POST', webhook_filters: []}})]});
    nock('https://slow.example.com').head('/hook').reply(503, '');
    const r = await run();
    expect(r.exitCode).to.equal(1);
    const [c] = byId(report(r.stdout), 'webhooks');
    expect(c).to.deep.include({status: 'fail'});
    expect(c.detail).to.contain(`https://slow.example.com/hook (address ${NUMBER}): HTTP 503`);
  });

  it('an API key: a Standard key (the account GET refused) [unverified: the status Twilio answers a Standard key on /Accounts] is reported as such', async () => {
    account({addresses: []});
    nock('https://api.twilio.com').get(`/2010-04-01/Accounts/${AC}.json`).reply(answer(401, twilioError(401, 20003, 'Authenticate')));
    const r = await run({TWILIO_AUTH_TOKEN: '', TWILIO_API_KEY: SK, TWILIO_API_SECRET: 'sec'});
    const rep = report(r.stdout);
    expect(rep.checks.find((c) => c.id === 'credentials')?.detail).to.contain(`API key ${SK} (env TWILIO_API_KEY)`);
    expect(rep.checks.find((c) => c.id === 'auth')?.detail).to.contain('a Standard API key');
    expect(rep.checks.find((c) => c.id === 'addresses')).to.deep.include({status: 'warn'});
  });

  it('credentials Twilio refuses: the auth check fails (AUTH_FAILED) and the rest is skipped', async () => {
    nock('https://flex-api.twilio.com').get('/v1/Configuration').reply(answer(401, twilioError(401, 20003, 'Authenticate')));
    const r = await run();
    expect(r.exitCode).to.equal(1);
    const rep = report(r.stdout);
    expect(rep.checks.find((c) => c.id === 'auth')).to.deep.include({status: 'fail'});
    expect(rep.checks.find((c) => c.id === 'auth')?.detail).to.contain(`AUTH_FAILED: The API refused the Auth Token for account ${AC}`);
    for (const id of ['flex-setup', 'addresses', 'webhooks']) expect(rep.checks.find((c) => c.id === id)?.status, id).to.equal('skip');
    expect(seen).to.have.length(1);
  });
});
