/**
 * Constants of Twilio's Conversations API (OpenAPI spec conversations v1), shared by the CLI
 * and the emulator: this module imports nothing, so both sides can use it without crossing the
 * boundary between them. A test checks them against the spec.
 */

/** configuration_address_enum_type */
export const ADDRESS_TYPES = ['sms', 'whatsapp', 'messenger', 'gbm', 'email', 'rcs', 'apple', 'chat'] as const;
/** configuration_address_enum_auto_creation_type */
export const AUTO_CREATION_TYPES = ['webhook', 'studio', 'default'] as const;
/** configuration_address_enum_method (responses spell it upper-case; requests may use either case) */
export const WEBHOOK_METHODS = ['GET', 'POST'] as const;
/** Values of AutoCreation.WebhookFilters */
export const WEBHOOK_FILTERS = [
  'onMessageAdded',
  'onMessageUpdated',
  'onMessageRemoved',
  'onConversationUpdated',
  'onConversationStateUpdated',
  'onConversationRemoved',
  'onParticipantAdded',
  'onParticipantUpdated',
  'onParticipantRemoved',
  'onDeliveryUpdated',
] as const;
/** The spec's maximum PageSize of the address configuration list. */
export const ADDRESS_LIST_MAX_PAGE_SIZE = 50;
