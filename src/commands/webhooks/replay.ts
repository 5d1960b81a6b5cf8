import {Args, Flags} from '../../lib/command.js';
import {requireSid} from '../../lib/cli/index.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {attemptLine, replay, type Attempt} from '../../lib/flows/simulate.js';

export default class WebhooksReplay extends ResourceCommand<{sid: string; replay_of: string; attempt?: Attempt}> {
  static override summary = 'Send one webhook delivery again, freshly signed (emulator only)';
  static override description = 'Same event, URL and parameters, a new X-Twilio-Signature; waits up to --wait seconds for the attempt and prints its outcome. Exits 1 when the receiver did not answer with a 2xx (an error status, its 5 s timeout, a refused connection), so a script can tell; no outcome within --wait is a warning, exit 0. Delivery SIDs (WD…) are in `flexconv webhooks tail`.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> WD0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> WD0123456789abcdef0123456789abcdef --json | jq .attempt.status',
  ];

  static override args = {delivery: Args.string({required: true, description: 'Webhook delivery SID (WD…)'})};
  static override flags = {wait: Flags.integer({min: 0, max: 60, default: 10, summary: 'Seconds to wait for the outcome.'})};

  async run(): Promise<{sid: string; replay_of: string; attempt?: Attempt}> {
    const {args, flags} = await this.parse(WebhooksReplay);
    requireSid('WD', args.delivery, 'the delivery');
    const r = await replay(await this.control(flags), args.delivery, flags.wait * 1000);
    const failed = r.attempt !== undefined && !(r.attempt.status !== null && r.attempt.status >= 200 && r.attempt.status < 300);
    if (!this.render.json) {
      if (failed) this.render.warn(`Replayed ${r.replay_of} as ${r.sid}, and the receiver did not accept it:`);
      else this.render.success(`Replayed ${r.replay_of} as ${r.sid}`);
      if (r.attempt) this.render.line(attemptLine(r.attempt));
      else this.render.warn(`no outcome within ${flags.wait} s; follow it with \`flexconv webhooks tail --from-start\``);
    }
    if (failed) {
      if (this.render.json) this.logJson(r);
      this.exit(1);
    }
    return r;
  }
}
