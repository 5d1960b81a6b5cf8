import {Flags} from '../../lib/command.js';
import {TaskRouterCommand, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {stats, statsText, type StatsView} from '../../lib/flows/taskrouter.js';

export default class TaskrouterStats extends TaskRouterCommand<StatsView | {frames: number}> {
  static override summary = 'The realtime view of a workspace or a queue: tasks by status, workers, longest wait, offers';
  static override description =
    'Tasks by status, workers by activity, the longest waiting task, reservations accepted/rejected/timed out in the last --minutes, and (for a workspace) one row per queue. --watch refreshes every --interval seconds until Ctrl-C (redrawn in place on a terminal; one view after the other otherwise; under --json one view per line). --json prints the statistics resources as the API returns them.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --queue Support --watch',
    '<%= config.bin %> <%= command.id %> --minutes 60 --json | jq .realtime.tasks_by_status',
  ];

  static override flags = {
    ...workspaceFlag,
    queue: Flags.string({summary: 'One queue (name or WQ… SID) instead of the whole workspace.'}),
    channel: Flags.string({summary: 'Only tasks of this task channel (unique name or TC… SID).'}),
    minutes: Flags.integer({min: 1, summary: 'Window of the cumulative counts (reservations, completed tasks), in minutes up to now.'}),
    watch: Flags.boolean({summary: 'Refresh until Ctrl-C.'}),
    interval: Flags.integer({min: 1, default: 2, summary: 'Seconds between refreshes with --watch.'}),
  };

  async run(): Promise<StatsView | {frames: number}> {
    const {flags} = await this.parse(TaskrouterStats);
    const {client, ws} = await this.workspace(flags);
    const opts = {queue: flags.queue, channel: flags.channel, minutes: flags.minutes};
    if (!flags.watch) {
      const view = await stats(client, ws, opts);
      for (const line of statsText(view)) this.render.line(line);
      return view;
    }
    const tty = Boolean(process.stdout.isTTY) && !this.render.json;
    if (!tty) this.render.info(`Refreshing every ${flags.interval}s${this.where()}; Ctrl-C to stop`);
    const frames = await this.follow(async (signal, emit) => {
      let n = 0;
      while (!signal.aborted) {
        const view = await stats(client, ws, opts);
        const text = statsText(view).join('\n');
        // On a terminal: redraw in place (cursor home, clear screen); else one view after the other.
        emit(view, tty ? `\x1b[H\x1b[2J${text}\n\n(every ${flags.interval}s; Ctrl-C to stop)` : `${n ? '\n' : ''}${text}`);
        n++;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, flags.interval * 1000);
          signal.addEventListener('abort', () => (clearTimeout(t), resolve()), {once: true});
        });
      }
      return n;
    });
    return {frames};
  }
}
