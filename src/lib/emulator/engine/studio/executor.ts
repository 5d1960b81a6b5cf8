/**
 * The Studio executor: runs an execution's widgets from a start (the trigger's event) until the
 * execution ends or waits — for a reply (a timer on the one clock bounds it) or for an HTTP
 * response (sent after COMMIT by the engine, see index.ts). Everything it knows is in the
 * execution row (its context and `_`), written in the transaction of the event that moved it,
 * so a waiting execution survives a restart. A widget the emulator does not run, a template
 * that does not render or a loop without end fails the execution with its reason in the last
 * step and a `studio.execution.failed` event — never a silent drop.
 */
import {CONVERSATIONS, type ConversationDoc} from '../../model/conversations.js';
import {EXECUTIONS, FLOW_REVISIONS, STEPS, type ExecutionDoc, type StepDoc} from '../../model/studio.js';
import type {Tx} from '../../store/tx.js';
import {newSid} from '../../sid.js';
import {isoSeconds} from '../clock.js';
import type {FlowDefinition, StudioState, StudioTransition} from '../../../spec/studio.js';
import {render} from './liquid.js';
import {WIDGETS, type Outcome, type WidgetEnv} from './widgets/index.js';

export const FAILED_EVENT = 'studio.execution.failed';
/** Emitted when an execution starts waiting on make-http-request: the engine sends the request. */
export const HTTP_EVENT = 'studio.http';
/** Widgets run in one go before the executor calls it a loop [emulator]. */
export const MAX_STEPS_PER_RUN = 200;

/** Definitions by flow revision (a revision never changes). */
const definitions = new Map<string, FlowDefinition>();

export function definitionOf(tx: Tx, flowSid: string, revision: number): FlowDefinition | undefined {
  const key = `${tx.accountSid}:${flowSid}:${revision}`;
  let d = definitions.get(key);
  if (!d) {
    const row = tx.repo(FLOW_REVISIONS).get(`${flowSid}:${revision}`, flowSid);
    if (!row) return undefined;
    d = row.snapshot.definition as FlowDefinition;
    if (definitions.size > 1000) definitions.clear();
    definitions.set(key, d);
  }
  return d;
}

/** Forget cached definitions (a reset or a deleted flow may reuse nothing, but keep memory honest). */
export function forgetDefinitions(): void {
  definitions.clear();
}

const iso = (tx: Tx) => isoSeconds(tx.now);
const save = (tx: Tx, exec: ExecutionDoc) => {
  exec.date_updated = iso(tx);
  tx.repo(EXECUTIONS).update(exec, exec.flow_sid);
};
const widgets = (exec: ExecutionDoc) => exec.context.widgets as Record<string, Record<string, unknown>>;

function conversationOf(tx: Tx, exec: ExecutionDoc): ConversationDoc | undefined {
  if (!exec._.conversation_sid || !exec._.chat_service_sid) return undefined;
  return tx.repo(CONVERSATIONS).get(exec._.conversation_sid, exec._.chat_service_sid);
}

/** Record a transition as a step (Twilio's steps: the event, from which widget, to which). */
function step(tx: Tx, exec: ExecutionDoc, from: StudioState, event: string, to: string | null, context: Record<string, unknown>): StepDoc {
  const now = iso(tx);
  const s: StepDoc = {
    sid: newSid('FT'),
    account_sid: tx.accountSid,
    flow_sid: exec.flow_sid,
    execution_sid: exec.sid,
    parent_step_sid: exec._.last_step_sid,
    name: event,
    context,
    transitioned_from: from.name,
    transitioned_to: to ?? 'Ended',
    type: from.type,
    date_created: now,
    date_updated: now,
  };
  tx.repo(STEPS).insert(s, exec.sid);
  exec._.last_step_sid = s.sid;
  return s;
}

function end(tx: Tx, exec: ExecutionDoc): void {
  if (exec._.waiting?.kind === 'reply') tx.cancel(exec._.waiting.timer);
  exec._.waiting = null;
  exec.status = 'ended';
  save(tx, exec);
}

/** End an execution as failed: a step named `failed` carrying the reason, and an event for the log. */
export function fail(tx: Tx, exec: ExecutionDoc, at: StudioState, reason: string): void {
  step(tx, exec, at, 'failed', null, {error: reason});
  exec._.failure = reason;
  (exec.context.flow as Record<string, unknown>).error = reason;
  tx.emit(FAILED_EVENT, {FlowSid: exec.flow_sid, ExecutionSid: exec.sid, Widget: at.name, WidgetType: at.type, Reason: reason}, exec.sid);
  end(tx, exec);
}

/** The transition a widget takes for an event: the one the widget chose, else the first with that event. */
const nextOf = (state: StudioState, event: string, chosen?: StudioTransition): string | null =>
  (chosen ?? state.transitions.find((t) => t.event === event))?.next || null;

/**
 * Take `event` out of widget `from` (recording `context` as widgets.<from>), then run widgets
 * until the execution ends or waits.
 */
export function proceed(tx: Tx, exec: ExecutionDoc, def: FlowDefinition, from: StudioState, event: string, context: Record<string, unknown>, chosen?: StudioTransition, stop = false): void {
  if (from.type !== 'trigger') widgets(exec)[from.name] = {...(widgets(exec)[from.name] ?? {}), ...context};
  let next = stop ? null : nextOf(from, event, chosen);
  step(tx, exec, from, event, next, context);
  const byName = new Map(def.states.map((s) => [s.name, s]));
  for (let n = 0; next; n++) {
    const state = byName.get(next);
    if (!state) return fail(tx, exec, from, `the transition goes to '${next}', which is not a widget of this flow`);
    if (n >= MAX_STEPS_PER_RUN)
      return fail(tx, exec, state, `more than ${MAX_STEPS_PER_RUN} widgets ran without waiting: the flow loops (last widget '${state.name}')`);
    const out = runWidget(tx, exec, state);
    if ('fail' in out) return fail(tx, exec, state, out.fail);
    if ('wait' in out) {
      widgets(exec)[state.name] = {...(widgets(exec)[state.name] ?? {}), ...(out.context ?? {})};
      exec._.waiting = out.wait;
      save(tx, exec);
      if (out.wait.kind === 'http') tx.emit(HTTP_EVENT, {FlowSid: exec.flow_sid, ExecutionSid: exec.sid, Widget: state.name}, exec.sid);
      return;
    }
    const ctx = out.context ?? {};
    widgets(exec)[state.name] = {...(widgets(exec)[state.name] ?? {}), ...ctx};
    const to = out.end ? null : nextOf(state, out.event, out.transition);
    step(tx, exec, state, out.event, to, ctx);
    next = to;
  }
  end(tx, exec);
}

function runWidget(tx: Tx, exec: ExecutionDoc, state: StudioState): Outcome {
  const widget = WIDGETS[state.type];
  if (!widget)
    return {fail: `widget '${state.name}' is of type ${state.type}, which the flexconv emulator does not run (it runs ${Object.keys(WIDGETS).join(', ')})`};
  const env: WidgetEnv = {tx, exec, state, render: (text) => render(text, exec.context), conversation: () => conversationOf(tx, exec)};
  try {
    return widget(env);
  } catch (error) {
    const msg = (error as Error).message?.split('\n')[0] ?? String(error);
    return {fail: `widget '${state.name}' (${state.type}) failed: ${msg}`};
  }
}

/** The state a waiting execution waits in, with its definition (undefined: it does not wait there any more). */
export function waitingAt(tx: Tx, exec: ExecutionDoc, kind: 'reply' | 'http', widget?: string): {def: FlowDefinition; state: StudioState} | undefined {
  const w = exec._.waiting;
  if (exec.status !== 'active' || !w || w.kind !== kind || (widget && w.widget !== widget)) return undefined;
  const def = definitionOf(tx, exec.flow_sid, exec._.revision);
  const state = def?.states.find((s) => s.name === w.widget);
  return def && state ? {def, state} : undefined;
}

/** The customer answered a send-and-wait-for-reply: widgets.<name>.inbound, then `incomingMessage`. */
export function replied(tx: Tx, exec: ExecutionDoc, inbound: Record<string, unknown>): boolean {
  const at = waitingAt(tx, exec, 'reply');
  if (!at) return false;
  const w = exec._.waiting!;
  if (w.kind === 'reply') tx.cancel(w.timer);
  exec._.waiting = null;
  proceed(tx, exec, at.def, at.state, 'incomingMessage', {inbound});
  return true;
}

/** No reply in time (the timer fired): `timeout`. A stale timer (replied, ended, deleted) does nothing. */
export function replyTimedOut(tx: Tx, data: {flow: string; execution: string; widget: string}): void {
  const exec = tx.repo(EXECUTIONS).get(data.execution, data.flow);
  if (!exec) return;
  const at = waitingAt(tx, exec, 'reply', data.widget);
  if (!at) return;
  exec._.waiting = null;
  proceed(tx, exec, at.def, at.state, 'timeout', {status: 'timeout'});
}

/** The HTTP response (or its failure) of a waiting make-http-request. */
export function httpAnswered(tx: Tx, flowSid: string, executionSid: string, widget: string, outcome: {event: string; context: Record<string, unknown>}): void {
  const exec = tx.repo(EXECUTIONS).get(executionSid, flowSid);
  if (!exec) return;
  const at = waitingAt(tx, exec, 'http', widget);
  if (!at) return;
  exec._.waiting = null;
  proceed(tx, exec, at.def, at.state, outcome.event, outcome.context);
}

/** Status=ended through the API: the execution stops where it is. */
export function endExecution(tx: Tx, exec: ExecutionDoc): ExecutionDoc {
  if (exec.status === 'ended') return exec;
  end(tx, exec);
  return exec;
}
