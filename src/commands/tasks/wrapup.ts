import {Flags} from '../../lib/command.js';
import {ifMatchFlag, TASK_FIELDS, taskArg, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {setTaskStatus, type Task} from '../../lib/flows/taskrouter.js';

export default class TasksWrapup extends TaskRouterCommand<Task> {
  static override summary = "Wrap up an assigned task (the conversation is over, the after-work is not)";
  static override description = "assigned → wrapping. The worker keeps the capacity until `flexconv tasks complete`. Any other task is refused by the API (400).";
  static override examples = [
    '<%= config.bin %> <%= command.id %> WT0123456789abcdef0123456789abcdef --reason "call ended"',
    '<%= config.bin %> <%= command.id %> WT0123456789abcdef0123456789abcdef --if-match 3 --json',
  ];

  static override args = {task: taskArg};
  static override flags = {
    ...workspaceFlag,
    reason: Flags.string({summary: 'Why (kept on the task, up to 1024 characters).'}),
    ...ifMatchFlag,
  };

  async run(): Promise<Task> {
    const {args, flags} = await this.parse(TasksWrapup);
    const {client, ws} = await this.workspace(flags);
    const task = await setTaskStatus(client, ws, args.task, 'wrapping', {reason: flags.reason, ifMatch: flags['if-match']});
    if (!this.render.json) this.render.success(`Task ${task.sid} is ${task.assignment_status}${this.where()}`);
    this.render.record(task, TASK_FIELDS);
    return task;
  }
}
