import type {AddressConfigurationInstance} from 'twilio/lib/rest/conversations/v1/addressConfiguration.js';
import {collect} from '../cli/index.js';
import {FlexconvError, isTwilioError, toFlexconvError, usageError} from '../errors.js';
import type {Column} from '../render/index.js';
import type {TwilioClient} from '../twilio/client.js';
import {
  ADDRESS_LIST_MAX_PAGE_SIZE,
  ADDRESS_MAX,
  ADDRESS_TYPES,
  AUTO_CREATION_TYPES,
  checkAddress,
  COUNTRY_RE,
  friendlyNameProblem,
  WEBHOOK_FILTERS,
  WEBHOOK_METHODS,
  WEBHOOK_URL_RE,
} from '../spec/conversations.js';

/**
 * Conversations Address Configurations (`/v1/Configuration/Addresses`, SID IG…): the inbound
 * auto-creation settings of an address. Works the same against Twilio and the emulator.
 * Takes a bound SDK client and plain options; never reads flags, env or files.
 */

export {ADDRESS_TYPES, AUTO_CREATION_TYPES, FRIENDLY_NAME_MAX, WEBHOOK_FILTERS, WEBHOOK_METHODS} from '../spec/conversations.js';
/** The spec's maximum PageSize for this list. */
export const MAX_PAGE_SIZE = ADDRESS_LIST_MAX_PAGE_SIZE;

export type AddressType = (typeof ADDRESS_TYPES)[number];
export type AutoCreationType = (typeof AUTO_CREATION_TYPES)[number];
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

/** `auto_creation` as the API returns it (only the keys relevant to its type are present). */
export interface AutoCreation {
  enabled?: boolean;
  type?: AutoCreationType;
  conversation_service_sid?: string;
  webhook_url?: string;
  webhook_method?: string;
  webhook_filters?: string[];
  studio_flow_sid?: string;
  studio_retry_count?: number;
}

/** The API resource in Twilio's wire shape (snake_case), as the REST API returns it. */
export interface AddressConfiguration {
  sid: string;
  account_sid: string;
  type: AddressType;
  address: string;
  friendly_name: string | null;
  auto_creation: AutoCreation | null;
  date_created: string | null;
  date_updated: string | null;
  url: string;
  address_country: string | null;
}

export interface AutoCreationInput {
  enabled?: boolean;
  type?: AutoCreationType;
  conversationServiceSid?: string;
  webhookUrl?: string;
  webhookMethod?: string;
  webhookFilters?: string[];
  studioFlowSid?: string;
  studioRetryCount?: number;
}

export interface CreateAddressInput {
  type: AddressType;
  address: string;
  friendlyName?: string;
  addressCountry?: string;
  autoCreation?: AutoCreationInput;
}

export interface UpdateAddressInput {
  friendlyName?: string;
  autoCreation?: AutoCreationInput;
}

export interface ListAddressesOptions {
  type?: AddressType;
  /** Stop after this many; undefined = every page. */
  limit?: number;
  /** Records per request (1–50); default min(limit, 50). */
  pageSize?: number;
}

export interface AddressList {
  items: AddressConfiguration[];
  /** True when the list stopped at `limit` and the API has more. */
  more: boolean;
}

// ---------------------------------------------------------------------------------------------
// Validation: cheap and certain checks, before any request. Failures are usage errors (exit 2).

const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);

const WEBHOOK_ONLY = ['webhookUrl', 'webhookMethod', 'webhookFilters'] as const;
const STUDIO_ONLY = ['studioFlowSid', 'studioRetryCount'] as const;
/** Flag names for messages (the CLI's spelling of each input). */
const FLAG: Record<keyof AutoCreationInput, string> = {
  enabled: '--auto-creation',
  type: '--auto-creation-type',
  conversationServiceSid: '--conversation-service',
  webhookUrl: '--webhook-url',
  webhookMethod: '--webhook-method',
  webhookFilters: '--webhook-filters',
  studioFlowSid: '--studio-flow',
  studioRetryCount: '--studio-retry-count',
};

const given = (ac: AutoCreationInput | undefined, keys: readonly (keyof AutoCreationInput)[]) =>
  keys.filter((k) => ac?.[k] !== undefined && !(Array.isArray(ac[k]) && (ac[k] as unknown[]).length === 0));

/**
 * The address must fit its type (the limits and formats of src/lib/spec, the emulator's too):
 * E.164 or a short code for sms; whatsapp:+E164 or a bare +E164 for whatsapp, returned as
 * whatsapp:+E164 (see checkAddress there for why). Returns the address to send.
 */
export function validateAddress(type: AddressType, address: string): string {
  const r = checkAddress(type, address);
  if (r.problem) throw usageError(`--address "${address}" ${r.problem.why}`, r.problem.hint ? [r.problem.hint] : []);
  return r.address;
}

/**
 * A SID or address given as the ADDRESS argument (get, update, delete), checked before any
 * request, so `delete --dry-run` catches it too: not empty, within the length limit, and a
 * whatsapp: address in its format. Returns the key to look up (WhatsApp addresses as stored).
 */
export function validateAddressKey(key: string): string {
  if (key.trim() === '') throw usageError('ADDRESS must not be empty: give an address configuration SID (IG…) or the address');
  if (key.length > ADDRESS_MAX) throw usageError(`ADDRESS is ${key.length} characters long; no address is longer than ${ADDRESS_MAX}`);
  if (key.startsWith('whatsapp:')) {
    const r = checkAddress('whatsapp', key);
    if (r.problem) throw usageError(`ADDRESS "${key}" ${r.problem.why}`, r.problem.hint ? [r.problem.hint] : []);
  }
  return key;
}

function checkFriendlyName(name: string | undefined): void {
  const problem = friendlyNameProblem(name);
  if (problem) throw usageError(`--friendly-name ${problem}`);
}

/** Every auto-creation value on its own: SID shapes, enums, URL, numbers. */
function validateAutoCreationValues(ac: AutoCreationInput): void {
  if (ac.type !== undefined && !(AUTO_CREATION_TYPES as readonly string[]).includes(ac.type))
    throw usageError(`--auto-creation-type must be one of ${AUTO_CREATION_TYPES.join(', ')}, not "${ac.type}"`);
  if (ac.conversationServiceSid !== undefined && !SID('IS').test(ac.conversationServiceSid))
    throw usageError(
      `--conversation-service "${ac.conversationServiceSid}" is not a Conversation Service SID (IS followed by 32 hex characters)`,
    );
  if (ac.studioFlowSid !== undefined && !SID('FW').test(ac.studioFlowSid))
    throw usageError(`--studio-flow "${ac.studioFlowSid}" is not a Studio Flow SID (FW followed by 32 hex characters)`);
  if (ac.webhookUrl !== undefined && !WEBHOOK_URL_RE.test(ac.webhookUrl))
    throw usageError(`--webhook-url "${ac.webhookUrl}" is not an absolute http(s) URL`, [
      'for example --webhook-url https://example.com/conversations',
    ]);
  if (ac.webhookMethod !== undefined && !WEBHOOK_METHODS.some((m) => m === ac.webhookMethod?.toUpperCase()))
    throw usageError(`--webhook-method must be GET or POST, not "${ac.webhookMethod}"`);
  for (const f of ac.webhookFilters ?? [])
    if (!(WEBHOOK_FILTERS as readonly string[]).includes(f)) {
      const sameButCase = WEBHOOK_FILTERS.find((w) => w.toLowerCase() === f.toLowerCase());
      throw usageError(`--webhook-filters: "${f}" is not a webhook event`, [
        sameButCase ? `did you mean ${sameButCase}? (event names are case-sensitive)` : `use any of: ${WEBHOOK_FILTERS.join(', ')}`,
      ]);
    }
  if (ac.studioRetryCount !== undefined && (!Number.isInteger(ac.studioRetryCount) || ac.studioRetryCount < 0))
    throw usageError(`--studio-retry-count must be a whole number ≥ 0, not ${ac.studioRetryCount}`);
}

/** Flags that belong to another auto-creation type than `type` → usage error naming both. */
function checkTypeFits(type: AutoCreationType, ac: AutoCreationInput, why: string): void {
  const wrong = [
    ...(type === 'webhook' ? [] : given(ac, WEBHOOK_ONLY).map((k) => [k, 'webhook'] as const)),
    ...(type === 'studio' ? [] : given(ac, STUDIO_ONLY).map((k) => [k, 'studio'] as const)),
  ];
  if (wrong.length) {
    const [k, needs] = wrong[0];
    throw usageError(
      `${wrong.map(([w]) => FLAG[w]).join(', ')} only appl${wrong.length > 1 ? 'y' : 'ies'} to auto-creation type ${needs}, but ${why} ${type}`,
      [`use --auto-creation-type ${needs}, or drop ${FLAG[k]}`],
    );
  }
}

/**
 * The auto-creation type implied by the type-specific flags, when --auto-creation-type is not
 * given: --webhook-* → webhook, --studio-* → studio. Both kinds → usage error.
 */
function impliedType(ac: AutoCreationInput): AutoCreationType | undefined {
  const w = given(ac, WEBHOOK_ONLY);
  const s = given(ac, STUDIO_ONLY);
  if (w.length && s.length)
    throw usageError(`${FLAG[w[0]]} (webhook) and ${FLAG[s[0]]} (studio) cannot be combined: an address has one auto-creation type`);
  return w.length ? 'webhook' : s.length ? 'studio' : undefined;
}

/**
 * Check a create request and fill in what the flags imply: the auto-creation type from
 * type-specific flags, and `enabled` = true when any auto-creation setting is given without
 * an explicit --auto-creation/--no-auto-creation. Returns the input to send.
 */
export function prepareCreate(input: CreateAddressInput): CreateAddressInput {
  if (!(ADDRESS_TYPES as readonly string[]).includes(input.type))
    throw usageError(`--type must be one of ${ADDRESS_TYPES.join(', ')}, not "${input.type}"`);
  const address = validateAddress(input.type, input.address);
  if (input.addressCountry !== undefined && !COUNTRY_RE.test(input.addressCountry))
    throw usageError(`--address-country "${input.addressCountry}" is not an ISO 3166-1 alpha-2 country code (for example US)`);
  checkFriendlyName(input.friendlyName);
  const ac = {...input.autoCreation};
  validateAutoCreationValues(ac);
  if (ac.type) checkTypeFits(ac.type, ac, '--auto-creation-type is');
  const type = ac.type ?? impliedType(ac);
  if (type) ac.type = type;
  if (type === 'webhook' && !ac.webhookUrl)
    throw usageError('Auto-creation type webhook needs --webhook-url', ['for example --webhook-url https://example.com/conversations']);
  if (type === 'studio' && !ac.studioFlowSid)
    throw usageError('Auto-creation type studio needs --studio-flow FW…', ['list your flows in the Twilio Console, Studio → Flows']);
  const anySetting = Object.entries(ac).some(([k, v]) => k !== 'enabled' && v !== undefined);
  if (ac.enabled === undefined && anySetting) ac.enabled = true;
  return {...input, address, autoCreation: Object.keys(ac).length ? ac : undefined};
}

/** Check an update request on its own (before any request). */
export function prepareUpdate(input: UpdateAddressInput): UpdateAddressInput {
  const ac = {...input.autoCreation};
  const anything = input.friendlyName !== undefined || given(ac, Object.keys(FLAG) as (keyof AutoCreationInput)[]).length > 0;
  if (!anything)
    throw usageError('Nothing to update: give at least one of --friendly-name, --auto-creation/--no-auto-creation, --auto-creation-type, --conversation-service, --webhook-url, --webhook-method, --webhook-filters, --studio-flow, --studio-retry-count');
  checkFriendlyName(input.friendlyName);
  validateAutoCreationValues(ac);
  if (ac.type) checkTypeFits(ac.type, ac, '--auto-creation-type is');
  else impliedType(ac);
  return {...input, autoCreation: Object.keys(ac).length ? ac : undefined};
}

// ---------------------------------------------------------------------------------------------
// Wire shape

const isoSeconds = (d: Date | string | null | undefined) =>
  d instanceof Date ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : (d ?? null);

/** SDK instance (camelCase, Date objects) → the resource as the REST API returned it. */
export function toWire(i: AddressConfigurationInstance): AddressConfiguration {
  return {
    sid: i.sid,
    account_sid: i.accountSid,
    type: i.type as AddressType,
    address: i.address,
    friendly_name: i.friendlyName,
    auto_creation: i.autoCreation as AutoCreation | null,
    date_created: isoSeconds(i.dateCreated),
    date_updated: isoSeconds(i.dateUpdated),
    url: i.url,
    address_country: i.addressCountry,
  };
}

/** SDK params ('autoCreation.webhookFilters' …) from our input. Only given values are sent. */
function sdkParams(input: {friendlyName?: string; addressCountry?: string; autoCreation?: AutoCreationInput}) {
  const ac = input.autoCreation ?? {};
  const p: Record<string, unknown> = {
    friendlyName: input.friendlyName,
    'autoCreation.enabled': ac.enabled,
    'autoCreation.type': ac.type,
    'autoCreation.conversationServiceSid': ac.conversationServiceSid,
    'autoCreation.webhookUrl': ac.webhookUrl,
    // The spec's request enum is lower case (get|post); responses spell it GET|POST.
    'autoCreation.webhookMethod': ac.webhookMethod?.toLowerCase(),
    'autoCreation.webhookFilters': ac.webhookFilters?.length ? ac.webhookFilters : undefined,
    'autoCreation.studioFlowSid': ac.studioFlowSid,
    'autoCreation.studioRetryCount': ac.studioRetryCount,
    addressCountry: input.addressCountry,
  };
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  return p;
}

/**
 * The path segment for a SID or an address. `/` and `?` (which the SDK refuses in a path) and
 * spaces are percent-encoded; `+`, `:` and `@` stay readable (valid in a path segment).
 */
export function pathKey(sidOrAddress: string): string {
  return encodeURIComponent(sidOrAddress).replace(/%2B/gi, '+').replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

/** A Twilio 404 (not just any 404: another server at the emulator URL is reported by the command). */
function notFound(error: unknown, key: string): never {
  if (isTwilioError(error) && error.status === 404) {
    const e = toFlexconvError(error);
    throw new FlexconvError('NOT_FOUND', `No address configuration matches "${key}" (looked up as a SID or an address)`, {
      twilio: e.twilio,
      hints: ['list what exists with `flexconv addresses list`'],
      cause: error,
    });
  }
  throw error;
}

// ---------------------------------------------------------------------------------------------
// Operations

export async function createAddress(client: TwilioClient, input: CreateAddressInput): Promise<AddressConfiguration> {
  const ready = prepareCreate(input);
  try {
    const inst = await client.conversations.v1.addressConfigurations.create({
      type: ready.type,
      address: ready.address,
      ...sdkParams(ready),
    });
    return toWire(inst);
  } catch (error) {
    const e = toFlexconvError(error);
    if (isTwilioError(error) && e.twilio?.status === 409) {
      throw new FlexconvError('ADDRESS_EXISTS', e.message, {
        twilio: e.twilio,
        hints: [
          `see it with \`flexconv addresses get ${ready.address}\``,
          `change it with \`flexconv addresses update ${ready.address} …\`, or remove it with \`flexconv addresses delete ${ready.address}\``,
        ],
        cause: error,
      });
    }
    throw error;
  }
}

export async function getAddress(client: TwilioClient, sidOrAddress: string): Promise<AddressConfiguration> {
  try {
    return toWire(await client.conversations.v1.addressConfigurations(pathKey(sidOrAddress)).fetch());
  } catch (error) {
    return notFound(error, sidOrAddress);
  }
}

/**
 * Update friendly name and auto-creation settings. The current configuration is fetched first
 * when the request depends on it: type-specific settings without --auto-creation-type must fit
 * the type the address has (the API would drop them silently), and --auto-creation-type
 * webhook/studio without --webhook-url/--studio-flow needs a URL/flow already stored (the API
 * would refuse with a bare 400). Both are usage errors, before anything changes.
 */
export async function updateAddress(
  client: TwilioClient,
  sidOrAddress: string,
  input: UpdateAddressInput,
): Promise<AddressConfiguration> {
  const ready = prepareUpdate(input);
  const ac = ready.autoCreation ?? {};
  const implied = ac.type ? undefined : impliedType(ac);
  const needs = ac.type === 'webhook' && !ac.webhookUrl ? 'webhook' : ac.type === 'studio' && !ac.studioFlowSid ? 'studio' : undefined;
  if (implied || needs) {
    const current = await getAddress(client, sidOrAddress);
    const currentType = current.auto_creation?.type ?? 'default';
    if (implied) checkTypeFits(currentType, ac, `${current.sid} has auto-creation type`);
    if (needs === 'webhook' && !current.auto_creation?.webhook_url)
      throw usageError(`Auto-creation type webhook needs --webhook-url: ${current.sid} has no webhook URL stored (its type is ${currentType})`, [
        `for example \`flexconv addresses update ${sidOrAddress} --auto-creation-type webhook --webhook-url https://example.com/conversations\``,
      ]);
    if (needs === 'studio' && !current.auto_creation?.studio_flow_sid)
      throw usageError(`Auto-creation type studio needs --studio-flow FW…: ${current.sid} has no Studio flow stored (its type is ${currentType})`, [
        `for example \`flexconv addresses update ${sidOrAddress} --auto-creation-type studio --studio-flow FW…\` (your flows: Twilio Console, Studio → Flows)`,
      ]);
  }
  try {
    const inst = await client.conversations.v1.addressConfigurations(pathKey(sidOrAddress)).update(sdkParams(ready));
    return toWire(inst);
  } catch (error) {
    return notFound(error, sidOrAddress);
  }
}

/** Delete by SID (look it up first with getAddress to show or confirm what goes). */
export async function deleteAddress(client: TwilioClient, sidOrAddress: string): Promise<void> {
  try {
    await client.conversations.v1.addressConfigurations(pathKey(sidOrAddress)).remove();
  } catch (error) {
    notFound(error, sidOrAddress);
  }
}

/** Page through the list until `limit` (or the end); says whether more exist beyond it. */
export async function listAddresses(client: TwilioClient, opts: ListAddressesOptions = {}): Promise<AddressList> {
  if (opts.type !== undefined && !(ADDRESS_TYPES as readonly string[]).includes(opts.type))
    throw usageError(`--type must be one of ${ADDRESS_TYPES.join(', ')}, not "${opts.type}"`);
  const list = client.conversations.v1.addressConfigurations;
  return collect((pageSize) => list.page({...(opts.type ? {type: opts.type} : {}), pageSize}), {...opts, max: MAX_PAGE_SIZE}, toWire);
}

// ---------------------------------------------------------------------------------------------
// Presentation helpers shared by the commands (plain data, no I/O)

/** Where auto-created conversations go: `POST https://…`, `FW…`, or `-`. */
export function autoCreationTarget(a: AddressConfiguration): string {
  const ac = a.auto_creation;
  if (!ac) return '';
  if (ac.type === 'webhook') return [ac.webhook_method?.toUpperCase(), ac.webhook_url].filter(Boolean).join(' ');
  if (ac.type === 'studio')
    return `${ac.studio_flow_sid ?? ''}${ac.studio_retry_count !== undefined ? ` (retries ${ac.studio_retry_count})` : ''}`;
  return ac.conversation_service_sid ? `service ${ac.conversation_service_sid}` : '';
}

export const ADDRESS_COLUMNS: Column<AddressConfiguration>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'type', header: 'TYPE'},
  {key: 'address', header: 'ADDRESS'},
  {key: 'friendly_name', header: 'FRIENDLY NAME'},
  {key: 'auto_creation', header: 'AUTO-CREATION', get: (a) => a.auto_creation?.type ?? ''},
  {key: 'enabled', header: 'ENABLED', get: (a) => (a.auto_creation?.enabled ? 'yes' : 'no')},
  {key: 'target', header: 'TARGET', get: autoCreationTarget},
];

/** Columns available to --columns beyond the default ones. */
export const EXTRA_COLUMNS: Column<AddressConfiguration>[] = [
  {key: 'service', header: 'SERVICE', get: (a) => a.auto_creation?.conversation_service_sid ?? ''},
  {key: 'webhook_filters', header: 'WEBHOOK FILTERS', get: (a) => a.auto_creation?.webhook_filters ?? ''},
  {key: 'address_country', header: 'COUNTRY'},
  {key: 'account_sid', header: 'ACCOUNT'},
  {key: 'date_created', header: 'CREATED'},
  {key: 'date_updated', header: 'UPDATED'},
  {key: 'url', header: 'URL'},
];

/** Fields of one address configuration, for `get`, `create`, `update`, `delete`: only those that apply. */
export function addressFields(a: AddressConfiguration): Column<AddressConfiguration>[] {
  const ac = a.auto_creation;
  const fields: (Column<AddressConfiguration> | false)[] = [
    {key: 'sid', header: 'SID'},
    {key: 'type', header: 'Type'},
    {key: 'address', header: 'Address'},
    {key: 'friendly_name', header: 'Friendly name'},
    a.address_country ? {key: 'address_country', header: 'Country'} : false,
    {
      key: 'auto_creation',
      header: 'Auto-creation',
      get: () => (ac ? `${ac.type ?? 'default'}, ${ac.enabled ? 'enabled' : 'disabled'}` : 'none'),
    },
    Boolean(ac) && {key: 'service', header: 'Service', get: () => ac?.conversation_service_sid ?? '(default service)'},
    ac?.type === 'webhook' && {key: 'webhook', header: 'Webhook', get: autoCreationTarget},
    ac?.type === 'webhook' && {key: 'webhook_filters', header: 'Webhook filters', get: () => ac.webhook_filters ?? []},
    ac?.type === 'studio' && {key: 'studio_flow', header: 'Studio flow', get: () => ac.studio_flow_sid ?? ''},
    ac?.type === 'studio' &&
      ac.studio_retry_count !== undefined && {key: 'studio_retry_count', header: 'Studio retries', get: () => ac.studio_retry_count},
    {key: 'date_created', header: 'Created'},
    {key: 'date_updated', header: 'Updated'},
  ];
  return fields.filter((f): f is Column<AddressConfiguration> => Boolean(f));
}

/** An example address of each type, for hints. */
export const EXAMPLE_ADDRESS: Record<AddressType, string> = {
  sms: '+15551234567',
  whatsapp: 'whatsapp:+15551234567',
  messenger: 'messenger:123456789',
  gbm: 'gbm:my-agent',
  email: 'support@example.com',
  rcs: 'rcs:my-agent',
  apple: 'apple:my-business',
  chat: 'site-chat',
};
