import {Flags} from '../../lib/command.js';
import {ifMatchFlag, reservationArg, reservationPathFlags, ReservationStatusCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';

export default class ReservationsReject extends ReservationStatusCommand {
  static override summary = "Reject a reservation: the task goes back to routing, not to this worker again";
  static override description = "Only a pending reservation can be rejected. --activity moves the worker at the same time (e.g. Offline), so no other task is offered to it. Give --worker or --task (the reservation's path); without either it is looked up among the live tasks.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> WR0123456789abcdef0123456789abcdef --worker alice --activity Offline',
    '<%= config.bin %> <%= command.id %> WR0123456789abcdef0123456789abcdef --task WT0123456789abcdef0123456789abcdef --json',
  ];

  static override args = {reservation: reservationArg};
  static override flags = {
    ...workspaceFlag,
    ...reservationPathFlags,
    activity: Flags.string({summary: 'Move the worker to this activity (name or WA… SID) as it rejects.'}),
    ...ifMatchFlag,
  };

  protected readonly status = 'rejected';
}
