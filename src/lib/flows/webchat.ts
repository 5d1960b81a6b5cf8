/**
 * Flex webchat on Conversations: `POST flex-api.twilio.com/v2/WebChats` with a `chat` address
 * (IG…) creates the conversation, the guest's chat identity as its participant, and attaches the
 * address's Studio flow or webhook; the guest then needs a Conversations access token (a JWT
 * with a ChatGrant on the conversation's service, signed with an API key — the webchat app mints
 * it the same way [semantics §4.9]). And the guest typing: a message authored by the guest
 * identity with X-Twilio-Webhook-Enabled, as the webchat app posts the first one, so the flow
 * hears it. Works the same against Twilio and the emulator; plain options, no flags or files.
 */
import {jsonText, requireSid} from '../cli/index.js';
import {FlexconvError, usageError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';
import {getAddress, listAddresses, type AddressConfiguration} from './addresses.js';
import {getConversation, listParticipants, type Participant} from './conversations.js';
import {sendMessage, type Message} from './messages.js';
import type {ControlTarget} from './simulate.js';

export interface SigningKey {
  accountSid: string;
  apiKey: string;
  apiSecret: string;
}

/**
 * Where the guest's token comes from: minted here with an API key (either target), or on the
 * emulator without one configured, its token server (`POST /_emulator/tokens`, signed with an
 * API key of the account); none on Twilio without an API key.
 */
export type TokenSource = {key: SigningKey} | {control: ControlTarget} | undefined;

export interface WebchatInput {
  /** IG…, or a chat address's address or friendly name. */
  address: string;
  /** The guest's display name (CustomerFriendlyName). */
  customerName?: string;
  /** The conversation's friendly name (ChatFriendlyName). */
  chatName?: string;
  /** A JSON object as text: the pre-engagement form's answers (PreEngagementData). */
  preEngagement?: string;
  identity?: string;
  /** Seconds the token lives (default 3600). */
  ttl?: number;
}

export interface Webchat {
  conversation_sid: string;
  identity: string;
  chat_service_sid: string;
  address_sid: string;
  address: string;
  /** Null when there is no API key to sign it with. */
  token: string | null;
  token_expires: string | null;
}

/** A `chat` address by SID, address or friendly name. */
export async function resolveChatAddress(client: TwilioClient, key: string): Promise<AddressConfiguration> {
  if (key.trim() === '') throw usageError('--address must not be empty');
  let found: AddressConfiguration;
  if (/^IG[0-9a-fA-F]*$/.test(key)) {
    requireSid('IG', key, '--address');
    found = await getAddress(client, key);
  } else {
    const {items} = await listAddresses(client, {type: 'chat'});
    const named = items.filter((a) => a.address === key || a.friendly_name === key);
    if (named.length > 1) throw usageError(`${named.length} chat addresses match "${key}": ${named.map((a) => a.sid).join(', ')}`, ['name the one you mean by its SID (IG…)']);
    if (!named.length)
      throw new FlexconvError('NOT_FOUND', `No chat address is named "${key}" (looked up as the address and the friendly name)`, {
        hints: [
          items.length ? `there are: ${items.map((a) => a.address).join(', ')}` : 'list them with `flexconv addresses list --type chat`',
          `create one with \`flexconv addresses create --type chat --address ${key} --auto-creation-type studio --studio-flow FW…\``,
        ],
      });
    found = named[0];
  }
  if (found.type !== 'chat')
    throw usageError(`Address ${found.sid} (${found.address}) is of type ${found.type}; webchat needs a chat address`, [
      'create one with `flexconv addresses create --type chat --address site-chat --auto-creation-type studio --studio-flow FW…`',
    ]);
  return found;
}

export function checkWebchat(input: WebchatInput): void {
  if (input.preEngagement !== undefined) {
    jsonText('--pre-engagement', input.preEngagement);
    const v = JSON.parse(input.preEngagement) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw usageError('--pre-engagement must be a JSON object', ['for example --pre-engagement \'{"friendlyName":"Ada","question":"Where is my order?"}\'']);
  }
  if (input.ttl !== undefined && (!Number.isInteger(input.ttl) || input.ttl < 1 || input.ttl > 86400))
    throw usageError(`--ttl must be between 1 and 86400 seconds, not ${input.ttl}`);
}

/** A Conversations access token for `identity` (ChatGrant on `serviceSid`), and when it expires. */
export async function guestToken(key: SigningKey, identity: string, serviceSid: string, ttl = 3600): Promise<{token: string; expires: string}> {
  const {default: AccessToken} = await import('twilio/lib/jwt/AccessToken.js');
  const token = new AccessToken(key.accountSid, key.apiKey, key.apiSecret, {identity, ttl});
  token.addGrant(new AccessToken.ChatGrant({serviceSid}));
  const jwt = token.toJwt();
  return {token: jwt, expires: expiryOf(jwt, ttl)};
}

/** The emulator's token server: the token for `identity` on `serviceSid`. */
async function emulatorToken(t: ControlTarget, identity: string, serviceSid: string, ttl: number): Promise<{token: string; expires: string}> {
  const headers: Record<string, string> = {'Content-Type': 'application/json', Accept: 'application/json'};
  if (t.username) headers.Authorization = `Basic ${Buffer.from(`${t.username}:${t.password ?? ''}`).toString('base64')}`;
  const res = await fetch(`${t.baseUrl.replace(/\/$/, '')}/_emulator/tokens`, {method: 'POST', headers, body: JSON.stringify({Identity: identity, ChatServiceSid: serviceSid, Ttl: ttl})});
  const body = (await res.json().catch(() => undefined)) as {token?: string; message?: string; code?: number} | undefined;
  if (!res.ok || !body?.token)
    throw new FlexconvError('TWILIO_API_ERROR', `The emulator did not give the guest a token: ${body?.message ?? `HTTP ${res.status}`}`, {
      ...(body?.code ? {twilio: {code: body.code, status: res.status}} : {}),
    });
  return {token: body.token, expires: expiryOf(body.token, ttl)};
}

/** A JWT's exp as Twilio writes dates (read back from the token rather than recomputed). */
function expiryOf(jwt: string, ttl: number): string {
  let exp: number | undefined;
  try {
    exp = (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {exp?: number}).exp;
  } catch {
    exp = undefined;
  }
  return new Date(exp ? exp * 1000 : Date.now() + ttl * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function createWebchat(client: TwilioClient, input: WebchatInput, source: TokenSource): Promise<Webchat> {
  checkWebchat(input);
  const address = await resolveChatAddress(client, input.address);
  const created = await client.flexApi.v2.webChannels.create({
    addressSid: address.sid,
    ...(input.chatName !== undefined ? {chatFriendlyName: input.chatName} : {}),
    ...(input.customerName !== undefined ? {customerFriendlyName: input.customerName} : {}),
    ...(input.preEngagement !== undefined ? {preEngagementData: input.preEngagement} : {}),
    ...(input.identity !== undefined ? {identity: input.identity} : {}),
  });
  // The token's grant names the conversation's service (the Flex chat service).
  const conversation = await getConversation(client, created.conversationSid);
  const ttl = input.ttl ?? 3600;
  const token = !source
    ? undefined
    : 'key' in source
      ? await guestToken(source.key, created.identity, conversation.chat_service_sid, ttl)
      : await emulatorToken(source.control, created.identity, conversation.chat_service_sid, ttl);
  return {
    conversation_sid: created.conversationSid,
    identity: created.identity,
    chat_service_sid: conversation.chat_service_sid,
    address_sid: address.sid,
    address: address.address,
    token: token?.token ?? null,
    token_expires: token?.expires ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// The guest types

/** The guest: the chat participant who joined first (WebChats adds them at creation), or `identity`. */
export async function guestOf(client: TwilioClient, conversation: string, identity?: string): Promise<Participant> {
  const {items} = await listParticipants(client, conversation, {});
  const chat = items.filter((p) => p.identity);
  if (identity !== undefined) {
    const p = chat.find((x) => x.identity === identity);
    if (!p)
      throw new FlexconvError('NOT_FOUND', `No chat participant "${identity}" in conversation ${conversation}`, {
        hints: [chat.length ? `its chat identities: ${chat.map((x) => x.identity).join(', ')}` : `list them with \`flexconv conversations participants list ${conversation}\``],
      });
    return p;
  }
  if (!chat.length)
    throw usageError(`Conversation ${conversation} has no chat participant to type as: is it a webchat?`, [
      'start one with `flexconv webchat create --address ADDRESS`',
      `or name one with --identity (see \`flexconv conversations participants list ${conversation}\`)`,
    ]);
  return [...chat].sort((a, b) => Date.parse(a.date_created ?? '') - Date.parse(b.date_created ?? ''))[0];
}

export async function guestSays(client: TwilioClient, conversation: string, body: string, identity?: string): Promise<{message: Message; identity: string}> {
  if (!body.trim()) throw usageError('--body is empty: the guest has to type something');
  const guest = await guestOf(client, conversation, identity);
  const message = await sendMessage(client, conversation, {body, author: guest.identity!, webhooks: true});
  return {message, identity: guest.identity!};
}
