import {Flags} from '../../lib/command.js';
import {conversationArg} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {getConversation} from '../../lib/flows/conversations.js';
import {followMessages, messageLine} from '../../lib/flows/messages.js';

export default class ConversationsTail extends ResourceCommand<{shown: number}> {
  static override summary = 'Follow a conversation\'s messages until Ctrl-C';
  static override description =
    'Prints the last --backlog messages, then each new one as it arrives (polling every --interval ms), one line each: #index date author: body. Under --json, one message per line as the REST API returns it (NDJSON). Ctrl-C ends it (exit 0).';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 --backlog 0 --json | jq -r .body',
  ];

  static override args = {conversation: conversationArg};
  static override flags = {
    backlog: Flags.integer({min: 0, max: 100, default: 10, summary: 'How many earlier messages to show first.'}),
    interval: Flags.integer({min: 100, default: 1000, summary: 'Milliseconds between polls.'}),
  };

  async run(): Promise<{shown: number}> {
    const {args, flags} = await this.parse(ConversationsTail);
    const client = await this.client(flags);
    const conv = await getConversation(client, args.conversation);
    this.render.progress(`Following ${conv.sid} (${conv.state})${this.where()}; Ctrl-C to stop`);
    const shown = await this.follow((signal, emit) =>
      followMessages(client, conv.sid, {backlog: flags.backlog, intervalMs: flags.interval, signal, onMessage: (m) => emit(m, messageLine(m))}),
    );
    return {shown};
  }
}
