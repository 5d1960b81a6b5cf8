import {table} from '../store/table.js';

/**
 * Documents and tables of Flex v1 (flex-api.twilio.com): the account's Flex Configuration and
 * Interactions (KD) → Channels (UO) → Participants (UT), Invites (KG), Transfers (UX). The API
 * shape is the spec's (strict: every field, nothing more); state the API does not show lives
 * under `_`.
 */

export type ChannelType = 'voice' | 'sms' | 'email' | 'web' | 'whatsapp' | 'chat' | 'messenger' | 'gbm';
export const CHANNEL_TYPES: readonly ChannelType[] = ['voice', 'sms', 'email', 'web', 'whatsapp', 'chat', 'messenger', 'gbm'];
export type ChannelStatus = 'setup' | 'active' | 'failed' | 'closed' | 'inactive' | 'pause' | 'transfer';
export type InitiatedBy = 'customer' | 'api' | 'agent';
export type ParticipantType = 'supervisor' | 'customer' | 'external' | 'agent' | 'unknown';
export const PARTICIPANT_TYPES: readonly ParticipantType[] = ['supervisor', 'customer', 'external', 'agent', 'unknown'];

/** The Flex Configuration of an account (sid = the account sid); every field of the spec. */
export interface FlexConfigDoc {
  sid: string;
  doc: Record<string, unknown>;
}

export const FLEX_CONFIG = table<FlexConfigDoc>({name: 'flex_configuration'});

export interface InteractionDoc {
  sid: string;
  channel: Record<string, unknown>;
  routing: Record<string, unknown> | null;
  interaction_context_sid: string | null;
  webhook_ttid: string | null;
  _: {account_sid: string; date_created: string};
}

export const INTERACTIONS = table<InteractionDoc>({
  name: 'flex_interactions',
  links: {channels: 'Channels'},
  internal: '_',
});

export interface InteractionChannelInternal {
  conversation_sid: string;
  chat_service_sid: string;
  initiated_by: InitiatedBy;
  /** The customer's address (or chat identity) and the address Flex writes from. */
  customer_address: string | null;
  proxy_address: string | null;
  /** The status before a transfer made it `transfer`. */
  before_transfer?: ChannelStatus;
  date_updated: string;
}

export interface InteractionChannelDoc {
  sid: string;
  interaction_sid: string;
  type: ChannelType;
  status: ChannelStatus;
  error_code: number | null;
  error_message: string | null;
  _: InteractionChannelInternal;
}

export const INTERACTION_CHANNELS = table<InteractionChannelDoc>({
  name: 'flex_interaction_channels',
  parent: INTERACTIONS,
  keys: {conversation_sid: {get: (c) => c._.conversation_sid, indexed: 'account'}},
  links: {participants: 'Participants', invites: 'Invites', transfers: 'Transfers'},
  internal: '_',
});

export interface ChannelParticipantDoc {
  sid: string;
  type: ParticipantType;
  interaction_sid: string;
  channel_sid: string;
  routing_properties: Record<string, unknown> | null;
  _: {
    status: 'active' | 'wrapup' | 'closed';
    /** The Conversations participant (MB) this one stands for, while it is in the conversation. */
    conversation_participant_sid: string | null;
    media_properties: Record<string, unknown>;
    task_sid: string | null;
    worker_sid: string | null;
    workspace_sid: string | null;
  };
}

export const CHANNEL_PARTICIPANTS = table<ChannelParticipantDoc>({
  name: 'flex_channel_participants',
  parent: INTERACTION_CHANNELS,
  keys: {task_sid: {get: (p) => p._.task_sid, indexed: 'account'}},
  internal: '_',
});

export interface InviteDoc {
  sid: string;
  interaction_sid: string;
  channel_sid: string;
  routing: Record<string, unknown>;
  _: {
    task_sid: string;
    workspace_sid: string;
    /** The worker the invite named (a declined invite to one known worker cancels its task). */
    worker_sid: string | null;
    /** The transfer this invite carries out, when it does. */
    transfer_sid: string | null;
  };
}

export const INVITES = table<InviteDoc>({
  name: 'flex_invites',
  parent: INTERACTION_CHANNELS,
  keys: {task_sid: {get: (i) => i._.task_sid, indexed: 'account'}},
  internal: '_',
});

export type TransferStatus = 'active' | 'failed' | 'completed';

export interface TransferDoc {
  sid: string;
  instance_sid: string | null;
  account_sid: string;
  interaction_sid: string;
  channel_sid: string;
  execution_sid: string | null;
  type: 'warm' | 'cold' | 'external';
  status: TransferStatus;
  from: string;
  to: string;
  note_sid: string | null;
  summary_sid: string | null;
  date_created: string;
  date_updated: string;
  /**
   * by_invite: started with Flex's recipe (an invite whose task attributes carry the transfer,
   * as `interactions transfer` and Flex UI do), so the client, not the emulator, closes the
   * transferring agent of a cold transfer on accept.
   */
  _: {invite_sid: string | null; by_invite?: boolean};
}

export const TRANSFERS = table<TransferDoc>({
  name: 'flex_transfers',
  parent: INTERACTION_CHANNELS,
  internal: '_',
});

export const FLEX_TABLES = [FLEX_CONFIG, INTERACTIONS, INTERACTION_CHANNELS, CHANNEL_PARTICIPANTS, INVITES, TRANSFERS];
