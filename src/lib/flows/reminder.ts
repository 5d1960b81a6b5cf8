/**
 * The system-initiated reminder: a conversation is opened to the customer (their SMS/WhatsApp
 * binding via our number), bound to a Studio flow with a conversation-scoped webhook
 * `Target=studio`, and a message authored by a system identity goes out. No interaction or task
 * exists yet: the customer's reply feeds the flow's Incoming Conversation trigger, and its
 * SendToFlex widget hands it to Flex. The binding is checked first (bindings.ts). Works the same
 * against Twilio and the emulator; takes a bound SDK client and plain options.
 */
import {bodyText, requireSid} from '../cli/index.js';
import {toFlexconvError, usageError} from '../errors.js';
import {checkAddress} from '../spec/conversations.js';
import type {TwilioClient} from '../twilio/client.js';
import {
  addConversationWebhook,
  addParticipant,
  createConversation,
  deleteConversation,
  type Conversation,
  type ConversationWebhook,
  type Participant,
} from './conversations.js';
import {sendMessage, type Message} from './messages.js';
import {releaseBinding} from './outbound.js';
import {getFlow, type Flow} from './studio.js';

export const REMINDER_CHANNELS = ['sms', 'whatsapp'] as const;
export type ReminderChannel = (typeof REMINDER_CHANNELS)[number];
/** Who the reminder is from in the conversation (an identity no person has). */
export const SYSTEM_AUTHOR = 'system';

export interface ReminderInput {
  /** The customer's address (+E164; whatsapp:+E164 or bare for whatsapp). */
  to: string;
  /** Our number (the proxy address). */
  from: string;
  body: string;
  /** FW… or the flow's friendly name. */
  flow: string;
  channel?: ReminderChannel;
  author?: string;
  friendlyName?: string;
  closeExisting?: boolean;
}

export interface ReminderResult {
  conversation: Conversation;
  participant: Participant;
  webhook: ConversationWebhook;
  message: Message;
  flow: {sid: string; friendly_name: string; status: string};
  /** Conversations closed first (--close-existing) to release the binding. */
  closed: Conversation[];
}

/** The addresses in the form the channel stores them, or a usage error naming the flag. */
function addressOf(flag: string, channel: ReminderChannel, value: string): string {
  const r = checkAddress(channel, value);
  if (r.problem) throw usageError(`${flag} "${value}" ${r.problem.why}`, r.problem.hint ? [r.problem.hint] : []);
  return r.address;
}

/** Everything that can be known wrong before a request. */
export function checkReminder(input: ReminderInput): {to: string; from: string; channel: ReminderChannel} {
  const channel = input.channel ?? 'sms';
  const to = addressOf('--to', channel, input.to);
  const from = addressOf('--from', channel, input.from);
  if (to === from) throw usageError('--to and --from are the same address: --to is the customer, --from your number');
  if (!input.body.trim()) throw usageError('--body is empty: a reminder needs text');
  bodyText('--body', input.body);
  if (/^FW/.test(input.flow)) requireSid('FW', input.flow, '--flow');
  return {to, from, channel};
}

export async function sendReminder(client: TwilioClient, input: ReminderInput, progress: (step: string) => void = () => {}): Promise<ReminderResult> {
  const {to, from} = checkReminder(input);
  // The flow first: a reminder whose reply goes nowhere is worse than none.
  const flow: Flow = await getFlow(client, input.flow);
  const closed = await releaseBinding(client, to, from, {closeExisting: input.closeExisting, what: 'a reminder needs a conversation of its own'});
  for (const c of closed) progress(`closed conversation ${c.sid}, which held ${to}`);
  const conversation = await createConversation(client, {
    friendlyName: input.friendlyName ?? `Reminder to ${to}`,
    attributes: JSON.stringify({initiated_by: 'system', kind: 'reminder', studio_flow_sid: flow.sid}),
  });
  progress(`conversation ${conversation.sid}`);
  try {
    const participant = await addParticipant(client, conversation.sid, {address: to, proxyAddress: from});
    progress(`customer ${to} via ${from}: participant ${participant.sid}`);
    const webhook = await addConversationWebhook(client, conversation.sid, {target: 'studio', flowSid: flow.sid});
    progress(`replies go to Studio flow ${flow.sid} (${flow.friendly_name}): webhook ${webhook.sid}`);
    // No X-Twilio-Webhook-Enabled: the reminder itself must not start the flow, the reply does.
    const message = await sendMessage(client, conversation.sid, {body: input.body, author: input.author ?? SYSTEM_AUTHOR});
    return {conversation, participant, webhook, message, flow: {sid: flow.sid, friendly_name: flow.friendly_name, status: flow.status}, closed};
  } catch (error) {
    // Half a reminder would hold the customer's binding: take the conversation away again.
    const deleted = await deleteConversation(client, conversation.sid).then(() => true, () => false);
    const e = toFlexconvError(error);
    e.hints.push(deleted ? `nothing is left over: conversation ${conversation.sid} was deleted again` : `conversation ${conversation.sid} is left half made: delete it with \`flexconv conversations delete ${conversation.sid} --yes\``);
    throw e;
  }
}
