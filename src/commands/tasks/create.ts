import {Flags} from '../../lib/command.js';
import {TASK_FIELDS, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {createTask, type Task} from '../../lib/flows/taskrouter.js';

export default class TasksCreate extends TaskRouterCommand<Task> {
  static override summary = 'Create a task: the workflow routes it to a queue and offers it to a worker';
  static override description = 'Without --workflow the workspace\'s only workflow takes it. See its offer with `flexconv reservations list --task WT…`.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --attributes \'{"type":"support","language":"en"}\'',
    '<%= config.bin %> <%= command.id %> --workflow "Assign to Anyone" --channel chat --priority 10 --timeout 3600 --json',
  ];

  static override flags = {
    ...workspaceFlag,
    attributes: Flags.string({summary: 'JSON object of task attributes (the workflow\'s filters match on them).'}),
    workflow: Flags.string({summary: 'Workflow, by name or WW… SID (needed when the workspace has several).'}),
    priority: Flags.integer({min: 0, summary: 'Priority (higher first; default 0, or the matched target\'s).'}),
    timeout: Flags.integer({min: 1, max: 1209600, summary: 'Seconds the task may wait before it is canceled (default 86400).'}),
    channel: Flags.string({summary: 'Task channel unique name or TC… SID (default: default).'}),
  };

  async run(): Promise<Task> {
    const {flags} = await this.parse(TasksCreate);
    const {client, ws} = await this.workspace(flags);
    const task = await createTask(client, ws, {attributes: flags.attributes, workflow: flags.workflow, priority: flags.priority, timeout: flags.timeout, channel: flags.channel});
    if (!this.render.json) this.render.success(`Created task ${task.sid}, ${task.assignment_status}${task.task_queue_friendly_name ? ` in ${task.task_queue_friendly_name}` : ''}${this.where()}`);
    this.render.record(task, TASK_FIELDS);
    return task;
  }
}
