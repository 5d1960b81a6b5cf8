import {Flags} from '../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {RESERVATION_COLUMNS, RESERVATION_EXTRA, TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {MAX_PAGE, RESERVATION_STATUSES, listReservations, type Reservation, type ReservationStatus} from '../../lib/flows/taskrouter.js';

export default class ReservationsList extends TaskRouterCommand<Reservation[]> {
  static override summary = 'List the reservations (offers) of a workspace, a worker or a task';
  static override description = `A reservation is a task offered to a worker: accept it with \`flexconv reservations accept WR… --worker NAME\`.

Without --worker or --task, every worker's reservations are listed, oldest first (TaskRouter has
no workspace-wide list: one request per worker, a few at a time; --limit applies to the merged
list). Give --worker or --task on a large workspace.

Table columns (--columns): ${columnKeys(RESERVATION_COLUMNS, RESERVATION_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --status pending',
    '<%= config.bin %> <%= command.id %> --worker alice --status pending',
    '<%= config.bin %> <%= command.id %> --task WT0123456789abcdef0123456789abcdef --json',
  ];

  static override flags = {
    ...workspaceFlag,
    worker: Flags.string({summary: 'The worker\'s reservations (name or WK… SID).'}),
    task: Flags.string({summary: 'The task\'s reservations (WT… SID); with --worker, only that worker\'s.'}),
    status: Flags.string({options: [...RESERVATION_STATUSES], summary: 'Only reservations in this status.'}),
    ...listFlags(MAX_PAGE),
  };

  async run(): Promise<Reservation[]> {
    const {flags} = await this.parse(ReservationsList);
    const columns = pickColumns(flags.columns, RESERVATION_COLUMNS, RESERVATION_EXTRA);
    const {client, ws} = await this.workspace(flags);
    const listed = await listReservations(client, ws, {worker: flags.worker, task: flags.task, status: flags.status as ReservationStatus | undefined}, paging(flags));
    return this.showList(listed, columns, flags, 'No reservations');
  }
}
