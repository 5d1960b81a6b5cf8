/**
 * Agent-initiated outbound (Flex "outbound messaging"): an agent writes first to a customer. The
 * trap it avoids: the customer's address + your sender already bound to a conversation that is
 * not closed — Twilio then refuses the new participant (50416) or the interaction reuses the old
 * conversation (80102). This checks first, through the participant's conversations by address,
 * and either says exactly how to close the old one or closes it (`closeExisting`). Works the same
 * against Twilio and the emulator; takes a bound SDK client and plain options.
 */
import {wire} from '../cli/index.js';
import {FlexconvError, usageError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';
import {bindingInUse, findOpenBindings, type OpenBinding} from './bindings.js';
import {closeConversation, getConversation, type Conversation} from './conversations.js';
import {checkKind, createInteraction, flexDefaults, setChannelStatus, getChannel, waitForInteraction, type ChannelType, type CreatedInteraction} from './interactions.js';
import {sendMessage, type Message} from './messages.js';
import {getWorker, listTasks} from './taskrouter.js';

export interface BoundConversation {
  conversation_sid: string;
  conversation_state: string;
  participant_sid: string | null;
  address: string;
  proxy_address: string | null;
  /** The interaction and channel of its latest Flex task, when there is one. */
  interaction_sid: string | null;
  channel_sid: string | null;
}

/**
 * The conversations (not closed) in which `to` is bound to `from` (bindings.ts, the one lookup by
 * address), each with the interaction and channel of its latest Flex task when there is one.
 */
export async function boundConversations(client: TwilioClient, to: string, from: string, workspace?: string): Promise<BoundConversation[]> {
  return withInteractions(client, await findOpenBindings(client, to, from), workspace);
}

/** The bindings found, each with the interaction and channel of its conversation's latest Flex task (none when there is no Flex workspace). */
async function withInteractions(client: TwilioClient, held: OpenBinding[], workspace?: string): Promise<BoundConversation[]> {
  if (!held.length) return [];
  // the interaction of each, from the Flex tasks that name the conversation
  const ws = workspace ?? (await flexDefaults(client).catch(() => undefined))?.workspace_sid;
  const tasks = ws ? (await listTasks(client, ws, {limit: 1000})).items : [];
  return held.map((b) => {
    const sid = b.conversation_sid;
    const latest = tasks
      .map((t) => ({t, a: safeJson(t.attributes)}))
      .filter((x) => x.a.conversationSid === sid)
      .sort((x, y) => String(y.t.date_created).localeCompare(String(x.t.date_created)))[0]?.a;
    return {
      conversation_sid: sid,
      conversation_state: b.conversation_state,
      participant_sid: b.participant_sid,
      address: b.address,
      proxy_address: b.proxy_address,
      interaction_sid: typeof latest?.flexInteractionSid === 'string' ? latest.flexInteractionSid : null,
      channel_sid: typeof latest?.flexInteractionChannelSid === 'string' ? latest.flexInteractionChannelSid : null,
    };
  });
}

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The exact command that closes a bound conversation: through its interaction when there is one. */
export function closeCommand(b: BoundConversation): string {
  return b.interaction_sid ? `flexconv interactions close ${b.interaction_sid} --yes` : `flexconv conversations close ${b.conversation_sid} --yes`;
}

export interface OutboundInput {
  /** WK SID or name. */
  worker: string;
  to: string;
  from: string;
  channel?: ChannelType;
  body?: string;
  queue?: string;
  workflow?: string;
  attributes?: Record<string, unknown>;
  closeExisting?: boolean;
  /** Wait for the channel and task (ms), before the first message. */
  waitMs?: number;
  /** Runs the wait (after the checks and the create): a command shows its spinner around it. */
  aroundWait?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface OutboundResult extends CreatedInteraction {
  closed_existing: BoundConversation[];
  message: Message | null;
}

export async function outboundAgent(client: TwilioClient, input: OutboundInput): Promise<OutboundResult> {
  checkKind('--worker', 'WK', input.worker, {name: true});
  if (input.body !== undefined && input.body.trim() === '') throw usageError('--body must not be empty');
  const defaults = await flexDefaults(client);
  const worker = await getWorker(client, defaults.workspace_sid, input.worker);
  const channel = input.channel ?? 'sms';
  const addr = (v: string) => (channel === 'whatsapp' && !v.startsWith('whatsapp:') ? `whatsapp:${v}` : v);
  const bound = await boundConversations(client, addr(input.to), addr(input.from), defaults.workspace_sid);
  if (bound.length && !input.closeExisting) {
    const b = bound[0];
    throw new FlexconvError('BINDING_IN_USE', `${addr(input.to)} is already bound to ${addr(input.from)} in conversation ${b.conversation_sid} (${b.conversation_state}${b.interaction_sid ? `, interaction ${b.interaction_sid}` : ''}); Twilio would refuse the new one (50416) or reuse the old one (80102)`, {
      hints: [`close it: \`${closeCommand(b)}\``, 'or let this command close it: add --close-existing'],
    });
  }
  for (const b of bound) await closeBound(client, b);
  let created = await createInteraction(client, {
    initiatedBy: 'agent',
    worker: worker.sid,
    to: input.to,
    from: input.from,
    channel,
    queue: input.queue,
    workflow: input.workflow,
    attributes: input.attributes,
    defaults,
  });
  if (input.waitMs !== undefined || input.body !== undefined) {
    const c = created;
    const wait = () => waitForInteraction(client, c, {timeoutMs: input.waitMs ?? 30_000});
    created = await (input.aroundWait ? input.aroundWait(wait) : wait());
  }
  let message: Message | null = null;
  if (input.body !== undefined) {
    const conv = created.conversation_sid ?? (await conversationOf(client, created));
    message = await sendMessage(client, conv, {body: input.body, author: identityOf(worker.attributes, worker.friendly_name)});
  }
  return {...created, closed_existing: bound, message};
}

/**
 * A system-initiated flow's check (outbound reminder): none found → []; found and
 * `closeExisting` → each closed, through its Flex interaction when it belongs to one (so its
 * task ends too), and returned; found otherwise → BINDING_IN_USE with the close command.
 */
export async function releaseBinding(client: TwilioClient, address: string, proxyAddress: string, opts: {closeExisting?: boolean; what: string}): Promise<Conversation[]> {
  const found = await findOpenBindings(client, address, proxyAddress);
  if (!found.length) return [];
  if (!opts.closeExisting) throw bindingInUse(found, opts.what);
  const closed: Conversation[] = [];
  for (const b of await withInteractions(client, found)) closed.push(await closeBound(client, b));
  return closed;
}

/** Through the interaction channel when it is open (tasks complete too), else the conversation; the conversation as closed. */
async function closeBound(client: TwilioClient, b: BoundConversation): Promise<Conversation> {
  if (b.interaction_sid && b.channel_sid) {
    const ch = await getChannel(client, b.interaction_sid, b.channel_sid).catch(() => undefined);
    if (ch && ch.status !== 'closed') {
      await setChannelStatus(client, b.interaction_sid, b.channel_sid, {complete: true});
      const c = await getConversation(client, b.conversation_sid);
      if (c.state === 'closed') return c;
      return (await closeConversation(client, b.conversation_sid, {current: c})).conversation;
    }
  }
  return (await closeConversation(client, b.conversation_sid)).conversation;
}

async function conversationOf(client: TwilioClient, c: CreatedInteraction): Promise<string> {
  const i = wire<{channel?: {properties?: {media_channel_sid?: string}}}>(await client.flexApi.v1.interaction(c.interaction_sid).fetch());
  const sid = i.channel?.properties?.media_channel_sid;
  if (!sid) throw new FlexconvError('TWILIO_API_ERROR', `Interaction ${c.interaction_sid} names no conversation (channel.properties.media_channel_sid)`);
  return sid;
}

/** The author an agent writes as: the Flex user identity (contact_uri without `client:`) [unverified], else the worker's name. */
function identityOf(attributes: string, name: string): string {
  const a = safeJson(attributes);
  return typeof a.contact_uri === 'string' && a.contact_uri ? a.contact_uri.replace(/^client:/, '') : name;
}
