import {Flags} from '../../lib/command.js';
import {ifMatchFlag, TaskRouterCommand, WORKER_FIELDS, workerArg, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {updateWorker, type Worker} from '../../lib/flows/taskrouter.js';

export default class WorkersUpdate extends TaskRouterCommand<Worker> {
  static override summary = 'Change a worker: name, activity, attributes';
  static override description = 'Only the given fields change. New attributes replace the old ones and re-evaluate the worker\'s queues.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> alice --attributes \'{"skills":["support","billing"]}\'',
    '<%= config.bin %> <%= command.id %> alice --activity Offline --reject-pending-reservations --json',
  ];

  static override args = {worker: workerArg};
  static override flags = {
    ...workspaceFlag,
    'friendly-name': Flags.string({summary: 'New name.'}),
    activity: Flags.string({summary: 'New activity, by name or WA… SID.'}),
    attributes: Flags.string({summary: 'JSON object of attributes (replaces them all).'}),
    'reject-pending-reservations': Flags.boolean({summary: 'With an unavailable --activity: reject the worker\'s pending reservations.'}),
    ...ifMatchFlag,
  };

  async run(): Promise<Worker> {
    const {args, flags} = await this.parse(WorkersUpdate);
    const {client, ws} = await this.workspace(flags);
    const worker = await updateWorker(client, ws, args.worker, {
      friendlyName: flags['friendly-name'],
      activity: flags.activity,
      attributes: flags.attributes,
      rejectPendingReservations: flags['reject-pending-reservations'] || undefined,
      ifMatch: flags['if-match'],
    });
    if (!this.render.json) this.render.success(`Updated worker ${worker.sid} (${worker.friendly_name})${this.where()}`);
    this.render.record(worker, WORKER_FIELDS);
    return worker;
  }
}
