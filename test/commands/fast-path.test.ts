/**
 * The start-up fast path (src/fast, scripts/bundle.js): an API command runs from the bundle with
 * a V8 code cache, without loading oclif's or the SDK's files one by one, without the SDK's axios
 * RequestClient (src/lib/twilio/transport.ts sends the requests), without undici, and without TLS
 * against the (plain http) emulator, and gives the same answer as before.
 */
import {expect} from 'chai';
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {runCli, sandbox, type Sandbox} from '../helpers/cli.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';
import {commandId} from '../../src/fast/launch.js';

describe('start-up fast path', () => {
  let emu: Emulator;
  let box: Sandbox;
  let probe: string;
  before(async () => {
    emu = await startEmulator({port: 0, db: ':memory:'});
  });
  after(async () => {
    await emu.stop();
  });
  beforeEach(() => {
    box = sandbox();
    // written at exit by the CLI process: which files it loaded, and whether Node loaded undici
    probe = join(box.root, 'probe.cjs');
    writeFileSync(
      probe,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(join(box.root, 'loaded.json'))}, JSON.stringify({
        files: Object.keys(require.cache),
        undici: process.moduleLoadList.some((m) => m.includes('undici')),
        tls: process.moduleLoadList.includes('NativeModule tls'),
      })));`,
    );
  });
  afterEach(() => box.cleanup());

  const run = (args: string[]) =>
    runCli(args, {env: {...box.env, FLEXCONV_EMULATOR_URL: emu.url, NODE_OPTIONS: `--require ${probe}`}});
  const loaded = () => JSON.parse(readFileSync(join(box.root, 'loaded.json'), 'utf8')) as {files: string[]; undici: boolean; tls: boolean};

  it('addresses list --json runs from the bundle, loads neither oclif nor the SDK file by file, nor axios, undici or TLS', async () => {
    await emu.reset();
    const created = await run(['addresses', 'create', '--type', 'sms', '--address', '+15553334444', '--json']);
    expect(created.exitCode, created.stderr).to.equal(0);
    const r = await run(['addresses', 'list', '--json']);
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.json().map((a: {address: string}) => a.address)).to.deep.equal(['+15553334444']);
    const {files, undici, tls} = loaded();
    // the bundle is evaluated as one vm.Script: none of these files is require()d on its own
    expect(files.filter((f) => /node_modules[/\\](@oclif[/\\]core|twilio|axios)[/\\]/.test(f))).to.deep.equal([]);
    expect(files.filter((f) => /dist[/\\]commands[/\\]/.test(f))).to.deep.equal([]);
    expect(undici, 'undici loaded').to.equal(false);
    expect(tls, 'TLS loaded for a plain http emulator').to.equal(false);
    // the V8 code cache was written under the (sandboxed) user cache dir
    const cacheDir = join(box.root, '.cache', 'flexconv');
    expect(existsSync(cacheDir) && readdirSync(cacheDir).some((f) => f.endsWith('.v8cache'))).to.equal(true);
  });

  it('the code cache is used: a second run of the same command accepts it and leaves the file alone', async () => {
    expect((await run(['addresses', 'list', '--json'])).exitCode).to.equal(0); // writes the cache
    const dir = join(box.root, '.cache', 'flexconv');
    const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.v8cache'))!);
    const before = statSync(file);
    const again = await run(['addresses', 'list', '--json']);
    expect(again.exitCode, again.stderr).to.equal(0);
    const after = statSync(file);
    // a rejected or unreadable cache is written anew at exit (a new file renamed over the old one)
    expect([after.ino, after.mtimeMs], 'rewritten: the cache was not accepted').to.deep.equal([before.ino, before.mtimeMs]);
  });

  it('a damaged code cache is ignored and replaced, never trusted (V8 does not check its bytes)', async () => {
    expect((await run(['addresses', 'list', '--json'])).exitCode).to.equal(0); // writes the cache
    const dir = join(box.root, '.cache', 'flexconv');
    const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.v8cache'))!);
    const original = readFileSync(file);
    for (let round = 0; round < 3; round++) {
      const damaged = Buffer.from(original);
      const start = damaged.indexOf(10) + 1;
      for (let i = 0; i < 8; i++) damaged[start + ((i * 7919 + round * 104729) % (damaged.length - start))] ^= 0xff;
      writeFileSync(file, damaged);
      const r = await run(['addresses', 'list', '--json']);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(readFileSync(file).equals(damaged), 'rewritten').to.equal(false);
    }
  });

  it('with DEBUG set the command runs the normal way (stack traces name dist/ files)', async () => {
    const r = await runCli(['addresses', 'list', '--json'], {
      env: {...box.env, FLEXCONV_EMULATOR_URL: emu.url, NODE_OPTIONS: `--require ${probe}`, DEBUG: 'flexconv:nothing'},
    });
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(loaded().files.some((f) => /dist[/\\]commands[/\\]addresses[/\\]list\.js$/.test(f) || /node_modules[/\\]@oclif[/\\]core[/\\]/.test(f))).to.equal(true);
  });

  it('commands that use fetch themselves have it', async () => {
    const r = await run(['emulator', 'status', '--json', '--emulator-url', emu.url]);
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.json().running).to.equal(true);
  });

  it('help and unknown commands go through oclif as before', async () => {
    for (const flag of ['--help', '-h']) {
      const help = await run(['addresses', 'list', flag]);
      expect(help.exitCode, flag).to.equal(0);
      expect(help.stdout, flag).to.include('USAGE');
    }
    const unknown = await run(['adresses', 'list']);
    expect(unknown.exitCode).to.equal(2);
    expect(unknown.stderr).to.match(/addresses/);
    // flags before the command: say where they go, as JSON when --json is among them
    const flagsFirst = await run(['--limit', '3', 'addresses', 'list']);
    expect(flagsFirst.exitCode).to.equal(2);
    expect(flagsFirst.stderr).to.include('Flags go after the command').and.include('try `flexconv addresses list --limit 3`');
    const jsonFirst = await run(['--json', 'addresses', 'list']);
    expect(jsonFirst.exitCode).to.equal(2);
    expect(jsonFirst.json().error.hints).to.deep.equal(['try `flexconv addresses list --json`']);
  });

  it('commandId reads argv as oclif does (topics with spaces, flags and args end it)', () => {
    const commands = {
      'addresses:list': {},
      'addresses:get': {args: {sidOrAddress: {}}},
      'emulator:start': {},
      whoami: {},
    };
    expect(commandId(['addresses', 'list', '--json'], commands)).to.equal('addresses:list');
    expect(commandId(['addresses', 'get', 'IG123'], commands)).to.equal('addresses:get');
    expect(commandId(['addresses:list'], commands)).to.equal('addresses:list');
    expect(commandId(['whoami', '--json'], commands)).to.equal('whoami');
    expect(commandId(['addresses', '--json'], commands)).to.equal('addresses');
    expect(commandId([], commands)).to.equal(undefined);
  });
});
