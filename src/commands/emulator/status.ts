import {FlexconvCommand, Flags} from '../../lib/command.js';
import {emulatorStatus, type StatusInfo} from '../../lib/flows/emulator.js';

export default class EmulatorStatus extends FlexconvCommand<StatusInfo> {
  static override summary = 'Show whether the emulator runs, where, and the credentials to use';
  static override description =
    'Looks up the emulator started with `emulator start --detach` (or the one at --emulator-url, or one answering at the default URL) and asks it GET /_emulator/health: URL, pid, database, uptime, and the account SID, auth token and API key/secret to use. A record left behind by an emulator that is gone is removed. Exits 1 when no emulator is running.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'The URL and credentials for a script:', command: '<%= config.bin %> <%= command.id %> --json | jq -r .url'},
    {description: 'An emulator started in the foreground elsewhere:', command: '<%= config.bin %> <%= command.id %> --emulator-url http://127.0.0.1:4020'},
  ];

  static override flags = {
    'emulator-url': Flags.string({
      summary: 'Check the emulator at this base URL instead of the recorded one.',
      env: 'FLEXCONV_EMULATOR_URL',
      helpValue: 'URL',
    }),
  };

  async run(): Promise<StatusInfo> {
    const {flags} = await this.parse(EmulatorStatus);
    const s = await emulatorStatus({url: flags['emulator-url']});
    if (s.credentials === 'default')
      this.render.warn('Not started by `emulator start --detach` here: showing the default test account, which it uses unless started with --account-sid/--auth-token');
    this.render.success(`Emulator running at ${s.url}`);
    this.render.record(s, [
      {key: 'url', header: 'URL'},
      {key: 'pid', header: 'PID'},
      {key: 'db', header: 'Database'},
      {key: 'uptime_seconds', header: 'Uptime', get: (r) => `${duration(r.uptime_seconds)} (since ${r.started_at})`},
      {key: 'version', header: 'Version'},
      {key: 'account_sid', header: 'Account SID'},
      {key: 'auth_token', header: 'Auth token'},
      {key: 'api_key', header: 'API key'},
      {key: 'api_secret', header: 'API secret'},
    ]);
    return s;
  }
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`, `${s}s`].filter(Boolean).join(' ');
}
