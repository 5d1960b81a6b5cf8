import {Flags} from '../../lib/command.js';
import {ifMatchFlag, taskArg, TaskStatusCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';

export default class TasksComplete extends TaskStatusCommand {
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

  protected readonly status = 'completed';
}
