import {Args, Flags, FlexconvCommand, targetLabel} from '../../lib/command.js';
import {ProfilesService, defaultTarget, inquirerPrompter, type ProfileChange, type ProfileView} from '../../lib/flows/profiles.js';
import type {Renderer} from '../../lib/render/index.js';
import {PROFILE_FIELDS} from './list.js';

export default class ProfilesAdd extends FlexconvCommand<ProfileChange> {
  static override summary = 'Add a credential profile (Account SID + Auth Token, or API key + secret)';
  static override description = `On a terminal, values not given as flags are asked for (secrets without echo). Without a terminal every value must come from flags, and a missing one is a usage error (exit 2).

The profile is saved to profiles.json in the flexconv config directory ($FLEXCONV_CONFIG_DIR, else $XDG_CONFIG_HOME/flexconv, else ~/.config/flexconv) with file mode 0600. The first profile becomes the active one (--no-activate prevents that): from then on, commands go to Twilio by default instead of the emulator, and a warning says so. Go back with \`flexconv profiles use --none\`, or pass --target emulator per command. Secrets are never printed whole.

Flags put secrets in your shell history; on a terminal, leave them out and answer the prompts instead.`;
  static override examples = [
    {description: 'Ask for the SIDs and the secret on the terminal', command: '<%= config.bin %> <%= command.id %> prod'},
    {
      description: 'Non-interactive (CI), with an API key',
      command:
        '<%= config.bin %> <%= command.id %> ci --account-sid "$TWILIO_ACCOUNT_SID" --api-key "$TWILIO_API_KEY" --api-secret "$TWILIO_API_SECRET" --json',
    },
    {
      description: 'An Auth Token profile in Ireland, without making it active',
      command: '<%= config.bin %> <%= command.id %> eu --account-sid AC… --auth-token … --region ie1 --edge dublin --no-activate',
    },
  ];
  static override args = {
    name: Args.string({required: true, description: 'Profile name (letters, digits, ".", "_", "-")'}),
  };
  static override flags = {
    'account-sid': Flags.string({summary: 'Account SID (AC + 32 hex).'}),
    'auth-token': Flags.string({summary: 'Auth Token (instead of an API key).'}),
    'api-key': Flags.string({summary: 'API key SID (SK + 32 hex).'}),
    'api-secret': Flags.string({summary: 'API key secret.'}),
    region: Flags.string({summary: 'Twilio region, e.g. ie1, au1.'}),
    edge: Flags.string({summary: 'Twilio edge, e.g. dublin, sydney.'}),
    activate: Flags.boolean({
      allowNo: true,
      summary: 'Make it the active profile (default: only when it is the first one).',
    }),
    force: Flags.boolean({summary: 'Replace a profile of the same name.'}),
  };

  async run(): Promise<ProfileChange> {
    const {args, flags} = await this.parse(ProfilesAdd);
    const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
    const change = await new ProfilesService(process.env).add(
      {
        name: args.name,
        accountSid: flags['account-sid'],
        authToken: flags['auth-token'],
        apiKey: flags['api-key'],
        apiSecret: flags['api-secret'],
        region: flags.region,
        edge: flags.edge,
        activate: flags.activate,
        force: flags.force,
      },
      interactive ? inquirerPrompter() : undefined,
    );
    this.render.record<ProfileView>(change.profile, PROFILE_FIELDS);
    this.render.success(
      `${change.action === 'replaced' ? 'Replaced' : 'Added'} profile ${change.profile.name} in ${change.file}` +
        (change.profile.active ? ' (active)' : `; make it active with \`${this.config.bin} profiles use ${change.profile.name}\``),
    );
    if (change.profile.active) await warnTwilioByDefault(this.render, this.config.bin, change.profile.account_sid);
    return change;
  }
}

/** An active profile moves every command from the emulator to live Twilio: say so (`profiles add`, `profiles use`). */
export async function warnTwilioByDefault(render: Renderer, bin: string, accountSid: string): Promise<void> {
  const now = await defaultTarget();
  const label = now ? targetLabel(now) : `Twilio (account ${accountSid})`;
  if (!now || now.target === 'twilio')
    render.warn(
      `Commands now go to ${label} by default, not the emulator; use --target emulator for one command, or \`${bin} profiles use --none\` to go back`,
    );
}
