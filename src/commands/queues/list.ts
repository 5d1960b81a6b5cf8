import {Flags} from '../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {QUEUE_COLUMNS, QUEUE_EXTRA, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {MAX_PAGE, listQueues, type Queue} from '../../lib/flows/taskrouter.js';

export default class QueuesList extends TaskRouterCommand<Queue[]> {
  static override summary = 'List the task queues of a workspace';
  static override description = `Table columns (--columns): ${columnKeys(QUEUE_COLUMNS, QUEUE_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --worker alice --json',
  ];

  static override flags = {
    ...workspaceFlag,
    'friendly-name': Flags.string({summary: 'Only the queue with this name.'}),
    worker: Flags.string({summary: 'Only the queues this worker belongs to (name or WK… SID).'}),
    ...listFlags(MAX_PAGE),
  };

  async run(): Promise<Queue[]> {
    const {flags} = await this.parse(QueuesList);
    const columns = pickColumns(flags.columns, QUEUE_COLUMNS, QUEUE_EXTRA);
    const {client, ws} = await this.workspace(flags);
    const listed = await listQueues(client, ws, {friendlyName: flags['friendly-name'], worker: flags.worker, ...paging(flags)});
    return this.showList(listed, columns, flags, 'No queues. Create one with `flexconv queues create --friendly-name NAME`');
  }
}
