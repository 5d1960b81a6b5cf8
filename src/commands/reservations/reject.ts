import {Flags} from '../../lib/command.js';
import {ifMatchFlag, reservationArg, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {updateReservation, type Reservation} from '../../lib/flows/taskrouter.js';

export default class ReservationsReject extends TaskRouterCommand<Reservation> {
  static override summary = "Reject a reservation: the task goes back to routing, not to this worker again";
  static override description = "Only a pending reservation can be rejected. --activity moves the worker at the same time (e.g. Offline), so no other task is offered to it. Give --worker or --task (the reservation's path); without either it is looked up among the live tasks.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> WR0123456789abcdef0123456789abcdef --worker alice --activity Offline',
    '<%= config.bin %> <%= command.id %> WR0123456789abcdef0123456789abcdef --task WT0123456789abcdef0123456789abcdef --json',
  ];

  static override args = {reservation: reservationArg};
  static override flags = {
    ...workspaceFlag,
    worker: Flags.string({summary: 'The worker holding it (name or WK… SID).'}),
    task: Flags.string({summary: 'The task it offers (WT… SID).'}),
    activity: Flags.string({summary: 'Move the worker to this activity (name or WA… SID) as it rejects.'}),
    ...ifMatchFlag,
  };

  async run(): Promise<Reservation> {
    const {args, flags} = await this.parse(ReservationsReject);
    const {client, ws} = await this.workspace(flags);
    const r = await updateReservation(client, ws, args.reservation, {task: flags.task, worker: flags.worker}, {status: 'rejected', activity: flags.activity, ifMatch: flags['if-match']});
    if (!this.render.json) this.render.success(`Reservation ${r.sid} (task ${r.task_sid}, ${r.worker_name}) is ${r.reservation_status}${this.where()}`);
    return r;
  }
}
