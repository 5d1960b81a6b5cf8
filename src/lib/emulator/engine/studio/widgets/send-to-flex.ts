import {TwilioApiError} from '../../../errors.js';
import {PARTICIPANTS, SCOPED_WEBHOOKS} from '../../../model/conversations.js';
import {CHANNEL_TYPES, type ChannelType} from '../../../model/flex.js';
import {WORKFLOWS} from '../../../model/taskrouter.js';
import * as conversations from '../../conversations/ops.js';
import {createInteraction, type ChannelSpec, type RoutingSpec} from '../../flex/ops.js';
import type {Outcome, Widget} from './types.js';

const failed = (error: string, context: Record<string, unknown> = {}): Outcome => ({event: 'failedToEnqueue', context: {...context, error}});

function integer(text: string, what: string): number | undefined | string {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : `${what} '${text}' is not a whole number`;
}

/**
 * Send To Flex [semantics §4.8]: a customer-initiated interaction on the execution's
 * conversation (through Flex's own operation), routed to the widget's workflow and task channel
 * with its attributes, priority and timeout; then the flow's studio webhook leaves the
 * conversation (Studio hears no more of it) and the execution ends. A workflow that does not
 * exist, attributes that are not JSON or an interaction Flex refuses take `failedToEnqueue`,
 * the reason in the step.
 */
export const sendToFlex: Widget = (env) => {
  const {tx, state} = env;
  const p = state.properties;
  const conv = env.conversation();
  if (!conv) return failed(`widget '${state.name}' (send-to-flex) needs a conversation: start the flow from an Incoming Conversation trigger`);
  const workflowSid = env.render(p.workflow).trim();
  const located = tx.repo(WORKFLOWS).locate(workflowSid);
  if (!located) return failed(`widget '${state.name}' (send-to-flex): workflow ${workflowSid} is not a TaskRouter workflow of this account`);
  const channel = env.render(p.channel).trim();
  const rendered = env.render(p.attributes ?? '{}');
  let attributes: Record<string, unknown>;
  try {
    const v = rendered.trim() === '' ? {} : JSON.parse(rendered);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    attributes = v as Record<string, unknown>;
  } catch (error) {
    return failed(`widget '${state.name}' (send-to-flex): attributes are not a JSON object after rendering (${(error as Error).message}): ${rendered.slice(0, 200)}`);
  }
  const priority = integer(env.render(p.priority), 'priority');
  const timeout = integer(env.render(p.timeout), 'timeout');
  for (const v of [priority, timeout]) if (typeof v === 'string') return failed(`widget '${state.name}' (send-to-flex): ${v}`);

  const customer = tx.repo(PARTICIPANTS).all({}, conv.sid).find((x) => x.messaging_binding?.address) ?? tx.repo(PARTICIPANTS).all({}, conv.sid)[0];
  const address = customer?.messaging_binding?.address ?? customer?.identity ?? null;
  const bindingType = customer?.messaging_binding?.type;
  const type: ChannelType = customer?.identity && !bindingType ? 'chat' : (CHANNEL_TYPES as readonly string[]).includes(bindingType ?? '') ? (bindingType as ChannelType) : 'sms';
  // what SendToFlex adds to the task [semantics §8]; the widget's own attributes win
  const taskAttributes = {channelType: type, customerAddress: address, from: address, name: address, customerName: address, ...attributes};
  const properties = {media_channel_sid: conv.sid};
  const spec: ChannelSpec = {type, initiated_by: 'customer', properties, participants: [], raw: {type, initiated_by: 'customer', properties}};
  const routing: RoutingSpec = {
    workspace_sid: located.parentSid,
    workflow_sid: workflowSid,
    task_channel: channel || undefined,
    attributes: taskAttributes,
    priority: priority as number | undefined,
    timeout: timeout as number | undefined,
    raw: {properties: {workspace_sid: located.parentSid, workflow_sid: workflowSid, task_channel_unique_name: channel, attributes: taskAttributes, priority, timeout}},
  };
  let out: ReturnType<typeof createInteraction>;
  try {
    out = createInteraction(tx, {channel: spec, routing});
  } catch (error) {
    if (error instanceof TwilioApiError) return failed(`widget '${state.name}' (send-to-flex): Flex refused the interaction: ${error.message}`, {error_code: error.code});
    throw error;
  }
  // Studio hands the conversation over: its webhook for this flow goes [seed]
  for (const w of tx.repo(SCOPED_WEBHOOKS).all({}, conv.sid))
    if (w.target === 'studio' && w.configuration.flow_sid === env.exec.flow_sid) conversations.removeScopedWebhook(tx, w);
  return {
    // [unverified] the event a messaging hand-off records: Studio's widget events are the voice ones
    event: 'taskCreated',
    end: true,
    context: {
      status: 'enqueued',
      interaction_sid: out.interaction.sid,
      interaction_channel_sid: out.channel.sid,
      task_sid: out.task?.sid ?? null,
      workflow_sid: workflowSid,
      conversation_sid: conv.sid,
    },
  };
};
