import {Args} from '../../../lib/command.js';
import {confirmFlags, requireSid} from '../../../lib/cli/index.js';
import {conversationArg} from '../../../lib/cli/conversations.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {getConversationWebhook, removeConversationWebhook, webhookTarget, type ConversationWebhook} from '../../../lib/flows/conversations.js';

export default class ConversationWebhooksRemove extends ResourceCommand<ConversationWebhook> {
  static override summary = 'Remove a webhook from one conversation';
  static override description = 'Asks for confirmation on a terminal; pass --yes in scripts, --dry-run to see what would go.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef WH0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 WH0123456789abcdef0123456789abcdef --yes --json',
  ];

  static override args = {conversation: conversationArg, webhook: Args.string({required: true, description: 'Webhook SID (WH…)'})};
  static override flags = confirmFlags;

  async run(): Promise<ConversationWebhook & {dry_run?: true}> {
    const {args, flags} = await this.parse(ConversationWebhooksRemove);
    requireSid('WH', args.webhook, 'the webhook');
    const client = await this.client(flags);
    const w = await getConversationWebhook(client, args.conversation, args.webhook);
    const what = `webhook ${w.sid} (${w.target} ${webhookTarget(w)}) from ${w.conversation_sid}`;
    return this.destructive(w, what, flags, () => removeConversationWebhook(client, w.conversation_sid, w.sid), ['Remove', 'Removed']);
  }
}
