import {FlexconvCommand} from '../lib/command.js';
import {ADDRESS_COLUMNS} from '../lib/flows/addresses.js';
import {runDemo, type DemoResult} from '../lib/flows/demo.js';

export default class Demo extends FlexconvCommand<DemoResult> {
  static override summary = 'Run the main job end to end on a throw-away embedded emulator';
  static override description =
    'Starts an emulator in this process on a free port with an in-memory database, creates a Conversations address (SMS, webhook auto-creation), lists the addresses, and stops the emulator. Needs no Twilio account and no network.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<DemoResult> {
    await this.parse(Demo);
    const result = await runDemo((step) => this.render.info(`${this.render.style('cyan', '→')} ${step}`));
    this.render.line();
    this.render.table(result.addresses, ADDRESS_COLUMNS);
    this.render.line();
    this.render.success('demo complete: the same commands work against a running emulator (`flexconv emulator start`) or Twilio (`--target twilio`)');
    return result;
  }
}
