/**
 * A customer's messaging binding (address + proxy address) in Conversations: Twilio lets a pair
 * be in one non-closed conversation only (a second one is 50416), so every system- or
 * agent-initiated flow looks first (`GET /v1/ParticipantConversations?Address=`) and either
 * says which conversation holds it, with the exact command that closes it, or closes it.
 * Works the same against Twilio and the emulator.
 */
import {collect} from '../cli/index.js';
import {FlexconvError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';

export interface OpenBinding {
  conversation_sid: string;
  conversation_state: string;
  conversation_friendly_name: string | null;
  participant_sid: string;
  address: string;
  proxy_address: string | null;
}

/** The spec's PageSize maximum of ParticipantConversations. */
const MAX_PAGE = 50;

/**
 * The conversations that are not closed and hold `address` (with `proxyAddress`, when given):
 * usually none or one.
 */
export async function findOpenBindings(client: TwilioClient, address: string, proxyAddress?: string): Promise<OpenBinding[]> {
  const list = client.conversations.v1.participantConversations;
  const {items} = await collect(
    (pageSize) => list.page({address, pageSize}),
    {max: MAX_PAGE},
    (i) => i,
  );
  return items
    .filter((i) => i.conversationState !== 'closed')
    .map((i) => {
      const b = (i.participantMessagingBinding ?? {}) as {address?: string; proxy_address?: string};
      return {
        conversation_sid: i.conversationSid,
        conversation_state: i.conversationState,
        conversation_friendly_name: i.conversationFriendlyName ?? null,
        participant_sid: i.participantSid,
        address: b.address ?? address,
        proxy_address: b.proxy_address ?? null,
      };
    })
    .filter((b) => proxyAddress === undefined || b.proxy_address === null || b.proxy_address === proxyAddress);
}

/** The command that releases a binding: closing its conversation. */
export const closeCommand = (conversationSid: string) => `flexconv conversations close ${conversationSid} --yes`;

/** BINDING_IN_USE for the bindings found, naming each conversation and the command that closes it. */
export function bindingInUse(found: OpenBinding[], what: string, retryFlag = '--close-existing'): FlexconvError {
  const first = found[0];
  const where = found.map((b) => `${b.conversation_sid} (${b.conversation_state})`).join(', ');
  return new FlexconvError(
    'BINDING_IN_USE',
    `${first.address}${first.proxy_address ? ` via ${first.proxy_address}` : ''} is already in ${found.length === 1 ? 'conversation' : 'conversations'} ${where}, which ${found.length === 1 ? 'is' : 'are'} not closed: ${what}`,
    {hints: [...found.map((b) => `close it with \`${closeCommand(b.conversation_sid)}\``), `or rerun with ${retryFlag} to close it first`]},
  );
}
