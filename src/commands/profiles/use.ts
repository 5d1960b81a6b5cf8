import {Args, Flags, FlexconvCommand, targetLabel} from '../../lib/command.js';
import {usageError} from '../../lib/errors.js';
import {ProfilesService, defaultTarget, type ProfileChange, type ProfileDeactivation} from '../../lib/flows/profiles.js';
import {warnTwilioByDefault} from './add.js';

export default class ProfilesUse extends FlexconvCommand<ProfileChange | ProfileDeactivation> {
  static override summary = 'Make a profile the active one, or none with --none';
  static override description = `Commands use the active profile unless --profile, FLEXCONV_PROFILE or the project config names another; flags, TWILIO_* variables and the project config still win per setting (see \`flexconv whoami\`). A twilio-cli profile can be made active too; it stays read-only.

An active profile holds Twilio credentials, so commands go to Twilio by default. --none leaves no profile active: the default target is the emulator again (unless TWILIO_* variables or the project config hold credentials). The profiles themselves are kept.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> prod',
    '<%= config.bin %> <%= command.id %> staging --json',
    {description: 'Back to the emulator by default (no active profile)', command: '<%= config.bin %> <%= command.id %> --none'},
  ];
  static override args = {
    name: Args.string({required: false, description: 'Profile name (see `flexconv profiles list`)'}),
  };
  static override flags = {
    none: Flags.boolean({summary: 'Deactivate the active profile (commands default to the emulator again).'}),
  };

  async run(): Promise<ProfileChange | ProfileDeactivation> {
    const {args, flags} = await this.parse(ProfilesUse);
    const service = new ProfilesService(process.env);
    if (flags.none) {
      if (args.name) throw usageError(`Give a profile name or --none, not both`, [`\`${this.config.bin} profiles use --none\``]);
      const change = service.deactivate();
      this.render.success(change.profile ? `Deactivated profile ${change.profile.name}; no profile is active` : 'No profile is active (none was)');
      const now = await defaultTarget();
      if (now?.target === 'emulator') this.render.info(`Commands now go to ${targetLabel(now)} by default`);
      else if (now)
        this.render.warn(
          `Commands still go to ${targetLabel(now)} by default: credentials come from ${now.sources.accountSid?.from} ${now.sources.accountSid?.detail} (see \`${this.config.bin} whoami\`); use --target emulator to reach the emulator`,
        );
      return change;
    }
    if (!args.name)
      throw usageError('Missing the profile name (or --none to have no active profile)', [
        `\`${this.config.bin} profiles use NAME\` (see \`${this.config.bin} profiles list\`)`,
        `or \`${this.config.bin} profiles use --none\``,
      ]);
    const change = service.use(args.name);
    this.render.success(`Active profile: ${change.profile.name} (${change.profile.account_sid}, ${change.profile.source})`);
    await warnTwilioByDefault(this.render, this.config.bin, change.profile.account_sid);
    return change;
  }
}
