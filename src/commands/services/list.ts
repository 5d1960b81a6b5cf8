import {listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {SERVICE_COLUMNS} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {listServices, MAX_PAGE, type Service} from '../../lib/flows/conversations.js';

export default class ServicesList extends ResourceCommand<Service[]> {
  static override summary = 'List Conversation Services';
  static override description = 'Every account has a default one (`flexconv conversations config get` names it). Table columns (--columns): sid, friendly_name, date_created.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json | jq -r \'.[].sid\''];
  static override flags = listFlags(MAX_PAGE.services);

  async run(): Promise<Service[]> {
    const {flags} = await this.parse(ServicesList);
    const columns = pickColumns(flags.columns, SERVICE_COLUMNS);
    const listed = await listServices(await this.client(flags), paging(flags));
    return this.showList(listed, columns, flags, 'No Conversation Services');
  }
}
