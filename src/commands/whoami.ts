import {ApiCommand} from '../lib/command.js';
import {describeContext, type WhoAmI} from '../lib/flows/whoami.js';

export default class WhoAmICommand extends ApiCommand<WhoAmI> {
  static override summary = 'Show the target, account and where each credential came from';
  static override description =
    'Resolves credentials exactly as every other command does (flags > environment > project config > profile) and shows which source won, without calling the API. Secrets are masked.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    'TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=... <%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --profile prod --target twilio',
  ];

  async run(): Promise<WhoAmI> {
    const {flags} = await this.parse(WhoAmICommand);
    const who = describeContext(await this.resolve(flags));
    this.render.record(who, [
      {key: 'target', header: 'Target', get: (w) => `${w.target}  (${w.sources.target})`},
      {key: 'base_url', header: 'Base URL', get: (w) => `${w.base_url}${w.sources.base_url ? `  (${w.sources.base_url})` : ''}`},
      {key: 'account_sid', header: 'Account SID', get: (w) => `${w.account_sid}  (${w.sources.account_sid})`},
      {
        key: 'auth',
        header: 'Auth',
        get: (w) =>
          w.api_key
            ? `API key ${w.api_key} / secret ${w.api_secret}  (${w.sources.api_key})`
            : `auth token ${w.auth_token}  (${w.sources.auth_token})`,
      },
      ...(who.region ? [{key: 'region', header: 'Region', get: (w: WhoAmI) => `${w.region}  (${w.sources.region})`}] : []),
      ...(who.edge ? [{key: 'edge', header: 'Edge', get: (w: WhoAmI) => `${w.edge}  (${w.sources.edge})`}] : []),
      {key: 'profile', header: 'Profile', get: (w) => w.profile ?? '-'},
      {key: 'config_file', header: 'Config file', get: (w) => w.config_file ?? '-'},
    ]);
    return who;
  }
}
