import {Flags} from '../../lib/command.js';
import {confirmFlags} from '../../lib/cli/index.js';
import {ifMatchFlag, taskArg, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {getTask, setTaskStatus, type Task} from '../../lib/flows/taskrouter.js';

export default class TasksCancel extends TaskRouterCommand<Task & {dry_run?: true}> {
  static override summary = 'Cancel a pending or reserved task (its pending offers are canceled too)';
  static override description =
    'Only a task not yet accepted can be canceled; an assigned one is wrapped up or completed instead. Canceling a canceled task changes nothing (a warning says so). Asks for confirmation on a terminal; pass --yes in scripts, --dry-run to see what would happen.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> WT0123456789abcdef0123456789abcdef --reason "customer hung up"',
    '<%= config.bin %> <%= command.id %> WT0123456789abcdef0123456789abcdef --yes --json',
  ];

  static override args = {task: taskArg};
  static override flags = {
    ...workspaceFlag,
    reason: Flags.string({summary: 'Why (kept on the task, up to 1024 characters).'}),
    ...ifMatchFlag,
    ...confirmFlags,
  };

  async run(): Promise<Task & {dry_run?: true}> {
    const {args, flags} = await this.parse(TasksCancel);
    const {client, ws} = await this.workspace(flags);
    const current = await getTask(client, ws, args.task);
    if (current.assignment_status === 'canceled') {
      this.render.warn(`Task ${current.sid} is canceled already; nothing changed`);
      return current;
    }
    let canceled = current;
    const what = `task ${current.sid}, now ${current.assignment_status}${current.task_queue_friendly_name ? ` in ${current.task_queue_friendly_name}` : ''}`;
    const done = await this.destructive(current, what, flags, async () => {
      canceled = await setTaskStatus(client, ws, current.sid, 'canceled', {reason: flags.reason, ifMatch: flags['if-match']});
    }, ['Cancel', 'Canceled']);
    return done.dry_run ? done : canceled;
  }
}
