/**
 * Config and credential resolution, in process: resolveContext(flags, env, cwd) with temp dirs for
 * FLEXCONV_CONFIG_DIR (profiles), FLEXCONV_STATE_DIR (emulator record), TWILIO_CLI_CONFIG_DIR
 * and a temp cwd holding the project config. The env is always passed explicitly, so the test
 * runner's own TWILIO_* variables can't leak in.
 */
import {mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {expect} from 'chai';
import {DEFAULT_ACCOUNT} from '../../src/lib/emulator/defaults.js';
import {FlexconvError} from '../../src/lib/errors.js';
import {findJsonSyntaxError} from '../../src/lib/config/json.js';
import {ProfileStore, listProfiles, type Profile} from '../../src/lib/config/profiles.js';
import {loadProjectConfig} from '../../src/lib/config/project.js';
import {resolveContext, type TargetFlags} from '../../src/lib/config/resolve.js';
import {describeContext} from '../../src/lib/flows/whoami.js';

const sid = (prefix: string, n: number | string) => `${prefix}${String(n).repeat(32)}`;
const AC = {flag: sid('AC', 1), env: sid('AC', 2), config: sid('AC', 3), profile: sid('AC', 4), cli: sid('AC', 5)};
const SK = {env: sid('SK', 6), profile: sid('SK', 7), cli: sid('SK', 8)};

let root: string;
let cwd: string;
let env: NodeJS.ProcessEnv;

function saveProfiles(profiles: Record<string, Profile>, active?: string): void {
  new ProfileStore(env).save({active, profiles});
}

function twilioCli(config: unknown): void {
  writeFileSync(join(env.TWILIO_CLI_CONFIG_DIR!, 'config.json'), JSON.stringify(config));
}

function projectFile(name: string, text: string): string {
  const path = join(cwd, name);
  writeFileSync(path, text);
  return path;
}

const resolve = (flags: TargetFlags = {}, extraEnv: NodeJS.ProcessEnv = {}) => resolveContext(flags, {...env, ...extraEnv}, cwd);

async function rejection(p: Promise<unknown>): Promise<FlexconvError> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(FlexconvError);
    return error as FlexconvError;
  }
  expect.fail('expected a FlexconvError');
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'flexconv-config-'));
  cwd = join(root, 'project');
  mkdirSync(cwd);
  mkdirSync(join(root, 'twilio-cli'));
  // Only what these tests set: nothing from the runner's environment.
  env = {
    FLEXCONV_CONFIG_DIR: join(root, 'config'),
    FLEXCONV_STATE_DIR: join(root, 'state'),
    TWILIO_CLI_CONFIG_DIR: join(root, 'twilio-cli'),
  };
});

afterEach(() => rmSync(root, {recursive: true, force: true}));

describe('config: resolveContext precedence (flags > env > project config > profile)', () => {
  beforeEach(() => {
    saveProfiles(
      {main: {accountSid: AC.profile, authToken: 'profile-token-0004', region: 'au1', edge: 'sydney'}},
      'main',
    );
  });

  it('takes each field from the highest layer that sets it, and says where from', async () => {
    const cfg = projectFile(
      'flexconv.config.yaml',
      `accountSid: ${AC.config}\nauthToken: config-token-0003\nregion: ie1\n`,
    );
    const ctx = await resolve(
      {'account-sid': AC.flag},
      {TWILIO_ACCOUNT_SID: AC.env, TWILIO_AUTH_TOKEN: 'env-token-0002'},
    );
    expect(ctx.target).to.equal('twilio');
    expect(ctx.accountSid).to.equal(AC.flag);
    expect(ctx.authToken).to.equal('env-token-0002');
    expect(ctx.region).to.equal('ie1');
    expect(ctx.edge).to.equal('sydney');
    expect(ctx.sources.accountSid).to.deep.equal({from: 'flag', detail: '--account-sid'});
    expect(ctx.sources.authToken).to.deep.equal({from: 'env', detail: 'TWILIO_AUTH_TOKEN'});
    expect(ctx.sources.region).to.deep.equal({from: 'config', detail: cfg});
    expect(ctx.sources.edge).to.deep.equal({from: 'profile', detail: 'main'});
    expect(ctx.profile).to.equal('main');
    expect(ctx.configFile).to.equal(cfg);
    expect(ctx.baseUrl).to.equal('https://{domain}.sydney.ie1.twilio.com');
  });

  it('falls through flag → env → config → profile for one field as layers are taken away', async () => {
    projectFile('flexconv.config.json', JSON.stringify({accountSid: AC.config}));
    const all = {flags: {'account-sid': AC.flag}, env: {TWILIO_ACCOUNT_SID: AC.env}};
    expect((await resolve(all.flags, all.env)).accountSid).to.equal(AC.flag);
    expect((await resolve({}, all.env)).accountSid).to.equal(AC.env);
    expect((await resolve({}, {})).accountSid).to.equal(AC.config);
    rmSync(join(cwd, 'flexconv.config.json'));
    const ctx = await resolve({}, {});
    expect(ctx.accountSid).to.equal(AC.profile);
    expect(ctx.sources.accountSid).to.deep.equal({from: 'profile', detail: 'main'});
  });

  it('treats empty flags and variables as unset', async () => {
    const ctx = await resolve({'account-sid': ''}, {TWILIO_ACCOUNT_SID: '', FLEXCONV_PROFILE: ''});
    expect(ctx.accountSid).to.equal(AC.profile);
    expect(ctx.profile).to.equal('main');
  });

  it('picks the profile by --profile, then FLEXCONV_PROFILE, then the config "profile", then the active one', async () => {
    saveProfiles(
      {
        main: {accountSid: AC.profile, authToken: 'tok-main'},
        a: {accountSid: sid('AC', 'a'), authToken: 'tok-a'},
        b: {accountSid: sid('AC', 'b'), authToken: 'tok-b'},
        c: {accountSid: sid('AC', 'c'), authToken: 'tok-c'},
      },
      'main',
    );
    projectFile('flexconv.config.yaml', 'profile: c\n');
    expect((await resolve({profile: 'a'}, {FLEXCONV_PROFILE: 'b'})).profile).to.equal('a');
    expect((await resolve({}, {FLEXCONV_PROFILE: 'b'})).profile).to.equal('b');
    expect((await resolve({}, {})).profile).to.equal('c');
    rmSync(join(cwd, 'flexconv.config.yaml'));
    const ctx = await resolve({}, {});
    expect(ctx.profile).to.equal('main');
    expect(ctx.authToken).to.equal('tok-main');
  });

  it('a profile named with --profile is a flag: it beats env per field, credential flags beat it', async () => {
    const ctx = await resolve({profile: 'main'}, {TWILIO_AUTH_TOKEN: 'env-token'});
    expect(ctx.accountSid).to.equal(AC.profile);
    expect(ctx.authToken).to.equal('profile-token-0004');
    expect(ctx.sources.authToken).to.deep.equal({from: 'profile', detail: 'main'});
    const flagged = await resolve({profile: 'main', 'auth-token': 'flag-token'}, {TWILIO_AUTH_TOKEN: 'env-token'});
    expect(flagged.authToken).to.equal('flag-token');
  });

  it('a profile named by FLEXCONV_PROFILE (or the active one) loses to TWILIO_* env per field', async () => {
    const ctx = await resolve({}, {FLEXCONV_PROFILE: 'main', TWILIO_AUTH_TOKEN: 'env-token'});
    expect(ctx.accountSid).to.equal(AC.profile);
    expect(ctx.authToken).to.equal('env-token');
    expect(ctx.sources.authToken?.from).to.equal('env');
  });
});

describe('config: target', () => {
  it('defaults to the emulator without credentials', async () => {
    const ctx = await resolve();
    expect(ctx.target).to.equal('emulator');
    expect(ctx.sources.target).to.deep.equal({from: 'default', detail: 'no Twilio credentials found'});
    expect(ctx.accountSid).to.equal(DEFAULT_ACCOUNT.accountSid);
    expect(ctx.baseUrl).to.equal('http://127.0.0.1:4010');
  });

  it('defaults to twilio with credentials (env, or the active profile)', async () => {
    const fromEnv = await resolve({}, {TWILIO_ACCOUNT_SID: AC.env, TWILIO_AUTH_TOKEN: 'tok'});
    expect(fromEnv.target).to.equal('twilio');
    expect(fromEnv.sources.target).to.deep.equal({from: 'default', detail: 'Twilio credentials found'});
    expect(fromEnv.baseUrl).to.equal('https://{domain}.twilio.com');
    saveProfiles({p: {accountSid: AC.profile, authToken: 'tok'}}, 'p');
    expect((await resolve()).target).to.equal('twilio');
  });

  it('takes the target from --target > FLEXCONV_TARGET > project config', async () => {
    const cfg = projectFile('flexconv.config.yaml', 'target: emulator\n');
    const creds = {TWILIO_ACCOUNT_SID: AC.env, TWILIO_AUTH_TOKEN: 'tok'};
    expect((await resolve({}, creds)).sources.target).to.deep.equal({from: 'config', detail: cfg});
    expect((await resolve({}, {...creds, FLEXCONV_TARGET: 'twilio'})).target).to.equal('twilio');
    const ctx = await resolve({target: 'emulator'}, {...creds, FLEXCONV_TARGET: 'twilio'});
    expect(ctx.target).to.equal('emulator');
    expect(ctx.sources.target).to.deep.equal({from: 'flag', detail: '--target'});
  });

  it('rejects an unknown FLEXCONV_TARGET as a usage error', async () => {
    const e = await rejection(resolve({}, {FLEXCONV_TARGET: 'prod'}));
    expect(e.code).to.equal('USAGE');
    expect(e.exitCode).to.equal(2);
    expect(e.message).to.contain('FLEXCONV_TARGET');
  });

  it('--target twilio without credentials is NO_CREDENTIALS', async () => {
    const e = await rejection(resolve({target: 'twilio'}));
    expect(e.code).to.equal('NO_CREDENTIALS');
    expect(e.exitCode).to.equal(2);
    expect(e.hints.join('\n')).to.contain('flexconv profiles add');
  });

  it('an account SID without any secret is not credentials; on target twilio the missing half is named', async () => {
    expect((await resolve({}, {TWILIO_ACCOUNT_SID: AC.env})).target).to.equal('emulator');
    const e = await rejection(resolve({target: 'twilio'}, {TWILIO_ACCOUNT_SID: AC.env}));
    expect(e.code).to.equal('INCOMPLETE_CREDENTIALS');
    expect(e.message).to.contain('env TWILIO_ACCOUNT_SID').and.contain('no auth token');
  });
});

describe('config: profiles', () => {
  it('an unknown named profile is PROFILE_NOT_FOUND (exit 2) listing the known ones', async () => {
    saveProfiles({prod: {accountSid: AC.profile, authToken: 't'}});
    twilioCli({profiles: {cliprof: {accountSid: AC.cli, apiKey: SK.cli, apiSecret: 's'}}});
    for (const [flags, extra, via] of [
      [{profile: 'nope'}, {}, '--profile'],
      [{}, {FLEXCONV_PROFILE: 'nope'}, 'FLEXCONV_PROFILE'],
    ] as const) {
      const e = await rejection(resolve(flags, extra));
      expect(e.code).to.equal('PROFILE_NOT_FOUND');
      expect(e.exitCode).to.equal(2);
      expect(e.message).to.contain('"nope"').and.contain(via);
      expect(e.hints).to.deep.equal(['known profiles: prod, cliprof']);
    }
    projectFile('flexconv.config.yaml', 'profile: gone\n');
    expect((await rejection(resolve())).message).to.contain('project config');
  });

  it('a twilio-cli profile is usable with --profile NAME (source twilio-cli)', async () => {
    twilioCli({
      profiles: {cliprof: {accountSid: AC.cli, apiKey: SK.cli, apiSecret: 'cli-secret-0008', region: 'ie1'}},
      activeProject: 'cliprof',
    });
    // twilio-cli's own active profile is not used implicitly.
    expect((await resolve()).target).to.equal('emulator');
    const ctx = await resolve({profile: 'cliprof'});
    expect(ctx.target).to.equal('twilio');
    expect(ctx).to.include({accountSid: AC.cli, apiKey: SK.cli, apiSecret: 'cli-secret-0008', profile: 'cliprof'});
    expect(ctx.sources.apiKey).to.deep.equal({from: 'twilio-cli', detail: 'cliprof'});
    expect(ctx.baseUrl).to.equal('https://{domain}.ie1.twilio.com');
  });

  it('a flexconv profile hides a twilio-cli profile of the same name', async () => {
    twilioCli({profiles: {same: {accountSid: AC.cli, apiKey: SK.cli, apiSecret: 's'}}});
    saveProfiles({same: {accountSid: AC.profile, authToken: 't'}});
    expect((await resolve({profile: 'same'})).accountSid).to.equal(AC.profile);
    expect(listProfiles(env).map((p) => `${p.name}:${p.source}`)).to.deep.equal(['same:flexconv']);
  });

  it('the active profile may be a twilio-cli one (set by `profiles use`)', async () => {
    twilioCli({profiles: {cliprof: {accountSid: AC.cli, apiKey: SK.cli, apiSecret: 's'}}});
    saveProfiles({}, 'cliprof');
    const ctx = await resolve();
    expect(ctx.profile).to.equal('cliprof');
    expect(ctx.sources.accountSid?.from).to.equal('twilio-cli');
  });

  it('an active profile that no longer exists is ignored', async () => {
    saveProfiles({}, 'removed-elsewhere');
    expect((await resolve()).target).to.equal('emulator');
  });

  it('a legacy twilio-cli project (secret in the keychain) gives a hint saying so', async () => {
    twilioCli({projects: [{id: 'old', accountSid: AC.cli}], edge: 'dublin'});
    expect(listProfiles(env)).to.deep.equal([
      {accountSid: AC.cli, edge: 'dublin', name: 'old', active: false, source: 'twilio-cli'},
    ]);
    const e = await rejection(resolve({profile: 'old', target: 'twilio'}));
    expect(e.code).to.equal('NO_CREDENTIALS');
    expect(e.hints[0]).to.contain('keychain');
  });

  it('ignores an unreadable twilio-cli config (it belongs to another tool)', async () => {
    writeFileSync(join(env.TWILIO_CLI_CONFIG_DIR!, 'config.json'), '{nope');
    expect((await resolve()).target).to.equal('emulator');
  });

  it('a malformed profiles file is CONFIG_INVALID naming the file and line', async () => {
    mkdirSync(env.FLEXCONV_CONFIG_DIR!, {recursive: true});
    const path = join(env.FLEXCONV_CONFIG_DIR!, 'profiles.json');
    writeFileSync(path, '{\n  "active": "a",\n  "profiles": {\n    "a": {"accountSid": "AC1"},\n  }\n}\n');
    const e = await rejection(resolve());
    expect(e.code).to.equal('CONFIG_INVALID');
    expect(e.message).to.contain(path).and.contain('line 5');
    writeFileSync(path, '{"profiles": {"a": {"accountSid": 5}}}');
    expect((await rejection(resolve())).message).to.contain('"accountSid" must be a string');
  });

  it('ProfileStore writes the file with mode 0600 (directory 0700), atomically', () => {
    const store = new ProfileStore(env);
    store.save({active: 'a', profiles: {a: {accountSid: AC.profile, authToken: 'secret'}}});
    expect(statSync(store.path).mode & 0o777).to.equal(0o600);
    expect(statSync(env.FLEXCONV_CONFIG_DIR!).mode & 0o777).to.equal(0o700);
    store.save({profiles: {}});
    expect(statSync(store.path).mode & 0o777).to.equal(0o600);
    expect(store.load()).to.deep.equal({active: undefined, profiles: {}});
  });
});

describe('config: API keys, region and edge', () => {
  it('API key + secret + account SID', async () => {
    const ctx = await resolve(
      {},
      {TWILIO_ACCOUNT_SID: AC.env, TWILIO_API_KEY: SK.env, TWILIO_API_SECRET: 'env-secret-0006'},
    );
    expect(ctx).to.include({target: 'twilio', accountSid: AC.env, apiKey: SK.env, apiSecret: 'env-secret-0006'});
    expect(ctx.authToken).to.equal(undefined);
    expect(ctx.sources.apiSecret).to.deep.equal({from: 'env', detail: 'TWILIO_API_SECRET'});
  });

  it('an API key without an account SID is INCOMPLETE_CREDENTIALS saying so', async () => {
    const e = await rejection(resolve({}, {TWILIO_API_KEY: SK.env, TWILIO_API_SECRET: 's'}));
    expect(e.code).to.equal('INCOMPLETE_CREDENTIALS');
    expect(e.message).to.contain('no Account SID');
  });

  it('builds the base URL from region and edge as the SDK does', async () => {
    const creds = {TWILIO_ACCOUNT_SID: AC.env, TWILIO_AUTH_TOKEN: 't'};
    const base = async (extra: NodeJS.ProcessEnv, flags: TargetFlags = {}) => (await resolve(flags, {...creds, ...extra})).baseUrl;
    expect(await base({TWILIO_REGION: 'ie1'})).to.equal('https://{domain}.ie1.twilio.com');
    expect(await base({TWILIO_EDGE: 'dublin'})).to.equal('https://{domain}.dublin.us1.twilio.com');
    expect(await base({TWILIO_EDGE: 'dublin'}, {region: 'ie1'})).to.equal('https://{domain}.dublin.ie1.twilio.com');
  });
});

describe('config: emulator target', () => {
  const twilioEnv = {TWILIO_ACCOUNT_SID: AC.env, TWILIO_AUTH_TOKEN: 'env-token', TWILIO_API_KEY: SK.env, TWILIO_API_SECRET: 's', TWILIO_REGION: 'ie1'};

  it('ignores TWILIO_* and profiles, and uses the default account', async () => {
    saveProfiles({p: {accountSid: AC.profile, authToken: 't'}}, 'p');
    const ctx = await resolve({target: 'emulator'}, twilioEnv);
    expect(ctx).to.include({
      target: 'emulator',
      accountSid: DEFAULT_ACCOUNT.accountSid,
      authToken: DEFAULT_ACCOUNT.authToken,
      baseUrl: 'http://127.0.0.1:4010',
    });
    expect(ctx.apiKey).to.equal(undefined);
    expect(ctx.region).to.equal(undefined);
    // Only what the emulator target uses is reported as a source.
    expect(Object.keys(ctx.sources).sort()).to.deep.equal(['accountSid', 'authToken', 'baseUrl', 'target']);
    expect(ctx.sources.accountSid).to.deep.equal({from: 'default', detail: 'emulator default test account'});
  });

  it('takes the URL from --emulator-url > FLEXCONV_EMULATOR_URL > config emulatorUrl', async () => {
    const cfg = projectFile('flexconv.config.yaml', 'target: emulator\nemulatorUrl: http://127.0.0.1:7003\n');
    expect((await resolve()).sources.baseUrl).to.deep.equal({from: 'config', detail: cfg});
    const e = await resolve({}, {FLEXCONV_EMULATOR_URL: 'http://127.0.0.1:7002/'});
    expect(e.baseUrl).to.equal('http://127.0.0.1:7002');
    expect(e.sources.baseUrl).to.deep.equal({from: 'env', detail: 'FLEXCONV_EMULATOR_URL'});
    const f = await resolve({'emulator-url': 'http://localhost:7001'}, {FLEXCONV_EMULATOR_URL: 'http://127.0.0.1:7002'});
    expect(f.baseUrl).to.equal('http://localhost:7001');
    expect(f.sources.baseUrl?.from).to.equal('flag');
  });

  it('rejects an emulator URL that is not http(s)', async () => {
    const e = await rejection(resolve({}, {FLEXCONV_EMULATOR_URL: 'localhost:4010'}));
    expect(e.code).to.equal('USAGE');
    expect(e.message).to.contain('FLEXCONV_EMULATOR_URL');
  });

  it('uses the emulator record file (URL and account) when it is the same emulator', async () => {
    mkdirSync(env.FLEXCONV_STATE_DIR!, {recursive: true});
    const rec = {
      pid: 1,
      url: 'http://127.0.0.1:5099',
      port: 5099,
      host: '127.0.0.1',
      db: ':memory:',
      accountSid: sid('AC', 9),
      authToken: 'record-token-9999',
      startedAt: new Date().toISOString(),
    };
    writeFileSync(join(env.FLEXCONV_STATE_DIR!, 'emulator.json'), JSON.stringify(rec));
    const ctx = await resolve();
    expect(ctx).to.include({target: 'emulator', baseUrl: rec.url, accountSid: rec.accountSid, authToken: rec.authToken});
    expect(ctx.sources.baseUrl?.from).to.equal('emulator');
    expect(ctx.sources.accountSid?.from).to.equal('emulator');
    // whoami prints "(detail)" for these: a phrase that reads on its own.
    expect(ctx.sources.baseUrl).to.deep.equal({from: 'emulator', detail: 'recorded by `flexconv emulator start`'});
    expect(describeContext(ctx).sources).to.include({
      base_url: 'recorded by `flexconv emulator start`',
      account_sid: 'recorded by `flexconv emulator start`',
      auth_token: 'recorded by `flexconv emulator start`',
    });
    // Another emulator (by URL): the record's account doesn't apply.
    const other = await resolve({}, {FLEXCONV_EMULATOR_URL: 'http://127.0.0.1:5100'});
    expect(other.accountSid).to.equal(DEFAULT_ACCOUNT.accountSid);
    // FLEXCONV_EMULATOR_ACCOUNT_SID/_AUTH_TOKEN beat the record.
    const envAcct = await resolve({}, {FLEXCONV_EMULATOR_ACCOUNT_SID: sid('AC', 8), FLEXCONV_EMULATOR_AUTH_TOKEN: 'x'});
    expect(envAcct.accountSid).to.equal(sid('AC', 8));
    expect(envAcct.sources.accountSid).to.deep.equal({from: 'env', detail: 'FLEXCONV_EMULATOR_ACCOUNT_SID'});
  });

  it('an unreadable record file is ignored', async () => {
    mkdirSync(env.FLEXCONV_STATE_DIR!, {recursive: true});
    writeFileSync(join(env.FLEXCONV_STATE_DIR!, 'emulator.json'), '{');
    const ctx = await resolve();
    expect(ctx.baseUrl).to.equal('http://127.0.0.1:4010');
    expect(describeContext(ctx).sources.base_url).to.equal('default: no emulator URL given or recorded');
  });

  it('uses credentials given as flags', async () => {
    const ctx = await resolve({target: 'emulator', 'account-sid': AC.flag, 'api-key': sid('SK', 1), 'api-secret': 'flag-secret'});
    expect(ctx).to.include({accountSid: AC.flag, apiKey: sid('SK', 1), apiSecret: 'flag-secret'});
    // each credential names its own flag
    expect(ctx.sources.accountSid).to.deep.equal({from: 'flag', detail: '--account-sid'});
    expect(ctx.sources.apiKey).to.deep.equal({from: 'flag', detail: '--api-key'});
    expect(ctx.sources.apiSecret).to.deep.equal({from: 'flag', detail: '--api-secret'});
  });
});

describe('config: malformed project config is CONFIG_INVALID naming the file', () => {
  const cases: {file: string; text: string; line?: number; contains: string}[] = [
    {file: 'flexconv.config.yaml', text: 'target: twilio\nprofile: [oops\nregion: ie1\n', line: 3, contains: 'flow collection'},
    {file: 'flexconv.config.yml', text: 'target: twilio\n  region: ie1\n', line: 2, contains: 'bad indentation'},
    {file: 'flexconv.config.json', text: '{\n  "target": "twilio",\n  "profile": ,\n}\n', line: 3, contains: 'unexpected ","'},
    {file: 'flexconv.config.json', text: '{\n  "target": "twilio"\n  "profile": "x"\n}\n', line: 3, contains: 'expected "," or "}"'},
    {file: '.flexconvrc', text: '{\n "target": "x"\n "a": 1}\n', line: 3, contains: 'flow collection'},
    {file: '.flexconvrc.json', text: '{"target": "twilio",}', line: 1, contains: 'trailing comma'},
  ];
  for (const c of cases)
    it(`syntax error in ${c.file} → message with the line`, async () => {
      const path = projectFile(c.file, c.text);
      const e = await rejection(loadProjectConfig(cwd));
      expect(e.code).to.equal('CONFIG_INVALID');
      expect(e.exitCode).to.equal(2);
      expect(e.message).to.contain(path).and.contain(`line ${c.line}`).and.contain(c.contains);
      expect(e.message).not.to.contain('\n');
      expect(e.hints[0]).to.contain(path);
      // The same through resolveContext (every API command).
      expect((await rejection(resolve())).code).to.equal('CONFIG_INVALID');
    });

  it('a syntax error in package.json (searched for a "flexconv" key) names the line', async () => {
    const path = projectFile('package.json', '{\n  "name": "x",\n  "flexconv": {"target": "twilio"\n}\n');
    const e = await rejection(loadProjectConfig(cwd));
    expect(e.message).to.contain(path).and.contain('line 5');
  });

  it('an unknown key, with a did-you-mean hint', async () => {
    const path = projectFile('flexconv.config.yaml', 'acountSid: AC1\n');
    const e = await rejection(loadProjectConfig(cwd));
    expect(e.code).to.equal('CONFIG_INVALID');
    expect(e.message).to.contain(path).and.contain('"acountSid"');
    expect(e.hints[0]).to.equal('"acountSid": did you mean "accountSid"?');
  });

  it('a bad target value', async () => {
    const path = projectFile('flexconv.config.json', '{"target": "production"}');
    const e = await rejection(loadProjectConfig(cwd));
    expect(e.message).to.contain(path).and.contain('"target" must be emulator or twilio').and.contain('production');
  });

  it('a value that is not a string, or a document that is not an object', async () => {
    projectFile('flexconv.config.yaml', 'region: 1\n');
    expect((await rejection(loadProjectConfig(cwd))).message).to.contain('"region" must be a string');
    projectFile('flexconv.config.yaml', '- a\n- b\n');
    expect((await rejection(loadProjectConfig(cwd))).message).to.contain('must hold an object');
  });

  it('reads the "flexconv" key of package.json, and nothing when there is no config', async () => {
    expect(await loadProjectConfig(cwd)).to.deep.equal({config: {}, filepath: undefined});
    const path = projectFile('package.json', JSON.stringify({name: 'x', flexconv: {target: 'emulator'}}));
    expect(await loadProjectConfig(cwd)).to.deep.equal({config: {target: 'emulator'}, filepath: path});
  });
});

describe('config: findJsonSyntaxError', () => {
  it('agrees with JSON.parse on what is valid', () => {
    const samples = [
      '{}',
      ' [1, -2.5e3, "a\\n\\u00e9", true, false, null, {"a": [{}]}] ',
      '"x"',
      '{"a": 1,}',
      '[1 2]',
      '{"a" 1}',
      '{a: 1}',
      '[01]',
      '"\\x"',
      '{"a": 1} x',
      '',
      '[',
      '\uFEFF{"bom": true}',
    ];
    for (const s of samples) {
      let valid = true;
      try {
        JSON.parse(s.replace(/^\uFEFF/, ''));
      } catch {
        valid = false;
      }
      expect(findJsonSyntaxError(s) === undefined, s).to.equal(valid);
    }
  });

  it('reports line and column (1-based)', () => {
    expect(findJsonSyntaxError('{\n  "a": 1,\n  "b": tru\n}')).to.deep.equal({line: 3, column: 8, reason: 'unexpected "t"'});
    expect(findJsonSyntaxError('{"a": "x')).to.include({line: 1, reason: 'unterminated string'});
  });
});
