/**
 * `flexconv profiles add|list|use|remove`: the built CLI as a child process, with temp
 * FLEXCONV_CONFIG_DIR / FLEXCONV_STATE_DIR / TWILIO_CLI_CONFIG_DIR and a clean env (no TWILIO_*
 * from the runner). stdin is a pipe, so these runs are non-interactive; one test drives the
 * prompts through a real pseudo-terminal (util-linux `script`).
 */
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';
import {ptyRunner, runCli, runCliInPty, useSandbox, type CliResult, type Sandbox} from '../helpers/cli.js';

const AC1 = 'AC0123456789abcdef0123456789abcdef';
const AC2 = 'ACfedcba9876543210fedcba9876543210';
const AC_CLI = 'AC22222222222222222222222222222222';
const SK1 = 'SK0123456789abcdef0123456789abcdef';
const SK_CLI = 'SK22222222222222222222222222222222';
const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const SECRET = 'api-secret-value-XYZW';
const CLI_SECRET = 'twilio-cli-secret-QRST';
const SECRETS = [TOKEN, SECRET, CLI_SECRET];

let box: Sandbox;
const run = (...args: string[]) => runCli(args, {env: box.env, cwd: box.cwd});
const file = () => join(box.configDir, 'profiles.json');
const saved = () => JSON.parse(readFileSync(file(), 'utf8')) as {active?: string; profiles: Record<string, Record<string, string>>};

/** No secret is ever printed whole, on either stream. */
function noSecrets(r: CliResult): void {
  for (const s of SECRETS) {
    expect(r.stdout, 'stdout').not.to.contain(s);
    expect(r.stderr, 'stderr').not.to.contain(s);
  }
}

function ok(r: CliResult): CliResult {
  expect(r.exitCode, `exit code; stderr: ${r.stderr}`).to.equal(0);
  noSecrets(r);
  return r;
}

function usage(r: CliResult): CliResult {
  expect(r.exitCode, `exit code; stdout: ${r.stdout} stderr: ${r.stderr}`).to.equal(2);
  expect(r.stderr).not.to.match(/^\s+at /m); // no stack trace
  noSecrets(r);
  return r;
}

const addToken = (name: string, ...more: string[]) =>
  run('profiles', 'add', name, '--account-sid', AC1, '--auth-token', TOKEN, ...more);
const addKey = (name: string, ...more: string[]) =>
  run('profiles', 'add', name, '--account-sid', AC2, '--api-key', SK1, '--api-secret', SECRET, ...more);

useSandbox((b) => (box = b));

describe('commands: profiles add (flags, no TTY)', () => {
  it('saves the first profile as the active one, in a 0600 file, and prints it masked', async () => {
    const r = ok(await addToken('prod'));
    expect(statSync(file()).mode & 0o777).to.equal(0o600);
    expect(saved()).to.deep.equal({active: 'prod', profiles: {prod: {accountSid: AC1, authToken: TOKEN}}});
    expect(r.stdout).to.contain(AC1).and.contain(`****${TOKEN.slice(-4)}`);
    expect(r.stderr).to.contain('Added profile prod').and.contain('(active)');
  });

  it('warns on stderr when the added profile becomes active: commands now go to Twilio, and how to go back', async () => {
    const r = ok(await addToken('prod'));
    expect(r.stderr).to.contain(
      `! Commands now go to Twilio (account ${AC1}) by default, not the emulator; use --target emulator for one command, or \`flexconv profiles use --none\` to go back`,
    );
    const j = ok(await addKey('ci', '--activate', '--json'));
    expect(JSON.parse(j.stdout)).to.include({action: 'added', active_profile: 'ci'}); // stdout: only the JSON
    expect(j.stderr).to.contain(`Commands now go to Twilio (account ${AC2}) by default`);
  });

  it('no such warning when the profile is not activated, or the target is set to the emulator anyway', async () => {
    expect(ok(await addToken('prod', '--no-activate')).stderr).not.to.contain('Commands now go to');
    expect(ok(await addKey('ci')).stderr).not.to.contain('Commands now go to'); // not the first: stays inactive
    const pinned = ok(await runCli(['profiles', 'add', 'x', '--account-sid', AC1, '--auth-token', TOKEN, '--activate'], {
      env: {...box.env, FLEXCONV_TARGET: 'emulator'},
      cwd: box.cwd,
    }));
    expect(pinned.stderr).not.to.contain('Commands now go to');
  });

  it('does not activate later profiles unless --activate; --json returns the change', async () => {
    ok(await addToken('prod'));
    const r = ok(await addKey('ci', '--region', 'ie1', '--edge', 'dublin', '--json'));
    expect(JSON.parse(r.stdout)).to.deep.equal({
      action: 'added',
      profile: {
        name: 'ci',
        account_sid: AC2,
        auth_kind: 'api-key',
        api_key: SK1,
        secret: `****${SECRET.slice(-4)}`,
        region: 'ie1',
        edge: 'dublin',
        active: false,
        source: 'flexconv',
      },
      active_profile: 'prod',
      file: file(),
    });
    expect(saved().active).to.equal('prod');
    ok(await addKey('ci2', '--activate'));
    expect(saved().active).to.equal('ci2');
    expect(statSync(file()).mode & 0o777).to.equal(0o600);
  });

  it('--no-activate keeps even the first profile inactive', async () => {
    ok(await addToken('prod', '--no-activate'));
    expect(saved().active).to.equal(undefined);
  });

  it('names the missing flags (exit 2) when values are missing and nothing can be asked', async () => {
    let r = usage(await run('profiles', 'add', 'x'));
    expect(r.stderr).to.contain('--account-sid').and.contain('--auth-token (or --api-key and --api-secret)');
    r = usage(await run('profiles', 'add', 'x', '--account-sid', AC1, '--api-key', SK1));
    expect(r.stderr).to.match(/Missing --api-secret\b/);
    r = usage(await run('profiles', 'add', 'x', '--account-sid', AC1, '--api-secret', SECRET, '--json'));
    const body = JSON.parse(r.stdout);
    expect(body.error.code).to.equal('USAGE');
    expect(body.error.message).to.match(/Missing --api-key\b/);
    expect(body.status).to.equal(2);
  });

  it('validates shapes without echoing secrets', async () => {
    const r = usage(
      await run('profiles', 'add', 'x', '--account-sid', 'AC123', '--api-key', 'KS0123', '--api-secret', 'has space', '--region', 'ireland'),
    );
    expect(r.stderr)
      .to.contain('--account-sid "AC123": an Account SID is AC followed by 32 hex characters')
      .and.contain('--api-key "KS0123": an API key SID is SK followed by 32 hex characters')
      .and.contain('--api-secret: must be non-empty')
      .and.contain('--region "ireland"');
    expect(r.stderr).not.to.contain('has space');
    usage(await run('profiles', 'add', 'bad name!', '--account-sid', AC1, '--auth-token', TOKEN));
    const both = usage(await run('profiles', 'add', 'x', '--account-sid', AC1, '--auth-token', TOKEN, '--api-key', SK1, '--api-secret', SECRET));
    expect(both.stderr).to.contain('not both');
  });

  it('needs --force to replace a profile of the same name', async () => {
    ok(await addToken('prod'));
    const r = usage(await addKey('prod'));
    expect(r.stderr).to.contain('already exists').and.contain('profiles add prod --force');
    expect(saved().profiles.prod.authToken).to.equal(TOKEN);
    const f = ok(await addKey('prod', '--force', '--json'));
    expect(JSON.parse(f.stdout)).to.include({action: 'replaced', active_profile: 'prod'});
    expect(saved().profiles.prod).to.deep.equal({accountSid: AC2, apiKey: SK1, apiSecret: SECRET});
  });
});

describe('commands: profiles list', () => {
  beforeEach(() => {
    writeFileSync(
      join(box.twilioCliDir, 'config.json'),
      JSON.stringify({
        profiles: {cliprof: {accountSid: AC_CLI, apiKey: SK_CLI, apiSecret: CLI_SECRET, region: 'au1'}},
        activeProject: 'cliprof',
      }),
    );
  });

  it('says how to add one when there are none (twilio-cli config absent)', async () => {
    box.env.TWILIO_CLI_CONFIG_DIR = join(box.root, 'nowhere');
    const r = ok(await run('profiles', 'list'));
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain('profiles add NAME');
    expect(JSON.parse(ok(await run('profiles', 'list', '--json')).stdout)).to.deep.equal([]);
  });

  it('shows a table: active marker, account, auth kind, masked secret, region/edge, source', async () => {
    ok(await addToken('prod'));
    ok(await addKey('ci', '--region', 'ie1', '--edge', 'dublin'));
    const r = ok(await run('profiles', 'list'));
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/NAME\s+ACCOUNT SID\s+AUTH\s+SECRET\s+REGION\/EDGE\s+SOURCE/);
    expect(lines[1]).to.match(new RegExp(`^\\*\\s+prod\\s+${AC1}\\s+auth-token\\s+\\*{4}${TOKEN.slice(-4)}\\s+-\\s+flexconv$`));
    expect(lines[2]).to.match(new RegExp(`^\\s+ci\\s+${AC2}\\s+api-key ${SK1}\\s+\\*{4}XYZW\\s+ie1/dublin\\s+flexconv$`));
    expect(lines[3]).to.match(new RegExp(`^\\s+cliprof\\s+${AC_CLI}\\s+api-key ${SK_CLI}\\s+\\*{4}QRST\\s+au1\\s+twilio-cli$`));
    expect(lines).to.have.length(4);
  });

  it('--json: every profile, secrets masked, with source and active', async () => {
    ok(await addToken('prod'));
    const list = JSON.parse(ok(await run('profiles', 'list', '--json')).stdout);
    expect(list).to.deep.equal([
      {name: 'prod', account_sid: AC1, auth_kind: 'auth-token', secret: `****${TOKEN.slice(-4)}`, active: true, source: 'flexconv'},
      {
        name: 'cliprof',
        account_sid: AC_CLI,
        auth_kind: 'api-key',
        api_key: SK_CLI,
        secret: '****QRST',
        region: 'au1',
        active: false,
        source: 'twilio-cli',
      },
    ]);
  });

  it('--columns and --no-header', async () => {
    ok(await addToken('prod'));
    const r = ok(await run('profiles', 'list', '--columns', 'name,source', '--no-header'));
    expect(r.stdout).to.equal('prod     flexconv\ncliprof  twilio-cli\n');
  });

  it('a malformed profiles file: exit 2 (local configuration), file and line, no stack trace', async () => {
    ok(await addToken('prod'));
    writeFileSync(file(), '{\n  "active": "prod",\n  "profiles": {\n    "prod": {"accountSid": "x"}\n  \n');
    for (const cmd of [['profiles', 'list'], ['whoami'], ['addresses', 'list']]) {
      const r = await run(...cmd);
      expect(r.exitCode).to.equal(2);
      expect(r.stderr).to.contain('CONFIG_INVALID').and.contain(file()).and.contain('line 6');
      expect(r.stderr).not.to.match(/^\s+at /m);
      expect(r.stdout).to.equal('');
    }
    const j = await run('profiles', 'list', '--json');
    expect(j.exitCode).to.equal(2);
    expect(JSON.parse(j.stdout).error).to.include({code: 'CONFIG_INVALID', exit: 2});
  });
});

describe('commands: profiles use', () => {
  it('sets the active profile; whoami then uses it', async () => {
    ok(await addToken('prod'));
    ok(await addKey('ci'));
    const r = ok(await run('profiles', 'use', 'ci', '--json'));
    expect(JSON.parse(r.stdout)).to.deep.include({action: 'activated', active_profile: 'ci'});
    expect(saved().active).to.equal('ci');
    const who = JSON.parse(ok(await run('whoami', '--json')).stdout);
    expect(who).to.include({profile: 'ci', account_sid: AC2, api_key: SK1});
    // switching says where commands go now, as `profiles add` does
    const human = ok(await run('profiles', 'use', 'prod'));
    expect(human.stderr).to.contain('Active profile: prod').and.match(/Commands now go to Twilio.* by default, not the emulator/);
  });

  it('--none deactivates: the default target is the emulator again; the profiles stay', async () => {
    ok(await addToken('prod'));
    expect(JSON.parse(ok(await run('whoami', '--json')).stdout)).to.include({target: 'twilio', profile: 'prod'});
    const r = ok(await run('profiles', 'use', '--none'));
    expect(r.stderr).to.contain('✔ Deactivated profile prod; no profile is active');
    expect(r.stderr).to.contain('Commands now go to the emulator at http://127.0.0.1:4010 by default');
    expect(saved()).to.deep.equal({profiles: {prod: {accountSid: AC1, authToken: TOKEN}}});
    const who = JSON.parse(ok(await run('whoami', '--json')).stdout);
    expect(who.target).to.equal('emulator');
    expect(who).not.to.have.property('profile');
    // Idempotent; --json returns the change.
    const again = ok(await run('profiles', 'use', '--none', '--json'));
    expect(JSON.parse(again.stdout)).to.deep.equal({action: 'deactivated', profile: null, active_profile: null, file: file()});
    expect(again.stderr).to.equal(''); // under --json: no success line (the one rule)
    expect(ok(await run('profiles', 'use', '--none')).stderr).to.contain('No profile is active (none was)');
    // And back.
    ok(await run('profiles', 'use', 'prod'));
    expect(saved().active).to.equal('prod');
    const j = ok(await run('profiles', 'use', '--none', '--json'));
    expect(JSON.parse(j.stdout)).to.deep.include({action: 'deactivated', active_profile: null});
    expect(JSON.parse(j.stdout).profile).to.include({name: 'prod', active: false});
  });

  it('--none with TWILIO_* credentials in the environment warns that commands still go to Twilio', async () => {
    ok(await addToken('prod'));
    const r = ok(await runCli(['profiles', 'use', '--none'], {env: {...box.env, TWILIO_ACCOUNT_SID: AC2, TWILIO_AUTH_TOKEN: TOKEN}, cwd: box.cwd}));
    expect(r.stderr).to.contain(`! Commands still go to Twilio (account ${AC2}) by default: credentials come from env TWILIO_ACCOUNT_SID`);
    expect(saved().active).to.equal(undefined);
  });

  it('a name and --none, or neither: exit 2', async () => {
    ok(await addToken('prod'));
    expect(usage(await run('profiles', 'use', 'prod', '--none')).stderr).to.contain('not both');
    expect(usage(await run('profiles', 'use')).stderr).to.contain('profiles use --none');
    expect(saved().active).to.equal('prod');
  });

  it('an unknown name: exit 2 listing the known names', async () => {
    ok(await addToken('prod'));
    writeFileSync(join(box.twilioCliDir, 'config.json'), JSON.stringify({profiles: {cliprof: {accountSid: AC_CLI}}}));
    const r = usage(await run('profiles', 'use', 'prd'));
    expect(r.stderr).to.contain('PROFILE_NOT_FOUND').and.contain('No profile named "prd"').and.contain('known profiles: prod, cliprof (twilio-cli)');
    expect(saved().active).to.equal('prod');
  });

  it('a twilio-cli profile can be made active (and stays read-only)', async () => {
    writeFileSync(
      join(box.twilioCliDir, 'config.json'),
      JSON.stringify({profiles: {cliprof: {accountSid: AC_CLI, apiKey: SK_CLI, apiSecret: CLI_SECRET}}}),
    );
    ok(await run('profiles', 'use', 'cliprof'));
    const who = JSON.parse(ok(await run('whoami', '--json')).stdout);
    expect(who.sources.account_sid).to.equal('twilio-cli cliprof');
    const r = usage(await run('profiles', 'remove', 'cliprof', '--yes'));
    expect(r.stderr).to.contain('PROFILE_READ_ONLY').and.contain('twilio profiles:remove cliprof');
  });
});

describe('commands: profiles remove', () => {
  beforeEach(async () => {
    ok(await addToken('prod'));
    ok(await addKey('ci'));
  });

  it('--yes removes; removing the active profile leaves none active', async () => {
    let r = ok(await run('profiles', 'remove', 'ci', '--yes'));
    expect(r.stderr).to.contain('Removed profile ci');
    expect(Object.keys(saved().profiles)).to.deep.equal(['prod']);
    r = ok(await run('profiles', 'remove', 'prod', '--yes', '--json'));
    expect(JSON.parse(r.stdout)).to.deep.include({action: 'removed', active_profile: null});
    expect(saved()).to.deep.equal({profiles: {}});
    expect(statSync(file()).mode & 0o777).to.equal(0o600);
  });

  it('refuses without --yes when stdin is not a terminal (exit 2), removing nothing', async () => {
    const r = usage(await run('profiles', 'remove', 'ci'));
    expect(r.stderr).to.contain('--yes');
    expect(Object.keys(saved().profiles)).to.deep.equal(['prod', 'ci']);
  });

  it('--dry-run changes nothing', async () => {
    const r = ok(await run('profiles', 'remove', 'prod', '--dry-run', '--json'));
    expect(JSON.parse(r.stdout)).to.deep.include({action: 'would-remove', active_profile: 'prod'});
    expect(Object.keys(saved().profiles)).to.deep.equal(['prod', 'ci']);
  });

  it('an unknown name: exit 2 (before any question)', async () => {
    const r = usage(await run('profiles', 'remove', 'nope'));
    expect(r.stderr).to.contain('PROFILE_NOT_FOUND').and.contain('known profiles: prod, ci');
  });
});

describe('commands: profiles metadata', () => {
  it('every profiles command has a summary, a description and ≥2 examples, one with --json', async () => {
    for (const name of ['add', 'list', 'use', 'remove']) {
      const {default: C} = (await import(`../../src/commands/profiles/${name}.ts`)) as {
        default: {summary?: string; description?: string; examples?: (string | {command: string})[]};
      };
      expect(C.summary, name).to.be.a('string').and.not.be.empty;
      expect(C.description, name).to.be.a('string').and.not.be.empty;
      const examples = (C.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command));
      expect(examples.length, name).to.be.at.least(2);
      expect(examples.some((e) => e.includes('--json')), `${name}: an example with --json`).to.equal(true);
    }
  });
});

describe('commands: profiles add and remove on a terminal', function () {
  const pty = ptyRunner();
  before(function () {
    if (!pty.ok) {
      // eslint-disable-next-line no-console
      console.log(`      (skipped: ${pty.reason})`);
      this.skip();
    }
  });

  it('asks for the missing values (secrets masked), on stderr, and saves them', async () => {
    const r = await runCliInPty(
      ['profiles', 'add', 'tty'],
      [
        {expect: /Account SID/, send: 'AC123\r'},
        {expect: /AC followed by 32 hex/, send: '\x7f'.repeat(5) + `${AC1}\r`},
        {expect: /Authenticate with/, send: '\x1b[B'}, // arrow down: Auth Token
        {expect: /❯ Auth Token/, send: '\r'},
        {expect: /\? Auth Token/, send: `${TOKEN}\r`},
      ],
      {env: box.env, cwd: box.cwd},
    );
    expect(r.exitCode, r.output).to.equal(0);
    expect(saved()).to.deep.equal({active: 'tty', profiles: {tty: {accountSid: AC1, authToken: TOKEN}}});
    expect(statSync(file()).mode & 0o777).to.equal(0o600);
    expect(r.output).to.contain('Added profile tty');
    expect(r.output).not.to.contain(TOKEN); // typed without echo (mask characters only)
  });

  it('asks only for what the flags leave out (API key path); prompts on stderr, --json alone on stdout', async () => {
    const out = join(box.root, 'stdout.json');
    const r = await runCliInPty(
      ['profiles', 'add', 'tty2', '--account-sid', AC2, '--api-key', SK1, '--json'],
      [{expect: /API key secret/, send: `${SECRET}\r`}],
      {env: box.env, cwd: box.cwd, stdoutTo: out},
    );
    expect(r.exitCode, r.output).to.equal(0);
    expect(r.output).not.to.match(/Account SID \(AC/);
    expect(r.output).to.contain('API key secret'); // the prompt went to the terminal (stderr) ...
    const json = JSON.parse(readFileSync(out, 'utf8')); // ... and stdout holds only the JSON
    expect(json).to.deep.include({action: 'added', active_profile: 'tty2'});
    expect(json.profile.secret).to.equal('****XYZW');
    expect(saved().profiles.tty2).to.deep.equal({accountSid: AC2, apiKey: SK1, apiSecret: SECRET});
    expect(r.output).not.to.contain(SECRET);
  });

  it('profiles remove answered "no": exit 0, "Cancelled; nothing was changed", nothing removed; --json says cancelled', async () => {
    ok(await addToken('prod'));
    const r = await runCliInPty(['profiles', 'remove', 'prod'], [{expect: /Remove profile prod[^?]*\?[^?]*\(y\s*\/\s*N/, send: 'n\r'}], {env: box.env, cwd: box.cwd});
    expect(r.exitCode, r.output).to.equal(0);
    expect(r.output).to.contain('Cancelled; nothing was changed').and.not.contain('Removed profile').and.not.contain('✔');
    expect(Object.keys(saved().profiles)).to.deep.equal(['prod']);
    const out = join(box.root, 'remove-no.json');
    const j = await runCliInPty(['profiles', 'remove', 'prod', '--json'], [{expect: /\(y\s*\/\s*N/, send: 'n\r'}], {env: box.env, cwd: box.cwd, stdoutTo: out});
    expect(j.exitCode, j.output).to.equal(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).to.deep.include({action: 'kept', active_profile: 'prod', cancelled: true});
    expect(saved().active).to.equal('prod');
  });

  it('Ctrl-C at a confirmation prompt is CANCELLED, exit 1, nothing removed', async () => {
    ok(await addToken('prod'));
    const r = await runCliInPty(['profiles', 'remove', 'prod'], [{expect: /\(y\s*\/\s*N/, send: '\x03'}], {env: box.env, cwd: box.cwd});
    expect(r.exitCode).to.equal(1);
    expect(r.output).to.contain('✖ CANCELLED: Cancelled; nothing was changed').and.not.match(/^\s+at /m);
    expect(Object.keys(saved().profiles)).to.deep.equal(['prod']);
  });

  it('Ctrl-C at a prompt cancels cleanly and saves nothing', async () => {
    const r = await runCliInPty(['profiles', 'add', 'tty3'], [{expect: /Account SID/, send: '\x03'}], {env: box.env, cwd: box.cwd});
    expect(r.exitCode).to.equal(1);
    expect(r.output).to.contain('CANCELLED').and.not.match(/^\s+at /m);
    expect(existsSync(file())).to.equal(false);
  });
});
