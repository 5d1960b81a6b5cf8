import {ifMatchFlag, reservationArg, reservationPathFlags, ReservationStatusCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';

export default class ReservationsAccept extends ReservationStatusCommand {
  static override summary = "Accept a reservation: the worker takes the task (task → assigned)";
  static override description = "Only a pending reservation can be accepted; a timed-out, rejected or canceled one is refused by the API (400). Other pending offers of the task are rescinded. Give --worker or --task (the reservation's path); without either it is looked up among the live tasks.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> WR0123456789abcdef0123456789abcdef --worker alice',
    '<%= config.bin %> <%= command.id %> WR0123456789abcdef0123456789abcdef --task WT0123456789abcdef0123456789abcdef --json',
  ];

  static override args = {reservation: reservationArg};
  static override flags = {
    ...workspaceFlag,
    ...reservationPathFlags,
    ...ifMatchFlag,
  };

  protected readonly status = 'accepted';
}
