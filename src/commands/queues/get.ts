import {QUEUE_FIELDS, queueArg, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {getQueue, type Queue} from '../../lib/flows/taskrouter.js';

export default class QueuesGet extends TaskRouterCommand<Queue> {
  static override summary = 'Show one task queue';
  static override examples = [
    '<%= config.bin %> <%= command.id %> Support',
    '<%= config.bin %> <%= command.id %> WQ0123456789abcdef0123456789abcdef --json | jq -r .target_workers',
  ];

  static override args = {queue: queueArg};
  static override flags = {...workspaceFlag};

  async run(): Promise<Queue> {
    const {args, flags} = await this.parse(QueuesGet);
    const {client, ws} = await this.workspace(flags);
    const queue = await getQueue(client, ws, args.queue);
    this.render.record(queue, QUEUE_FIELDS);
    return queue;
  }
}
