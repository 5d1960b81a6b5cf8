/**
 * The inside of the start-up fast path (see ./launch.ts and the README's "Design"): runs one of
 * flexconv's own commands through oclif's normal `execute` (init/prerun/postrun/finally hooks,
 * parsing, error handling and exit codes unchanged), with two differences that only save time:
 *
 * - the Config holds only the root plugin: @oclif/plugin-help (whose one command, `help`, never
 *   takes this path) is not looked up, read and merged on every run;
 * - the command classes come from the same pre-built bundle as this file (scripts/bundle.js), not
 *   from one module graph per command in dist/commands.
 *
 * Not imported by anything in dist/ itself: scripts/bundle.js builds it into dist/fast.cjs.
 */
import type {Command} from '@oclif/core/command';
import type * as Interfaces from '@oclif/core/interfaces';
import {Plugin} from '@oclif/core/config';
import {execute} from '@oclif/core/execute';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';

/** Command id → the command's module, inside the bundle. */
export type CommandModules = Record<string, () => Promise<Record<string, unknown>>>;

type PluginOptions = ConstructorParameters<typeof Plugin>[0];

/**
 * The root plugin, knowing only the command this run names: its class comes from the bundle.
 *
 * Why only that one: Plugin.load() ends by sorting the manifest's commands with localeCompare,
 * and the first localeCompare in a process sets up ICU collation — ~15 ms of every start-up. A
 * list of one sorts without a comparison. Nothing that runs on this path looks at other commands
 * (they matter to help and to the command_not_found hook, which this path never reaches), and
 * oclif derives the same id from argv with this one as with all of them (launch.ts checked it
 * names this command). `_manifest` is private in oclif's typings, hence the expect-error.
 */
// @ts-expect-error overrides the private Plugin._manifest (see above)
class BundledPlugin extends Plugin {
  constructor(
    options: PluginOptions,
    private readonly id: string,
    private readonly module: () => Promise<Record<string, unknown>>,
  ) {
    super(options);
  }

  protected override async _manifest(): Promise<Interfaces.Manifest> {
    // This command's entry of oclif.manifest.json, which scripts/bundle.js wrote on its own (the
    // whole manifest is half a megabyte to read and parse), when it is there and of this version;
    // else the manifest as oclif reads it (with its version check).
    try {
      const own = JSON.parse(await readFile(join(this.root, 'dist', 'fast', 'commands', `${this.id.replaceAll(':', '.')}.json`), 'utf8'));
      if (own.version === this.version && own.entry) {
        this.hasManifest = true;
        this.commandIDs = [this.id];
        return {version: own.version, commands: {[this.id]: own.entry}};
      }
    } catch {
      // not there: the whole manifest
    }
    // @ts-expect-error calls the private Plugin._manifest: the manifest as oclif reads it (with its version check)
    const manifest = (await super._manifest()) as Interfaces.Manifest;
    return {...manifest, commands: {[this.id]: manifest.commands[this.id]}};
  }

  // oclif's Plugin.findCommand, minus the module resolution: same id/plugin/isESM/relativePath fields.
  override async findCommand(id: string, opts: {must: true}): Promise<Command.Class>;
  override async findCommand(id: string, opts?: {must: boolean}): Promise<Command.Class | undefined>;
  override async findCommand(id: string, opts: {must?: boolean} = {}): Promise<Command.Class | undefined> {
    if (id !== this.id) return super.findCommand(id, {must: Boolean(opts.must)});
    const module = await this.module();
    const cmd = (module.default ?? Object.values(module).find((v) => typeof (v as Command.Class)?.run === 'function')) as Command.Class;
    return Object.assign(cmd, {id, plugin: this, isESM: true, relativePath: this.manifest.commands[id]?.relativePath});
  }
}

/**
 * `execute()` as bin/run.js does it, for argv that names command `id` (launch.ts), with the
 * root-only Config. False when the root plugin can't be loaded (nothing has run then): the caller
 * goes the normal way, which reports the problem.
 */
export async function run(argv: string[], root: string, id: string, modules: CommandModules): Promise<boolean> {
  // a command added to dist/ after this bundle was built: the normal way knows it
  if (!Object.hasOwn(modules, id)) return false;
  const plugin = new BundledPlugin({root, isRoot: true}, id, modules[id]);
  try {
    await plugin.load();
  } catch {
    return false;
  }
  // The init hook (src/hooks/init.ts) acts only when argv names a topic, never a command, and
  // this path runs commands only: importing it would load oclif's files one by one for nothing.
  delete (plugin.hooks as Record<string, unknown>).init;
  await execute({args: argv, loadOptions: {root, plugins: new Map([[plugin.name, plugin]])}});
  return true;
}
