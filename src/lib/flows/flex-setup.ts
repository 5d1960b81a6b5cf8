/**
 * The account's Flex setup as `init` finds it and `doctor` checks it: the Flex Configuration
 * (which names the TaskRouter workspace, its workflow and the conversation service Flex uses),
 * the workspaces, workflows and task channels, the conversation services, Studio flows. Read-only
 * calls through a bound SDK client; both targets.
 */
import {isTwilioError, toFlexconvError, FlexconvError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';

export interface Named {
  sid: string;
  friendly_name: string;
}

export interface TaskChannel extends Named {
  unique_name: string;
}

/** The keys of the Flex Configuration init and doctor use (the resource has ~50). */
export interface FlexConfigView {
  status: string | null;
  workspace_sid: string | null;
  workflow_sid: string | null;
  chat_service_sid: string | null;
  flex_service_sid: string | null;
}

const LIMIT = 200;

/** The account's Flex Configuration, or undefined when the account has none (404: no Flex). */
export async function flexConfiguration(client: TwilioClient): Promise<FlexConfigView | undefined> {
  try {
    const c = await client.flexApi.v1.configuration().fetch();
    return {
      status: c.status ?? null,
      workspace_sid: c.taskrouterWorkspaceSid ?? null,
      workflow_sid: c.taskrouterTargetWorkflowSid ?? null,
      chat_service_sid: c.chatServiceInstanceSid ?? null,
      flex_service_sid: c.flexServiceInstanceSid ?? null,
    };
  } catch (error) {
    if (isTwilioError(error) && error.status === 404) return undefined;
    throw error;
  }
}

export async function workspaces(client: TwilioClient): Promise<Named[]> {
  return (await client.taskrouter.v1.workspaces.list({limit: LIMIT})).map((w) => ({sid: w.sid, friendly_name: w.friendlyName}));
}

export async function workflows(client: TwilioClient, ws: string): Promise<Named[]> {
  return (await client.taskrouter.v1.workspaces(ws).workflows.list({limit: LIMIT})).map((w) => ({sid: w.sid, friendly_name: w.friendlyName}));
}

export async function taskChannels(client: TwilioClient, ws: string): Promise<TaskChannel[]> {
  return (await client.taskrouter.v1.workspaces(ws).taskChannels.list({limit: LIMIT})).map((c) => ({
    sid: c.sid,
    friendly_name: c.friendlyName,
    unique_name: c.uniqueName,
  }));
}

export async function conversationServices(client: TwilioClient): Promise<Named[]> {
  return (await client.conversations.v1.services.list({limit: LIMIT})).map((s) => ({sid: s.sid, friendly_name: s.friendlyName}));
}

/**
 * Is Studio there to deploy to? On real Twilio it always is; the emulator answers 404 (a domain it
 * does not serve yet) or 501 (not implemented) until its Studio lands.
 */
export async function studioAvailable(client: TwilioClient): Promise<{ok: true} | {ok: false; why: string}> {
  try {
    await client.studio.v2.flows.page({pageSize: 1});
    return {ok: true};
  } catch (error) {
    if (isTwilioError(error) && (error.status === 404 || error.status === 501))
      return {ok: false, why: `Studio is not available there (HTTP ${error.status}${error.status === 501 ? ', not implemented' : ''})`};
    throw error;
  }
}

export interface StudioFlowView extends Named {
  status: string;
  /** The flow has a Send to Flex widget. */
  send_to_flex: boolean;
}

/** A Studio flow, or undefined when there is none with that SID. */
export async function studioFlow(client: TwilioClient, sid: string): Promise<StudioFlowView | undefined> {
  try {
    const f = await client.studio.v2.flows(sid).fetch();
    return {sid: f.sid, friendly_name: f.friendlyName, status: f.status, send_to_flex: hasSendToFlex(f.definition)};
  } catch (error) {
    if (isTwilioError(error) && error.status === 404 && error.code === 20404) return undefined;
    throw error;
  }
}

export async function studioFlows(client: TwilioClient): Promise<StudioFlowView[]> {
  return (await client.studio.v2.flows.list({limit: LIMIT})).map((f) => ({
    sid: f.sid,
    friendly_name: f.friendlyName,
    status: f.status,
    send_to_flex: hasSendToFlex(f.definition),
  }));
}

/** A flow definition with a `send-to-flex` widget (Studio's SendToFlex). */
export function hasSendToFlex(definition: unknown): boolean {
  const states = (definition as {states?: unknown} | null)?.states;
  return Array.isArray(states) && states.some((s) => (s as {type?: unknown})?.type === 'send-to-flex');
}

/**
 * The starter flow `init` deploys: an incoming conversation message goes straight to Flex
 * (SendToFlex on `workflow` and task channel `channel`), with the attributes Flex's own
 * "Messaging Flow" template passes [unverified: the template's exact attribute list].
 */
export function starterFlowDefinition(workflow: string, channel: string): Record<string, unknown> {
  return {
    description: 'flexconv starter: incoming conversation messages go to Flex',
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        transitions: [
          {event: 'incomingMessage'},
          {event: 'incomingCall'},
          {event: 'incomingConversationMessage', next: 'send_to_flex'},
          {event: 'incomingRequest'},
          {event: 'incomingParent'},
        ],
        properties: {offset: {x: 0, y: 0}},
      },
      {
        name: 'send_to_flex',
        type: 'send-to-flex',
        transitions: [{event: 'callComplete'}, {event: 'failedToEnqueue'}, {event: 'callFailure'}],
        properties: {
          offset: {x: 0, y: 240},
          workflow,
          channel,
          attributes:
            '{"name": "{{trigger.conversation.ChannelAttributes.from}}", "channelType": "{{trigger.conversation.ChannelAttributes.channel_type}}", "channelSid": "{{trigger.conversation.ConversationSid}}"}',
        },
      },
    ],
    initial_state: 'Trigger',
    flags: {allow_concurrent_calls: true},
  };
}

export const STARTER_FLOW_NAME = 'flexconv starter: Send to Flex';

/** Deploy the starter flow (published). */
export async function deployStarterFlow(client: TwilioClient, workflow: string, channel: string): Promise<StudioFlowView> {
  const f = await client.studio.v2.flows.create({
    friendlyName: STARTER_FLOW_NAME,
    status: 'published',
    definition: starterFlowDefinition(workflow, channel),
    commitMessage: 'flexconv init',
  });
  return {sid: f.sid, friendly_name: f.friendlyName, status: f.status, send_to_flex: true};
}

// ---------------------------------------------------------------------------------------------
// Credentials

export type CredentialPower =
  | 'auth-token'
  | 'main-key'
  | 'standard-key'
  | 'emulator';

export interface CredentialCheck {
  ok: true;
  /** What the credentials may do (see powerText). */
  power: CredentialPower;
  /** The account has a Flex Configuration. */
  flex: FlexConfigView | undefined;
}

/** What each kind of credential may do, in one phrase. */
export const POWER_TEXT: Record<CredentialPower, string> = {
  'auth-token': 'the Auth Token: full access to the account, API keys and subaccounts included',
  'main-key': 'a Main API key: full access to the account, API keys included',
  'standard-key': 'a Standard API key: every API but /Accounts and /Keys (cannot manage API keys or subaccounts)',
  emulator: 'the emulator test account: every API the emulator serves',
};

/**
 * Check credentials against the API with a read that both targets serve and Flex needs anyway
 * (the Flex Configuration: 401 = refused, 404 = fine, but no Flex). For an API key on Twilio, a
 * GET of the account tells a Main key (allowed) from a Standard one (refused: Standard keys
 * cannot read /Accounts) [unverified: the exact status Twilio answers a Standard key there].
 */
export async function checkCredentials(
  client: TwilioClient,
  c: {target: 'emulator' | 'twilio'; accountSid: string; apiKey?: string},
): Promise<CredentialCheck> {
  let flex: FlexConfigView | undefined;
  try {
    flex = await flexConfiguration(client);
  } catch (error) {
    throw refused(error, c);
  }
  if (c.target === 'emulator') return {ok: true, power: 'emulator', flex};
  if (!c.apiKey) return {ok: true, power: 'auth-token', flex};
  try {
    await client.api.v2010.accounts(c.accountSid).fetch();
    return {ok: true, power: 'main-key', flex};
  } catch (error) {
    if (isTwilioError(error) && (error.status === 401 || error.status === 403)) return {ok: true, power: 'standard-key', flex};
    throw error;
  }
}

function refused(error: unknown, c: {accountSid: string; apiKey?: string}): unknown {
  if (isTwilioError(error) && (error.status === 401 || error.status === 403)) {
    const e = toFlexconvError(error);
    return new FlexconvError('AUTH_FAILED', `The API refused ${c.apiKey ? `API key ${c.apiKey}` : 'the Auth Token'} for account ${c.accountSid}`, {
      twilio: e.twilio,
      hints: [
        c.apiKey
          ? 'check the key and its secret (Console → Account → API keys & tokens); the secret is shown only when the key is created'
          : 'check the Auth Token (Console → Account → API keys & tokens); it changes when it is rotated',
      ],
      cause: error,
    });
  }
  return error;
}

/** Create a Standard API key with the Auth Token (IAM v1 `POST /v1/Keys`, what SDK 6.2 offers for new keys). */
export async function createApiKey(client: TwilioClient, accountSid: string, friendlyName: string): Promise<{sid: string; secret: string}> {
  const k = await client.iam.v1.newApiKey.create({accountSid, friendlyName});
  return {sid: k.sid, secret: k.secret};
}
