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
import {Plugin} from '@oclif/core/config';
import {execute} from '@oclif/core/execute';

/** Command id → the command's module, inside the bundle. */
export type CommandModules = Record<string, () => Promise<Record<string, unknown>>>;

type PluginOptions = ConstructorParameters<typeof Plugin>[0];

/** The root plugin whose commands are the bundled classes; anything else falls back to oclif's own lookup. */
class BundledPlugin extends Plugin {
  constructor(
    options: PluginOptions,
    private readonly modules: CommandModules,
  ) {
    super(options);
  }

  // oclif's Plugin.findCommand, minus the module resolution: same id/plugin/isESM/relativePath fields.
  override async findCommand(id: string, opts: {must: true}): Promise<Command.Class>;
  override async findCommand(id: string, opts?: {must: boolean}): Promise<Command.Class | undefined>;
  override async findCommand(id: string, opts: {must?: boolean} = {}): Promise<Command.Class | undefined> {
    const load = this.modules[id];
    if (!load) return super.findCommand(id, {must: Boolean(opts.must)});
    const module = await load();
    const cmd = (module.default ?? Object.values(module).find((v) => typeof (v as Command.Class)?.run === 'function')) as Command.Class;
    return Object.assign(cmd, {id, plugin: this, isESM: true, relativePath: this.manifest.commands[id]?.relativePath});
  }
}

/**
 * `execute()` as bin/run.js does it, with the root-only Config. False when the root plugin can't
 * be loaded (nothing has run then): the caller goes the normal way, which reports the problem.
 */
export async function run(argv: string[], root: string, modules: CommandModules): Promise<boolean> {
  const plugin = new BundledPlugin({root, isRoot: true}, modules);
  try {
    await plugin.load();
  } catch {
    return false;
  }
  await execute({args: argv, loadOptions: {root, plugins: new Map([[plugin.name, plugin]])}});
  return true;
}
