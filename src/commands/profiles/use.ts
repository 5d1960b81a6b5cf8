import {Args, FlexconvCommand} from '../../lib/command.js';
import {ProfilesService, type ProfileChange} from '../../lib/flows/profiles.js';

export default class ProfilesUse extends FlexconvCommand<ProfileChange> {
  static override summary = 'Make a profile the active one';
  static override description = `Commands use the active profile unless --profile, FLEXCONV_PROFILE or the project config names another; flags, TWILIO_* variables and the project config still win per setting (see \`flexconv whoami\`). A twilio-cli profile can be made active too; it stays read-only.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> prod',
    '<%= config.bin %> <%= command.id %> staging --json',
  ];
  static override args = {
    name: Args.string({required: true, description: 'Profile name (see `flexconv profiles list`)'}),
  };

  async run(): Promise<ProfileChange> {
    const {args} = await this.parse(ProfilesUse);
    const change = new ProfilesService(process.env).use(args.name);
    this.render.success(`Active profile: ${change.profile.name} (${change.profile.account_sid}, ${change.profile.source})`);
    return change;
  }
}
