import {Flags} from '../../lib/command.js';
import {ifMatchFlag, TASK_FIELDS, taskArg, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {setTaskStatus, type Task} from '../../lib/flows/taskrouter.js';

export default class TasksComplete extends TaskRouterCommand<Task> {
  static override summary = "Complete an assigned or wrapping task (frees the worker's capacity)";
  static override description = "assigned or wrapping → completed. A pending or reserved task cannot be completed (the API answers 400); cancel it instead.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> WT0123456789abcdef0123456789abcdef --reason resolved',
    '<%= config.bin %> <%= command.id %> WT0123456789abcdef0123456789abcdef --if-match 3 --json',
  ];

  static override args = {task: taskArg};
  static override flags = {
    ...workspaceFlag,
    reason: Flags.string({summary: 'Why (kept on the task, up to 1024 characters).'}),
    ...ifMatchFlag,
  };

  async run(): Promise<Task> {
    const {args, flags} = await this.parse(TasksComplete);
    const {client, ws} = await this.workspace(flags);
    const task = await setTaskStatus(client, ws, args.task, 'completed', {reason: flags.reason, ifMatch: flags['if-match']});
    if (!this.render.json) this.render.success(`Task ${task.sid} is ${task.assignment_status}${this.where()}`);
    this.render.record(task, TASK_FIELDS);
    return task;
  }
}
