/**
 * The CLI's surface — every command id, its flags (name, type, char, required, multiple, options,
 * --no- form) and its positional args — read from the BUILT oclif.manifest.json (`npm run build`
 * writes it) and compared with the committed test/commands/command-snapshot.json, so a flag that
 * is renamed, dropped or made required by accident fails CI. An intended change is recorded with
 *
 *   UPDATE_SNAPSHOT=1 npm test
 *
 * which rewrites the snapshot (commit it with the change). Also: every command has a summary and
 * at least two examples, one of them with --json.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {expect} from 'chai';
import {assertBuilt, ROOT} from '../helpers/cli.js';

const SNAPSHOT = fileURLToPath(new URL('./command-snapshot.json', import.meta.url));
const SNAPSHOT_NAME = relative(process.cwd(), SNAPSHOT) || SNAPSHOT;
const MANIFEST = join(ROOT, 'oclif.manifest.json');
const UPDATE = Boolean(process.env.UPDATE_SNAPSHOT && process.env.UPDATE_SNAPSHOT !== '0');
const UPDATE_HINT = `\`UPDATE_SNAPSHOT=1 npm test\` (it rewrites ${SNAPSHOT_NAME}; commit it with the change)`;

interface ManifestFlag {
  name: string;
  type: 'boolean' | 'option';
  char?: string;
  required?: boolean;
  multiple?: boolean;
  options?: string[];
  allowNo?: boolean;
  aliases?: string[];
  charAliases?: string[];
}
interface ManifestArg {
  name: string;
  required?: boolean;
  options?: string[];
}
interface ManifestCommand {
  id: string;
  summary?: string;
  aliases?: string[];
  examples?: (string | {command: string; description?: string})[];
  flags: Record<string, ManifestFlag>;
  args: Record<string, ManifestArg>;
}

type FlagShape = Omit<ManifestFlag, 'name' | 'required'> & {required: boolean};
type ArgShape = Omit<ManifestArg, 'required'> & {required: boolean};
interface CommandShape {
  aliases?: string[];
  /** Positional order matters: an array, not a map. */
  args: ArgShape[];
  flags: Record<string, FlagShape>;
}
type Snapshot = Record<string, CommandShape>;

function loadManifest(): Record<string, ManifestCommand> {
  assertBuilt();
  if (!existsSync(MANIFEST)) throw new Error(`${MANIFEST} is missing: run \`npm run build\` first (\`npm test\` does)`);
  return (JSON.parse(readFileSync(MANIFEST, 'utf8')) as {commands: Record<string, ManifestCommand>}).commands;
}

const nonEmpty = (a: string[] | undefined) => (a && a.length > 0 ? [...a] : undefined);

/** Only what a user's command line depends on; keys sorted so the JSON diffs cleanly. */
function surface(commands: Record<string, ManifestCommand>): Snapshot {
  const out: Snapshot = {};
  for (const id of Object.keys(commands).sort()) {
    const c = commands[id];
    const flags: Record<string, FlagShape> = {};
    for (const name of Object.keys(c.flags).sort()) {
      const f = c.flags[name];
      const shape: FlagShape = {type: f.type, char: f.char, required: Boolean(f.required)};
      if (f.type === 'option') {
        shape.multiple = Boolean(f.multiple);
        shape.options = nonEmpty(f.options);
      } else {
        shape.allowNo = Boolean(f.allowNo);
      }
      shape.aliases = nonEmpty(f.aliases);
      shape.charAliases = nonEmpty(f.charAliases);
      flags[name] = JSON.parse(JSON.stringify(shape)); // drop undefined keys
    }
    const args = Object.values(c.args).map((a): ArgShape => JSON.parse(JSON.stringify({name: a.name, required: Boolean(a.required), options: nonEmpty(a.options)})));
    out[id] = JSON.parse(JSON.stringify({aliases: nonEmpty(c.aliases), args, flags}));
  }
  return out;
}

/** Human-readable differences, one line each: `addresses:create --webhook-url: removed`. */
function differences(expected: Snapshot, actual: Snapshot): string[] {
  const lines: string[] = [];
  const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
  for (const id of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const [e, a] = [expected[id], actual[id]];
    if (!a) lines.push(`command ${id}: removed`);
    else if (!e) lines.push(`command ${id}: added`);
    else {
      if (show(e.aliases) !== show(a.aliases)) lines.push(`${id} aliases: ${show(e.aliases)} → ${show(a.aliases)}`);
      if (show(e.args) !== show(a.args)) lines.push(`${id} args: ${show(e.args)} → ${show(a.args)}`);
      for (const flag of new Set([...Object.keys(e.flags), ...Object.keys(a.flags)])) {
        const [ef, af] = [e.flags[flag], a.flags[flag]];
        if (!af) lines.push(`${id} --${flag}: removed`);
        else if (!ef) lines.push(`${id} --${flag}: added`);
        else
          for (const key of new Set([...Object.keys(ef), ...Object.keys(af)]) as Set<keyof FlagShape>)
            if (show(ef[key]) !== show(af[key])) lines.push(`${id} --${flag} ${key}: ${show(ef[key])} → ${show(af[key])}`);
      }
    }
  }
  return lines;
}

describe('commands: the CLI surface (built oclif.manifest.json)', () => {
  let commands: Record<string, ManifestCommand>;
  before(() => {
    commands = loadManifest();
  });

  it(`command ids, flags and args match ${SNAPSHOT_NAME}`, () => {
    const actual = surface(commands);
    expect(Object.keys(actual), 'commands in the manifest').not.to.be.empty;
    if (UPDATE) {
      writeFileSync(SNAPSHOT, `${JSON.stringify(actual, null, 2)}\n`);
      // eslint-disable-next-line no-console
      console.log(`      (UPDATE_SNAPSHOT: wrote ${SNAPSHOT_NAME})`);
      return;
    }
    if (!existsSync(SNAPSHOT)) expect.fail(`${SNAPSHOT_NAME} is missing: create it with ${UPDATE_HINT}.`);
    const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Snapshot;
    const diff = differences(expected, actual);
    const message = `The commands, flags or args differ from ${SNAPSHOT_NAME} (snapshot → built CLI):\n  ${diff.join('\n  ')}\nIf the change is intended, update the snapshot: ${UPDATE_HINT}.\n`;
    expect(diff, message).to.deep.equal([]);
    expect(actual, message).to.deep.equal(expected); // a safety net for anything differences() does not name
  });

  it('every command has a summary and at least two examples, one of them with --json', () => {
    for (const [id, c] of Object.entries(commands)) {
      expect(c.summary, `${id}: summary`).to.be.a('string').and.match(/\S/);
      const examples = (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command));
      expect(examples.length, `${id}: number of examples`).to.be.at.least(2);
      expect(examples.some((e) => /(^|\s)--json(\s|$)/.test(e)), `${id}: an example with --json`).to.equal(true);
    }
  });
});
