import {Flags} from '../../lib/command.js';
import {TASK_FIELDS, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {createTask, type Task} from '../../lib/flows/taskrouter.js';

export default class TasksCreate extends TaskRouterCommand<Task> {
  static override summary = 'Create a task: the workflow routes it to a queue and offers it to a worker';
  static override description = `Without --workflow the workspace's only workflow takes it. See its offer with \`flexconv reservations list --task WT…\`.

--worker and --queue route the task directly (TaskRouter's RoutingTarget), without the workflow:
to one worker, who gets it at once whatever their activity and capacity (with --respect-capacity,
once they are available with room on the channel); or into one queue, offered to its members.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --attributes \'{"type":"support","language":"en"}\'',
    '<%= config.bin %> <%= command.id %> --workflow "Assign to Anyone" --channel chat --priority 10 --timeout 3600 --json',
    '<%= config.bin %> <%= command.id %> --worker alice --respect-capacity --channel chat',
    '<%= config.bin %> <%= command.id %> --queue Support --attributes \'{"type":"billing"}\'',
  ];

  static override flags = {
    ...workspaceFlag,
    attributes: Flags.string({summary: 'JSON object of task attributes (the workflow\'s filters match on them).'}),
    workflow: Flags.string({summary: 'Workflow, by name or WW… SID (needed when the workspace has several).'}),
    priority: Flags.integer({min: 0, summary: 'Priority (higher first; default 0, or the matched target\'s).'}),
    timeout: Flags.integer({min: 1, max: 1209600, summary: 'Seconds the task may wait before it is canceled (default 86400).'}),
    channel: Flags.string({summary: 'Task channel unique name or TC… SID (default: default).'}),
    worker: Flags.string({exclusive: ['queue'], summary: 'Route it straight to this worker (name or WK… SID), skipping the workflow.'}),
    queue: Flags.string({exclusive: ['worker'], summary: 'Route it straight into this queue (name or WQ… SID), skipping the workflow.'}),
    'respect-capacity': Flags.boolean({dependsOn: ['worker'], summary: 'With --worker: wait until the worker is available with capacity (default: offered at once).'}),
  };

  async run(): Promise<Task> {
    const {flags} = await this.parse(TasksCreate);
    const {client, ws} = await this.workspace(flags);
    const task = await createTask(client, ws, {
      attributes: flags.attributes,
      workflow: flags.workflow,
      priority: flags.priority,
      timeout: flags.timeout,
      channel: flags.channel,
      worker: flags.worker,
      queue: flags.queue,
      respectCapacity: flags['respect-capacity'],
    });
    if (!this.render.json) this.render.success(`Created task ${task.sid}, ${task.assignment_status}${task.task_queue_friendly_name ? ` in ${task.task_queue_friendly_name}` : ''}${this.where()}`);
    this.render.record(task, TASK_FIELDS);
    return task;
  }
}
