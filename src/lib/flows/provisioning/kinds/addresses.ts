/**
 * Conversations address configurations (IG…), keyed by the address. Auto-creation names its
 * Studio flow and Conversation Service by friendly name. Created and changed through the
 * addresses flow (its checks run offline on the file too); type, address and country cannot
 * change in place.
 */
import {
  ADDRESS_TYPES,
  AUTO_CREATION_TYPES,
  createAddress,
  deleteAddress,
  listAddresses,
  prepareCreate,
  updateAddress,
  WEBHOOK_FILTERS,
  type AddressType,
  type AutoCreationInput,
  type AutoCreationType,
} from '../../addresses.js';
import {checkAddress} from '../../../spec/conversations.js';
import type {Entry, Kind, KindContext, Raw, Ref, SidIndex} from '../types.js';
import {asSet, compact, flatten, nonEmpty, str} from './util.js';

interface AutoCreationEntry {
  enabled?: boolean;
  type?: AutoCreationType;
  conversation_service?: string;
  webhook_url?: string;
  webhook_method?: string;
  webhook_filters?: string[];
  studio_flow?: string;
  studio_retry_count?: number;
}

const DUMMY = {FW: `FW${'0'.repeat(32)}`, IS: `IS${'0'.repeat(32)}`};

function input(entry: Entry, sid: (kind: 'studio_flows' | 'services', key: string, prefix: 'FW' | 'IS') => string): {autoCreation?: AutoCreationInput; friendlyName?: string} {
  const ac = entry.auto_creation as AutoCreationEntry | undefined;
  return {
    friendlyName: entry.friendly_name as string | undefined,
    autoCreation: ac && {
      enabled: ac.enabled,
      type: ac.type,
      conversationServiceSid: ac.conversation_service === undefined ? undefined : sid('services', ac.conversation_service, 'IS'),
      webhookUrl: ac.webhook_url,
      webhookMethod: ac.webhook_method,
      webhookFilters: ac.webhook_filters,
      studioFlowSid: ac.studio_flow === undefined ? undefined : sid('studio_flows', ac.studio_flow, 'FW'),
      studioRetryCount: ac.studio_retry_count,
    },
  };
}

export const addresses: Kind = {
  name: 'addresses',
  label: 'address',
  schema: {
    type: 'object',
    required: ['type', 'address'],
    additionalProperties: false,
    properties: {
      type: {enum: [...ADDRESS_TYPES]},
      address: nonEmpty,
      friendly_name: str,
      address_country: {type: 'string', pattern: '^[A-Za-z]{2}$'},
      auto_creation: {
        type: 'object',
        additionalProperties: false,
        properties: {
          enabled: {type: 'boolean'},
          type: {enum: [...AUTO_CREATION_TYPES]},
          conversation_service: nonEmpty,
          webhook_url: str,
          webhook_method: {enum: ['GET', 'POST', 'get', 'post']},
          webhook_filters: {type: 'array', items: {enum: [...WEBHOOK_FILTERS]}},
          studio_flow: nonEmpty,
          studio_retry_count: {type: 'integer', minimum: 0},
        },
      },
    },
  },
  // a WhatsApp address may be written without its whatsapp: prefix; the API stores it with one
  key: (e) => {
    const r = checkAddress(String(e.type), String(e.address));
    return r.problem ? String(e.address) : r.address;
  },
  keyOf: (r) => String(r.address),
  async read(ctx) {
    return (await listAddresses(ctx.client, {})).items as unknown as Raw[];
  },
  toEntry(r, index: SidIndex) {
    const ac = (r.auto_creation ?? undefined) as Record<string, unknown> | undefined;
    return compact({
      type: r.type,
      address: r.address,
      friendly_name: r.friendly_name,
      address_country: r.address_country,
      auto_creation: ac
        ? compact({
            enabled: ac.enabled,
            type: ac.type,
            conversation_service: index.name('services', ac.conversation_service_sid as string),
            webhook_url: ac.webhook_url,
            webhook_method: typeof ac.webhook_method === 'string' ? ac.webhook_method.toUpperCase() : undefined,
            webhook_filters: Array.isArray(ac.webhook_filters) && ac.webhook_filters.length ? ac.webhook_filters : undefined,
            studio_flow: index.name('studio_flows', ac.studio_flow_sid as string),
            studio_retry_count: ac.studio_retry_count,
          })
        : undefined,
    });
  },
  fields(e) {
    const f = flatten(e, ['auto_creation']);
    if (typeof f['auto_creation.webhook_method'] === 'string') f['auto_creation.webhook_method'] = (f['auto_creation.webhook_method'] as string).toUpperCase();
    f['auto_creation.webhook_filters'] = asSet(f['auto_creation.webhook_filters']);
    if (f['auto_creation.webhook_filters'] === undefined) delete f['auto_creation.webhook_filters'];
    delete f.address;
    return f;
  },
  createOnly: ['type', 'address_country'],
  refs(e): Ref[] {
    const ac = e.auto_creation as AutoCreationEntry | undefined;
    const refs: Ref[] = [];
    if (ac?.studio_flow && !/^FW[0-9a-fA-F]{32}$/.test(ac.studio_flow)) refs.push({kind: 'studio_flows', key: ac.studio_flow, field: 'auto_creation.studio_flow'});
    if (ac?.conversation_service && !/^IS[0-9a-fA-F]{32}$/.test(ac.conversation_service)) refs.push({kind: 'services', key: ac.conversation_service, field: 'auto_creation.conversation_service'});
    return refs;
  },
  check(e) {
    // the addresses flow's own checks (address format per type, auto-creation fields that fit its type), with stand-in SIDs
    prepareCreate({type: e.type as AddressType, address: String(e.address), addressCountry: e.address_country as string | undefined, ...input(e, (_k, _key, p) => DUMMY[p])});
  },
  async create(ctx: KindContext, e) {
    const made = await createAddress(ctx.client, {
      type: e.type as AddressType,
      address: String(e.address),
      addressCountry: e.address_country as string | undefined,
      ...input(e, (k, key, p) => ctx.index.need(k, key, p)),
    });
    return made as unknown as Raw;
  },
  async update(ctx, current, e) {
    const i = input(e, (k, key, p) => ctx.index.need(k, key, p));
    return (await updateAddress(ctx.client, String(current.sid), {friendlyName: i.friendlyName, autoCreation: i.autoCreation})) as unknown as Raw;
  },
  async remove(ctx, current) {
    await deleteAddress(ctx.client, String(current.sid));
  },
};
