import {pickColumns} from '../../lib/cli/columns.js';
import {ApiCommand, Flags, tableFlags} from '../../lib/command.js';
import {
  ADDRESS_COLUMNS,
  ADDRESS_TYPES,
  EXAMPLE_ADDRESS,
  EXTRA_COLUMNS,
  MAX_PAGE_SIZE,
  listAddresses,
  type AddressConfiguration,
  type AddressType,
} from '../../lib/flows/addresses.js';

export default class AddressesList extends ApiCommand<AddressConfiguration[]> {
  static override summary = 'List address configurations';
  static override description = `Pages through the API automatically, up to --limit records (default 50); --all fetches every page. When the limit stops the list early, a note on stderr says so. --json prints the API resources as the REST API returns them (snake_case).

Table columns (--columns): ${[...ADDRESS_COLUMNS, ...EXTRA_COLUMNS].map((c) => c.key).join(', ')}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --type whatsapp --all --json',
    '<%= config.bin %> <%= command.id %> --columns sid,address,target --no-header',
    "<%= config.bin %> <%= command.id %> --all --json | jq -r '.[] | select(.auto_creation.enabled) | .address'",
  ];

  static override flags = {
    ...tableFlags,
    type: Flags.string({options: [...ADDRESS_TYPES], summary: 'Only addresses of this channel type.'}),
    limit: Flags.integer({min: 1, default: 50, exclusive: ['all'], summary: 'Stop after this many records.'}),
    all: Flags.boolean({exclusive: ['limit'], summary: 'Fetch every page, however many there are.'}),
    'page-size': Flags.integer({
      min: 1,
      max: MAX_PAGE_SIZE,
      summary: `Records per request (1–${MAX_PAGE_SIZE}; default: the smaller of --limit and ${MAX_PAGE_SIZE}).`,
    }),
    columns: Flags.string({
      delimiter: ',',
      multiple: true,
      summary: 'Table columns to show, in order (comma-separated keys, see the description).',
    }),
    'no-header': Flags.boolean({summary: 'Table without the header line.'}),
  };

  async run(): Promise<AddressConfiguration[]> {
    const {flags} = await this.parse(AddressesList);
    const columns = pickColumns(flags.columns, ADDRESS_COLUMNS, EXTRA_COLUMNS);
    const client = await this.client(flags);
    const limit = flags.all ? undefined : flags.limit;
    const {items, more} = await listAddresses(client, {
      type: flags.type as AddressType | undefined,
      limit,
      pageSize: flags['page-size'],
    });
    if (!this.render.json && items.length === 0) {
      // the create a user would run next, with the same filter
      const type = (flags.type ?? 'sms') as AddressType;
      this.render.info(
        `No address configurations${flags.type ? ` of type ${flags.type}` : ''}. Create one with \`${this.config.bin} addresses create --type ${type} --address ${EXAMPLE_ADDRESS[type]}\``,
      );
    } else {
      this.render.table(items, columns, {noHeader: flags['no-header']});
    }
    if (more) this.render.warn(`showing ${items.length}; more exist — use --limit N or --all`);
    return items;
  }
}
