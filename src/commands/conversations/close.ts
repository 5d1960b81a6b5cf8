import {confirmFlags} from '../../lib/cli/index.js';
import {conversationArg, webhooksFlag} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {closeConversation, getConversation, type Conversation} from '../../lib/flows/conversations.js';

export default class ConversationsClose extends ResourceCommand<Conversation> {
  static override summary = 'Close a conversation (final: its SMS/WhatsApp bindings are released)';
  static override description =
    'A closed conversation takes no more messages or participants, and the customer\'s next message starts a new one. Closing a closed conversation changes nothing (a warning says so). Asks for confirmation on a terminal; pass --yes in scripts, --dry-run to see what would happen.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 --yes --json',
    '<%= config.bin %> <%= command.id %> support-case-42 --dry-run',
  ];

  static override args = {conversation: conversationArg};
  static override flags = {...confirmFlags, ...webhooksFlag};

  async run(): Promise<Conversation & {dry_run?: true}> {
    const {args, flags} = await this.parse(ConversationsClose);
    const client = await this.client(flags);
    const current = await getConversation(client, args.conversation);
    if (current.state === 'closed') {
      this.render.warn(`Conversation ${current.sid} is closed already; nothing changed`);
      return current;
    }
    let closed = current;
    const what = `conversation ${current.sid}${current.friendly_name ? ` ("${current.friendly_name}")` : ''} (${current.state} until now)`;
    const done = await this.destructive(current, what, flags, async () => {
      closed = (await closeConversation(client, current.sid, {current, webhooks: flags.webhooks})).conversation;
    }, ['Close', 'Closed']);
    return done.dry_run ? done : closed;
  }
}
