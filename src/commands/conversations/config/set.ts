import {Flags} from '../../../lib/command.js';
import {durationText, requireSid, TIMER_MIN} from '../../../lib/cli/index.js';
import {CONFIG_FIELDS} from '../../../lib/cli/conversations.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {setConfig, type ConversationsConfig, type GlobalWebhooks} from '../../../lib/flows/conversations.js';
import {WEBHOOK_FILTERS} from '../../../lib/flows/addresses.js';

type Config = {configuration: ConversationsConfig; webhooks: GlobalWebhooks};

export default class ConfigSet extends ResourceCommand<Config> {
  static override summary = 'Change the account\'s Conversations defaults, timers and global webhooks';
  static override description = `Only the given settings change. Timers are ISO 8601 durations ("" clears one); the closed timer applies to conversations created from then on. Webhook events: ${WEBHOOK_FILTERS.join(', ')} (post-event) and their pre-event forms (onMessageAdd, …).`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --inactive-timer PT1H --closed-timer P1D',
    '<%= config.bin %> <%= command.id %> --post-webhook-url https://example.com/events --webhook-filters onMessageAdded,onConversationStateUpdated --json',
  ];

  static override flags = {
    'default-service': Flags.string({summary: 'Conversation Service SID (IS…) new conversations go to.'}),
    'default-messaging-service': Flags.string({summary: 'Messaging Service SID (MG…) new conversations send through.'}),
    'inactive-timer': Flags.string({summary: 'Default ISO 8601 duration until an idle conversation becomes inactive.'}),
    'closed-timer': Flags.string({summary: 'Default ISO 8601 duration until an idle conversation is closed.'}),
    'pre-webhook-url': Flags.string({helpGroup: 'WEBHOOKS', summary: 'Pre-event webhook URL ("" clears it).'}),
    'post-webhook-url': Flags.string({helpGroup: 'WEBHOOKS', summary: 'Post-event webhook URL ("" clears it).'}),
    'webhook-method': Flags.string({helpGroup: 'WEBHOOKS', options: ['GET', 'POST'], summary: 'HTTP method of the global webhooks.'}),
    'webhook-filters': Flags.string({helpGroup: 'WEBHOOKS', multiple: true, delimiter: ',', summary: 'Events sent to the global webhooks; repeat or separate with commas.'}),
    'webhook-target': Flags.string({helpGroup: 'WEBHOOKS', options: ['webhook', 'flex'], summary: 'Who receives them.'}),
  };

  async run(): Promise<Config> {
    const {flags} = await this.parse(ConfigSet);
    const sid = (p: string, v: string | undefined, f: string) => (v === undefined ? undefined : requireSid(p, v, f));
    const input = {
      defaultServiceSid: sid('IS', flags['default-service'], '--default-service'),
      defaultMessagingServiceSid: sid('MG', flags['default-messaging-service'], '--default-messaging-service'),
      inactiveTimer: durationText('--inactive-timer', flags['inactive-timer'], TIMER_MIN.inactive),
      closedTimer: durationText('--closed-timer', flags['closed-timer'], TIMER_MIN.closed),
    };
    const config = await setConfig(await this.client(flags), input, {
      method: flags['webhook-method'] as 'GET' | 'POST' | undefined,
      filters: flags['webhook-filters'],
      preWebhookUrl: flags['pre-webhook-url'],
      postWebhookUrl: flags['post-webhook-url'],
      target: flags['webhook-target'] as 'webhook' | 'flex' | undefined,
    });
    if (!this.render.json) this.render.success(`Updated the Conversations configuration${this.where()}`);
    this.render.record(config, CONFIG_FIELDS);
    return config;
  }
}
