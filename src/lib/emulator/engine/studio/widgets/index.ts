import {makeHttpRequest} from './http.js';
import {sendAndWait, sendMessage} from './messaging.js';
import {sendToFlex} from './send-to-flex.js';
import {setVariables} from './set-variables.js';
import {split} from './split.js';
import type {Widget} from './types.js';

/**
 * The widgets the executor runs, by type (the trigger is the execution's start, not run here).
 * Any other type (run-function, the voice widgets, …) ends its execution as failed, naming it.
 */
export const WIDGETS: Readonly<Record<string, Widget>> = {
  'send-to-flex': sendToFlex,
  'send-message': sendMessage,
  'send-and-wait-for-reply': sendAndWait,
  'split-based-on': split,
  'set-variables': setVariables,
  'make-http-request': makeHttpRequest,
};

export type {Outcome, Widget, WidgetEnv} from './types.js';
