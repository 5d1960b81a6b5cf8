import {Flags} from '../../../lib/command.js';
import {requireSid} from '../../../lib/cli/index.js';
import {conversationArg, WEBHOOK_FIELDS} from '../../../lib/cli/conversations.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {addConversationWebhook, type ConversationWebhook} from '../../../lib/flows/conversations.js';
import {WEBHOOK_FILTERS} from '../../../lib/flows/addresses.js';

export default class ConversationWebhooksAdd extends ResourceCommand<ConversationWebhook> {
  static override summary = 'Add a webhook to one conversation';
  static override description = `Type webhook (default) posts the --filters events to --url; trigger posts when a message contains one of --triggers; studio hands messages to a Studio --flow. At most 5 per conversation. Events: ${WEBHOOK_FILTERS.join(', ')}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef --url https://example.com/hook --filters onMessageAdded,onParticipantAdded',
    '<%= config.bin %> <%= command.id %> support-case-42 --type studio --flow FW0123456789abcdef0123456789abcdef --json',
  ];

  static override args = {conversation: conversationArg};
  static override flags = {
    type: Flags.string({options: ['webhook', 'trigger', 'studio'], default: 'webhook', summary: 'Kind of webhook (the API\'s Target).'}),
    url: Flags.string({summary: 'Where events are sent (webhook, trigger).'}),
    method: Flags.string({options: ['GET', 'POST'], default: 'POST', summary: 'HTTP method (webhook, trigger).'}),
    filters: Flags.string({multiple: true, delimiter: ',', options: [...WEBHOOK_FILTERS], summary: 'Events to send; repeat or separate with commas.'}),
    triggers: Flags.string({multiple: true, delimiter: ',', summary: 'Words that fire a trigger webhook.'}),
    flow: Flags.string({summary: 'Studio Flow SID (FW…) (studio).'}),
    'replay-after': Flags.integer({min: 0, summary: 'Studio: replay the messages after this index to the flow.'}),
  };

  async run(): Promise<ConversationWebhook> {
    const {args, flags} = await this.parse(ConversationWebhooksAdd);
    const webhook = await addConversationWebhook(await this.client(flags), args.conversation, {
      target: flags.type as 'webhook' | 'trigger' | 'studio',
      url: flags.url,
      method: flags.type === 'studio' ? undefined : (flags.method as 'GET' | 'POST'),
      filters: flags.filters && [...new Set(flags.filters)],
      triggers: flags.triggers,
      flowSid: flags.flow === undefined ? undefined : requireSid('FW', flags.flow, '--flow'),
      replayAfter: flags['replay-after'],
    });
    if (!this.render.json) this.render.success(`Added webhook ${webhook.sid} to ${webhook.conversation_sid}${this.where()}`);
    this.render.record(webhook, WEBHOOK_FIELDS);
    return webhook;
  }
}
