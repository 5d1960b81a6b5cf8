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
/** Pre-event name → its post-event name [docs]. */
export const PRE_EVENTS: Readonly<Record<string, string>> = {
  onMessageAdd: 'onMessageAdded',
  onMessageUpdate: 'onMessageUpdated',
  onMessageRemove: 'onMessageRemoved',
  onConversationAdd: 'onConversationAdded',
  onConversationUpdate: 'onConversationUpdated',
  onConversationRemove: 'onConversationRemoved',
  onParticipantAdd: 'onParticipantAdded',
  onParticipantUpdate: 'onParticipantUpdated',
  onParticipantRemove: 'onParticipantRemoved',
  onUserUpdate: 'onUserUpdated',
};
export const POST_EVENTS: readonly string[] = [...Object.values(PRE_EVENTS), 'onConversationStateUpdated', 'onDeliveryUpdated', 'onUserAdded'];
/** Every name the global and service webhook Filters accept: pre- and post-events. */
export const GLOBAL_WEBHOOK_FILTERS: readonly string[] = [...Object.keys(PRE_EVENTS), ...POST_EVENTS];
/** Twilio's limit on a message body [docs]: REST messages and inbound ones alike. */
export const MAX_BODY = 1600;
/** A message body over the limit: what is wrong with it (follows the parameter's name), else undefined. */
export function bodyProblem(body: string | undefined): string | undefined {
  return body !== undefined && body.length > MAX_BODY ? `is ${body.length} characters long; a message body may have at most ${MAX_BODY}` : undefined;
}
/** The spec's maximum PageSize of the address configuration list. */
export const ADDRESS_LIST_MAX_PAGE_SIZE = 50;

// ---------------------------------------------------------------------------------------------
// Limits and formats of an address configuration: the one copy, checked by the CLI before any
// request (so --dry-run catches them too) and by the emulator (api/conversations/addresses.ts).

/** FriendlyName: "limited to 256 characters" (spec, conversations.v1.configuration_address). */
export const FRIENDLY_NAME_MAX = 256;
/** Address: the spec gives no limit; the emulator takes up to this many characters [unverified on Twilio]. */
export const ADDRESS_MAX = 256;
/** E.164: + then up to 15 digits, the first not 0. */
export const E164_RE = /^\+[1-9]\d{1,14}$/;
/** An SMS short code. */
export const SHORT_CODE_RE = /^\d{3,8}$/;
/** AddressCountry: ISO 3166-1 alpha-2. */
export const COUNTRY_RE = /^[A-Za-z]{2}$/;
/** AutoCreation.WebhookUrl: an absolute http(s) URL. */
export const WEBHOOK_URL_RE = /^https?:\/\/[^\s/?#]+[^\s]*$/i;
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;
const WHATSAPP_PREFIX = 'whatsapp:';

/** What is wrong with an address, in words both halves put in their own message. */
export interface AddressProblem {
  /** "is not an E.164 phone number …": follows the quoted address. */
  why: string;
  hint?: string;
}

/**
 * Check an address against its type and return the form to store, or what is wrong with it.
 *
 * WhatsApp: the spec says "The address can be a whatsapp address or phone number", so both
 * `whatsapp:+15551234567` and `+15551234567` are taken; both are stored as `whatsapp:+E164`,
 * the form Twilio's WhatsApp addresses have everywhere else (Messaging From/To, Conversations
 * participants' messaging_binding.address, and the CLI example of Twilio's "Manage Conversations
 * WhatsApp Addresses" page for Flex), so an inbound WhatsApp message to the number finds its
 * configuration. Whether Twilio itself stores a bare number with the prefix is not documented
 * [unverified]; the CLI always sends the prefixed form, so both targets hold the same thing.
 * Sources: twilio.com/docs/conversations/api/address-configuration-resource (Address, FriendlyName),
 * twilio.com/docs/flex/admin-guide/setup/conversations/manage-conversations-whatsapp-addresses.
 */
export function checkAddress(type: string, address: string): {address: string; problem?: undefined} | {problem: AddressProblem} {
  if (address.trim() === '') return {problem: {why: 'is empty'}};
  if (address.length > ADDRESS_MAX) return {problem: {why: `is ${address.length} characters long; the limit is ${ADDRESS_MAX}`}};
  if (type === 'sms' && !E164_RE.test(address) && !SHORT_CODE_RE.test(address))
    return {
      problem: {
        why: 'is not an E.164 phone number (for example +15551234567) or a short code',
        hint: 'E.164: a + then the country code and number, digits only, no spaces or dashes',
      },
    };
  if (type === 'whatsapp') {
    const number = address.startsWith(WHATSAPP_PREFIX) ? address.slice(WHATSAPP_PREFIX.length) : address;
    if (!E164_RE.test(number))
      return {
        problem: {
          why: 'is not a WhatsApp address: whatsapp:+E164 or a bare E.164 number (for example whatsapp:+15551234567 or +15551234567)',
          hint: 'digits only after the +, no spaces or dashes',
        },
      };
    return {address: WHATSAPP_PREFIX + number};
  }
  if (type === 'email' && !EMAIL_RE.test(address)) return {problem: {why: 'is not an email address'}};
  return {address};
}

/** A FriendlyName over the limit: what is wrong with it, else undefined. */
export function friendlyNameProblem(name: string | undefined): string | undefined {
  return name !== undefined && name.length > FRIENDLY_NAME_MAX
    ? `is ${name.length} characters long; the limit is ${FRIENDLY_NAME_MAX}`
    : undefined;
}
