import {Flags} from '../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {WORKSPACE_COLUMNS, WORKSPACE_EXTRA} from '../../lib/cli/taskrouter.js';
import {MAX_PAGE, listWorkspaces, type Workspace} from '../../lib/flows/taskrouter.js';

export default class WorkspacesList extends ResourceCommand<Workspace[]> {
  static override summary = 'List TaskRouter workspaces';
  static override description = `--json prints the API resources as the REST API returns them (snake_case).

Table columns (--columns): ${columnKeys(WORKSPACE_COLUMNS, WORKSPACE_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --friendly-name "Flex Task Assignment" --json',
  ];

  static override flags = {
    'friendly-name': Flags.string({summary: 'Only the workspace with this name.'}),
    ...listFlags(MAX_PAGE),
  };

  async run(): Promise<Workspace[]> {
    const {flags} = await this.parse(WorkspacesList);
    const columns = pickColumns(flags.columns, WORKSPACE_COLUMNS, WORKSPACE_EXTRA);
    const listed = await listWorkspaces(await this.client(flags), {friendlyName: flags['friendly-name'], ...paging(flags)});
    return this.showList(listed, columns, flags, 'No workspaces. Create one with `flexconv workspaces create --friendly-name NAME`');
  }
}
