import {ApiCommand, Flags} from '../../lib/command.js';
import {
  ADDRESS_TYPES,
  AUTO_CREATION_TYPES,
  FRIENDLY_NAME_MAX,
  WEBHOOK_FILTERS,
  addressFields,
  createAddress,
  type AddressConfiguration,
  type AutoCreationInput,
  type AutoCreationType,
} from '../../lib/flows/addresses.js';

/** Auto-creation flags, shared by `addresses create` and `addresses update`. */
export const autoCreationFlags = {
  'auto-creation': Flags.boolean({
    helpGroup: 'AUTO-CREATION',
    allowNo: true,
    summary: 'Enable auto-creation of conversations for inbound messages (create: on when any auto-creation setting is given).',
  }),
  'auto-creation-type': Flags.string({
    helpGroup: 'AUTO-CREATION',
    options: [...AUTO_CREATION_TYPES],
    summary: 'What a new conversation gets: a webhook, a Studio flow, or nothing extra (default). On create, implied by --webhook-*/--studio-* flags.',
  }),
  'conversation-service': Flags.string({
    helpGroup: 'AUTO-CREATION',
    summary: 'Conversation Service SID (IS…) for auto-created conversations (default: the account default service).',
  }),
  'webhook-url': Flags.string({helpGroup: 'AUTO-CREATION', summary: 'Webhook URL (auto-creation type webhook).'}),
  'webhook-method': Flags.string({helpGroup: 'AUTO-CREATION', helpValue: 'GET|POST', summary: 'Webhook HTTP method (auto-creation type webhook).'}),
  'webhook-filters': Flags.string({
    helpGroup: 'AUTO-CREATION',
    multiple: true,
    multipleNonGreedy: true,
    delimiter: ',',
    helpValue: '<event>',
    summary: 'Events sent to the webhook; repeat the flag or separate with commas (auto-creation type webhook).',
    description: `Events: ${WEBHOOK_FILTERS.join(', ')}.`,
  }),
  'studio-flow': Flags.string({helpGroup: 'AUTO-CREATION', summary: 'Studio Flow SID (FW…) (auto-creation type studio).'}),
  'studio-retry-count': Flags.integer({helpGroup: 'AUTO-CREATION', min: 0, summary: 'How often Studio retries the webhook request (auto-creation type studio).'}),
};

type AutoCreationFlagValues = {
  'auto-creation'?: boolean;
  'auto-creation-type'?: string;
  'conversation-service'?: string;
  'webhook-url'?: string;
  'webhook-method'?: string;
  'webhook-filters'?: string[];
  'studio-flow'?: string;
  'studio-retry-count'?: number;
};

export function autoCreationInput(flags: AutoCreationFlagValues): AutoCreationInput {
  return {
    enabled: flags['auto-creation'],
    type: flags['auto-creation-type'] as AutoCreationType | undefined,
    conversationServiceSid: flags['conversation-service'],
    webhookUrl: flags['webhook-url'],
    webhookMethod: flags['webhook-method'],
    // each event once, however often it was given
    webhookFilters: flags['webhook-filters'] && [...new Set(flags['webhook-filters'])],
    studioFlowSid: flags['studio-flow'],
    studioRetryCount: flags['studio-retry-count'],
  };
}

export default class AddressesCreate extends ApiCommand<AddressConfiguration> {
  static override summary = 'Create an address configuration (inbound auto-creation of conversations)';
  static override description =
    'Configures what Conversations does with inbound messages to an address: with auto-creation enabled, a message from a new sender starts a conversation, optionally wired to a webhook or a Studio flow. One configuration per address. Passing --webhook-* or --studio-* flags implies the auto-creation type and enables auto-creation unless --no-auto-creation is given.';
  static override examples = [
    {
      description: 'Send new SMS conversations to a Studio flow',
      command: '<%= config.bin %> <%= command.id %> --type sms --address +15551234567 --studio-flow FW0123456789abcdef0123456789abcdef',
    },
    {
      description: 'WhatsApp number with a webhook on two events, printed as JSON',
      command:
        '<%= config.bin %> <%= command.id %> --type whatsapp --address whatsapp:+15551234567 --webhook-url https://example.com/hook --webhook-filters onMessageAdded,onConversationUpdated --json',
    },
    {
      description: 'A chat address for Flex Webchat, auto-creation in the default service',
      command: '<%= config.bin %> <%= command.id %> --type chat --address site-chat --friendly-name "Website chat" --auto-creation-type default',
    },
  ];

  static override flags = {
    type: Flags.string({options: [...ADDRESS_TYPES], required: true, summary: 'Channel of the address.'}),
    address: Flags.string({
      required: true,
      summary: 'The address: E.164 number or short code for sms (+15551234567); for whatsapp, whatsapp:+E164 or a bare +E164 (stored as whatsapp:+E164); any name for chat.',
    }),
    'friendly-name': Flags.string({summary: `Human-readable name (up to ${FRIENDLY_NAME_MAX} characters).`}),
    'address-country': Flags.string({summary: 'ISO 3166-1 alpha-2 country of the address (short codes), e.g. US.'}),
    ...autoCreationFlags,
  };

  async run(): Promise<AddressConfiguration> {
    const {flags} = await this.parse(AddressesCreate);
    const client = await this.client(flags);
    const created = await createAddress(client, {
      type: flags.type as AddressConfiguration['type'],
      address: flags.address,
      friendlyName: flags['friendly-name'],
      addressCountry: flags['address-country'],
      autoCreation: autoCreationInput(flags),
    });
    this.render.success(`Created address configuration ${created.sid} (${created.type} ${created.address})${this.where()}`);
    this.render.record(created, addressFields(created));
    return created;
  }
}
