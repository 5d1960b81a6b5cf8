import {FlexconvCommand} from '../../lib/command.js';
import {stopDetached, type StopResult} from '../../lib/flows/emulator.js';

export default class EmulatorStop extends FlexconvCommand<StopResult> {
  static override summary = 'Stop the emulator started with `emulator start --detach`';
  static override description =
    'Sends SIGTERM to the recorded background emulator, waits (up to 10 s) for it to drain and checkpoint its database, kills it as a last resort, and removes the record. Its data stays in its database file. When none is running it says so and exits 0, so it is safe in scripts. An emulator running in the foreground is stopped with Ctrl+C in its terminal.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'In a script (exit 0 even when none was running):', command: '<%= config.bin %> <%= command.id %> --json | jq .stopped'},
  ];

  async run(): Promise<StopResult> {
    await this.parse(EmulatorStop);
    const result = await stopDetached();
    for (const w of result.warnings) this.render.warn(w);
    if (result.stopped) this.render.success(`Stopped the emulator at ${result.url} (pid ${result.pid})`);
    return result;
  }
}
