/**
 * What the TaskRouter commands share (workspaces, activities, workers, queues, workflows, tasks,
 * reservations, taskrouter stats): the --workspace flag and the command base that resolves it
 * (flag > project config `workspace` > the only workspace there is), columns, and the workflow
 * configuration file (JSON or YAML), checked before anything is sent.
 */
import {readFileSync} from 'node:fs';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import {usageError} from '../errors.js';
import type {Column} from '../render/index.js';
import type {TargetFlags} from '../config/resolve.js';
import type {TwilioClient} from '../twilio/client.js';
import {findJsonSyntaxError} from '../config/json.js';
import {ResourceCommand} from './resource.js';
import {resolveWorkspace, setTaskStatus, updateReservation, type Activity, type Queue, type Reservation, type ReservationChange, type Task, type Worker, type Workflow, type Workspace} from '../flows/taskrouter.js';

export const workspaceFlag = {
  workspace: Flags.string({
    char: 'w',
    summary: 'Workspace SID (WS…) or friendly name (env FLEXCONV_WORKSPACE; default: the project config\'s `workspace`, else the only one).',
    env: 'FLEXCONV_WORKSPACE',
  }),
};

export const ifMatchFlag = {
  'if-match': Flags.string({summary: 'Only if the resource is still at this version (its ETag); else VERSION_MISMATCH and nothing changes.'}),
};

/** A TaskRouter command: the client and the workspace it works in. */
export abstract class TaskRouterCommand<T = unknown> extends ResourceCommand<T> {
  protected async workspace(flags: TargetFlags & {workspace?: string}): Promise<{client: TwilioClient; ws: string}> {
    const client = await this.client(flags);
    const ws = await resolveWorkspace(client, flags.workspace, this.context?.workspace);
    return {client, ws};
  }
}

/** Where a reservation lives (its worker or its task); without either it is looked up among the live tasks. */
export const reservationPathFlags = {
  worker: Flags.string({summary: 'The worker holding it (name or WK… SID).'}),
  task: Flags.string({summary: 'The task it offers (WT… SID).'}),
};

/**
 * `reservations accept|reject|complete`: one change of a reservation's status, said in one line.
 * Each command declares its texts and flags (reservationArg, reservationPathFlags, ...) and its status.
 */
export abstract class ReservationStatusCommand extends TaskRouterCommand<Reservation> {
  protected abstract readonly status: ReservationChange['status'];

  async run(): Promise<Reservation> {
    const {args, flags} = (await this.parse()) as {args: {reservation: string}; flags: TargetFlags & {workspace?: string; worker?: string; task?: string; activity?: string; 'if-match'?: string}};
    const {client, ws} = await this.workspace(flags);
    const r = await updateReservation(client, ws, args.reservation, {task: flags.task, worker: flags.worker}, {status: this.status, activity: flags.activity, ifMatch: flags['if-match']});
    if (!this.render.json) this.render.success(`Reservation ${r.sid} (task ${r.task_sid}, ${r.worker_name}) is ${r.reservation_status}${this.where()}`);
    return r;
  }
}

/** `tasks wrapup|complete`: one change of a task's assignment status (+ --reason, --if-match), said in one line. */
export abstract class TaskStatusCommand extends TaskRouterCommand<Task> {
  protected abstract readonly status: 'wrapping' | 'completed';

  async run(): Promise<Task> {
    const {args, flags} = (await this.parse()) as {args: {task: string}; flags: TargetFlags & {workspace?: string; reason?: string; 'if-match'?: string}};
    const {client, ws} = await this.workspace(flags);
    const task = await setTaskStatus(client, ws, args.task, this.status, {reason: flags.reason, ifMatch: flags['if-match']});
    if (!this.render.json) this.render.success(`Task ${task.sid} is ${task.assignment_status}${this.where()}`);
    this.render.record(task, TASK_FIELDS);
    return task;
  }
}

export const taskArg = Args.string({name: 'task', required: true, description: 'Task SID (WT…)'});
export const workerArg = Args.string({name: 'worker', required: true, description: 'Worker SID (WK…) or friendly name'});
export const queueArg = Args.string({name: 'queue', required: true, description: 'TaskQueue SID (WQ…) or friendly name'});
export const workflowArg = Args.string({name: 'workflow', required: true, description: 'Workflow SID (WW…) or friendly name'});
export const reservationArg = Args.string({name: 'reservation', required: true, description: 'Reservation SID (WR…)'});

// ---------------------------------------------------------------------------------------------
// Columns

export const WORKSPACE_COLUMNS: Column<Workspace>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'FRIENDLY NAME'},
  {key: 'default_activity_name', header: 'DEFAULT ACTIVITY'},
  {key: 'multi_task_enabled', header: 'MULTITASK'},
  {key: 'date_created', header: 'CREATED'},
];
export const WORKSPACE_EXTRA: Column<Workspace>[] = [
  {key: 'timeout_activity_name', header: 'TIMEOUT ACTIVITY'},
  {key: 'event_callback_url', header: 'EVENT CALLBACK'},
  {key: 'events_filter', header: 'EVENTS FILTER'},
  {key: 'prioritize_queue_order', header: 'QUEUE ORDER'},
];
export const WORKSPACE_FIELDS: Column<Workspace>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'Friendly name'},
  {key: 'default_activity_name', header: 'Default activity'},
  {key: 'timeout_activity_name', header: 'Timeout activity'},
  {key: 'multi_task_enabled', header: 'Multitasking'},
  {key: 'prioritize_queue_order', header: 'Queue order'},
  {key: 'event_callback_url', header: 'Event callback'},
  {key: 'events_filter', header: 'Events filter'},
  {key: 'date_created', header: 'Created'},
];

export const ACTIVITY_COLUMNS: Column<Activity>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'FRIENDLY NAME'},
  {key: 'available', header: 'AVAILABLE'},
];

export const WORKER_COLUMNS: Column<Worker>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'FRIENDLY NAME'},
  {key: 'activity_name', header: 'ACTIVITY'},
  {key: 'available', header: 'AVAILABLE'},
  {key: 'attributes', header: 'ATTRIBUTES'},
];
export const WORKER_EXTRA: Column<Worker>[] = [
  {key: 'activity_sid', header: 'ACTIVITY SID'},
  {key: 'date_status_changed', header: 'STATUS CHANGED'},
  {key: 'date_created', header: 'CREATED'},
];
export const WORKER_FIELDS: Column<Worker>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'Friendly name'},
  {key: 'activity_name', header: 'Activity'},
  {key: 'available', header: 'Available'},
  {key: 'attributes', header: 'Attributes'},
  {key: 'date_status_changed', header: 'Status changed'},
  {key: 'date_created', header: 'Created'},
];

export const QUEUE_COLUMNS: Column<Queue>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'FRIENDLY NAME'},
  {key: 'target_workers', header: 'TARGET WORKERS'},
  {key: 'task_order', header: 'ORDER'},
  {key: 'max_reserved_workers', header: 'MAX RESERVED'},
];
export const QUEUE_EXTRA: Column<Queue>[] = [
  {key: 'reservation_activity_name', header: 'RESERVATION ACTIVITY'},
  {key: 'assignment_activity_name', header: 'ASSIGNMENT ACTIVITY'},
  {key: 'date_created', header: 'CREATED'},
];
export const QUEUE_FIELDS: Column<Queue>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'Friendly name'},
  {key: 'target_workers', header: 'Target workers'},
  {key: 'task_order', header: 'Task order'},
  {key: 'max_reserved_workers', header: 'Max reserved'},
  {key: 'reservation_activity_name', header: 'Reservation activity'},
  {key: 'assignment_activity_name', header: 'Assignment activity'},
  {key: 'date_created', header: 'Created'},
];

const filterCount = (w: Workflow) => {
  try {
    const c = JSON.parse(w.configuration) as {task_routing?: {filters?: unknown[]}};
    return c.task_routing?.filters?.length ?? 0;
  } catch {
    return '?';
  }
};
export const WORKFLOW_COLUMNS: Column<Workflow>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'FRIENDLY NAME'},
  {key: 'filters', header: 'FILTERS', get: filterCount},
  {key: 'task_reservation_timeout', header: 'RESERVATION TIMEOUT'},
  {key: 'assignment_callback_url', header: 'ASSIGNMENT CALLBACK'},
];
export const WORKFLOW_EXTRA: Column<Workflow>[] = [
  {key: 'configuration', header: 'CONFIGURATION'},
  {key: 'date_created', header: 'CREATED'},
];
export const WORKFLOW_FIELDS: Column<Workflow>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'Friendly name'},
  {key: 'task_reservation_timeout', header: 'Reservation timeout'},
  {key: 'assignment_callback_url', header: 'Assignment callback'},
  {key: 'fallback_assignment_callback_url', header: 'Fallback callback'},
  {key: 'configuration', header: 'Configuration'},
  {key: 'date_created', header: 'Created'},
];

export const TASK_COLUMNS: Column<Task>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'assignment_status', header: 'STATUS'},
  {key: 'priority', header: 'PRIORITY'},
  {key: 'age', header: 'AGE'},
  {key: 'queue', header: 'QUEUE', get: (t) => t.task_queue_friendly_name ?? ''},
  {key: 'channel', header: 'CHANNEL', get: (t) => t.task_channel_unique_name ?? ''},
  {key: 'attributes', header: 'ATTRIBUTES', get: (t) => (t.attributes.length > 50 ? `${t.attributes.slice(0, 49)}…` : t.attributes)},
];
export const TASK_EXTRA: Column<Task>[] = [
  {key: 'workflow', header: 'WORKFLOW', get: (t) => t.workflow_friendly_name ?? ''},
  {key: 'task_queue_sid', header: 'QUEUE SID'},
  {key: 'workflow_sid', header: 'WORKFLOW SID'},
  {key: 'reason', header: 'REASON'},
  {key: 'timeout', header: 'TIMEOUT'},
  {key: 'date_created', header: 'CREATED'},
];
export const TASK_FIELDS: Column<Task>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'assignment_status', header: 'Status'},
  {key: 'priority', header: 'Priority'},
  {key: 'age', header: 'Age (s)'},
  {key: 'queue', header: 'Queue', get: (t) => (t.task_queue_sid ? `${t.task_queue_friendly_name} (${t.task_queue_sid})` : '')},
  {key: 'workflow', header: 'Workflow', get: (t) => (t.workflow_sid ? `${t.workflow_friendly_name} (${t.workflow_sid})` : '')},
  {
    key: 'routing_target',
    header: 'Routed to',
    get: (t) => (t.routing_target ? `${t.routing_target}${t.ignore_capacity === false ? ' (when it has capacity)' : ''}` : ''),
  },
  {key: 'channel', header: 'Channel', get: (t) => t.task_channel_unique_name ?? ''},
  {key: 'attributes', header: 'Attributes'},
  {key: 'reason', header: 'Reason'},
  {key: 'timeout', header: 'Timeout (s)'},
  {key: 'date_created', header: 'Created'},
];

export const RESERVATION_COLUMNS: Column<Reservation>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'reservation_status', header: 'STATUS'},
  {key: 'task_sid', header: 'TASK'},
  {key: 'worker_name', header: 'WORKER'},
  {key: 'date_created', header: 'CREATED'},
];
export const RESERVATION_EXTRA: Column<Reservation>[] = [
  {key: 'worker_sid', header: 'WORKER SID'},
  {key: 'date_updated', header: 'UPDATED'},
];

// ---------------------------------------------------------------------------------------------
// Workflow configuration files

const where = (file: string, line?: number, column?: number) => (line ? `${file}:${line}${column ? `:${column}` : ''}` : file);

/**
 * Read a workflow configuration (JSON, or YAML by its extension or when it does not start like
 * JSON) and check its shape: `task_routing` with `filters` (each with `targets`, each with a
 * `queue`, optional `expression`, `priority`, `timeout`…) and an optional `default_filter`. A
 * fault is a usage error naming the file, line and column where known, and the path of the value.
 */
export async function readWorkflowConfig(file: string): Promise<{task_routing: Record<string, unknown>}> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`Cannot read --config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const yamlFile = /\.ya?ml$/i.test(file) || (!/\.json$/i.test(file) && !/^\s*[{[]/.test(text));
  if (!yamlFile) {
    const bad = findJsonSyntaxError(text);
    if (bad) throw usageError(`${where(file, bad.line, bad.column)}: not valid JSON: ${bad.reason}`, ['a workflow configuration is {"task_routing": {"filters": [...], "default_filter": {"queue": "..."}}}']);
  }
  const {LineCounter, parseDocument} = await import('yaml');
  const lc = new LineCounter();
  const doc = parseDocument(text, {lineCounter: lc, prettyErrors: false});
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw usageError(`${where(file, pos?.line, pos?.col)}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const value = doc.toJS() as unknown;
  const at = (path: (string | number)[]) => {
    // the value's own position, else (a missing key) its parent's
    let node: {range?: [number, number]} | undefined;
    for (let n = path.length; n >= 0 && !node?.range; n--) node = (n ? doc.getIn(path.slice(0, n), true) : doc.contents) as typeof node;
    const pos = node?.range ? lc.linePos(node.range[0]) : undefined;
    return where(file, pos?.line, pos?.col);
  };
  const fault = (path: (string | number)[], what: string): never => {
    const name = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('') || 'the top level';
    throw usageError(`${at(path)}: ${name} ${what}`, ['a workflow configuration is {"task_routing": {"filters": [{"filter_friendly_name": "...", "expression": "...", "targets": [{"queue": "WQ… or a queue name"}]}], "default_filter": {"queue": "..."}}}']);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(value)) fault([], 'must be an object with task_routing');
  const root = value as Record<string, unknown>;
  if (!isObj(root.task_routing)) fault(['task_routing'], root.task_routing === undefined ? 'is missing' : 'must be an object');
  const tr = root.task_routing as Record<string, unknown>;
  const known = new Set(['filters', 'default_filter']);
  for (const k of Object.keys(tr)) if (!known.has(k)) fault(['task_routing', k], 'is not a task_routing key (filters, default_filter)');
  if (tr.filters === undefined && tr.default_filter === undefined) fault(['task_routing'], 'needs filters or a default_filter');
  const target = (path: (string | number)[], t: unknown, first: boolean) => {
    if (!isObj(t)) fault(path, 'must be an object');
    const o = t as Record<string, unknown>;
    if (first && o.queue === undefined) fault([...path, 'queue'], 'is missing (the first target of a filter names its queue)');
    if (o.queue !== undefined && (typeof o.queue !== 'string' || o.queue === '')) fault([...path, 'queue'], 'must be a queue SID (WQ…) or name');
    for (const k of ['expression', 'order_by', 'skip_if', 'known_worker_sid', 'known_worker_friendly_name'])
      if (o[k] !== undefined && typeof o[k] !== 'string') fault([...path, k], 'must be a string');
    for (const k of ['priority', 'timeout'])
      if (o[k] !== undefined && (typeof o[k] !== 'number' || !Number.isInteger(o[k]) || (o[k] as number) < 0)) fault([...path, k], 'must be a whole number ≥ 0');
  };
  if (tr.filters !== undefined) {
    if (!Array.isArray(tr.filters)) fault(['task_routing', 'filters'], 'must be a list');
    (tr.filters as unknown[]).forEach((f, i) => {
      const p = ['task_routing', 'filters', i];
      if (!isObj(f)) fault(p, 'must be an object');
      const o = f as Record<string, unknown>;
      if (o.expression !== undefined && typeof o.expression !== 'string') fault([...p, 'expression'], 'must be a string');
      if (!Array.isArray(o.targets) || o.targets.length === 0) fault([...p, 'targets'], o.targets === undefined ? 'is missing' : 'must be a non-empty list');
      (o.targets as unknown[]).forEach((t, j) => target([...p, 'targets', j], t, j === 0));
    });
  }
  if (tr.default_filter !== undefined) target(['task_routing', 'default_filter'], tr.default_filter, true);
  return root as {task_routing: Record<string, unknown>};
}
