import {CONFIG_FIELDS} from '../../../lib/cli/conversations.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {getConfig, type ConversationsConfig, type GlobalWebhooks} from '../../../lib/flows/conversations.js';

type Config = {configuration: ConversationsConfig; webhooks: GlobalWebhooks};

export default class ConfigGet extends ResourceCommand<Config> {
  static override summary = 'Show the account\'s Conversations defaults, timers and global webhooks';
  static override description = 'Two API resources: /v1/Configuration (default service, default timers) and /v1/Configuration/Webhooks (pre/post-event URLs, method, filters, target). --json prints both as {configuration, webhooks}.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json | jq .webhooks.post_webhook_url'];

  async run(): Promise<Config> {
    const {flags} = await this.parse(ConfigGet);
    const config = await getConfig(await this.client(flags));
    this.render.record(config, CONFIG_FIELDS);
    return config;
  }
}
