import {confirmFlags} from '../../lib/cli/index.js';
import {conversationArg, webhooksFlag} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {deleteMessage, getMessage, type Message} from '../../lib/flows/messages.js';
import {messageArg} from './get.js';

export default class MessagesDelete extends ResourceCommand<Message> {
  static override summary = 'Delete a message';
  static override description = 'Asks for confirmation on a terminal; pass --yes in scripts, --dry-run to see what would go.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef IM0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 IM0123456789abcdef0123456789abcdef --yes --json',
  ];

  static override args = {conversation: conversationArg, message: messageArg};
  static override flags = {...confirmFlags, ...webhooksFlag};

  async run(): Promise<Message & {dry_run?: true}> {
    const {args, flags} = await this.parse(MessagesDelete);
    const client = await this.client(flags);
    const m = await getMessage(client, args.conversation, args.message);
    const what = `message ${m.sid} (#${m.index} by ${m.author ?? 'system'}) from ${m.conversation_sid}`;
    return this.destructive(m, what, flags, () => deleteMessage(client, m.conversation_sid, m.sid, {webhooks: flags.webhooks}));
  }
}
