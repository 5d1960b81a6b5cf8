import {Flags} from '../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {TASK_COLUMNS, TASK_EXTRA, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {MAX_PAGE, TASK_STATUSES, listTasks, type Task, type TaskStatus} from '../../lib/flows/taskrouter.js';

export default class TasksList extends TaskRouterCommand<Task[]> {
  static override summary = 'List the tasks of a workspace';
  static override description = `Filters combine; --workflow and --queue take names or SIDs; --status may repeat (or be comma-separated).

Table columns (--columns): ${columnKeys(TASK_COLUMNS, TASK_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --status pending,reserved',
    '<%= config.bin %> <%= command.id %> --queue Support --ordering Priority:desc --json',
    '<%= config.bin %> <%= command.id %> --where \'type == "chat"\' --columns sid,assignment_status,age',
  ];

  static override flags = {
    ...workspaceFlag,
    status: Flags.string({options: [...TASK_STATUSES], multiple: true, delimiter: ',', summary: 'Only tasks in these statuses.'}),
    workflow: Flags.string({summary: 'Only tasks of this workflow (name or WW… SID).'}),
    queue: Flags.string({summary: 'Only tasks in this queue (name or WQ… SID).'}),
    where: Flags.string({summary: 'Only tasks whose attributes match this TaskRouter expression (EvaluateTaskAttributes).'}),
    ordering: Flags.string({summary: 'DateCreated, Priority or VirtualStartTime with :asc or :desc, comma-separated.'}),
    ...listFlags(MAX_PAGE),
  };

  async run(): Promise<Task[]> {
    const {flags} = await this.parse(TasksList);
    const columns = pickColumns(flags.columns, TASK_COLUMNS, TASK_EXTRA);
    const {client, ws} = await this.workspace(flags);
    const listed = await listTasks(client, ws, {
      statuses: flags.status as TaskStatus[] | undefined,
      workflow: flags.workflow,
      queue: flags.queue,
      evaluateTaskAttributes: flags.where,
      ordering: flags.ordering,
      ...paging(flags),
    });
    return this.showList(listed, columns, flags, 'No tasks match. Create one with `flexconv tasks create --attributes JSON`');
  }
}
