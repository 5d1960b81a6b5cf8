import type {ConversationDoc} from '../../../model/conversations.js';
import type {ExecutionDoc, Waiting} from '../../../model/studio.js';
import type {Tx} from '../../../store/tx.js';
import type {StudioState, StudioTransition} from '../../../../spec/studio.js';

/** What a widget sees while it runs: its state in the definition, the execution, templates. */
export interface WidgetEnv {
  tx: Tx;
  exec: ExecutionDoc;
  state: StudioState;
  /** A property rendered as a Liquid template against the execution's context. */
  render(text: unknown): string;
  /** The conversation an Incoming Conversation trigger started the execution for (as stored now). */
  conversation(): ConversationDoc | undefined;
}

/**
 * What a widget did: took a transition (`event`; `transition` picks one of several with the same
 * event, as a split's matches), waits (for a reply, a response), or failed (the execution ends,
 * the reason in its last step). `end` ends the execution whatever the transition names
 * (SendToFlex hands the conversation to Flex). `context` becomes `widgets.<name>`.
 */
export type Outcome =
  | {event: string; context?: Record<string, unknown>; transition?: StudioTransition; end?: boolean}
  | {wait: Waiting; context?: Record<string, unknown>}
  | {fail: string; context?: Record<string, unknown>};

export type Widget = (env: WidgetEnv) => Outcome;
