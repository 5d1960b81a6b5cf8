import {Flags} from '../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {ACTIVITY_COLUMNS, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {MAX_PAGE, listActivities, type Activity} from '../../lib/flows/taskrouter.js';

export default class ActivitiesList extends TaskRouterCommand<Activity[]> {
  static override summary = 'List the activities of a workspace (Available, Offline, …)';
  static override description = `Workers take an activity by name: \`flexconv workers set-activity alice Available\`.

Table columns (--columns): ${columnKeys(ACTIVITY_COLUMNS)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --workspace "Flex Task Assignment" --available --json',
  ];

  static override flags = {
    ...workspaceFlag,
    available: Flags.boolean({allowNo: true, summary: 'Only activities in which workers take tasks (--no-available: only those in which they do not).'}),
    ...listFlags(MAX_PAGE),
  };

  async run(): Promise<Activity[]> {
    const {flags} = await this.parse(ActivitiesList);
    const columns = pickColumns(flags.columns, ACTIVITY_COLUMNS);
    const {client, ws} = await this.workspace(flags);
    const listed = await listActivities(client, ws, {available: flags.available, ...paging(flags)});
    return this.showList(listed, columns, flags, 'No activities in this workspace');
  }
}
