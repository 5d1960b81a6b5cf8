import {Flags} from '../../lib/command.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {REMINDER_CHANNELS, sendReminder, SYSTEM_AUTHOR, type ReminderChannel, type ReminderResult} from '../../lib/flows/reminder.js';

export default class OutboundReminder extends ResourceCommand<ReminderResult> {
  static override summary = 'Send a system-initiated reminder whose reply reaches Flex through a Studio flow';
  static override description = `Opens a conversation to the customer (--to, through your number --from), binds it to the Studio flow with a conversation-scoped webhook (Target=studio) and sends --body authored by "${SYSTEM_AUTHOR}". No task exists until the customer answers: the reply runs the flow, and its Send to Flex widget hands the conversation — the reminder and the reply — to an agent.

The customer's address can be in one open conversation per number only: when one exists, the command says which and how to close it, and --close-existing closes it first. If a step fails after the conversation was created, it is deleted again.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --to +15551234567 --from +15005550006 --body "Your appointment is tomorrow at 10:00. Reply to talk to us." --flow "Messaging Flow"',
    '<%= config.bin %> <%= command.id %> --channel whatsapp --to +15551234567 --from +15005550006 --body "Your order shipped" --flow FW0123456789abcdef0123456789abcdef --close-existing --json',
  ];

  static override flags = {
    to: Flags.string({required: true, summary: 'The customer\'s address (+E164; for whatsapp whatsapp:+E164 or bare).'}),
    from: Flags.string({required: true, summary: 'Your number the reminder comes from (the proxy address).'}),
    body: Flags.string({char: 'b', required: true, summary: 'The reminder text (up to 1600 characters).'}),
    flow: Flags.string({required: true, summary: 'Studio flow (FW… or friendly name) the customer\'s reply runs; it hands over to Flex.'}),
    channel: Flags.string({options: [...REMINDER_CHANNELS], default: 'sms', summary: 'Channel of the reminder.'}),
    author: Flags.string({default: SYSTEM_AUTHOR, summary: 'Author of the reminder message (a system identity).'}),
    'friendly-name': Flags.string({summary: 'Name of the conversation (default: "Reminder to <to>").'}),
    'close-existing': Flags.boolean({summary: 'Close the open conversation that holds the customer\'s address first.'}),
  };

  async run(): Promise<ReminderResult> {
    const {flags} = await this.parse(OutboundReminder);
    const client = await this.client(flags);
    const r = await sendReminder(
      client,
      {
        to: flags.to,
        from: flags.from,
        body: flags.body,
        flow: flags.flow,
        channel: flags.channel as ReminderChannel,
        author: flags.author,
        friendlyName: flags['friendly-name'],
        closeExisting: flags['close-existing'],
      },
      (step) => this.render.info(`${this.render.style('cyan', '→')} ${step}`),
    );
    if (!this.render.json) {
      this.render.success(`Reminder ${r.message.sid} sent to ${r.participant.messaging_binding?.address ?? flags.to} in conversation ${r.conversation.sid}${this.where()}`);
      this.render.info(`The reply runs Studio flow ${r.flow.sid}; follow it with \`flexconv conversations tail ${r.conversation.sid}\` and \`flexconv studio executions list ${r.flow.sid}\``);
    }
    return r;
  }
}
