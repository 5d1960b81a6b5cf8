import {FlexconvCommand, Flags} from '../../lib/command.js';
import {emulatorStatus, resetEmulator, type ResetResult} from '../../lib/flows/emulator.js';

export default class EmulatorReset extends FlexconvCommand<ResetResult> {
  static override summary = 'Delete every resource in the running emulator';
  static override description =
    'POST /_emulator/reset on the running emulator (the recorded one, or the one at --emulator-url): every address, conversation, task and so on is deleted from its database; the test accounts are re-created. Asks for confirmation on a terminal; without one, --yes is required.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'In a script or CI:', command: '<%= config.bin %> <%= command.id %> --yes --json'},
    {description: 'Show which emulator and database would be emptied:', command: '<%= config.bin %> <%= command.id %> --dry-run'},
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
    const s = await emulatorStatus({url: flags['emulator-url']});
    const what = `the emulator at ${s.url} (db ${s.db})`;
    if (flags['dry-run']) {
      this.render.info(`Would delete every resource in ${what}`);
      return {reset: false, dry_run: true, url: s.url, db: s.db};
    }
    if (!(await this.confirm(`Delete every resource in ${what}?`, flags.yes))) {
      this.render.warn('Cancelled: nothing was deleted');
      return {reset: false, url: s.url, db: s.db};
    }
    const result = await resetEmulator(s.url);
    this.render.success(`Reset ${what}`);
    return {...result, db: s.db};
  }
}
