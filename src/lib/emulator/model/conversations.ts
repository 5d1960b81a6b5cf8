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
    type: {get: (d) => d.type},
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

/** Every table of this domain, for the store. */
export const CONVERSATIONS_TABLES = [ADDRESSES];
