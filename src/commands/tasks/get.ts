import {TASK_FIELDS, taskArg, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {getTask, type Task} from '../../lib/flows/taskrouter.js';

export default class TasksGet extends TaskRouterCommand<Task> {
  static override summary = 'Show one task: status, queue, age, attributes';
  static override examples = [
    '<%= config.bin %> <%= command.id %> WT0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> WT0123456789abcdef0123456789abcdef --json | jq -r .assignment_status',
  ];

  static override args = {task: taskArg};
  static override flags = {...workspaceFlag};

  async run(): Promise<Task> {
    const {args, flags} = await this.parse(TasksGet);
    const {client, ws} = await this.workspace(flags);
    const task = await getTask(client, ws, args.task);
    this.render.record(task, TASK_FIELDS);
    return task;
  }
}
