import {Flags} from '../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {TaskRouterCommand, WORKER_COLUMNS, WORKER_EXTRA, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {MAX_PAGE, listWorkers, type Worker} from '../../lib/flows/taskrouter.js';

export default class WorkersList extends TaskRouterCommand<Worker[]> {
  static override summary = 'List the workers (agents) of a workspace';
  static override description = `Filters combine; --activity and --queue take names or SIDs.

Table columns (--columns): ${columnKeys(WORKER_COLUMNS, WORKER_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --activity Available',
    '<%= config.bin %> <%= command.id %> --queue Support --json',
    '<%= config.bin %> <%= command.id %> --target-workers-expression \'skills HAS "billing"\' --columns sid,friendly_name',
  ];

  static override flags = {
    ...workspaceFlag,
    activity: Flags.string({summary: 'Only workers in this activity (name or WA… SID).'}),
    available: Flags.boolean({allowNo: true, summary: 'Only workers who can take tasks now (--no-available: who cannot).'}),
    queue: Flags.string({summary: 'Only workers of this queue (name or WQ… SID).'}),
    'friendly-name': Flags.string({summary: 'Only the worker with this name.'}),
    'target-workers-expression': Flags.string({summary: 'Only workers whose attributes match this TaskRouter expression.'}),
    ...listFlags(MAX_PAGE),
  };

  async run(): Promise<Worker[]> {
    const {flags} = await this.parse(WorkersList);
    const columns = pickColumns(flags.columns, WORKER_COLUMNS, WORKER_EXTRA);
    const {client, ws} = await this.workspace(flags);
    const listed = await listWorkers(client, ws, {
      activity: flags.activity,
      available: flags.available,
      queue: flags.queue,
      friendlyName: flags['friendly-name'],
      targetWorkersExpression: flags['target-workers-expression'],
      ...paging(flags),
    });
    return this.showList(listed, columns, flags, 'No workers match. Add one with `flexconv workers create --friendly-name NAME`');
  }
}
