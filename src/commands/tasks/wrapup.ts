import {Flags} from '../../lib/command.js';
import {ifMatchFlag, taskArg, TaskStatusCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';

export default class TasksWrapup extends TaskStatusCommand {
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

  protected readonly status = 'wrapping';
}
