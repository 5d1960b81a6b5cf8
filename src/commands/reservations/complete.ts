import {Flags} from '../../lib/command.js';
import {ifMatchFlag, reservationArg, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {updateReservation, type Reservation} from '../../lib/flows/taskrouter.js';

export default class ReservationsComplete extends TaskRouterCommand<Reservation> {
  static override summary = "Complete an accepted reservation (and its task)";
  static override description = "Only an accepted or wrapping reservation can be completed; its task completes with it and the worker's capacity is freed. Give --worker or --task (the reservation's path); without either it is looked up among the live tasks.";
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
    const {args, flags} = await this.parse(ReservationsComplete);
    const {client, ws} = await this.workspace(flags);
    const r = await updateReservation(client, ws, args.reservation, {task: flags.task, worker: flags.worker}, {status: 'completed', ifMatch: flags['if-match']});
    if (!this.render.json) this.render.success(`Reservation ${r.sid} (task ${r.task_sid}, ${r.worker_name}) is ${r.reservation_status}${this.where()}`);
    return r;
  }
}
