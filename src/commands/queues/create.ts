import {Flags} from '../../lib/command.js';
import {QUEUE_FIELDS, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {createQueue, type Queue} from '../../lib/flows/taskrouter.js';

export default class QueuesCreate extends TaskRouterCommand<Queue> {
  static override summary = 'Create a task queue';
  static override description = 'A malformed --target-workers expression is refused by the API (400, naming its position); nothing is created.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --friendly-name Support --target-workers \'skills HAS "support"\'',
    '<%= config.bin %> <%= command.id %> --friendly-name Everyone --task-order LIFO --json',
  ];

  static override flags = {
    ...workspaceFlag,
    'friendly-name': Flags.string({required: true, summary: 'Name of the queue (up to 64 characters).'}),
    'target-workers': Flags.string({summary: 'Which workers belong: a TaskRouter expression over worker attributes, e.g. \'skills HAS "support"\' (default 1==1: everyone).'}),
    'max-reserved-workers': Flags.integer({min: 1, max: 50, summary: 'How many workers are offered a task at once (1–50, default 1).'}),
    'task-order': Flags.string({options: ['FIFO', 'LIFO'], summary: 'Oldest (FIFO, default) or newest (LIFO) task first.'}),
    'reservation-activity': Flags.string({summary: 'Activity (name or WA… SID) a worker moves to when offered a task (single-tasking workspaces).'}),
    'assignment-activity': Flags.string({summary: 'Activity (name or WA… SID) a worker moves to on accepting (single-tasking workspaces).'}),
  };

  async run(): Promise<Queue> {
    const {flags} = await this.parse(QueuesCreate);
    const {client, ws} = await this.workspace(flags);
    const queue = await createQueue(client, ws, {
      friendlyName: flags['friendly-name'],
      targetWorkers: flags['target-workers'],
      maxReservedWorkers: flags['max-reserved-workers'],
      taskOrder: flags['task-order'] as 'FIFO' | 'LIFO' | undefined,
      reservationActivity: flags['reservation-activity'],
      assignmentActivity: flags['assignment-activity'],
    });
    if (!this.render.json) this.render.success(`Created queue ${queue.sid} (${queue.friendly_name})${this.where()}`);
    this.render.record(queue, QUEUE_FIELDS);
    return queue;
  }
}
