import {CODES, errors} from '../errors.js';
import {table} from '../store/table.js';
import type {ADDRESS_TYPES, AUTO_CREATION_TYPES} from '../../spec/conversations.js';

/** Documents and tables of Twilio Conversations (conversations v1). */

export interface AutoCreation {
  enabled: boolean;
  type: (typeof AUTO_CREATION_TYPES)[number];
  conversation_service_sid?: string;
  webhook_url?: string;
  webhook_method?: string;
  webhook_filters?: string[];
  studio_flow_sid?: string;
  studio_retry_count?: number;
}

export interface AddressConfigurationDoc {
  sid: string;
  account_sid: string;
  type: (typeof ADDRESS_TYPES)[number];
  address: string;
  friendly_name: string | null;
  auto_creation: AutoCreation;
  date_created: string;
  date_updated: string;
  address_country: string | null;
}

export const ADDRESSES = table<AddressConfigurationDoc>({
  name: 'address_configurations',
  keys: {
    // a Type filter reads the list index and skips the other rows (an index of its own cost a
    // WAL frame per create, and there are only three types)
    type: {get: (d) => d.type, indexed: false},
    // looked up through the unique (account, address) index: no index of its own
    address: {get: (d) => d.address, indexed: false},
  },
  unique: {
    // One configuration per address (the spec calls it "the unique address", and the address
    // alone identifies it in /Configuration/Addresses/{Sid}), whatever its type.
    unique: {
      columns: ['address'],
      per: 'account',
      error: (d, existing) =>
        errors.conflict(
          CODES.ADDRESS_EXISTS,
          `An address configuration for address ${d.address} already exists${existing ? `: ${existing.sid} (type ${existing.type})` : ''}`,
        ),
    },
  },
  listing: true,
});


// ---------------------------------------------------------------------------------------------
// Services, configuration, conversations and what hangs off them. Documents are the API's own
// shape (snake_case, as rendered) minus url/links; what the API does not show lives under `_`
// (TableDecl.internal), which the store keeps but never renders.

export const CONFLICT = {
  /** Conversation with provided unique name already exists [docs: error 50353]. */
  UNIQUE_NAME: 50353,
  /** Participant already exists (same identity in this conversation) [docs: error 50433]. */
  PARTICIPANT_EXISTS: 50433,
  /** A binding for this participant and proxy address already exists [docs: error 50416]. */
  BINDING_EXISTS: 50416,
  /** User already exists for this Service [docs: error 50201]. */
  USER_EXISTS: 50201,
} as const;

export interface ServiceDoc {
  account_sid: string;
  sid: string;
  friendly_name: string;
  date_created: string;
  date_updated: string;
}

export const SERVICES = table<ServiceDoc>({
  name: 'conversation_services',
  links: {
    conversations: 'Conversations',
    users: 'Users',
    roles: 'Roles',
    bindings: 'Bindings',
    configuration: 'Configuration',
    participant_conversations: 'ParticipantConversations',
    conversation_with_participants: 'ConversationWithParticipants',
  },
});

export interface WebhookSettings {
  method: 'GET' | 'POST';
  filters: string[];
  pre_webhook_url: string | null;
  post_webhook_url: string | null;
  /** Account level only: webhook | flex. */
  target?: 'webhook' | 'flex';
}

/** The account's Conversations configuration and global webhooks (one row per account; sid = the account's). */
export interface AccountConfigDoc {
  sid: string;
  default_chat_service_sid: string;
  default_messaging_service_sid: string;
  default_inactive_timer: string | null;
  default_closed_timer: string | null;
  webhooks: WebhookSettings;
}

export const ACCOUNT_CONFIG = table<AccountConfigDoc>({name: 'conversation_account_config'});

/** A service's configuration and webhooks (one row per service; sid = the service's). */
export interface ServiceConfigDoc {
  sid: string;
  default_conversation_creator_role_sid: string | null;
  default_conversation_role_sid: string | null;
  default_chat_service_role_sid: string | null;
  reachability_enabled: boolean;
  webhooks: WebhookSettings;
}

export const SERVICE_CONFIG = table<ServiceConfigDoc>({name: 'conversation_service_config', parent: SERVICES});

export type ConversationState = 'initializing' | 'active' | 'inactive' | 'closed';

export interface ConversationInternal {
  /** Index the next message gets. */
  next_index: number;
  /** Timer durations (ms) that restart on activity, when set. */
  inactive_ms?: number;
  closed_ms?: number;
}

export interface ConversationDoc {
  account_sid: string;
  chat_service_sid: string;
  messaging_service_sid: string;
  sid: string;
  friendly_name: string | null;
  unique_name: string | null;
  attributes: string;
  state: ConversationState;
  date_created: string;
  date_updated: string;
  timers: {date_inactive?: string; date_closed?: string};
  bindings: Record<string, unknown> | null;
  _: ConversationInternal;
}

export const CONVERSATIONS = table<ConversationDoc>({
  name: 'conversations',
  parent: SERVICES,
  keys: {
    unique_name: {get: (c) => c.unique_name, indexed: false},
    state: {get: (c) => c.state},
    date_created: {get: (c) => c.date_created},
  },
  unique: {
    unique_name: {
      columns: ['unique_name'],
      per: 'parent',
      error: (c, existing) =>
        errors.conflict(
          CONFLICT.UNIQUE_NAME,
          `Conversation with provided unique name already exists: ${c.unique_name}${existing ? ` (${existing.sid})` : ''}`,
        ),
    },
  },
  links: {participants: 'Participants', messages: 'Messages', webhooks: 'Webhooks', export: 'Export'},
  internal: '_',
});

export interface MessagingBinding {
  type: string;
  address?: string;
  proxy_address?: string;
  projected_address?: string;
}

export interface ParticipantDoc {
  /** First: account-level views leave it out (RenderUrls.omit). */
  chat_service_sid: string;
  account_sid: string;
  conversation_sid: string;
  sid: string;
  identity: string | null;
  attributes: string;
  messaging_binding: MessagingBinding | null;
  role_sid: string | null;
  date_created: string;
  date_updated: string;
  last_read_message_index: number | null;
  last_read_timestamp: string | null;
  _: {
    /** The (address, proxy) pair while the conversation is not closed; null once it releases it. */
    binding: string | null;
    notification_level?: 'default' | 'muted';
  };
}

/** The key of an address + proxy pair (what 50416 guards). */
export const bindingKey = (address: string, proxy: string): string => `${address}\n${proxy}`;

export const PARTICIPANTS = table<ParticipantDoc>({
  name: 'conversation_participants',
  parent: CONVERSATIONS,
  keys: {
    // within a conversation the unique constraint's index finds an identity; these serve
    // ParticipantConversations, which looks across every conversation of the account
    identity: {get: (p) => p.identity, indexed: 'account'},
    address: {get: (p) => p.messaging_binding?.address ?? null, indexed: 'account'},
    binding: {get: (p) => p._.binding, indexed: false},
  },
  unique: {
    identity: {
      columns: ['identity'],
      per: 'parent',
      error: (p) =>
        errors.conflict(CONFLICT.PARTICIPANT_EXISTS, `Participant already exists: identity ${p.identity} is already in Conversation ${p.conversation_sid}`),
    },
    binding: {
      columns: ['binding'],
      per: 'account',
      error: (p, existing) =>
        errors.conflict(
          CONFLICT.BINDING_EXISTS,
          `A binding for this participant and proxy address already exists in Conversation ${existing?.conversation_sid ?? p.conversation_sid}`,
        ),
    },
  },
  listing: true,
  internal: '_',
});

export interface MediaDoc {
  sid: string;
  content_type: string;
  filename: string | null;
  size: number;
}

export interface DeliverySummary {
  total: number;
  sent: string;
  delivered: string;
  read: string;
  failed: string;
  undelivered: string;
}

export interface MessageDoc {
  /** First: account-level views leave it out (RenderUrls.omit). */
  chat_service_sid: string;
  account_sid: string;
  conversation_sid: string;
  sid: string;
  index: number;
  author: string;
  body: string | null;
  media: MediaDoc[] | null;
  attributes: string;
  participant_sid: string | null;
  date_created: string;
  date_updated: string;
  delivery: DeliverySummary | null;
  content_sid: string | null;
}

export const MESSAGES = table<MessageDoc>({
  name: 'conversation_messages',
  parent: CONVERSATIONS,
  // paged from SQLite through (account, conversation, seq): a 100k-message conversation pages like a small one
  // idx grows with seq (the newest row holds the highest): no index of its own to keep up
  keys: {idx: {get: (m) => m.index, type: 'int', indexed: false}},
  // messages arrive in many conversations at once: their list index is written in batches
  deferredList: true,
  links: {delivery_receipts: 'Receipts', channel_metadata: 'ChannelMetadata'},
});

export type ReceiptStatus = 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';

export interface ReceiptDoc {
  /** First: account-level views leave it out (RenderUrls.omit). */
  chat_service_sid: string;
  account_sid: string;
  conversation_sid: string;
  sid: string;
  message_sid: string;
  channel_message_sid: string;
  participant_sid: string;
  status: ReceiptStatus;
  error_code: number | null;
  date_created: string;
  date_updated: string;
}

export const RECEIPTS = table<ReceiptDoc>({name: 'conversation_receipts', parent: MESSAGES});

export interface ScopedWebhookDoc {
  /** First: account-level views leave it out (RenderUrls.omit). */
  chat_service_sid: string;
  sid: string;
  account_sid: string;
  conversation_sid: string;
  target: 'webhook' | 'trigger' | 'studio';
  configuration: {
    url?: string;
    method?: string;
    filters?: string[];
    triggers?: string[];
    flow_sid?: string;
    replay_after?: number;
  };
  date_created: string;
  date_updated: string;
}

export const SCOPED_WEBHOOKS = table<ScopedWebhookDoc>({name: 'conversation_webhooks', parent: CONVERSATIONS, listing: true});

export interface UserDoc {
  sid: string;
  account_sid: string;
  chat_service_sid: string;
  role_sid: string | null;
  identity: string;
  friendly_name: string | null;
  attributes: string;
  is_online: boolean | null;
  is_notifiable: boolean | null;
  date_created: string;
  date_updated: string;
}

export const USERS = table<UserDoc>({
  name: 'conversation_users',
  parent: SERVICES,
  keys: {identity: {get: (u) => u.identity, indexed: false}},
  unique: {
    identity: {
      columns: ['identity'],
      per: 'parent',
      error: (u) => errors.conflict(CONFLICT.USER_EXISTS, `User already exists: identity ${u.identity} in Service ${u.chat_service_sid}`),
    },
  },
  links: {user_conversations: 'Conversations'},
});

export interface RoleDoc {
  sid: string;
  account_sid: string;
  chat_service_sid: string;
  friendly_name: string;
  type: 'conversation' | 'service';
  permissions: string[];
  date_created: string;
  date_updated: string;
}

export const ROLES = table<RoleDoc>({name: 'conversation_roles', parent: SERVICES, keys: {friendly_name: {get: (r) => r.friendly_name}}});

/** A message as it reached a customer's phone (GET /_emulator/outbox). */
export interface OutboxDoc {
  sid: string;
  channel: string;
  to: string;
  from: string;
  body: string | null;
  media: MediaDoc[] | null;
  conversation_sid: string;
  message_sid: string;
  participant_sid: string;
  receipt_sid: string;
  status: ReceiptStatus;
  date_created: string;
  date_updated: string;
}

export const OUTBOX = table<OutboxDoc>({name: 'emulator_outbox', keys: {to_address: {get: (o) => o.to}}});

/** Every table of this domain, for the store (parents before children). */
export const CONVERSATIONS_TABLES = [
  ADDRESSES,
  SERVICES,
  ACCOUNT_CONFIG,
  SERVICE_CONFIG,
  CONVERSATIONS,
  PARTICIPANTS,
  MESSAGES,
  RECEIPTS,
  SCOPED_WEBHOOKS,
  USERS,
  ROLES,
  OUTBOX,
];
