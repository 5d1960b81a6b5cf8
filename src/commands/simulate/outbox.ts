import {Flags} from '../../lib/command.js';
import {OUTBOX_COLUMNS} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {outbox, type OutboxMessage} from '../../lib/flows/simulate.js';

export default class SimulateOutbox extends ResourceCommand<OutboxMessage[]> {
  static override summary = 'What reached customers\' phones: messages the emulator delivered to SMS/WhatsApp participants (emulator only)';
  static override description = 'Oldest first, with each delivery\'s receipt status (sent → delivered → read on WhatsApp, on the emulator\'s clock).';
  static override examples = ['<%= config.bin %> <%= command.id %> --to +15551234567', '<%= config.bin %> <%= command.id %> --to whatsapp:+15551234567 --limit 1 --json | jq -r \'.[0].body\''];

  static override flags = {
    to: Flags.string({summary: 'Only messages to this customer address.'}),
    limit: Flags.integer({min: 1, max: 10_000, default: 50, summary: 'The newest this many.'}),
    'no-header': Flags.boolean({summary: 'Table without the header line.'}),
  };

  async run(): Promise<OutboxMessage[]> {
    const {flags} = await this.parse(SimulateOutbox);
    const messages = await outbox(await this.control(flags), {to: flags.to, limit: flags.limit});
    if (!this.render.json && messages.length === 0) this.render.info(`Nothing delivered${flags.to ? ` to ${flags.to}` : ''} yet`);
    else this.render.table(messages, OUTBOX_COLUMNS, {noHeader: flags['no-header']});
    return messages;
  }
}
