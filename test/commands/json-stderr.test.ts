/**
 * One rule for every command under --json: stdout holds the JSON document, stderr only warnings
 * (`! …`) — no ✔ success lines, no notes. Without --json the same runs print their success lines.
 * The built CLI as a child process, against an emulator started here.
 */
import {expect} from 'chai';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';
import {runCli, useSandbox, type Sandbox} from '../helpers/cli.js';

const AC = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

let box: Sandbox;
useSandbox((b) => (box = b));
let emu: Emulator;
before(async () => {
  emu = await startEmulator({port: 0, db: ':memory:'});
});
after(() => emu?.stop());

const run = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, {env: {...box.env, FLEXCONV_EMULATOR_URL: emu.url, ...env}, cwd: box.cwd, timeout: 40_000});

/** Exit 0, JSON on stdout, and nothing but `! warning` lines on stderr. */
async function jsonRun(args: string[], env?: Record<string, string>): Promise<any> {
  const r = await run([...args, '--json'], env);
  expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
  const doc = r.json();
  const lines = r.stderr.split('\n').filter(Boolean);
  for (const l of lines) expect(l, `${args.join(' ')} --json: stderr line`).to.match(/^! /);
  return doc;
}

describe('commands: --json, the same stderr for every command', function () {
  this.timeout(120_000);

  it('profiles, addresses, emulator, whoami, demo: no success lines under --json, warnings stay on stderr', async () => {
    // profiles (the first profile makes Twilio the default target: a warning, which stays)
    await jsonRun(['profiles', 'add', 'prod', '--account-sid', AC, '--auth-token', TOKEN]);
    await jsonRun(['profiles', 'add', 'ci', '--account-sid', AC, '--auth-token', TOKEN]);
    await jsonRun(['profiles', 'list']);
    await jsonRun(['profiles', 'use', 'ci']);
    await jsonRun(['profiles', 'use', '--none']);
    await jsonRun(['profiles', 'remove', 'ci', '--dry-run']);
    await jsonRun(['profiles', 'remove', 'ci', '--yes']);
    await jsonRun(['profiles', 'remove', 'prod', '--yes']);
    // addresses
    const created = await jsonRun(['addresses', 'create', '--type', 'chat', '--address', 'json-stderr']);
    await jsonRun(['addresses', 'get', created.sid]);
    await jsonRun(['addresses', 'list']);
    await jsonRun(['addresses', 'list', '--type', 'sms']); // empty: the "create one with" note is for people
    await jsonRun(['addresses', 'update', created.sid, '--friendly-name', 'x']);
    await jsonRun(['addresses', 'delete', created.sid, '--dry-run']);
    await jsonRun(['addresses', 'delete', created.sid, '--yes']);
    // emulator, whoami, demo
    await jsonRun(['emulator', 'status']);
    await jsonRun(['emulator', 'reset', '--yes', '--emulator-url', emu.url]);
    await jsonRun(['emulator', 'reset', '--dry-run', '--emulator-url', emu.url]);
    await jsonRun(['whoami']);
    await jsonRun(['demo']);
  });

  it('emulator start --detach and stop: the same', async () => {
    const env = {FLEXCONV_EMULATOR_URL: ''};
    const started = await jsonRun(['emulator', 'start', '--detach', '--port', '0', '--db', ':memory:'], env);
    expect(started.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    try {
      await jsonRun(['emulator', 'status'], env);
    } finally {
      await jsonRun(['emulator', 'stop'], env);
    }
  });

  it('without --json the success lines are there', async () => {
    const r = await run(['profiles', 'add', 'prod', '--account-sid', AC, '--auth-token', TOKEN]);
    expect(r.stderr).to.match(/^✔ /m);
    const c = await run(['addresses', 'create', '--type', 'chat', '--address', 'json-stderr-2', '--target', 'emulator']);
    expect(c.stderr).to.match(/^✔ Created address configuration/m);
  });
});
