import {Flags} from '../../lib/command.js';
import {ifMatchFlag, reservationArg, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {updateReservation, type Reservation} from '../../lib/flows/taskrouter.js';

export default class ReservationsAccept extends TaskRouterCommand<Reservation> {
  static override summary = "Accept a reservation: the worker takes the task (task → assigned)";
  static override description = "Only a pending reservation can be accepted; a timed-out, rejected or canceled one is refused by the API (400). Other pending offers of the task are rescinded. Give --worker or --task (the reservation's path); without either it is looked up among the live tasks.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> WR0123456789abcdef0123456789abcdef --worker alice',
    '<%= config.bin %> <%= command.id %> WR0123456789abcdef0123456789abcdef --task WT0123456789abcdef0123456789abcdef --json',
  ];

  static override args = {reservation: reservationArg};
  static override flags = {
    ...workspaceFlag,
    worker: Flags.string({summary: 'The worker holding it (name or WK… SID).'}),
    task: Flags.string({summary: 'The task it offers (WT… SID).'}),
    ...ifMatchFlag,
  };

  async run(): Promise<Reservation> {
    const {args, flags} = await this.parse(ReservationsAccept);
    const {client, ws} = await this.workspace(flags);
    const r = await updateReservation(client, ws, args.reservation, {task: flags.task, worker: flags.worker}, {status: 'accepted', ifMatch: flags['if-match']});
    if (!this.render.json) this.render.success(`Reservation ${r.sid} (task ${r.task_sid}, ${r.worker_name}) is ${r.reservation_status}${this.where()}`);
    return r;
  }
}
