import {Args} from '../../lib/command.js';
import {conversationArg, MESSAGE_FIELDS} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {getMessage, type Message} from '../../lib/flows/messages.js';

export const messageArg = Args.string({required: true, description: 'Message SID (IM…)'});

export default class MessagesGet extends ResourceCommand<Message> {
  static override summary = 'Show one message';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef IM0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 IM0123456789abcdef0123456789abcdef --json | jq .delivery',
  ];

  static override args = {conversation: conversationArg, message: messageArg};

  async run(): Promise<Message> {
    const {args, flags} = await this.parse(MessagesGet);
    const message = await getMessage(await this.client(flags), args.conversation, args.message);
    this.render.record(message, MESSAGE_FIELDS);
    return message;
  }
}
