import {Flags} from '../../lib/command.js';
import {MESSAGE_FIELDS} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {guestSays} from '../../lib/flows/webchat.js';
import type {Message} from '../../lib/flows/messages.js';

export default class SimulateWebchat extends ResourceCommand<Message & {guest_identity: string}> {
  static override summary = 'The webchat guest types: a message authored by the guest identity';
  static override description =
    'As the webchat app posts it: a Conversations message whose author is the guest (the chat participant who joined first, i.e. the one `webchat create` made, or --identity), with X-Twilio-Webhook-Enabled so the conversation\'s Studio flow or webhook hears it. Goes through the Conversations API, so it works on Twilio too.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --conversation CH0123456789abcdef0123456789abcdef --body "Hi, where is my order?"',
    '<%= config.bin %> <%= command.id %> --conversation CH0123456789abcdef0123456789abcdef --identity guest-42 --body "Thanks" --json',
  ];

  static override flags = {
    conversation: Flags.string({required: true, summary: 'The webchat\'s conversation (CH… or unique name).'}),
    body: Flags.string({char: 'b', required: true, summary: 'What the guest types.'}),
    identity: Flags.string({summary: 'Type as this chat identity (default: the guest who joined first).'}),
  };

  async run(): Promise<Message & {guest_identity: string}> {
    const {flags} = await this.parse(SimulateWebchat);
    const {message, identity} = await guestSays(await this.client(flags), flags.conversation, flags.body, flags.identity);
    if (!this.render.json) this.render.success(`Guest ${identity} wrote message ${message.sid} (#${message.index}) in ${message.conversation_sid}${this.where()}`);
    this.render.record(message, MESSAGE_FIELDS);
    return {...message, guest_identity: identity};
  }
}
