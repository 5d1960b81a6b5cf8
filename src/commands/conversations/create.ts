import {Flags} from '../../lib/command.js';
import {conversationInput, conversationInputFlags, CONVERSATION_FIELDS} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {createConversation, type Conversation} from '../../lib/flows/conversations.js';

export default class ConversationsCreate extends ResourceCommand<Conversation> {
  static override summary = 'Create a conversation';
  static override description = 'In the account\'s default Conversation Service. Add people with `flexconv conversations participants add`.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --friendly-name "Support case 42" --unique-name support-case-42',
    '<%= config.bin %> <%= command.id %> --attributes \'{"priority":"high"}\' --inactive-timer PT30M --closed-timer P1D --json',
  ];

  static override flags = {
    ...conversationInputFlags,
    state: Flags.string({options: ['active', 'inactive'], summary: 'Initial state (default active).'}),
  };

  async run(): Promise<Conversation> {
    const {flags} = await this.parse(ConversationsCreate);
    const input = conversationInput(flags);
    const conversation = await createConversation(await this.client(flags), input);
    if (!this.render.json) this.render.success(`Created conversation ${conversation.sid}${this.where()}`);
    this.render.record(conversation, CONVERSATION_FIELDS);
    return conversation;
  }
}
