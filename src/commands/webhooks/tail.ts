import {Flags} from '../../lib/command.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {attemptLine, followAttempts} from '../../lib/flows/simulate.js';

export default class WebhooksTail extends ResourceCommand<{shown: number}> {
  static override summary = 'Follow webhook deliveries live: event, target, status, latency (emulator only)';
  static override description =
    'Like `stripe listen`: one line per delivery attempt the emulator makes (post- and pre-event webhooks, retries, replays) as it happens — date, event, method and URL, [HTTP status] or [ERR] with the error, latency, delivery SID (for `flexconv webhooks replay`). Under --json, one attempt per line (NDJSON). Ctrl-C ends it (exit 0).';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --event onMessageAdded --json | jq -r .status',
    '<%= config.bin %> <%= command.id %> --from-start',
  ];

  static override flags = {
    event: Flags.string({summary: 'Only attempts for this event (onMessageAdded, onConversationAdd, …).'}),
    'from-start': Flags.boolean({summary: 'Show the attempts logged before it started too.'}),
  };

  async run(): Promise<{shown: number}> {
    const {flags} = await this.parse(WebhooksTail);
    const target = await this.control(flags);
    const shown = await this.follow((signal, emit) =>
      followAttempts(target, {
        fromStart: flags['from-start'],
        event: flags.event,
        signal,
        onReady: () => this.render.progress(`Following webhook deliveries${this.where()}; Ctrl-C to stop`),
        onAttempt: (a) => emit(a, attemptLine(a)),
      }),
    );
    return {shown};
  }
}
