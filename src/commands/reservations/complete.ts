import {ifMatchFlag, reservationArg, reservationPathFlags, ReservationStatusCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';

export default class ReservationsComplete extends ReservationStatusCommand {
  static override summary = "Complete an accepted reservation (and its task)";
  static override description = "Only an accepted or wrapping reservation can be completed; its task completes with it and the worker's capacity is freed. Give --worker or --task (the reservation's path); without either it is looked up among the live tasks.";
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

  protected readonly status = 'completed';
}
