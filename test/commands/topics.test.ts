/**
 * A topic followed by something that is not one of its commands is a usage error (exit 2, as JSON
 * under --json), never the topic's help with exit 0 — for every topic and every command of it,
 * read from the built manifest so a new topic is covered the day it lands.
 */
import {expect} from 'chai';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {ROOT, runCli, useSandbox, type Sandbox} from '../helpers/cli.js';

let box: Sandbox;
useSandbox((b) => (box = b));

/** Every topic (nested ones too: `conversations participants`) → the commands directly in it. */
function topics(): Map<string, string[]> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {hidden?: boolean}>};
  const out = new Map<string, string[]>();
  for (const [id, c] of Object.entries(manifest.commands)) {
    if (c.hidden || !id.includes(':')) continue;
    const parts = id.split(':');
    const topic = parts.slice(0, -1).join(' ');
    out.set(topic, [...(out.get(topic) ?? []), parts.at(-1)!]);
  }
  return out;
}

describe('commands: a flag between topic and command', function () {
  // 90-odd commands run as child processes: bounded in parallel, and time for a busy 2-core machine
  this.timeout(240_000);

  it('the manifest has the topics this test is about', () => {
    expect([...topics().keys()]).to.include.members(['addresses', 'emulator', 'profiles', 'conversations', 'conversations participants', 'messages', 'simulate', 'webhooks']);
  });

  it('TOPIC --json VERB: exit 2, a JSON usage error naming where the flag goes, for every command of every topic', async () => {
    const cases = [...topics()].flatMap(([topic, verbs]) => verbs.map((verb) => [topic, verb] as const));
    const check = async ([topic, verb]: readonly [string, string]) => {
      const r = await runCli([...topic.split(' '), '--json', verb], {env: box.env});
      const what = `flexconv ${topic} --json ${verb}`;
      expect(r.exitCode, `${what}\n${r.stdout}${r.stderr}`).to.equal(2);
      const body = r.json();
      expect(body, what).to.deep.include({status: 2});
      expect(body.error, what).to.include({code: 'USAGE', exit: 2});
      expect(body.error.message, what).to.equal(`Flags go after the command: "--json" came before "${topic} ${verb}"`);
      expect(body.error.hints, what).to.deep.equal([`try \`flexconv ${topic} ${verb} --json\``]);
      expect(r.stderr, what).to.equal('');
    };
    expect(cases.length).to.be.greaterThan(10);
    // at most 4 at once: all of them at once starve each other past runCli's timeout
    const queue = [...cases];
    await Promise.all(Array.from({length: 4}, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await check(c);
    }));
  });

  it('without --json the error goes to stderr, flag values keep their place in the rewritten command', async () => {
    for (const [args, hint] of [
      [['addresses', '--type', 'chat', 'list'], 'flexconv addresses list --type chat'],
      [['emulator', '--detach', 'start'], 'flexconv emulator start --detach'],
      [['addresses', '-y', 'delete', '+15551112222'], 'flexconv addresses delete -y +15551112222'],
      [['profiles', '--no-color', 'list'], 'flexconv profiles list --no-color'],
    ] as const) {
      const r = await runCli([...args], {env: box.env});
      expect(r.exitCode, r.stderr).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^✖ USAGE: Flags go after the command: /).and.contain(`→ try \`${hint}\``);
    }
  });

  it('TOPIC followed by flags only: exit 2 listing the commands of the topic', async () => {
    for (const [topic, verbs] of topics()) {
      const r = await runCli([...topic.split(' '), '--json'], {env: box.env});
      expect(r.exitCode, r.stdout).to.equal(2);
      expect(r.json().error.message).to.equal(`"flexconv ${topic}" needs a command before its flags ("--json")`);
      expect(r.json().error.hints[0]).to.equal(`${topic} commands: ${[...verbs].sort().join(', ')}`);
    }
  });

  it('the topic alone, or with --help, still shows its help (exit 0)', async () => {
    for (const topic of topics().keys())
      for (const args of [[topic], [topic, '--help'], [topic, '--json', '--help']].map((a) => a.flatMap((w) => w.split(' ')))) {
        const r = await runCli(args, {env: box.env});
        expect(r.exitCode, args.join(' ')).to.equal(0);
        expect(r.stdout).to.contain(`$ flexconv ${topic} COMMAND`);
      }
  });
});
