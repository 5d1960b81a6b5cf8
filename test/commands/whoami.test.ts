/**
 * `flexconv whoami`: the built CLI as a child process, with temp config/state/twilio-cli dirs, a
 * temp cwd for the project config, and a clean env (no TWILIO_* from the runner). It shows where
 * each setting came from, in the table and in --json, and never prints a secret whole.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';
import {runCli, useSandbox, type CliResult, type EnvExtra, type Sandbox} from '../helpers/cli.js';

const AC_FLAG = 'AC11111111111111111111111111111111';
const AC_ENV = 'AC22222222222222222222222222222222';
const AC_PROFILE = 'AC44444444444444444444444444444444';
const AC_CLI = 'AC55555555555555555555555555555555';
const SK_CLI = 'SK55555555555555555555555555555555';
const ENV_TOKEN = 'env-token-0000000000000000000ENVT';
const CONFIG_TOKEN = 'config-token-00000000000000000CFG';
const PROFILE_TOKEN = 'profile-token-0000000000000000PRO';
const CLI_SECRET = 'twilio-cli-secret-00000000000CLIS';
const SECRETS = [ENV_TOKEN, CONFIG_TOKEN, PROFILE_TOKEN, CLI_SECRET];

let box: Sandbox;
const whoami = (args: string[] = [], env: EnvExtra = {}) =>
  runCli(['whoami', ...args], {env: {...box.env, ...env}, cwd: box.cwd});

function ok(r: CliResult): CliResult {
  expect(r.exitCode, `exit code; stderr: ${r.stderr}`).to.equal(0);
  for (const s of SECRETS) expect(`${r.stdout}\n${r.stderr}`).not.to.contain(s);
  return r;
}

/** The table as {label: value}. */
function table(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trimEnd()
      .split('\n')
      .map((l) => /^(\S+(?: \S+)?)\s{2,}(.*)$/.exec(l)!.slice(1, 3)),
  );
}

function activeProfile(profile: Record<string, string>, name = 'prod'): void {
  mkdirSync(box.configDir, {recursive: true});
  writeFileSync(join(box.configDir, 'profiles.json'), JSON.stringify({active: name, profiles: {[name]: profile}}), {mode: 0o600});
}

useSandbox((b) => (box = b));

describe('commands: whoami', () => {
  it('with nothing configured: the emulator, its default account, and why', async () => {
    const r = ok(await whoami());
    const t = table(r.stdout);
    expect(t.Target).to.equal('emulator  (default: no Twilio credentials found)');
    expect(t['Base URL']).to.equal('http://127.0.0.1:4010  (default: no emulator URL given or recorded)');
    expect(t['Account SID']).to.match(/^AC[0-9a-f]{32}  \(default: emulator default test account\)$/);
    expect(t.Auth).to.match(/^auth token \*{4}\w{4}  \(default: emulator default test account\)$/);
    expect(t.Profile).to.equal('-');
    expect(r.stderr).to.equal('');
  });

  it('the emulator recorded by `emulator start`: each line says so in plain words', async () => {
    mkdirSync(box.stateDir, {recursive: true});
    const rec = {pid: 1, url: 'http://127.0.0.1:4777', port: 4777, host: '127.0.0.1', db: '/x.db',
      accountSid: 'AC77777777777777777777777777777777', authToken: 'recorded-token-7777', startedAt: new Date().toISOString()};
    writeFileSync(join(box.stateDir, 'emulator.json'), JSON.stringify(rec), {mode: 0o600});
    const r = ok(await whoami());
    const t = table(r.stdout);
    expect(t['Base URL']).to.equal('http://127.0.0.1:4777  (recorded by `flexconv emulator start`)');
    expect(t['Account SID']).to.equal(`${rec.accountSid}  (recorded by \`flexconv emulator start\`)`);
    expect(t.Auth).to.equal('auth token ****7777  (recorded by `flexconv emulator start`)');
    expect(r.stdout).not.to.match(/emulator the emulator/);
    const j = JSON.parse(ok(await whoami(['--json'])).stdout);
    expect(j.sources).to.include({base_url: 'recorded by `flexconv emulator start`', account_sid: 'recorded by `flexconv emulator start`'});
  });

  it('shows flag, env, config file and profile as the source of each setting (table and --json)', async () => {
    activeProfile({accountSid: AC_PROFILE, authToken: PROFILE_TOKEN, region: 'au1', edge: 'sydney'});
    const cfg = join(box.cwd, 'flexconv.config.yaml');
    writeFileSync(cfg, `authToken: ${CONFIG_TOKEN}\nregion: ie1\n`);
    const args = ['--account-sid', AC_FLAG];
    const env = {TWILIO_ACCOUNT_SID: AC_ENV, TWILIO_AUTH_TOKEN: ENV_TOKEN};

    const t = table(ok(await whoami(args, env)).stdout);
    expect(t.Target).to.equal('twilio  (default: Twilio credentials found)');
    expect(t['Base URL']).to.equal('https://{domain}.sydney.ie1.twilio.com');
    expect(t['Account SID']).to.equal(`${AC_FLAG}  (flag --account-sid)`);
    expect(t.Auth).to.equal(`auth token ****${ENV_TOKEN.slice(-4)}  (env TWILIO_AUTH_TOKEN)`);
    expect(t.Region).to.equal(`ie1  (config ${cfg})`);
    expect(t.Edge).to.equal('sydney  (profile prod)');
    expect(t.Profile).to.equal('prod');
    expect(t['Config file']).to.equal(cfg);

    const j = JSON.parse(ok(await whoami([...args, '--json'], env)).stdout);
    expect(j).to.deep.equal({
      target: 'twilio',
      base_url: 'https://{domain}.sydney.ie1.twilio.com',
      account_sid: AC_FLAG,
      auth_token: `****${ENV_TOKEN.slice(-4)}`,
      region: 'ie1',
      edge: 'sydney',
      profile: 'prod',
      config_file: cfg,
      sources: {
        target: 'default: Twilio credentials found',
        account_sid: 'flag --account-sid',
        auth_token: 'env TWILIO_AUTH_TOKEN',
        region: `config ${cfg}`,
        edge: 'profile prod',
      },
    });
  });

  it('the config file and the profile win when nothing above them is set', async () => {
    activeProfile({accountSid: AC_PROFILE, authToken: PROFILE_TOKEN});
    writeFileSync(join(box.cwd, '.flexconvrc.json'), JSON.stringify({authToken: CONFIG_TOKEN}));
    const j = JSON.parse(ok(await whoami(['--json'])).stdout);
    expect(j.account_sid).to.equal(AC_PROFILE);
    expect(j.auth_token).to.equal(`****${CONFIG_TOKEN.slice(-4)}`);
    expect(j.sources).to.include({account_sid: 'profile prod', auth_token: `config ${join(box.cwd, '.flexconvrc.json')}`});
  });

  it('an API key from a twilio-cli profile named with --profile (FLEXCONV_PROFILE works too)', async () => {
    writeFileSync(
      join(box.twilioCliDir, 'config.json'),
      JSON.stringify({profiles: {tw: {accountSid: AC_CLI, apiKey: SK_CLI, apiSecret: CLI_SECRET}}}),
    );
    const t = table(ok(await whoami(['--profile', 'tw'])).stdout);
    expect(t.Auth).to.equal(`API key ${SK_CLI} / secret ****${CLI_SECRET.slice(-4)}  (twilio-cli tw)`);
    const j = JSON.parse(ok(await whoami(['--json'], {FLEXCONV_PROFILE: 'tw'})).stdout);
    expect(j).to.include({account_sid: AC_CLI, api_key: SK_CLI, api_secret: `****${CLI_SECRET.slice(-4)}`, profile: 'tw'});
    expect(j).not.to.have.property('auth_token');
  });

  it('--target emulator ignores TWILIO_* and reports only emulator sources', async () => {
    const env = {TWILIO_ACCOUNT_SID: AC_ENV, TWILIO_AUTH_TOKEN: ENV_TOKEN, TWILIO_REGION: 'ie1', FLEXCONV_EMULATOR_URL: 'http://127.0.0.1:4999'};
    const j = JSON.parse(ok(await whoami(['--target', 'emulator', '--json'], env)).stdout);
    expect(j.target).to.equal('emulator');
    expect(j.base_url).to.equal('http://127.0.0.1:4999');
    expect(j.account_sid).not.to.equal(AC_ENV);
    expect(j).not.to.have.property('region');
    expect(j.sources).to.deep.equal({
      target: 'flag --target',
      base_url: 'env FLEXCONV_EMULATOR_URL',
      account_sid: 'default: emulator default test account',
      auth_token: 'default: emulator default test account',
    });
  });

  it('an unknown --profile: exit 2 with the known ones', async () => {
    activeProfile({accountSid: AC_PROFILE, authToken: PROFILE_TOKEN});
    const r = await whoami(['--profile', 'nope']);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain('PROFILE_NOT_FOUND').and.contain('known profiles: prod');
  });

  it('--target twilio without credentials: NO_CREDENTIALS, exit 2 (local configuration)', async () => {
    const r = await whoami(['--target', 'twilio', '--json']);
    expect(r.exitCode).to.equal(2);
    const body = JSON.parse(r.stdout);
    expect(body.error.code).to.equal('NO_CREDENTIALS');
    expect(r.stderr).to.equal('');
  });

  for (const [name, text, line] of [
    ['flexconv.config.yaml', 'target: twilio\nregion: [ie1\nedge: dublin\n', 3],
    ['flexconv.config.json', '{\n  "target": "twilio",\n  "region": "ie1",\n}\n', 4],
  ] as const) {
    it(`a malformed ${name}: exit 2, the file and line in the message, no stack trace`, async () => {
      const path = join(box.cwd, name);
      writeFileSync(path, text);
      const r = await whoami();
      expect(r.exitCode).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.contain('CONFIG_INVALID').and.contain(path).and.contain(`line ${line}`);
      expect(r.stderr).not.to.match(/^\s+at /m);
      expect(r.stderr.trimEnd().split('\n')).to.have.length(2); // the error, one hint
      const j = await whoami(['--json']);
      expect(j.exitCode).to.equal(2);
      expect(JSON.parse(j.stdout).error.message).to.contain(path).and.contain(`line ${line}`);
    });
  }

  it('a config file with an unknown key or a bad target: exit 2 naming the file', async () => {
    const path = join(box.cwd, 'flexconv.config.yaml');
    writeFileSync(path, 'target: production\n');
    let r = await whoami();
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain(path).and.contain('"target" must be emulator or twilio');
    writeFileSync(path, 'acountSid: AC1\n');
    r = await whoami();
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain(path).and.contain('unknown setting "acountSid"').and.contain('did you mean "accountSid"');
  });
});
