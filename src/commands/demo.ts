import {FlexconvCommand, Flags} from '../lib/command.js';
import {runDemo, type DemoResult} from '../lib/flows/demo.js';

export default class Demo extends FlexconvCommand<DemoResult> {
  static override summary = 'Run the whole Flex Conversations story on a throw-away embedded emulator';
  static override description = `Starts an emulator in this process (fresh, in memory, on a free port) and plays a contact centre end to end, checking every step through the API: an SMS address whose Studio flow sends conversations to Flex; a customer texts in, the task is routed to an agent who accepts and replies (the reply reaches the customer's phone); a second agent is invited and joins; the first leaves with wrap-up and the channel closes; an outbound reminder goes out and the customer's answer reaches Flex as a new task; a web chat guest is handed to an agent the same way. Needs no Twilio account and no network.

It exits 0 only when every step was observed. --json prints the transcript (each step, its SIDs and when it happened). --keep leaves the emulator running with the story's data until Ctrl-C and prints commands to explore it.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'The transcript as JSON (for CI)', command: '<%= config.bin %> <%= command.id %> --json'},
    {description: 'Keep the emulator and its data to explore, on port 4010', command: '<%= config.bin %> <%= command.id %> --keep --port 4010'},
  ];
  static override flags = {
    keep: Flags.boolean({summary: "Leave the emulator running with the story's data until Ctrl-C, and print commands to explore it."}),
    port: Flags.integer({summary: 'Port of the emulator (default: a free one).', min: 0, max: 65535}),
  };

  async run(): Promise<DemoResult> {
    const {flags} = await this.parse(Demo);
    const json = this.jsonEnabled();
    const demo = await runDemo({
      keep: flags.keep,
      port: flags.port,
      onStep: (s) => this.render.info(`${this.render.style('cyan', '→')} ${s.text}`),
      spin: json ? undefined : (text, work) => this.render.spin(text, () => work()),
    });
    const r = demo.result;
    this.render.success(`demo complete in ${r.seconds.toFixed(1)} s: every step was observed through the API`);
    if (!flags.keep) {
      this.render.info('the same commands work against a running emulator (`flexconv emulator start`) or Twilio (`--target twilio`); `flexconv demo --keep` leaves this one running to explore');
      return r;
    }
    if (json) this.logJson(r);
    else {
      this.render.line(`The emulator keeps running at ${r.emulator_url} with the story's data. Try:`);
      for (const c of r.next) this.render.line(`  ${c}`);
    }
    this.render.progress('Ctrl-C stops it.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await demo.stop();
    this.render.progress('emulator stopped');
    return this.exit(0);
  }
}
