/**
 * Arguments, flags and columns the Conversations commands share (conversations, participants,
 * scoped webhooks, messages, services, config, simulate, webhooks).
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import {usageError} from '../errors.js';
import type {Column} from '../render/index.js';
import {durationText, jsonText, requireSid, TIMER_MIN} from './index.js';
import {
  participantWho,
  webhookTarget,
  type Conversation,
  type ConversationInput,
  type ConversationWebhook,
  type ConversationsConfig,
  type GlobalWebhooks,
  type Participant,
  type Service,
} from '../flows/conversations.js';
import type {Message} from '../flows/messages.js';
import type {Attempt, OutboxMessage} from '../flows/simulate.js';

export const conversationArg = Args.string({
  name: 'conversation',
  required: true,
  description: 'Conversation SID (CH…) or its unique name',
});

export const webhooksFlag = {
  webhooks: Flags.boolean({
    summary: 'Fire the webhooks this change triggers (sends X-Twilio-Webhook-Enabled: true; REST changes fire none without it).',
  }),
};

export const conversationInputFlags = {
  'friendly-name': Flags.string({summary: 'Human-readable name (up to 256 characters).'}),
  'unique-name': Flags.string({summary: 'A unique name; it can stand in for the SID in every command.'}),
  attributes: Flags.string({summary: 'JSON attributes, e.g. \'{"priority":"high"}\'.'}),
  'messaging-service': Flags.string({summary: 'Messaging Service SID (MG…) the conversation sends through.'}),
  'inactive-timer': Flags.string({summary: 'ISO 8601 duration until an idle conversation becomes inactive (at least PT1M), e.g. PT30M.'}),
  'closed-timer': Flags.string({summary: 'ISO 8601 duration until an idle conversation is closed (at least PT10M), e.g. P1D.'}),
  ...webhooksFlag,
};

const timers = (c: Conversation) =>
  [c.timers?.date_inactive && `inactive ${c.timers.date_inactive}`, c.timers?.date_closed && `closed ${c.timers.date_closed}`].filter(Boolean).join(', ');

export const CONVERSATION_COLUMNS: Column<Conversation>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'state', header: 'STATE'},
  {key: 'friendly_name', header: 'FRIENDLY NAME'},
  {key: 'unique_name', header: 'UNIQUE NAME'},
  {key: 'date_updated', header: 'UPDATED'},
];
export const CONVERSATION_EXTRA: Column<Conversation>[] = [
  {key: 'date_created', header: 'CREATED'},
  {key: 'timers', header: 'TIMERS', get: timers},
  {key: 'attributes', header: 'ATTRIBUTES'},
  {key: 'chat_service_sid', header: 'SERVICE'},
  {key: 'messaging_service_sid', header: 'MESSAGING SERVICE'},
  {key: 'url', header: 'URL'},
];
export const CONVERSATION_FIELDS: Column<Conversation>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'state', header: 'State'},
  {key: 'friendly_name', header: 'Friendly name'},
  {key: 'unique_name', header: 'Unique name'},
  {key: 'attributes', header: 'Attributes'},
  {key: 'timers', header: 'Timers', get: timers},
  {key: 'chat_service_sid', header: 'Service'},
  {key: 'messaging_service_sid', header: 'Messaging service'},
  {key: 'date_created', header: 'Created'},
  {key: 'date_updated', header: 'Updated'},
];

export const PARTICIPANT_COLUMNS: Column<Participant>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'who', header: 'WHO', get: participantWho},
  {key: 'identity', header: 'IDENTITY'},
  {key: 'address', header: 'ADDRESS', get: (p) => p.messaging_binding?.address ?? ''},
  {key: 'proxy_address', header: 'PROXY', get: (p) => p.messaging_binding?.proxy_address ?? ''},
  {key: 'date_created', header: 'JOINED'},
];
export const PARTICIPANT_EXTRA: Column<Participant>[] = [
  {key: 'attributes', header: 'ATTRIBUTES'},
  {key: 'role_sid', header: 'ROLE'},
  {key: 'last_read_message_index', header: 'LAST READ'},
  {key: 'conversation_sid', header: 'CONVERSATION'},
];
export const PARTICIPANT_FIELDS: Column<Participant>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'conversation_sid', header: 'Conversation'},
  {key: 'who', header: 'Who', get: participantWho},
  {key: 'attributes', header: 'Attributes'},
  {key: 'role_sid', header: 'Role'},
  {key: 'date_created', header: 'Joined'},
];

export const WEBHOOK_COLUMNS: Column<ConversationWebhook>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'target', header: 'TARGET'},
  {key: 'to', header: 'TO', get: webhookTarget},
  {key: 'filters', header: 'FILTERS', get: (w) => w.configuration?.filters ?? ''},
  {key: 'triggers', header: 'TRIGGERS', get: (w) => w.configuration?.triggers ?? ''},
];
export const WEBHOOK_EXTRA: Column<ConversationWebhook>[] = [
  {key: 'replay_after', header: 'REPLAY AFTER', get: (w) => w.configuration?.replay_after ?? ''},
  {key: 'date_created', header: 'CREATED'},
  {key: 'conversation_sid', header: 'CONVERSATION'},
];
export const WEBHOOK_FIELDS: Column<ConversationWebhook>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'conversation_sid', header: 'Conversation'},
  {key: 'target', header: 'Target'},
  {key: 'to', header: 'To', get: webhookTarget},
  {key: 'filters', header: 'Filters', get: (w) => w.configuration?.filters ?? ''},
  {key: 'date_created', header: 'Created'},
];

export const MESSAGE_COLUMNS: Column<Message>[] = [
  {key: 'index', header: '#'},
  {key: 'sid', header: 'SID'},
  {key: 'author', header: 'AUTHOR'},
  // whole (a terminal's width cuts it, a pipe never does), on one line
  {key: 'body', header: 'BODY', get: (m) => m.body?.replace(/\r?\n/g, ' ↵ ')},
  {key: 'date_created', header: 'SENT'},
];
export const MESSAGE_EXTRA: Column<Message>[] = [
  {key: 'media', header: 'MEDIA', get: (m) => m.media?.length ?? 0},
  {key: 'attributes', header: 'ATTRIBUTES'},
  {key: 'participant_sid', header: 'PARTICIPANT'},
  {key: 'delivery', header: 'DELIVERY'},
];
export const MESSAGE_FIELDS: Column<Message>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'conversation_sid', header: 'Conversation'},
  {key: 'index', header: 'Index'},
  {key: 'author', header: 'Author'},
  {key: 'body', header: 'Body'},
  {key: 'media', header: 'Media', get: (m) => (m.media?.length ? m.media.map((x) => x.sid) : '')},
  {key: 'attributes', header: 'Attributes'},
  {key: 'participant_sid', header: 'Participant'},
  {key: 'date_created', header: 'Sent'},
];

export const SERVICE_COLUMNS: Column<Service>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'FRIENDLY NAME'},
  {key: 'date_created', header: 'CREATED'},
];
export const SERVICE_FIELDS: Column<Service>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'Friendly name'},
  {key: 'date_created', header: 'Created'},
  {key: 'date_updated', header: 'Updated'},
  {key: 'url', header: 'URL'},
];

type Config = {configuration: ConversationsConfig; webhooks: GlobalWebhooks};
export const CONFIG_FIELDS: Column<Config>[] = [
  {key: 'default_chat_service_sid', header: 'Default service', get: (c) => c.configuration.default_chat_service_sid},
  {key: 'default_messaging_service_sid', header: 'Default messaging service', get: (c) => c.configuration.default_messaging_service_sid},
  {key: 'default_inactive_timer', header: 'Inactive timer', get: (c) => c.configuration.default_inactive_timer ?? '(none)'},
  {key: 'default_closed_timer', header: 'Closed timer', get: (c) => c.configuration.default_closed_timer ?? '(none)'},
  {key: 'webhook_target', header: 'Webhook target', get: (c) => c.webhooks.target},
  {key: 'webhook_method', header: 'Webhook method', get: (c) => c.webhooks.method},
  {key: 'pre_webhook_url', header: 'Pre-event URL', get: (c) => c.webhooks.pre_webhook_url ?? '(none)'},
  {key: 'post_webhook_url', header: 'Post-event URL', get: (c) => c.webhooks.post_webhook_url ?? '(none)'},
  {key: 'filters', header: 'Webhook filters', get: (c) => c.webhooks.filters ?? []},
];

export const OUTBOX_COLUMNS: Column<OutboxMessage>[] = [
  {key: 'date_created', header: 'SENT'},
  {key: 'channel', header: 'CHANNEL'},
  {key: 'from', header: 'FROM'},
  {key: 'to', header: 'TO'},
  {key: 'body', header: 'BODY'},
  {key: 'status', header: 'STATUS'},
  {key: 'conversation_sid', header: 'CONVERSATION'},
];

export type {Attempt};

/** The conversation fields of create/update from their flags, checked (JSON, durations, SIDs) before any request. */
export function conversationInput(flags: {
  'friendly-name'?: string;
  'unique-name'?: string;
  attributes?: string;
  'messaging-service'?: string;
  'inactive-timer'?: string;
  'closed-timer'?: string;
  state?: string;
  webhooks?: boolean;
}): ConversationInput {
  if (flags['messaging-service'] !== undefined) requireSid('MG', flags['messaging-service'], '--messaging-service');
  if (flags['friendly-name'] !== undefined && flags['friendly-name'].length > 256)
    throw usageError(`--friendly-name is ${flags['friendly-name'].length} characters long; the limit is 256`);
  return {
    friendlyName: flags['friendly-name'],
    uniqueName: flags['unique-name'],
    attributes: jsonText('--attributes', flags.attributes),
    messagingServiceSid: flags['messaging-service'],
    inactiveTimer: durationText('--inactive-timer', flags['inactive-timer'], TIMER_MIN.inactive),
    closedTimer: durationText('--closed-timer', flags['closed-timer'], TIMER_MIN.closed),
    state: flags.state as ConversationInput['state'],
    webhooks: flags.webhooks,
  };
}
