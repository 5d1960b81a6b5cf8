/**
 * Studio v2 (`studio.twilio.com/v2`): flows (FW…) deployed by friendly name, validated, listed,
 * fetched, deleted; their executions (FN…) and steps (FT…) read back as a trace of which widgets
 * ran with what. Works the same against Twilio and the emulator. Takes a bound SDK client and
 * plain options (a definition already read and checked by the caller); never reads flags, env or
 * files. Returns the REST API's wire shape (snake_case).
 */
import {collect, isSid, requireSid, wire, type Listed, type PageOptions} from '../cli/index.js';
import {FlexconvError, isTwilioError, toFlexconvError, usageError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';
import {given, notFound} from './conversations.js';
import {validateFlowDefinition, type FlowStatus, type StudioFault} from '../spec/studio.js';

/** The spec's PageSize maxima. */
export const MAX_PAGE = {flows: 1000, executions: 1000, steps: 1000} as const;
export const EXECUTION_STATUSES = ['active', 'ended'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export interface Flow {
  sid: string;
  account_sid: string;
  friendly_name: string;
  definition: Record<string, unknown>;
  status: FlowStatus;
  revision: number;
  commit_message: string | null;
  valid: boolean;
  errors: unknown[];
  warnings: unknown[];
  date_created: string | null;
  date_updated: string | null;
  webhook_url: string;
  url: string;
  links: Record<string, string>;
}

export interface Execution {
  sid: string;
  account_sid: string;
  flow_sid: string;
  contact_channel_address: string;
  contact_sid: string;
  context: Record<string, unknown>;
  status: ExecutionStatus;
  date_created: string | null;
  date_updated: string | null;
  url: string;
  links: Record<string, string>;
  flow_version?: number;
  initiated_by?: string;
}

export interface Step {
  sid: string;
  account_sid: string;
  flow_sid: string;
  execution_sid: string;
  parent_step_sid: string | null;
  name: string;
  context: Record<string, unknown> | null;
  transitioned_from: string;
  transitioned_to: string;
  type: string;
  date_created: string | null;
  date_updated: string | null;
  url: string;
  links: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Faults of a definition, readable

/** `#/states/2/properties/workflow` → `states[2] (send_to_flex).properties.workflow`: the widget by name. */
export function faultPath(definition: unknown, pointer: string): string {
  const parts = pointer.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (!parts.length) return 'the definition';
  const states = (definition as {states?: {name?: unknown}[]} | undefined)?.states;
  return parts
    .map((p, i) => {
      if (/^\d+$/.test(p)) {
        const name = i === 1 && parts[0] === 'states' && Array.isArray(states) ? states[Number(p)]?.name : undefined;
        return `[${p}]${typeof name === 'string' && name ? ` (${name})` : ''}`;
      }
      return i ? `.${p}` : p;
    })
    .join('');
}

/** The faults as lines: `states[1] (send_to_flex).properties.workflow: …`. */
export function faultLines(definition: unknown, faults: StudioFault[]): string[] {
  return faults.map((f) => {
    const path = faultPath(definition, f.property_path);
    // the path names the widget already: "widget 'X': " would say it twice
    return `${path}: ${/\(.+\)/.test(path) ? f.message.replace(/^widget '[^']*': /, '') : f.message}`;
  });
}

/**
 * One error for a definition with faults: each fault on its own line under the first, named by
 * widget (a usage error: the file is what is wrong, nothing was sent).
 */
export function invalidFlowError(what: string, definition: unknown, faults: StudioFault[]): FlexconvError {
  const lines = faultLines(definition, faults);
  return new FlexconvError(
    'USAGE',
    `${what} is not a valid Studio flow (${faults.length} fault${faults.length === 1 ? '' : 's'}):\n${lines.map((l) => `    • ${l}`).join('\n')}`,
    {hints: [`fix them and check again with \`flexconv studio validate ${/\s/.test(what) ? 'FILE' : what}\``]},
  );
}

/** Twilio's 400 for a bad definition carries `details.errors` [docs example]: say them the same way. */
function apiFaults(error: unknown, definition: unknown, what: string): never {
  const details = (error as {details?: {errors?: StudioFault[]}}).details;
  if (isTwilioError(error) && error.status === 400 && Array.isArray(details?.errors) && details.errors.length) {
    const e = invalidFlowError(what, definition, details.errors);
    throw new FlexconvError('INVALID_PARAMETER', `The API refused the flow: ${e.message}`, {twilio: toFlexconvError(error).twilio, hints: e.hints, cause: error});
  }
  throw error;
}

// ---------------------------------------------------------------------------------------------
// Flows

export async function listFlows(client: TwilioClient, opts: PageOptions = {}): Promise<Listed<Flow>> {
  const list = client.studio.v2.flows;
  return collect((pageSize) => list.page({pageSize}), {...opts, max: MAX_PAGE.flows}, (i) => wire<Flow>(i));
}

/** The flows named `name` (Studio has no name filter: every page is read). */
async function flowsNamed(client: TwilioClient, name: string): Promise<Flow[]> {
  const {items} = await listFlows(client, {});
  return items.filter((f) => f.friendly_name === name);
}

/** A flow by SID (FW…) or friendly name; a name two flows share is a usage error listing both. */
export async function getFlow(client: TwilioClient, key: string): Promise<Flow> {
  if (key.trim() === '') throw usageError('the flow must not be empty');
  if (/^FW[0-9a-fA-F]*$/.test(key)) {
    requireSid('FW', key, 'the flow');
    try {
      return wire(await client.studio.v2.flows(key).fetch());
    } catch (error) {
      return notFound(error, `No Studio flow ${key}`, 'list them with `flexconv studio list`');
    }
  }
  const named = await flowsNamed(client, key);
  if (named.length === 1) return named[0];
  if (named.length > 1)
    throw usageError(`${named.length} Studio flows are named "${key}": ${named.map((f) => f.sid).join(', ')}`, ['name the one you mean by its SID (FW…)']);
  throw new FlexconvError('NOT_FOUND', `No Studio flow is named "${key}"`, {
    hints: ['list them with `flexconv studio list`', 'deploy one with `flexconv studio deploy FLOW.json --name NAME`'],
  });
}

/** The SID of a flow given by SID (no request) or friendly name. */
export async function flowSid(client: TwilioClient, key: string): Promise<string> {
  if (/^FW[0-9a-fA-F]*$/.test(key)) return requireSid('FW', key, 'the flow');
  return (await getFlow(client, key)).sid;
}

export interface DeployInput {
  name: string;
  definition: Record<string, unknown>;
  publish?: boolean;
  commitMessage?: string;
  /** What the definition came from, for messages (a file name). */
  source?: string;
}

export interface Deployed {
  action: 'created' | 'updated';
  flow: Flow;
}

/**
 * Create the flow, or update the one of that friendly name (a new revision): draft unless
 * `publish`. The definition is checked with the shared validator first; faults are one usage
 * error and nothing is sent.
 */
export async function deployFlow(client: TwilioClient, input: DeployInput): Promise<Deployed> {
  const what = input.source ?? 'the definition';
  const checked = validateFlowDefinition(input.definition);
  if (!checked.valid) throw invalidFlowError(what, input.definition, checked.errors);
  if (!input.name.trim()) throw usageError('The flow needs a name: --name NAME (or a "description" in the definition)');
  const status: FlowStatus = input.publish ? 'published' : 'draft';
  const existing = await flowsNamed(client, input.name);
  if (existing.length > 1)
    throw usageError(`${existing.length} Studio flows are named "${input.name}" (${existing.map((f) => f.sid).join(', ')}): deploy cannot tell which to update`, [
      `delete the extra one with \`flexconv studio delete ${existing[1].sid}\``,
    ]);
  try {
    if (existing.length === 1) {
      const flow = await client.studio.v2.flows(existing[0].sid).update(given({status, definition: input.definition, commitMessage: input.commitMessage}));
      return {action: 'updated', flow: wire(flow)};
    }
    const flow = await client.studio.v2.flows.create(given({friendlyName: input.name, status, definition: input.definition, commitMessage: input.commitMessage}));
    return {action: 'created', flow: wire(flow)};
  } catch (error) {
    return apiFaults(error, input.definition, what);
  }
}

/** Ask the API (`POST /v2/Flows/Validate`) about a definition the shared validator found no fault in. */
export async function validateFlowRemotely(client: TwilioClient, input: {name: string; definition: Record<string, unknown>; source?: string}): Promise<boolean> {
  try {
    const r = await client.studio.v2.flowValidate.update({friendlyName: input.name || 'flexconv validate', status: 'draft', definition: input.definition});
    return r.valid;
  } catch (error) {
    return apiFaults(error, input.definition, input.source ?? 'the definition');
  }
}

export async function deleteFlow(client: TwilioClient, sid: string): Promise<void> {
  try {
    await client.studio.v2.flows(sid).remove();
  } catch (error) {
    notFound(error, `No Studio flow ${sid}`, 'list them with `flexconv studio list`');
  }
}

// ---------------------------------------------------------------------------------------------
// Executions and steps

export interface ListExecutionsOptions extends PageOptions {
  status?: ExecutionStatus;
  /** ISO 8601 date-times. */
  from?: string;
  to?: string;
}

const dateOf = (flag: string, v: string | undefined): Date | undefined => {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || !Number.isFinite(t)) throw usageError(`${flag} "${v}" is not an ISO 8601 date`, [`for example ${flag} 2024-01-31T12:00:00Z`]);
  return new Date(t);
};

export async function listExecutions(client: TwilioClient, flowSid: string, opts: ListExecutionsOptions = {}): Promise<Listed<Execution>> {
  const from = dateOf('--from', opts.from);
  const to = dateOf('--to', opts.to);
  const list = client.studio.v2.flows(flowSid).executions;
  try {
    return await collect(
      (pageSize) => list.page(given({status: opts.status, dateCreatedFrom: from, dateCreatedTo: to, pageSize})),
      {...opts, max: MAX_PAGE.executions},
      (i) => wire<Execution>(i),
    );
  } catch (error) {
    return notFound(error, `No Studio flow ${flowSid}`, 'list them with `flexconv studio list`');
  }
}

const executionNotFound = (error: unknown, flowSid: string, sid: string) =>
  notFound(error, `No execution ${sid} of Studio flow ${flowSid}`, `list them with \`flexconv studio executions list ${flowSid}\``);

/** The execution and its context (what the trigger and each widget left: `trigger`, `widgets`, `flow`). */
export async function getExecution(client: TwilioClient, flowSid: string, sid: string): Promise<Execution> {
  requireSid('FN', sid, 'the execution');
  const ex = client.studio.v2.flows(flowSid).executions(sid);
  try {
    const execution = wire<Execution>(await ex.fetch());
    const context = wire<{context: Record<string, unknown>}>(await ex.executionContext().fetch());
    return {...execution, context: context.context ?? execution.context};
  } catch (error) {
    return executionNotFound(error, flowSid, sid);
  }
}

/**
 * The steps of an execution in the order they ran: by date, and among steps of the same second,
 * following the chain (a step's transitioned_from is the previous one's transitioned_to).
 */
export async function listSteps(client: TwilioClient, flowSid: string, sid: string): Promise<Step[]> {
  requireSid('FN', sid, 'the execution');
  const list = client.studio.v2.flows(flowSid).executions(sid).steps;
  let items: Step[];
  try {
    ({items} = await collect((pageSize) => list.page({pageSize}), {max: MAX_PAGE.steps}, (i) => wire<Step>(i)));
  } catch (error) {
    return executionNotFound(error, flowSid, sid);
  }
  return runOrder(items);
}

export function runOrder(steps: Step[]): Step[] {
  const left = [...steps].sort((a, b) => Date.parse(a.date_created ?? '') - Date.parse(b.date_created ?? ''));
  const out: Step[] = [];
  while (left.length) {
    const prev = out.at(-1);
    const first = Date.parse(left[0].date_created ?? '');
    const same = left.filter((s) => Date.parse(s.date_created ?? '') === first);
    const next = (prev && same.find((s) => s.transitioned_from === prev.transitioned_to)) ?? same.find((s) => !same.some((o) => o !== s && o.transitioned_to === s.transitioned_from)) ?? same[0];
    out.push(next);
    left.splice(left.indexOf(next), 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Presentation helpers (plain data)

const short = (v: unknown, max = 120): string => {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

/** Leaves of a context as `a.b` → value, empty ones left out. */
function leaves(v: unknown, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (v !== null && v !== undefined && v !== '' && v !== '{}' && !(Array.isArray(v) && !v.length)) out.push([prefix, v]);
  return out;
}

/** Said elsewhere or the same in every step: the account, the services, a channel that is the conversation. */
const NOISE = /(^|\.)(AccountSid|ChatServiceSid|MessagingServiceSid|ChannelSid|Index|DateCreated)$/;
/** What a reader looks for first: what was said, by whom, and how it ended. */
const FIRST = /(^|\.)(Body|body|From|from|Author|status|error|reason|message)$/;

/** What a step took in and left, as `key=value` pairs, the telling ones first. */
export function stepWith(s: Step): string {
  const pairs = leaves(s.context ?? {}).filter(([k]) => !NOISE.test(k));
  pairs.sort(([a], [b]) => Number(FIRST.test(b)) - Number(FIRST.test(a)));
  return pairs.map(([k, v]) => `${k}=${short(typeof v === 'string' ? JSON.stringify(v) : v, 70)}`).join('  ');
}

/**
 * One line per step: the widget that ran (its type), the event it fired (Studio's step `name`)
 * and where that led, then what its context holds.
 *   ` 1. Trigger (trigger) --incomingConversationMessage--> SendToAgent`
 */
export function stepLines(steps: Step[]): string[] {
  return steps.map((s, i) => {
    const w = stepWith(s);
    return `${String(i + 1).padStart(2)}. ${s.transitioned_from} (${s.type}) --${s.name}--> ${s.transitioned_to}${w ? `\n      ${w}` : ''}`;
  });
}

export const isFlowSid = (v: string) => isSid('FW', v);
