/**
 * Tables: columns padded by display width (CJK and emoji take two terminal columns), long cells
 * cut with … to the terminal's width on a terminal only; --no-truncate keeps them whole, and
 * pipes and --json never cut. The built CLI as a child process (a real pseudo-terminal for the
 * terminal cases), against an emulator started here.
 */
import {expect} from 'chai';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';
import {displayWidth} from '../../src/lib/render/width.js';
import {ptyRunner, runCli, runCliInPty, useSandbox, type Sandbox} from '../helpers/cli.js';

let box: Sandbox;
useSandbox((b) => (box = b));
let emu: Emulator;
const LONG = `long-${'x'.repeat(190)}-end`;
before(async () => {
  emu = await startEmulator({port: 0, db: ':memory:'});
  const client = emu.twilio();
  for (const [address, friendlyName] of [
    ['cjk', '東京サポート窓口'],
    ['emoji', '🎉 party 👨‍👩‍👧 🇯🇵'],
    ['ascii', 'plain'],
    ['long', LONG],
  ])
    await client.conversations.v1.addressConfigurations.create({type: 'chat', address, friendlyName});
});
after(() => emu?.stop());
const env = () => ({...box.env, FLEXCONV_EMULATOR_URL: emu.url});

/** The display column where `needle` starts in `line`. */
const columnOf = (line: string, needle: string) => displayWidth(line.slice(0, line.indexOf(needle)));

describe('commands: tables', function () {
  this.timeout(60_000);

  it('pads by display width: the column after CJK and emoji cells starts where its header does', async () => {
    const r = await runCli(['addresses', 'list', '--columns', 'friendly_name,address'], {env: env(), cwd: box.cwd});
    expect(r.exitCode, r.stderr).to.equal(0);
    const lines = r.stdout.trimEnd().split('\n');
    const at = columnOf(lines[0], 'ADDRESS');
    for (const [needle, address] of [['東京', 'cjk'], ['🎉', 'emoji'], ['plain', 'ascii']]) {
      const line = lines.find((l) => l.includes(needle))!;
      expect(columnOf(line, address), `${line}`).to.equal(at);
    }
    // not a terminal: nothing is cut
    expect(r.stdout).to.contain(LONG).and.not.contain('…');
  });

  it('on a terminal: long cells cut with … to its width; --no-truncate and --json keep them whole', async function () {
    const pty = ptyRunner();
    if (!pty.ok) this.skip();
    const cut = await runCliInPty(['addresses', 'list', '--columns', 'address,friendly_name'], [], {env: env(), cwd: box.cwd});
    expect(cut.exitCode, cut.output).to.equal(0);
    const lines = cut.output.split('\n').filter((l) => l.trim());
    const long = lines.find((l) => l.startsWith('long'))!;
    expect(long, cut.output).to.match(/…$/);
    expect(long).to.contain('long-xxx').and.not.contain('-end');
    for (const l of lines) expect(displayWidth(l), l).to.be.at.most(120); // runCliInPty: COLUMNS=120
    // the emoji row is still aligned when cells are cut
    expect(columnOf(lines.find((l) => l.startsWith('emoji'))!, '🎉')).to.equal(columnOf(lines[0], 'FRIENDLY NAME'));

    const whole = await runCliInPty(['addresses', 'list', '--columns', 'address,friendly_name', '--no-truncate'], [], {env: env(), cwd: box.cwd});
    expect(whole.output).to.contain(LONG);
    const json = await runCliInPty(['addresses', 'list', '--json'], [], {env: env(), cwd: box.cwd});
    expect(json.output).to.contain(LONG);
    // every list takes --no-truncate
    const profiles = await runCliInPty(['profiles', 'list', '--no-truncate'], [], {env: env(), cwd: box.cwd});
    expect(profiles.exitCode, profiles.output).to.equal(0);
  });
});
