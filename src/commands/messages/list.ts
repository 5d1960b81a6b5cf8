import {Flags} from '../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {conversationArg, MESSAGE_COLUMNS, MESSAGE_EXTRA} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {MAX_PAGE} from '../../lib/flows/conversations.js';
import {listMessages, type Message} from '../../lib/flows/messages.js';

export default class MessagesList extends ResourceCommand<Message[]> {
  static override summary = 'List the messages of a conversation';
  static override description = `Oldest first (--order desc: newest first). Table columns (--columns): ${columnKeys(MESSAGE_COLUMNS, MESSAGE_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 --order desc --limit 5 --json',
  ];

  static override args = {conversation: conversationArg};
  static override flags = {
    order: Flags.string({options: ['asc', 'desc'], default: 'asc', summary: 'By index: oldest (asc) or newest (desc) first.'}),
    ...listFlags(MAX_PAGE.messages),
  };

  async run(): Promise<Message[]> {
    const {args, flags} = await this.parse(MessagesList);
    const columns = pickColumns(flags.columns, MESSAGE_COLUMNS, MESSAGE_EXTRA);
    const order = flags.order === 'desc' ? 'desc' : undefined;
    const listed = await listMessages(await this.client(flags), args.conversation, {order, ...paging(flags)});
    return this.showList(listed, columns, flags, `No messages. Send one with \`flexconv messages send ${args.conversation} --body hello\``);
  }
}
