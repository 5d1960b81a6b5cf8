import {Flags} from '../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../lib/cli/index.js';
import {CONVERSATION_COLUMNS, CONVERSATION_EXTRA} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {CONVERSATION_STATES, MAX_PAGE, listConversations, type Conversation, type ConversationState} from '../../lib/flows/conversations.js';

export default class ConversationsList extends ResourceCommand<Conversation[]> {
  static override summary = 'List conversations';
  static override description = `Pages through the API up to --limit records (default 50); --all fetches every page. --json prints the API resources as the REST API returns them (snake_case).

Table columns (--columns): ${columnKeys(CONVERSATION_COLUMNS, CONVERSATION_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --state active',
    '<%= config.bin %> <%= command.id %> --start-date 2024-01-01 --all --json',
    '<%= config.bin %> <%= command.id %> --columns sid,state,timers --no-header',
  ];

  static override flags = {
    state: Flags.string({options: [...CONVERSATION_STATES], summary: 'Only conversations in this state.'}),
    'start-date': Flags.string({summary: 'Only those created on or after this ISO 8601 date (e.g. 2024-01-31).'}),
    'end-date': Flags.string({summary: 'Only those created on or before this ISO 8601 date.'}),
    ...listFlags(MAX_PAGE.conversations),
  };

  async run(): Promise<Conversation[]> {
    const {flags} = await this.parse(ConversationsList);
    const columns = pickColumns(flags.columns, CONVERSATION_COLUMNS, CONVERSATION_EXTRA);
    const client = await this.client(flags);
    const listed = await listConversations(client, {
      state: flags.state as ConversationState | undefined,
      startDate: flags['start-date'],
      endDate: flags['end-date'],
      ...paging(flags),
    });
    return this.showList(listed, columns, flags, 'No conversations. Start one with `flexconv conversations create` or `flexconv simulate inbound`');
  }
}
