import {Flags} from '../../lib/command.js';
import {conversationArg, conversationInput, conversationInputFlags, CONVERSATION_FIELDS} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {updateConversation, type Conversation} from '../../lib/flows/conversations.js';

export default class ConversationsUpdate extends ResourceCommand<Conversation> {
  static override summary = 'Change a conversation: names, attributes, state, timers';
  static override description = 'Only the given fields change. Closing is final; `flexconv conversations close` asks first.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef --friendly-name "Escalated"',
    '<%= config.bin %> <%= command.id %> support-case-42 --state inactive --closed-timer PT1H --json',
  ];

  static override args = {conversation: conversationArg};
  static override flags = {
    ...conversationInputFlags,
    state: Flags.string({options: ['active', 'inactive', 'closed'], summary: 'New state (closed is final).'}),
  };

  async run(): Promise<Conversation> {
    const {args, flags} = await this.parse(ConversationsUpdate);
    const input = conversationInput(flags);
    const conversation = await updateConversation(await this.client(flags), args.conversation, input);
    if (!this.render.json) this.render.success(`Updated conversation ${conversation.sid}${this.where()}`);
    this.render.record(conversation, CONVERSATION_FIELDS);
    return conversation;
  }
}
