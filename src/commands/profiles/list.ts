import {Flags, FlexconvCommand, tableFlags, type Column} from '../../lib/command.js';
import {pickColumns} from '../../lib/cli/columns.js';
import {ProfilesService, type ProfileView} from '../../lib/flows/profiles.js';

const regionEdge = (p: ProfileView) => [p.region, p.edge].filter(Boolean).join('/') || '-';
const auth = (p: ProfileView) => (p.auth_kind === 'api-key' ? `api-key ${p.api_key}` : p.auth_kind);

export const PROFILE_COLUMNS: Column<ProfileView>[] = [
  {key: 'active', header: ' ', get: (p) => (p.active ? '*' : '')},
  {key: 'name', header: 'NAME'},
  {key: 'account_sid', header: 'ACCOUNT SID'},
  {key: 'auth_kind', header: 'AUTH', get: auth},
  {key: 'secret', header: 'SECRET', get: (p) => p.secret || (p.source === 'twilio-cli' ? '(keychain)' : '-')},
  {key: 'region', header: 'REGION/EDGE', get: regionEdge},
  {key: 'source', header: 'SOURCE'},
];

export const PROFILE_FIELDS: Column<ProfileView>[] = [
  {key: 'name', header: 'Name'},
  {key: 'account_sid', header: 'Account SID'},
  {key: 'auth_kind', header: 'Auth', get: auth},
  {key: 'secret', header: 'Secret', get: (p) => p.secret || '-'},
  {key: 'region', header: 'Region/edge', get: regionEdge},
  {key: 'active', header: 'Active', get: (p) => (p.active ? 'yes' : 'no')},
  {key: 'source', header: 'Source'},
];

export default class ProfilesList extends FlexconvCommand<ProfileView[]> {
  static override summary = 'List credential profiles (flexconv and twilio-cli), secrets masked';
  static override description = `Shows flexconv's own profiles and, read-only, the profiles of twilio-cli (~/.twilio-cli/config.json, or $TWILIO_CLI_CONFIG_DIR/config.json). The active profile is marked with "*". Secrets show only their last 4 characters, in the table and in --json.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    "<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.active) | .name'",
    '<%= config.bin %> <%= command.id %> --columns name,account_sid --no-header',
  ];
  static override flags = {
    ...tableFlags,
    columns: Flags.string({
      summary: `Columns to show, comma-separated (${PROFILE_COLUMNS.map((c) => c.key).join(', ')}).`,
      delimiter: ',',
      multiple: true,
    }),
    'no-header': Flags.boolean({summary: 'Leave out the header line.'}),
  };

  async run(): Promise<ProfileView[]> {
    const {flags} = await this.parse(ProfilesList);
    const columns = pickColumns(flags.columns, PROFILE_COLUMNS);
    const service = new ProfilesService(process.env);
    const profiles = service.list();
    if (!profiles.length && !this.jsonEnabled()) {
      this.render.info(`No profiles yet (${service.file}); add one with \`${this.config.bin} profiles add NAME\``);
      return profiles;
    }
    this.render.table(profiles, columns, {noHeader: flags['no-header']});
    return profiles;
  }
}
