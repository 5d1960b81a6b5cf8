import {Args, Flags, FlexconvCommand} from '../../lib/command.js';
import {ProfilesService, type ProfileChange} from '../../lib/flows/profiles.js';

export default class ProfilesRemove extends FlexconvCommand<ProfileChange> {
  static override summary = 'Remove a flexconv credential profile';
  static override description = `Asks for confirmation on a terminal; --yes skips the question, and without a terminal --yes is required (exit 2 otherwise). Removing the active profile leaves none active. twilio-cli profiles are read-only here: remove them with twilio-cli.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> staging',
    '<%= config.bin %> <%= command.id %> staging --yes --json',
    '<%= config.bin %> <%= command.id %> staging --dry-run',
  ];
  static override args = {
    name: Args.string({required: true, description: 'Profile name (see `flexconv profiles list`)'}),
  };
  static override flags = {
    yes: Flags.boolean({char: 'y', summary: 'Remove without asking.'}),
    'dry-run': Flags.boolean({summary: 'Show what would be removed and change nothing.'}),
  };

  async run(): Promise<ProfileChange> {
    const {args, flags} = await this.parse(ProfilesRemove);
    const service = new ProfilesService(process.env);
    const view = service.removable(args.name);
    if (flags['dry-run']) {
      const change = service.remove(view.name, {dryRun: true});
      this.render.info(`Would remove profile ${view.name} (${view.account_sid}) from ${change.file}${view.active ? '; it is the active one' : ''}`);
      return change;
    }
    const what = `Remove profile ${view.name} (${view.account_sid})${view.active ? ', the active one' : ''}?`;
    await this.confirm(what, flags.yes, {result: {...service.kept(view)}});
    const change = service.remove(view.name);
    this.render.success(
      `Removed profile ${view.name}` +
        (view.active ? `; no profile is active now (pick one with \`${this.config.bin} profiles use NAME\`)` : ''),
    );
    return change;
  }
}
