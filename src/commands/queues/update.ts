import {Flags} from '../../lib/command.js';
import {QUEUE_FIELDS, queueArg, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {updateQueue, type Queue} from '../../lib/flows/taskrouter.js';

export default class QueuesUpdate extends TaskRouterCommand<Queue> {
  static override summary = 'Change a task queue: name, target workers, order, activities';
  static override description = 'Only the given fields change. A new --target-workers expression re-evaluates which workers belong.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> Support --target-workers \'skills HAS "support" OR skills HAS "billing"\'',
    '<%= config.bin %> <%= command.id %> Support --max-reserved-workers 3 --json',
  ];

  static override args = {queue: queueArg};
  static override flags = {
    ...workspaceFlag,
    'friendly-name': Flags.string({summary: 'New name.'}),
    'target-workers': Flags.string({summary: 'Which workers belong: a TaskRouter expression over worker attributes, e.g. \'skills HAS "support"\' (default 1==1: everyone).'}),
    'max-reserved-workers': Flags.integer({min: 1, max: 50, summary: 'How many workers are offered a task at once (1–50, default 1).'}),
    'task-order': Flags.string({options: ['FIFO', 'LIFO'], summary: 'Oldest (FIFO, default) or newest (LIFO) task first.'}),
    'reservation-activity': Flags.string({summary: 'Activity (name or WA… SID) a worker moves to when offered a task (single-tasking workspaces).'}),
    'assignment-activity': Flags.string({summary: 'Activity (name or WA… SID) a worker moves to on accepting (single-tasking workspaces).'}),
  };

  async run(): Promise<Queue> {
    const {args, flags} = await this.parse(QueuesUpdate);
    const {client, ws} = await this.workspace(flags);
    const queue = await updateQueue(client, ws, args.queue, {
      friendlyName: flags['friendly-name'],
      targetWorkers: flags['target-workers'],
      maxReservedWorkers: flags['max-reserved-workers'],
      taskOrder: flags['task-order'] as 'FIFO' | 'LIFO' | undefined,
      reservationActivity: flags['reservation-activity'],
      assignmentActivity: flags['assignment-activity'],
    });
    if (!this.render.json) this.render.success(`Updated queue ${queue.sid} (${queue.friendly_name})${this.where()}`);
    this.render.record(queue, QUEUE_FIELDS);
    return queue;
  }
}
