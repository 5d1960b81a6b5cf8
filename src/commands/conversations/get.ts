import {conversationArg, CONVERSATION_FIELDS} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {getConversation, type Conversation} from '../../lib/flows/conversations.js';

export default class ConversationsGet extends ResourceCommand<Conversation> {
  static override summary = 'Show one conversation';
  static override description = 'Look it up by its SID (CH…) or its unique name; the API accepts both.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 --json | jq .state',
  ];

  static override args = {conversation: conversationArg};

  async run(): Promise<Conversation> {
    const {args, flags} = await this.parse(ConversationsGet);
    const conversation = await getConversation(await this.client(flags), args.conversation);
    this.render.record(conversation, CONVERSATION_FIELDS);
    return conversation;
  }
}
