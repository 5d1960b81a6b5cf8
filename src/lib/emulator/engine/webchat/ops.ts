/**
 * Flex Webchat on Conversations [semantics §4.9]: POST /v2/WebChats makes, for a `chat`
 * address, a conversation with the guest as its chat participant and the address's Studio flow
 * or webhook attached — the same scoped webhook inbound auto-creation attaches. The guest's
 * Conversations access token is minted apart (token.ts), as the webchat app's own server does.
 * Imports conversations only.
 */
import {errors} from '../../errors.js';
import {ADDRESSES, SERVICES, type ConversationDoc} from '../../model/conversations.js';
import type {Tx} from '../../store/tx.js';
import {newSid} from '../../sid.js';
import * as conversations from '../conversations/ops.js';
import {SYSTEM} from '../conversations/hooks.js';

export interface WebChatInput {
  address_sid: string;
  chat_friendly_name?: string;
  customer_friendly_name?: string;
  /** PreEngagementData: a JSON object (as text). */
  pre_engagement_data?: string;
  identity?: string;
}

export interface WebChat {
  conversation: ConversationDoc;
  identity: string;
}

export function createWebChat(tx: Tx, input: WebChatInput): WebChat {
  const address = tx.repo(ADDRESSES).get(input.address_sid);
  if (!address) throw errors.invalid('AddressSid', `${input.address_sid} is not an Address Configuration of this account`);
  if (address.type !== 'chat')
    throw errors.invalid('AddressSid', `${address.sid} is a ${address.type} address (${address.address}); WebChats needs a chat address (Type=chat)`);
  let pre: unknown = {};
  if (input.pre_engagement_data) {
    try {
      pre = JSON.parse(input.pre_engagement_data);
    } catch {
      throw errors.invalid('PreEngagementData', `'${input.pre_engagement_data.slice(0, 80)}' is not JSON`);
    }
    if (!pre || typeof pre !== 'object' || Array.isArray(pre)) throw errors.invalid('PreEngagementData', 'must be a JSON object');
  }
  const ac = address.auto_creation;
  const serviceSid = ac.conversation_service_sid ?? conversations.accountConfig(tx).default_chat_service_sid;
  if (!tx.repo(SERVICES).get(serviceSid))
    throw errors.invalid('AddressSid', `the address ${address.sid} names Conversation Service ${serviceSid}, which does not exist`);
  // [unverified] a random guest identity when none is given (Twilio's own is a UUID-like string)
  const identity = input.identity || `guest_${newSid('XX').slice(2)}`;
  const customerName = input.customer_friendly_name || identity;
  // what Studio reads as trigger.conversation.ChannelAttributes [unverified: exact keys]
  const attributes = JSON.stringify({from: customerName, pre_engagement_data: pre});
  const conv = conversations.createConversation(tx, serviceSid, {friendly_name: input.chat_friendly_name || customerName, attributes}, SYSTEM);
  if (ac.type === 'webhook' && ac.webhook_url)
    conversations.addScopedWebhook(tx, conv, {
      target: 'webhook',
      configuration: {url: ac.webhook_url, method: (ac.webhook_method ?? 'POST').toLowerCase(), filters: ac.webhook_filters ?? []},
    });
  else if (ac.type === 'studio' && ac.studio_flow_sid) conversations.addScopedWebhook(tx, conv, {target: 'studio', configuration: {flow_sid: ac.studio_flow_sid}});
  conversations.addParticipant(tx, conv, {identity, attributes: JSON.stringify({friendly_name: customerName})}, SYSTEM);
  return {conversation: conversations.fresh(tx, conv), identity};
}
