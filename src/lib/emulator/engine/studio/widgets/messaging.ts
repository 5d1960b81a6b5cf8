import {TwilioApiError} from '../../../errors.js';
import * as conversations from '../../conversations/ops.js';
import {restOrigin} from '../../conversations/hooks.js';
import type {Widget, WidgetEnv} from './types.js';

/** Send-and-wait's default timeout, in seconds [docs: 3600]. */
export const DEFAULT_REPLY_TIMEOUT_S = 3600;

export const replyTimerKey = (executionSid: string) => `studio:${executionSid}:reply`;

/**
 * Write the widget's body. In a conversation it is a message of the conversation (author
 * `system` [unverified], through the REST path without webhooks, as Studio's own API calls are —
 * so the flow's studio webhook does not hear itself); it reaches the customer's phone as any
 * message does. Without one (a REST-triggered execution) it goes from the flow's address to the
 * contact outside any conversation, and lands in the customer's outbox.
 */
function send(env: WidgetEnv): {ok: true; context: Record<string, unknown>} | {ok: false; context: Record<string, unknown>} {
  const body = env.render(env.state.properties.body);
  const conv = env.conversation();
  if (!conv) {
    // a REST-triggered execution: to the contact (To), from the flow's address (From), outside any
    // conversation — the customer's outbox shows it, as Programmable Messaging would deliver it
    const to = (env.exec.context.contact as {channel?: {address?: string}} | undefined)?.channel?.address;
    const from = (env.exec.context.flow as {channel?: {address?: string}} | undefined)?.channel?.address;
    if (!to || !from) return {ok: false, context: {status: 'failed', body, error: 'no conversation, and the execution has no To and From to send to'}};
    const out = conversations.deliverOutside(env.tx, {to, from, body});
    return {ok: true, context: {status: 'sent', body, to, from, message_sid: out.sid}};
  }
  try {
    const msg = conversations.addMessage(env.tx, conv, {author: 'system', body}, restOrigin(false));
    return {ok: true, context: {status: 'sent', body, message_sid: msg.sid, conversation_sid: conv.sid}};
  } catch (error) {
    if (error instanceof TwilioApiError) return {ok: false, context: {status: 'failed', body, error: error.message, error_code: error.code}};
    throw error;
  }
}

/** Send Message: `sent` or `failed` [docs]. */
export const sendMessage: Widget = (env) => {
  const r = send(env);
  return {event: r.ok ? 'sent' : 'failed', context: r.context};
};

/** Send & Wait For Reply: the message, then a wait for the customer's reply or the timeout on the one clock [docs]. */
export const sendAndWait: Widget = (env) => {
  const r = send(env);
  if (!r.ok) return {event: 'deliveryFailure', context: r.context};
  const raw = env.render(env.state.properties.timeout);
  const seconds = raw.trim() === '' ? DEFAULT_REPLY_TIMEOUT_S : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) return {fail: `widget '${env.state.name}' (send-and-wait-for-reply): timeout '${raw}' is not a number of seconds`};
  const timer = replyTimerKey(env.exec.sid);
  env.tx.at(timer, env.tx.now.getTime() + Math.round(seconds * 1000), 'studio.reply-timeout', {flow: env.exec.flow_sid, execution: env.exec.sid, widget: env.state.name});
  return {wait: {kind: 'reply', widget: env.state.name, timer}, context: {...r.context, timeout: seconds}};
};
