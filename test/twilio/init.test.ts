/**
 * The real-Twilio path of `flexconv init`, non-interactively (the prompts are covered in a
 * pseudo-terminal by test/commands/init.test.ts): the CLI runs in this process, nock stands in
 * for *.twilio.com, and each test asserts the requests the SDK sent — and that nothing is sent
 * or saved that the run did not report.
 */
import {expect} from 'chai';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import nock from 'nock';
import {runInProcess, type CliResult} from '../helpers/cli.js';

const AC = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const SK = 'SK0123456789abcdef0123456789abcdef';
const NEW_SK = 'SKfedcba9876543210fedcba9876543210';
const NEW_SECRET = 'new-key-secret-VWXYZ';
const WS = 'WS0123456789abcdef0123456789abcdef';
const WS2 = 'WSfedcba9876543210fedcba9876543210';
const WW = 'WW0123456789abcdef0123456789abcdef';
const TC = 'TC0123456789abcdef0123456789abcdef';
const IS = 'IS0123456789abcdef0123456789abcdef';
const FW = 'FW0123456789abcdef0123456789abcdef';
const IG = 'IG0123456789abcdef0123456789abcdef';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  form: Record<string, string>;
}

/** Every request any scope answered, in order. */
let seen: Seen[] = [];
const answer =
  (status: number, body: unknown) =>
  async (req: Request): Promise<[number, unknown]> => {
    const text = await req.text();
    seen.push({method: req.method, url: req.url, authorization: req.headers.get('authorization'), form: Object.fromEntries(new URLSearchParams(text))});
    return [status, body];
  };

const meta = (key: string, url: string) => ({page: 0, page_size: 50, first_page_url: url, previous_page_url: null, url, next_page_url: null, key});
const twilioError = (status: number, code: number, message: string) => ({code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status});

const flexConfiguration = {
  account_sid: AC,
  status: 'ok',
  taskrouter_workspace_sid: WS,
  taskrouter_target_workflow_sid: WW,
  chat_service_instance_sid: IS,
  flex_service_instance_sid: IS,
  url: 'https://flex-api.twilio.com/v1/Configuration',
};

/** The account's Flex setup as Twilio lists it (one workspace, workflow and service; two task channels). */
function flexAccount(opts: {flex?: boolean; workspaces?: string[]} = {}) {
  const tr = 'https://taskrouter.twilio.com/v1/Workspaces';
  const spaces = (opts.workspaces ?? [WS]).map((sid, i) => ({sid, account_sid: AC, friendly_name: i ? `Other ${i}` : 'Flex Task Assignment', url: `${tr}/${sid}`}));
  nock('https://flex-api.twilio.com')
    .get('/v1/Configuration')
    .reply(answer(opts.flex === false ? 404 : 200, opts.flex === false ? twilioError(404, 20404, 'The requested resource /Configuration was not found') : flexConfiguration));
  nock('https://taskrouter.twilio.com')
    .get('/v1/Workspaces')
    .query(true)
    .reply(answer(200, {workspaces: spaces, meta: meta('workspaces', tr)}))
    .get(`/v1/Workspaces/${WS}/Workflows`)
    .query(true)
    .reply(answer(200, {workflows: [{sid: WW, workspace_sid: WS, friendly_name: 'Assign to Anyone'}], meta: meta('workflows', `${tr}/${WS}/Workflows`)}))
    .get(`/v1/Workspaces/${WS}/TaskChannels`)
    .query(true)
    .reply(
      answer(200, {
        channels: [
          {sid: 'TCaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', workspace_sid: WS, friendly_name: 'Default', unique_name: 'default'},
          {sid: TC, workspace_sid: WS, friendly_name: 'Chat', unique_name: 'chat'},
        ],
        meta: meta('channels', `${tr}/${WS}/TaskChannels`),
      }),
    );
  nock('https://conversations.twilio.com')
    .get('/v1/Services')
    .query(true)
    .reply(answer(200, {services: [{sid: IS, account_sid: AC, friendly_name: 'Flex Chat Service'}], meta: meta('services', 'https://conversations.twilio.com/v1/Services')}));
}

const address = (over: Record<string, unknown> = {}) => ({
  sid: IG,
  account_sid: AC,
  type: 'whatsapp',
  address: 'whatsapp:+15551234567',
  friendly_name: 'flexconv init',
  auto_creation: {enabled: true, type: 'studio', conversation_service_sid: IS, studio_flow_sid: FW, studio_retry_count: 3},
  date_created: '2026-12-01T00:00:00Z',
  date_updated: '2026-12-01T00:00:00Z',
  url: `https://conversations.twilio.com/v1/Configuration/Addresses/${IG}`,
  address_country: null,
  ...over,
});

let root: string;
let dir: string;
const env = () => ({FLEXCONV_CONFIG_DIR: join(root, 'config'), FLEXCONV_STATE_DIR: join(root, 'state'), TWILIO_CLI_CONFIG_DIR: join(root, 'tc'), HOME: root});
const run = (...args: string[]): Promise<CliResult> => runInProcess(['init', '--dir', dir, ...args], {env: env()});
const profilesFile = () => join(root, 'config', 'profiles.json');
const configFile = () => join(dir, 'flexconv.config.yaml');
const TWILIO = ['--no-interactive', '--target', 'twilio', '--account-sid', AC];

describe('init on real Twilio (nock)', function () {
  this.timeout(30_000);
  beforeEach(() => {
    seen = [];
    root = mkdtempSync(join(tmpdir(), 'flexconv-twilio-init-'));
    dir = join(root, 'project');
    mkdirSync(dir);
  });
  afterEach(() => {
    nock.cleanAll();
    rmSync(root, {recursive: true, force: true});
  });

  it('Auth Token → a new Standard API key saved instead; the starter flow deployed [unverified: the attributes of Flex\'s own messaging template]; a WhatsApp address on it; the config written', async () => {
    flexAccount();
    nock('https://iam.twilio.com').post('/v1/Keys').reply(answer(201, {sid: NEW_SK, friendly_name: 'flexconv init', date_created: null, date_updated: null, secret: NEW_SECRET, policy: null}));
    nock('https://studio.twilio.com')
      .get('/v2/Flows')
      .query(true)
      .reply(answer(200, {flows: [], meta: meta('flows', 'https://studio.twilio.com/v2/Flows')}))
      .post('/v2/Flows')
      .reply(answer(200, {sid: FW, account_sid: AC, friendly_name: 'flexconv starter: Send to Flex', status: 'published', revision: 1, definition: {}, valid: true, errors: [], warnings: []}));
    nock('https://conversations.twilio.com').post('/v1/Configuration/Addresses').reply(answer(201, address()));

    const r = await run(...TWILIO, '--auth-token', TOKEN, '--create-api-key', '--profile', 'prod', '--address-type', 'whatsapp', '--address', 'whatsapp:+15551234567', '--auto-creation-type', 'studio', '--studio-flow', 'new', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(nock.pendingMocks()).to.deep.equal([]);

    // the credentials were checked first, with the token
    expect(seen[0]).to.deep.include({method: 'GET', url: 'https://flex-api.twilio.com/v1/Configuration', authorization: basic(AC, TOKEN)});
    const post = (host: string) => seen.filter((s) => s.method === 'POST' && s.url.startsWith(host));
    const [key] = post('https://iam.twilio.com/v1/Keys');
    expect(key.form.AccountSid).to.equal(AC);
    expect(key.form.FriendlyName).to.match(/^flexconv init /);
    const [flow] = post('https://studio.twilio.com/v2/Flows');
    expect(flow.form).to.deep.include({FriendlyName: 'flexconv starter: Send to Flex', Status: 'published', CommitMessage: 'flexconv init'});
    const definition = JSON.parse(flow.form.Definition);
    const widget = definition.states.find((s: {type: string}) => s.type === 'send-to-flex');
    expect(widget.properties).to.deep.include({workflow: WW, channel: TC});
    expect(definition.states[0].transitions).to.deep.include({event: 'incomingConversationMessage', next: 'send_to_flex'});
    const [addr] = post('https://conversations.twilio.com/v1/Configuration/Addresses');
    expect(addr.form).to.deep.equal({
      Type: 'whatsapp',
      Address: 'whatsapp:+15551234567',
      FriendlyName: 'flexconv init',
      'AutoCreation.Enabled': 'true',
      'AutoCreation.Type': 'studio',
      'AutoCreation.ConversationServiceSid': IS,
      'AutoCreation.StudioFlowSid': FW,
    });
    // the order: key, then flow, then address; no other change
    expect(seen.filter((s) => s.method !== 'GET').map((s) => new URL(s.url).host)).to.deep.equal(['iam.twilio.com', 'studio.twilio.com', 'conversations.twilio.com']);

    // the profile holds the key, not the token, mode 0600, and is not made active (the config names it)
    const saved = JSON.parse(readFileSync(profilesFile(), 'utf8'));
    expect(saved.profiles.prod).to.deep.equal({accountSid: AC, apiKey: NEW_SK, apiSecret: NEW_SECRET});
    expect(saved.active).to.equal(undefined);
    expect(statSync(profilesFile()).mode & 0o777).to.equal(0o600);
    const text = readFileSync(configFile(), 'utf8');
    expect(text).to.contain('\ntarget: twilio\n').and.contain('\nprofile: prod\n').and.contain(`\nworkflow: ${WW}\n`).and.contain(`\naddress: ${IG}\n`);
    expect(text).not.to.contain(TOKEN).and.not.to.contain(NEW_SECRET);

    const j = JSON.parse(r.stdout);
    expect(j).to.deep.include({target: 'twilio', account_sid: AC, api_key_created: NEW_SK, config_action: 'written'});
    expect(j.profile).to.deep.include({name: 'prod', action: 'added'});
    expect(j.studio_flow).to.deep.equal({sid: FW, friendly_name: 'flexconv starter: Send to Flex', deployed: true});
    expect(j.credentials).to.contain('Auth Token');
    expect(r.stdout + r.stderr).not.to.contain(TOKEN).and.not.to.contain(NEW_SECRET);
    expect(j.changes).to.have.length(5);
    for (const [i, start] of [`created API key ${NEW_SK}`, 'added profile prod in ', `deployed Studio flow ${FW}`, `created the whatsapp address whatsapp:+15551234567 (${IG})`, 'wrote '].entries())
      expect(j.changes[i]).to.contain(start);
  });

  it('refused credentials: AUTH_FAILED (exit 1) before anything is saved or changed', async () => {
    nock('https://flex-api.twilio.com').get('/v1/Configuration').reply(answer(401, twilioError(401, 20003, 'Authenticate')));
    const r = await run(...TWILIO, '--auth-token', 'wrong', '--create-api-key');
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.contain(`AUTH_FAILED (twilio 20003): The API refused the Auth Token for account ${AC}`);
    expect(seen.map((s) => s.method)).to.deep.equal(['GET']);
    expect(existsSync(profilesFile())).to.equal(false);
    expect(existsSync(configFile())).to.equal(false);
  });

  it('a failure while applying: local files put back, every remote change named with its undo (exit 1)', async () => {
    flexAccount();
    nock('https://iam.twilio.com').post('/v1/Keys').reply(answer(201, {sid: NEW_SK, friendly_name: 'x', secret: NEW_SECRET}));
    nock('https://studio.twilio.com')
      .get('/v2/Flows')
      .query(true)
      .reply(answer(200, {flows: [], meta: meta('flows', 'https://studio.twilio.com/v2/Flows')}))
      .post('/v2/Flows')
      .reply(answer(200, {sid: FW, friendly_name: 'flexconv starter: Send to Flex', status: 'published', definition: {}}));
    nock('https://conversations.twilio.com').post('/v1/Configuration/Addresses').reply(answer(409, twilioError(409, 50353, 'Address configuration already exists')));
    const r = await run(...TWILIO, '--auth-token', TOKEN, '--create-api-key', '--address-type', 'sms', '--address', '+15551234567', '--auto-creation-type', 'studio', '--studio-flow', 'new');
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.contain('ADDRESS_EXISTS (twilio 50353)');
    expect(r.stderr).to.contain('profiles.json and the project config are as they were; these changes on the target stay:');
    expect(r.stderr).to.contain(`created API key ${NEW_SK} — it stays; to undo:`);
    expect(r.stderr).to.contain(`deployed Studio flow ${FW} ("flexconv starter: Send to Flex") — it stays; to undo:`);
    expect(existsSync(profilesFile()), 'the profile saved before the failure is removed again').to.equal(false);
    expect(existsSync(configFile())).to.equal(false);
  });

  it('an API key: a Standard key is told apart (the account GET is refused) [unverified: the status Twilio answers a Standard key on /Accounts], nothing is created', async () => {
    flexAccount();
    nock('https://api.twilio.com').get(`/2010-04-01/Accounts/${AC}.json`).reply(answer(401, twilioError(401, 20003, 'Authenticate')));
    const r = await run(...TWILIO, '--api-key', SK, '--api-secret', 'sec-ret', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    const j = JSON.parse(r.stdout);
    expect(j.credentials).to.contain('a Standard API key');
    expect(j.api_key_created).to.equal(null);
    expect(j.address).to.equal(null);
    expect(seen.every((s) => s.method === 'GET')).to.equal(true);
    expect(seen[0].authorization).to.equal(basic(SK, 'sec-ret'));
    expect(JSON.parse(readFileSync(profilesFile(), 'utf8')).profiles.default).to.deep.equal({accountSid: AC, apiKey: SK, apiSecret: 'sec-ret'});
  });

  it('no Flex Configuration and two workspaces: --workspace is named as missing, with the choices (exit 2), nothing saved', async () => {
    flexAccount({flex: false, workspaces: [WS, WS2]});
    const r = await run(...TWILIO, '--auth-token', TOKEN);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain(`Missing --workspace (one of: Flex Task Assignment (${WS}), Other 1 (${WS2}))`);
    expect(seen.every((s) => s.method === 'GET')).to.equal(true);
    expect(existsSync(profilesFile())).to.equal(false);
  });

  it('re-run on the configured project keeps the profile and the Flex setup; only GETs are sent', async () => {
    flexAccount();
    const first = await run(...TWILIO, '--auth-token', TOKEN, '--profile', 'prod');
    expect(first.exitCode, first.stderr).to.equal(0);
    const before = readFileSync(configFile(), 'utf8');
    seen = [];
    flexAccount();
    // the project's own profile (token) is used as it is: no key is created, nothing is asked
    const again = await runInProcess(['init', '--dir', dir, '--no-interactive', '--json'], {env: env()});
    expect(again.exitCode, again.stderr).to.equal(0);
    const j = JSON.parse(again.stdout);
    expect(j).to.deep.include({config_action: 'unchanged', changes: []});
    expect(j.profile).to.deep.include({name: 'prod', action: 'kept'});
    expect(seen.every((s) => s.method === 'GET')).to.equal(true);
    expect(seen[0].authorization).to.equal(basic(AC, TOKEN));
    expect(readFileSync(configFile(), 'utf8')).to.equal(before);
  });
});
