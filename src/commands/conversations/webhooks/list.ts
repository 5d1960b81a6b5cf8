import {columnKeys, listFlags, paging, pickColumns} from '../../../lib/cli/index.js';
import {conversationArg, WEBHOOK_COLUMNS, WEBHOOK_EXTRA} from '../../../lib/cli/conversations.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {listConversationWebhooks, MAX_PAGE, type ConversationWebhook} from '../../../lib/flows/conversations.js';

export default class ConversationWebhooksList extends ResourceCommand<ConversationWebhook[]> {
  static override summary = 'List the webhooks of one conversation (webhook, trigger and studio targets)';
  static override description = `Table columns (--columns): ${columnKeys(WEBHOOK_COLUMNS, WEBHOOK_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 --json',
  ];

  static override args = {conversation: conversationArg};
  static override flags = listFlags(MAX_PAGE.webhooks, {defaultLimit: 5});

  async run(): Promise<ConversationWebhook[]> {
    const {args, flags} = await this.parse(ConversationWebhooksList);
    const columns = pickColumns(flags.columns, WEBHOOK_COLUMNS, WEBHOOK_EXTRA);
    const listed = await listConversationWebhooks(await this.client(flags), args.conversation, paging(flags));
    return this.showList(listed, columns, flags, `No webhooks. Add one with \`flexconv conversations webhooks add ${args.conversation} --url https://example.com/hook\``);
  }
}
