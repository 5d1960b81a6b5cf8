import {Args, Flags} from '../../lib/command.js';
import {ifMatchFlag, TaskRouterCommand, workerArg, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {updateWorker, type Worker} from '../../lib/flows/taskrouter.js';

export default class WorkersSetActivity extends TaskRouterCommand<Worker> {
  static override summary = 'Put a worker in an activity (Available, Offline, …): the agent going on or off duty';
  static override description = 'A worker in an available activity gets offered the tasks of its queues at once.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> alice Available',
    '<%= config.bin %> <%= command.id %> alice Offline --reject-pending-reservations --json',
  ];

  static override args = {
    worker: workerArg,
    activity: Args.string({required: true, description: 'Activity name (e.g. Available) or WA… SID'}),
  };
  static override flags = {
    ...workspaceFlag,
    'reject-pending-reservations': Flags.boolean({summary: 'When the activity is unavailable: reject the worker\'s pending reservations.'}),
    ...ifMatchFlag,
  };

  async run(): Promise<Worker> {
    const {args, flags} = await this.parse(WorkersSetActivity);
    const {client, ws} = await this.workspace(flags);
    const worker = await updateWorker(client, ws, args.worker, {
      activity: args.activity,
      rejectPendingReservations: flags['reject-pending-reservations'] || undefined,
      ifMatch: flags['if-match'],
    });
    if (!this.render.json) this.render.success(`${worker.friendly_name} is now ${worker.activity_name}${worker.available ? ' (available)' : ''}${this.where()}`);
    return worker;
  }
}
