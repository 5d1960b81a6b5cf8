import {Flags} from '../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {TaskRouterCommand, WORKFLOW_COLUMNS, WORKFLOW_EXTRA, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {MAX_PAGE, listWorkflows, type Workflow} from '../../lib/flows/taskrouter.js';

export default class WorkflowsList extends TaskRouterCommand<Workflow[]> {
  static override summary = 'List the workflows of a workspace';
  static override description = `Table columns (--columns): ${columnKeys(WORKFLOW_COLUMNS, WORKFLOW_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --friendly-name "Assign to Anyone" --json | jq -r \'.[0].configuration\'',
  ];

  static override flags = {
    ...workspaceFlag,
    'friendly-name': Flags.string({summary: 'Only the workflow with this name.'}),
    ...listFlags(MAX_PAGE),
  };

  async run(): Promise<Workflow[]> {
    const {flags} = await this.parse(WorkflowsList);
    const columns = pickColumns(flags.columns, WORKFLOW_COLUMNS, WORKFLOW_EXTRA);
    const {client, ws} = await this.workspace(flags);
    const listed = await listWorkflows(client, ws, {friendlyName: flags['friendly-name'], ...paging(flags)});
    return this.showList(listed, columns, flags, 'No workflows. Create one with `flexconv workflows create --friendly-name NAME --config FILE`');
  }
}
