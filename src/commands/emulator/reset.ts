import {FlexconvCommand, Flags} from '../../lib/command.js';
import {emulatorStatus, resetEmulator, type ResetResult} from '../../lib/flows/emulator.js';

export default class EmulatorReset extends FlexconvCommand<ResetResult> {
  static override summary = 'Delete every resource in the running emulator';
  static override description =
    'POST /_emulator/reset on the emulator started with `emulator start --detach` (found through its record in the state dir), or on the one named with --emulator-url / FLEXCONV_EMULATOR_URL: every address, conversation, task and so on is deleted from its database; the test accounts are re-created. Unlike `emulator status`, it never falls back to whatever answers at the default URL: with nothing recorded and no URL given it exits 1 (NOT_RUNNING). Asks for confirmation on a terminal; without one, --yes is required.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'In a script or CI:', command: '<%= config.bin %> <%= command.id %> --yes --json'},
    {description: 'Show which emulator and database would be emptied:', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'An emulator started in the foreground elsewhere:', command: '<%= config.bin %> <%= command.id %> --emulator-url http://127.0.0.1:4010 --yes'},
  ];

  static override flags = {
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
    'dry-run': Flags.boolean({summary: 'Only show which emulator would be reset.'}),
    'emulator-url': Flags.string({
      summary: 'Reset the emulator at this base URL instead of the recorded one.',
      env: 'FLEXCONV_EMULATOR_URL',
      helpValue: 'URL',
    }),
  };

  async run(): Promise<ResetResult> {
    const {flags} = await this.parse(EmulatorReset);
    const s = await emulatorStatus({url: flags['emulator-url'], probeDefault: false});
    const what = `the emulator at ${s.url} (db ${s.db})`;
    if (flags['dry-run']) {
      this.render.info(`Would delete every resource in ${what}`);
      return {reset: false, dry_run: true, url: s.url, db: s.db};
    }
    await this.confirm(`Delete every resource in ${what}?`, flags.yes, {result: {reset: false, url: s.url, db: s.db}});
    const result = await resetEmulator(s.url);
    this.render.success(`Reset ${what}`);
    return {...result, db: s.db};
  }
}
