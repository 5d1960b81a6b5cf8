/**
 * Studio v2 flow definitions: what a definition looks like and the one validation both halves
 * use — the emulator's Flows / Flows/Validate and the CLI's `studio deploy|validate` before any
 * request. This module imports nothing; template checks (Liquid) come in as a callback.
 *
 * A definition [docs: Studio REST API v2, flow definition JSON]:
 *   {description?, initial_state, flags?: {allow_concurrent_calls}, states: [
 *     {name, type, transitions: [{event, next?, conditions?}], properties: {...}}]}
 */

export const FLOW_STATUSES = ['draft', 'published'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

export interface StudioTransition {
  event: string;
  next?: string;
  conditions?: StudioCondition[];
  [k: string]: unknown;
}

export interface StudioCondition {
  friendly_name?: string;
  arguments?: string[];
  type: string;
  value?: string;
}

export interface StudioState {
  name: string;
  type: string;
  transitions: StudioTransition[];
  properties: Record<string, unknown>;
}

export interface FlowDefinition {
  description?: string;
  initial_state: string;
  flags?: Record<string, unknown>;
  states: StudioState[];
}

/** One fault of a definition, as Twilio lists them (`details.errors[]`) [docs example; key names unverified in part]. */
export interface StudioFault {
  message: string;
  property_path: string;
}

export interface StudioValidation {
  valid: boolean;
  errors: StudioFault[];
  warnings: StudioFault[];
}

/** Events of the trigger widget [docs: Studio trigger widget]. */
export const TRIGGER_EVENTS = ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'] as const;

/**
 * Every widget type Studio has, with the transition events each may name [docs: Studio widget
 * library; the lists of the messaging widgets are confirmed, voice ones partly unverified].
 */
export const WIDGET_EVENTS: Readonly<Record<string, readonly string[]>> = {
  trigger: TRIGGER_EVENTS,
  'send-to-flex': ['callComplete', 'failedToEnqueue', 'callFailure'],
  'send-message': ['sent', 'failed'],
  'send-and-wait-for-reply': ['incomingMessage', 'timeout', 'deliveryFailure'],
  'split-based-on': ['noMatch', 'match'],
  'set-variables': ['next'],
  'make-http-request': ['success', 'failed'],
  'run-function': ['success', 'fail'],
  'run-subflow': ['completed', 'failed'],
  'say-play': ['audioComplete'],
  'gather-input-on-call': ['keypress', 'speech', 'timeout'],
  'connect-call-to': ['callCompleted', 'hangup'],
  'record-voicemail': ['recordingComplete', 'noAudio', 'hangup'],
  'record-call': ['success', 'failed'],
  'make-outgoing-call-v2': ['answered', 'busy', 'noAnswer', 'failed'],
  'enqueue-call': ['callComplete', 'failedToEnqueue', 'callFailure'],
  'fork-stream': ['next'],
  'connect-virtual-agent': ['hangup', 'return'],
  'capture-payments': ['success', 'maxFailedAttempts', 'providerError', 'payInterrupted', 'hangup', 'validationError'],
  'add-twiml-redirect': ['return', 'timeout', 'fail'],
  'set-language': ['next'],
  'send-to-ai-assistant': ['next'],
};

/** The widgets the emulator runs; any other ends its execution as failed, naming the widget. */
export const EMULATED_WIDGETS = [
  'trigger',
  'send-to-flex',
  'send-message',
  'send-and-wait-for-reply',
  'split-based-on',
  'set-variables',
  'make-http-request',
] as const;

/** Studio's split operators [docs: Split Based On widget]. */
export const SPLIT_OPERATORS = [
  'equal_to',
  'not_equal_to',
  'matches_any_of',
  'does_not_match_any_of',
  'is_blank',
  'is_not_blank',
  'contains',
  'does_not_contain',
  'starts_with',
  'does_not_start_with',
  'greater_than',
  'less_than',
  'regex',
] as const;

/** Properties each widget cannot do without [docs: each widget's required fields]. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  'send-to-flex': ['workflow', 'channel'],
  'send-message': ['body'],
  'send-and-wait-for-reply': ['body'],
  'split-based-on': ['input'],
  'make-http-request': ['method', 'url'],
};

/** Deepest nesting of a definition checked (Studio's own are a handful of levels). */
const MAX_DEPTH = 64;

/** Whether a JSON value nests deeper than `max` (iterative: a hostile definition cannot overflow the stack). */
function tooDeep(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > max) return true;
    if (v && typeof v === 'object') for (const c of Object.values(v as object)) stack.push([c, d + 1]);
  }
  return false;
}

/** Studio widget names: letters, digits, underscores and dashes [unverified: exact rule]. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A definition as given: a JSON object, or its text. Returns the object, or the reason it is none.
 */
export function parseFlowDefinition(input: unknown): {definition: unknown} | {error: string} {
  if (typeof input !== 'string') return {definition: input};
  try {
    return {definition: JSON.parse(input)};
  } catch (error) {
    return {error: `the definition is not JSON: ${(error as Error).message}`};
  }
}

/**
 * Check a flow definition the way Studio does before it saves one: the schema (initial_state,
 * states with name/type/transitions/properties), unique names, transitions to existing widgets
 * with events the widget has, each widget's required properties, split operators, and — when
 * `checkTemplate` is given — every string property as a template (it returns a parse error or
 * undefined). Faults carry a JSON-pointer-like `property_path` (`#/states/2/properties/workflow`).
 */
export function validateFlowDefinition(definition: unknown, checkTemplate?: (text: string) => string | undefined): StudioValidation {
  const errors: StudioFault[] = [];
  const warnings: StudioFault[] = [];
  const fault = (property_path: string, message: string) => errors.push({message, property_path});
  if (!isObject(definition)) {
    fault('#', 'the definition must be a JSON object with initial_state and states');
    return {valid: false, errors, warnings};
  }
  if (tooDeep(definition, MAX_DEPTH)) {
    fault('#', `the definition nests deeper than ${MAX_DEPTH} levels`);
    return {valid: false, errors, warnings};
  }
  if (definition.description !== undefined && typeof definition.description !== 'string') fault('#/description', 'description must be a string');
  if (definition.flags !== undefined && !isObject(definition.flags)) fault('#/flags', 'flags must be an object');
  const states = definition.states;
  if (!Array.isArray(states)) {
    fault('#/states', "must have required property 'states' (a list of widgets)");
    return {valid: false, errors, warnings};
  }
  const names = new Map<string, number>();
  states.forEach((s, i) => {
    if (isObject(s) && typeof s.name === 'string') {
      if (names.has(s.name)) fault(`#/states/${i}/name`, `widget names must be unique: '${s.name}' is also the name of states[${names.get(s.name)}]`);
      else names.set(s.name, i);
    }
  });
  if (typeof definition.initial_state !== 'string' || !definition.initial_state) fault('#/initial_state', "must have required property 'initial_state'");
  else if (!names.has(definition.initial_state)) fault('#/initial_state', `initial_state '${definition.initial_state}' names no widget of this flow`);
  const triggers = states.filter((s) => isObject(s) && s.type === 'trigger').length;
  if (triggers !== 1) fault('#/states', `a flow has exactly one trigger widget (type trigger); this one has ${triggers}`);
  states.forEach((s, i) => checkState(s, `#/states/${i}`, names, fault, checkTemplate));
  return {valid: errors.length === 0, errors, warnings};
}

function checkState(
  s: unknown,
  path: string,
  names: Map<string, number>,
  fault: (path: string, message: string) => void,
  checkTemplate?: (text: string) => string | undefined,
): void {
  if (!isObject(s)) return fault(path, 'a widget must be an object with name, type, transitions and properties');
  if (typeof s.name !== 'string' || !s.name) fault(`${path}/name`, "must have required property 'name'");
  else if (!NAME.test(s.name)) fault(`${path}/name`, `'${s.name}' is not a widget name (letters, digits, _ and -, at most 64)`);
  const label = typeof s.name === 'string' && s.name ? `widget '${s.name}'` : 'this widget';
  if (typeof s.type !== 'string' || !s.type) return fault(`${path}/type`, `${label}: must have required property 'type'`);
  const events = WIDGET_EVENTS[s.type];
  if (!events) fault(`${path}/type`, `${label}: '${s.type}' is not a Studio widget type`);
  if (!Array.isArray(s.transitions)) fault(`${path}/transitions`, `${label}: must have required property 'transitions' (a list)`);
  else
    s.transitions.forEach((t, j) => {
      const at = `${path}/transitions/${j}`;
      if (!isObject(t) || typeof t.event !== 'string' || !t.event) return fault(at, `${label}: a transition needs an event`);
      if (events && !events.includes(t.event)) fault(`${at}/event`, `${label}: '${t.event}' is not an event of ${s.type} (${events.join(', ')})`);
      if (t.next !== undefined && t.next !== null && t.next !== '') {
        if (typeof t.next !== 'string' || !names.has(t.next)) fault(`${at}/next`, `${label}: the transition on ${t.event} goes to '${String(t.next)}', which is not a widget of this flow`);
      }
      if (t.conditions !== undefined) checkConditions(t.conditions, `${at}/conditions`, label, fault, checkTemplate);
    });
  if (s.properties === undefined || !isObject(s.properties)) return fault(`${path}/properties`, `${label}: must have required property 'properties' (an object)`);
  const props = s.properties;
  for (const key of REQUIRED[s.type] ?? [])
    if (props[key] === undefined || props[key] === null || props[key] === '') fault(`${path}/properties/${key}`, `${label}: ${s.type} needs properties.${key}`);
  if (s.type === 'set-variables' && props.variables !== undefined) {
    if (!Array.isArray(props.variables) || props.variables.some((v) => !isObject(v) || typeof v.key !== 'string' || !v.key))
      fault(`${path}/properties/variables`, `${label}: variables must be a list of {key, value}`);
  }
  if (checkTemplate) checkTemplates(props, `${path}/properties`, label, fault, checkTemplate);
}

function checkConditions(
  conditions: unknown,
  path: string,
  label: string,
  fault: (path: string, message: string) => void,
  checkTemplate?: (text: string) => string | undefined,
): void {
  if (!Array.isArray(conditions)) return fault(path, `${label}: conditions must be a list`);
  conditions.forEach((c, k) => {
    if (!isObject(c) || typeof c.type !== 'string') return fault(`${path}/${k}`, `${label}: a condition needs a type`);
    if (!(SPLIT_OPERATORS as readonly string[]).includes(c.type))
      fault(`${path}/${k}/type`, `${label}: '${c.type}' is not a split operator (${SPLIT_OPERATORS.join(', ')})`);
    if (checkTemplate) checkTemplates(c, `${path}/${k}`, label, fault, checkTemplate);
  });
}

/** Every string under a value, checked as a template. */
function checkTemplates(
  value: unknown,
  path: string,
  label: string,
  fault: (path: string, message: string) => void,
  check: (text: string) => string | undefined,
): void {
  if (typeof value === 'string') {
    if (!value.includes('{')) return;
    const problem = check(value);
    if (problem) fault(path, `${label}: the template does not parse: ${problem}`);
  } else if (Array.isArray(value)) value.forEach((v, i) => checkTemplates(v, `${path}/${i}`, label, fault, check));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) checkTemplates(v, `${path}/${k}`, label, fault, check);
}
