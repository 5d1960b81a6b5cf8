import {confirmFlags} from '../../lib/cli/index.js';
import {conversationArg, webhooksFlag} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {deleteConversation, getConversation, type Conversation} from '../../lib/flows/conversations.js';

export default class ConversationsDelete extends ResourceCommand<Conversation> {
  static override summary = 'Delete a conversation with its participants, messages and webhooks';
  static override description = 'Cannot be undone; to end a conversation but keep its history, use `flexconv conversations close`. Asks for confirmation on a terminal; pass --yes in scripts, --dry-run to see what would go.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 --yes --json',
  ];

  static override args = {conversation: conversationArg};
  static override flags = {...confirmFlags, ...webhooksFlag};

  async run(): Promise<Conversation & {dry_run?: true}> {
    const {args, flags} = await this.parse(ConversationsDelete);
    const client = await this.client(flags);
    const c = await getConversation(client, args.conversation);
    const what = `conversation ${c.sid}${c.friendly_name ? ` ("${c.friendly_name}")` : ''} (${c.state})`;
    return this.destructive(c, what, flags, () => deleteConversation(client, c.sid, {webhooks: flags.webhooks}));
  }
}
