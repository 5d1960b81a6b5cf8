import {TaskRouterCommand, WORKER_FIELDS, workerArg, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {getWorker, type Worker} from '../../lib/flows/taskrouter.js';

export default class WorkersGet extends TaskRouterCommand<Worker> {
  static override summary = 'Show one worker: activity, availability, attributes';
  static override examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> WK0123456789abcdef0123456789abcdef --json | jq -r .activity_name',
  ];

  static override args = {worker: workerArg};
  static override flags = {...workspaceFlag};

  async run(): Promise<Worker> {
    const {args, flags} = await this.parse(WorkersGet);
    const {client, ws} = await this.workspace(flags);
    const worker = await getWorker(client, ws, args.worker);
    this.render.record(worker, WORKER_FIELDS);
    return worker;
  }
}
