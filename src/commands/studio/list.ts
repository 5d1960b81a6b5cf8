import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {FLOW_COLUMNS, FLOW_EXTRA} from '../../lib/cli/studio.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {listFlows, MAX_PAGE, type Flow} from '../../lib/flows/studio.js';

export default class StudioList extends ResourceCommand<Flow[]> {
  static override summary = 'List Studio flows';
  static override description = `Table columns (--columns): ${columnKeys(FLOW_COLUMNS, FLOW_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --columns sid,friendly_name,widgets --json',
  ];

  static override flags = {...listFlags(MAX_PAGE.flows)};

  async run(): Promise<Flow[]> {
    const {flags} = await this.parse(StudioList);
    const columns = pickColumns(flags.columns, FLOW_COLUMNS, FLOW_EXTRA);
    const listed = await listFlows(await this.client(flags), paging(flags));
    return this.showList(listed, columns, flags, 'No Studio flows. Deploy one with `flexconv studio deploy FLOW.json --publish`');
  }
}
