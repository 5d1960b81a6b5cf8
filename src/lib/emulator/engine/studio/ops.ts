/**
 * The Studio domain: flows (a definition, validated by the one validator shared with the CLI,
 * saved as numbered revisions), executions started by the REST trigger or by a conversation's
 * studio webhook, and their end. Studio imports conversations and flex, never the reverse: the
 * conversations engine only records `studio.incomingConversationMessage` for a studio webhook.
 */
import {TwilioApiError} from '../../errors.js';
import {CONVERSATIONS, PARTICIPANTS, type ConversationDoc} from '../../model/conversations.js';
import {EXECUTIONS, FLOW_REVISIONS, FLOWS, type ExecutionDoc, type FlowDoc, type FlowRevisionDoc} from '../../model/studio.js';
import type {Tx} from '../../store/tx.js';
import {newSid} from '../../sid.js';
import {isoSeconds} from '../clock.js';
import {parseFlowDefinition, validateFlowDefinition, type FlowDefinition, type FlowStatus, type StudioValidation} from '../../../spec/studio.js';
import {definitionOf, proceed, replied, endExecution as stop} from './executor.js';
import {templateProblem} from './liquid.js';

export const STUDIO_CODES = {
  /** Flow definition validation failed [docs: error 81022 names it; the body's code is 20001 as Twilio's examples show — unverified]. */
  INVALID_DEFINITION: 20001,
  /** [unverified] A flow that was never published cannot run (Twilio's code for it is not documented). */
  NOT_PUBLISHED: 20001,
} as const;

/** Logged when a message reaches a studio webhook but starts or resumes nothing (GET /_emulator/events says why). */
export const TRIGGER_DROPPED = 'studio.trigger.dropped';

const iso = (tx: Tx) => isoSeconds(tx.now);

/** A definition from a form field or JSON value, and its validation (templates checked as Liquid). */
export function readDefinition(input: unknown): {definition: unknown; validation: StudioValidation} {
  const parsed = parseFlowDefinition(input);
  if ('error' in parsed) throw new TwilioApiError(400, 20001, `Invalid parameter Definition: ${parsed.error}`);
  return {definition: parsed.definition, validation: validateFlowDefinition(parsed.definition, templateProblem)};
}

/** Twilio's 400 for a definition that fails validation, with the faults in `details` [docs: Flow Validate "error details"]. */
export function invalidDefinition(v: StudioValidation): TwilioApiError {
  const first = v.errors[0];
  return new TwilioApiError(400, STUDIO_CODES.INVALID_DEFINITION, `Invalid Flow Definition${first ? `: ${first.message} (${first.property_path})` : ''}`, undefined, {}, {
    errors: v.errors,
    warnings: v.warnings,
  });
}

export interface FlowInput {
  friendly_name?: string;
  status: FlowStatus;
  definition?: unknown;
  commit_message?: string | null;
}

function saveRevision(tx: Tx, flow: FlowDoc): void {
  const {_, webhook_url, ...snapshot} = flow;
  const rev: FlowRevisionDoc = {sid: `${flow.sid}:${flow.revision}`, flow_sid: flow.sid, revision: flow.revision, snapshot};
  tx.repo(FLOW_REVISIONS).insert(rev, flow.sid);
}

/**
 * Create a flow. A published flow must be valid (else the 400 with its faults); a draft may be
 * saved invalid, its `valid`/`errors` saying so [unverified: Twilio's handling of invalid drafts].
 */
export function createFlow(tx: Tx, input: Required<Pick<FlowInput, 'friendly_name' | 'definition'>> & FlowInput): FlowDoc {
  const {definition, validation} = readDefinition(input.definition);
  if (input.status === 'published' && !validation.valid) throw invalidDefinition(validation);
  const now = iso(tx);
  const sid = newSid('FW');
  const flow: FlowDoc = {
    sid,
    account_sid: tx.accountSid,
    author_sid: newSid('US'),
    friendly_name: input.friendly_name,
    definition,
    status: input.status,
    revision: 1,
    commit_message: input.commit_message ?? null,
    valid: validation.valid,
    errors: validation.errors,
    warnings: validation.warnings,
    date_created: now,
    date_updated: null,
    webhook_url: `https://webhooks.twilio.com/v1/Accounts/${tx.accountSid}/Flows/${sid}`,
    _: {published_revision: input.status === 'published' ? 1 : null},
  };
  tx.repo(FLOWS).insert(flow);
  saveRevision(tx, flow);
  return flow;
}

/** Update: a new revision (the definition given or the current one) with the status given. */
export function updateFlow(tx: Tx, current: FlowDoc, input: FlowInput): FlowDoc {
  const {definition, validation} = input.definition !== undefined ? readDefinition(input.definition) : {definition: current.definition, validation: {valid: current.valid, errors: current.errors, warnings: current.warnings}};
  if (input.status === 'published' && !validation.valid) throw invalidDefinition(validation);
  const revision = current.revision + 1;
  const next: FlowDoc = {
    ...current,
    friendly_name: input.friendly_name ?? current.friendly_name,
    definition,
    status: input.status,
    revision,
    commit_message: input.commit_message !== undefined ? input.commit_message : current.commit_message,
    valid: validation.valid,
    errors: validation.errors,
    warnings: validation.warnings,
    date_updated: iso(tx),
    _: {published_revision: input.status === 'published' ? revision : current._.published_revision},
  };
  tx.repo(FLOWS).update(next);
  saveRevision(tx, next);
  return next;
}

export function deleteFlow(tx: Tx, flow: FlowDoc): void {
  for (const e of tx.repo(EXECUTIONS).all({status: 'active'}, flow.sid)) tx.cancelPrefix(`studio:${e.sid}:`);
  tx.repo(FLOWS).delete(flow.sid);
}

/** Revision `n`, or `LatestPublished` / `LatestRevision` [OAI: FetchFlowRevision]. */
export function revisionOf(tx: Tx, flow: FlowDoc, key: string): FlowRevisionDoc | undefined {
  const n = key === 'LatestRevision' ? flow.revision : key === 'LatestPublished' ? flow._.published_revision : /^\d+$/.test(key) ? Number(key) : null;
  if (n === null || n === undefined) return undefined;
  return tx.repo(FLOW_REVISIONS).get(`${flow.sid}:${n}`, flow.sid);
}

// ---------------------------------------------------------------------------------------------
// Executions

interface StartInput {
  event: 'incomingRequest' | 'incomingConversationMessage' | 'incomingMessage';
  contact: string;
  /** The address the flow writes from (flow.channel.address). */
  flowAddress: string;
  initiatedBy: string;
  trigger: Record<string, unknown>;
  data?: Record<string, unknown>;
  conversation?: ConversationDoc;
}

function start(tx: Tx, flow: FlowDoc, def: FlowDefinition, input: StartInput): ExecutionDoc {
  const now = iso(tx);
  const sid = newSid('FN');
  const exec: ExecutionDoc = {
    sid,
    account_sid: tx.accountSid,
    flow_sid: flow.sid,
    contact_channel_address: input.contact,
    contact_sid: newSid('FC'),
    flow_version: flow._.published_revision!,
    context: {
      flow: {flow_sid: flow.sid, sid, channel: {address: input.flowAddress}, data: input.data ?? {}, variables: {}},
      contact: {channel: {address: input.contact}},
      trigger: input.trigger,
      widgets: {},
    },
    status: 'active',
    date_created: now,
    date_updated: now,
    initiated_by: input.initiatedBy,
    _: {
      revision: flow._.published_revision!,
      conversation_sid: input.conversation?.sid ?? null,
      chat_service_sid: input.conversation?.chat_service_sid ?? null,
      last_step_sid: null,
      waiting: null,
      failure: null,
    },
  };
  tx.repo(EXECUTIONS).insert(exec, flow.sid);
  const trigger = def.states.find((s) => s.type === 'trigger') ?? def.states.find((s) => s.name === def.initial_state)!;
  proceed(tx, exec, def, trigger, input.event, input.trigger);
  return tx.repo(EXECUTIONS).get(sid, flow.sid) ?? exec;
}

/** The definition executions of this flow run now: its newest published revision. */
function liveDefinition(tx: Tx, flow: FlowDoc): FlowDefinition | undefined {
  const rev = flow._.published_revision;
  return rev === null ? undefined : definitionOf(tx, flow.sid, rev);
}

/** REST API trigger: To (the contact), From (the flow's address), Parameters → flow.data [docs]. */
export function createExecution(tx: Tx, flow: FlowDoc, input: {to: string; from: string; parameters: Record<string, unknown>}): ExecutionDoc {
  const def = liveDefinition(tx, flow);
  if (!def) throw new TwilioApiError(400, STUDIO_CODES.NOT_PUBLISHED, `Flow ${flow.sid} has no published revision: publish it (Status=published) before starting executions`);
  return start(tx, flow, def, {
    event: 'incomingRequest',
    contact: input.to,
    flowAddress: input.from,
    // [unverified] who started a REST-triggered execution: the account whose credentials did
    initiatedBy: tx.accountSid,
    trigger: {request: {From: input.from, To: input.to, parameters: input.parameters}},
    data: input.parameters,
  });
}

export function endExecution(tx: Tx, exec: ExecutionDoc): ExecutionDoc {
  return stop(tx, exec);
}

export function deleteExecution(tx: Tx, exec: ExecutionDoc): void {
  tx.cancelPrefix(`studio:${exec.sid}:`);
  tx.repo(EXECUTIONS).delete(exec.sid, exec.flow_sid);
}

const dropped = (tx: Tx, reason: string, data: Record<string, unknown>) => tx.emit(TRIGGER_DROPPED, {...data, reason}, (data.ConversationSid as string) ?? undefined);

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/**
 * A new message in a conversation with a studio webhook (semantics §2.4): the active execution
 * of that conversation waiting for a reply gets it; else a new execution starts at the trigger's
 * Incoming Conversation event with the fields Studio documents (`trigger.conversation.*`). A flow
 * that is missing or never published, or an execution busy elsewhere, drops the message with a
 * logged reason.
 */
export function incomingConversationMessage(tx: Tx, data: Record<string, unknown>): void {
  const flowSid = str(data.FlowSid);
  const convSid = str(data.ConversationSid);
  const flow = tx.repo(FLOWS).get(flowSid);
  if (!flow) return void dropped(tx, `the studio webhook names Flow ${flowSid}, which does not exist`, data);
  const located = tx.repo(CONVERSATIONS).locate(convSid);
  if (!located) return void dropped(tx, `Conversation ${convSid} is gone`, data);
  const conv = located.doc;
  const inbound = {
    Body: data.Body ?? null,
    From: data.Author ?? null,
    Author: data.Author ?? null,
    MessageSid: data.MessageSid ?? null,
    ConversationSid: convSid,
    ParticipantSid: data.ParticipantSid ?? null,
    Index: data.Index ?? null,
    DateCreated: data.DateCreated ?? null,
  };
  const active = tx.repo(EXECUTIONS).all({conversation_sid: convSid}).find((e) => e.flow_sid === flow.sid && e.status === 'active');
  if (active) {
    if (!replied(tx, active, inbound))
      dropped(tx, `Execution ${active.sid} of Flow ${flow.sid} is active for this conversation and is not waiting for a reply`, data);
    return;
  }
  const def = liveDefinition(tx, flow);
  if (!def) return void dropped(tx, `Flow ${flow.sid} has no published revision (publish it: Status=published)`, data);
  const participants = tx.repo(PARTICIPANTS).all({}, conv.sid);
  const author = str(data.Author);
  const customer = participants.find((p) => p.sid === data.ParticipantSid) ?? participants.find((p) => p.messaging_binding?.address === author || p.identity === author);
  let channelAttributes: unknown = {};
  try {
    channelAttributes = JSON.parse(conv.attributes || '{}');
  } catch {
    channelAttributes = {};
  }
  const conversation = {
    AccountSid: tx.accountSid,
    ConversationSid: convSid,
    MessageSid: data.MessageSid ?? null,
    MessagingServiceSid: data.MessagingServiceSid ?? conv.messaging_service_sid,
    ChatServiceSid: conv.chat_service_sid,
    // [unverified] Studio's ChannelSid for a conversation is the conversation's own sid
    ChannelSid: convSid,
    Body: data.Body ?? null,
    Author: author,
    From: author,
    ParticipantSid: data.ParticipantSid ?? null,
    Source: data.Source ?? null,
    Index: data.Index === undefined ? null : Number(data.Index),
    Attributes: data.Attributes ?? '{}',
    ChannelAttributes: channelAttributes,
    DateCreated: data.DateCreated ?? null,
  };
  // a flow wired only for incomingMessage (the SMS trigger) gets conversation messages there [unverified]
  const trigger = def.states.find((s) => s.type === 'trigger');
  const wired = (e: string) => trigger?.transitions.some((t) => t.event === e && t.next);
  const event = !wired('incomingConversationMessage') && wired('incomingMessage') ? 'incomingMessage' : 'incomingConversationMessage';
  start(tx, flow, def, {
    event,
    contact: author,
    flowAddress: customer?.messaging_binding?.proxy_address ?? conv.messaging_service_sid,
    initiatedBy: convSid,
    trigger: event === 'incomingMessage' ? {message: {...conversation, To: customer?.messaging_binding?.proxy_address ?? null}, conversation} : {conversation},
    conversation: conv,
  });
}
