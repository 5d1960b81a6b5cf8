import {Flags} from '../../lib/command.js';
import {conversationArg, MESSAGE_FIELDS, webhooksFlag} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {assertWritable} from '../../lib/flows/conversations.js';
import {MAX_BODY, sendMessage, type Message} from '../../lib/flows/messages.js';

export default class MessagesSend extends ResourceCommand<Message> {
  static override summary = 'Send a message into a conversation';
  static override description = `Every SMS/WhatsApp participant other than the author gets it on their phone (on the emulator: \`flexconv simulate outbox\`). Body up to ${MAX_BODY} characters.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef --body "Hi, how can we help?" --author agent-alice',
    '<%= config.bin %> <%= command.id %> support-case-42 --body "Case closed" --attributes \'{"kind":"system"}\' --webhooks --json',
  ];

  static override args = {conversation: conversationArg};
  static override flags = {
    body: Flags.string({char: 'b', summary: 'Message text.'}),
    author: Flags.string({summary: 'Author: an identity or address (default: system).'}),
    attributes: Flags.string({summary: 'JSON attributes.'}),
    'media-sid': Flags.string({summary: 'Media SID (ME…) uploaded to the Media Content Service.'}),
    'content-sid': Flags.string({summary: 'Content template SID (HX…).'}),
    ...webhooksFlag,
  };

  async run(): Promise<Message> {
    const {args, flags} = await this.parse(MessagesSend);
    const client = await this.client(flags);
    // a dry run reads the conversation first (a GET is sent): an unknown or closed one fails as the send would
    if (this.dryRun) await assertWritable(client, args.conversation);
    const message = await sendMessage(client, args.conversation, {
      body: flags.body,
      author: flags.author,
      attributes: flags.attributes,
      mediaSid: flags['media-sid'],
      contentSid: flags['content-sid'],
      webhooks: flags.webhooks,
    });
    if (!this.render.json) this.render.success(`Sent message ${message.sid} (#${message.index}) to ${message.conversation_sid}${this.where()}`);
    this.render.record(message, MESSAGE_FIELDS);
    return message;
  }
}
