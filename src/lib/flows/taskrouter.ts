/**
 * TaskRouter v1 (`taskrouter.twilio.com/v1/Workspaces`, SIDs WS/WA/WK/WQ/WW/WT/WR): workspaces,
 * activities, workers, queues, workflows, tasks, reservations and the realtime statistics — the
 * agent's side without a Flex UI. Works the same against Twilio and the emulator. Takes a bound
 * SDK client and plain options; never reads flags, env or files. Every function returns the
 * resource in the REST API's wire shape (snake_case). Where users think in names (an activity,
 * a queue, a workflow, a worker, the workspace) a name resolves to its SID here.
 */
import {collect, isSid, wire, type Listed, type PageOptions} from '../cli/index.js';
import {FlexconvError, isTwilioError, toFlexconvError, usageError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';
import {given} from './conversations.js';

/** The spec's PageSize maximum (every TaskRouter list). */
export const MAX_PAGE = 1000;
export const TASK_STATUSES = ['pending', 'reserved', 'assigned', 'wrapping', 'completed', 'canceled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const RESERVATION_STATUSES = ['pending', 'accepted', 'rejected', 'timeout', 'canceled', 'rescinded', 'wrapping', 'completed'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

type Doc = Record<string, unknown>;
export interface Workspace extends Doc {
  sid: string;
  friendly_name: string;
  default_activity_sid: string;
  default_activity_name: string;
  timeout_activity_sid: string;
  timeout_activity_name: string;
  event_callback_url: string | null;
  events_filter: string | null;
  multi_task_enabled: boolean;
  prioritize_queue_order: string;
  date_created: string | null;
}
export interface Activity extends Doc {
  sid: string;
  friendly_name: string;
  available: boolean;
  workspace_sid: string;
}
export interface Worker extends Doc {
  sid: string;
  friendly_name: string;
  activity_sid: string;
  activity_name: string;
  available: boolean;
  attributes: string;
  workspace_sid: string;
  date_status_changed: string | null;
  date_created: string | null;
}
export interface Queue extends Doc {
  sid: string;
  friendly_name: string;
  target_workers: string;
  max_reserved_workers: number;
  task_order: string;
  reservation_activity_sid: string | null;
  assignment_activity_sid: string | null;
  workspace_sid: string;
}
export interface Workflow extends Doc {
  sid: string;
  friendly_name: string;
  configuration: string;
  task_reservation_timeout: number;
  assignment_callback_url: string | null;
  fallback_assignment_callback_url: string | null;
  workspace_sid: string;
}
export interface Task extends Doc {
  sid: string;
  assignment_status: TaskStatus;
  attributes: string;
  priority: number;
  age: number;
  timeout: number;
  reason: string | null;
  task_queue_sid: string | null;
  task_queue_friendly_name: string | null;
  workflow_sid: string | null;
  workflow_friendly_name: string | null;
  task_channel_unique_name: string | null;
  /** RoutingTarget: the worker, queue or workflow it was routed to directly (null: through its workflow). */
  routing_target?: string | null;
  /** With a worker target: whether the worker gets it whatever their capacity. */
  ignore_capacity?: boolean | null;
  workspace_sid: string;
  date_created: string | null;
}
export interface Reservation extends Doc {
  sid: string;
  reservation_status: ReservationStatus;
  task_sid: string;
  worker_sid: string;
  worker_name: string;
  workspace_sid: string;
  date_created: string | null;
  date_updated: string | null;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** A Twilio 404 as NOT_FOUND naming what was looked up, with the list command as the hint; a stale If-Match as VERSION_MISMATCH. */
function rethrow(error: unknown, what: string, hint: string): never {
  if (isTwilioError(error)) {
    const e = toFlexconvError(error);
    if (error.status === 404) throw new FlexconvError('NOT_FOUND', `No ${what}`, {twilio: e.twilio, hints: [hint], cause: error});
    if (error.code === 20412 || error.status === 412)
      throw new FlexconvError('VERSION_MISMATCH', `${what[0].toUpperCase()}${what.slice(1)} changed since the version given with --if-match: ${e.message}`, {
        twilio: e.twilio,
        hints: ['read the current version (the ETag) again and retry, or leave out --if-match'],
        cause: error,
      });
  }
  throw error;
}

async function guard<T>(what: string, hint: string, act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (error) {
    return rethrow(error, what, hint);
  }
}

/** A JSON text given in a flag that must be a JSON object (attributes): usage error otherwise. */
export function jsonObject(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw usageError(`${flag} is not valid JSON: ${(error as Error).message}`, [`for example ${flag} '{"skills":["support"]}'`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw usageError(`${flag} must be a JSON object, not ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}`, [`for example ${flag} '{"skills":["support"]}'`]);
  return value;
}

const names = (items: {friendly_name: string; sid: string}[], max = 10) =>
  items.length ? items.slice(0, max).map((i) => `${i.friendly_name} (${i.sid})`).join(', ') + (items.length > max ? ', …' : '') : '(none)';

/**
 * A SID with `prefix`, or a friendly name resolved through `list` (exact match first, then one
 * case-insensitive match). Unknown or ambiguous names are NOT_FOUND / USAGE naming what exists.
 */
async function bySidOrName<T extends {sid: string; friendly_name: string}>(
  key: string,
  prefix: string,
  what: string,
  listCmd: string,
  byName: (name: string) => Promise<T[]>,
  all: () => Promise<T[]>,
): Promise<string> {
  if (key.trim() === '') throw usageError(`the ${what} must not be empty`);
  if (isSid(prefix, key)) return key;
  if (new RegExp(`^${prefix}[0-9a-fA-F]*$`).test(key)) throw usageError(`"${key}" is not a ${what} SID (${prefix} + 32 hex characters) nor, by its look, a name`);
  const exact = await byName(key);
  if (exact.length === 1) return exact[0].sid;
  if (exact.length > 1) throw usageError(`${exact.length} ${what}s are named "${key}": ${names(exact)}`, [`give the SID instead`]);
  const every = await all();
  const loose = every.filter((x) => x.friendly_name.toLowerCase() === key.toLowerCase());
  if (loose.length === 1) return loose[0].sid;
  throw new FlexconvError('NOT_FOUND', `No ${what} is named "${key}"; there are: ${names(every)}`, {hints: [`list them with \`${listCmd}\``]});
}

const all = async <I, T>(first: (pageSize: number) => Promise<import('../cli/index.js').SdkPage<I>>): Promise<T[]> =>
  (await collect(first, {max: MAX_PAGE}, (i) => wire<T>(i as object))).items;

// ---------------------------------------------------------------------------------------------
// Workspaces

export async function listWorkspaces(client: TwilioClient, opts: PageOptions & {friendlyName?: string} = {}): Promise<Listed<Workspace>> {
  const list = client.taskrouter.v1.workspaces;
  return collect((pageSize) => list.page(given({friendlyName: opts.friendlyName, pageSize})), {...opts, max: MAX_PAGE}, (i) => wire<Workspace>(i));
}

export async function getWorkspace(client: TwilioClient, sid: string): Promise<Workspace> {
  return guard(`workspace ${sid}`, 'list them with `flexconv workspaces list`', async () => wire(await client.taskrouter.v1.workspaces(sid).fetch()));
}

export interface WorkspaceInput {
  friendlyName: string;
  eventCallbackUrl?: string;
  eventsFilter?: string;
  multiTaskEnabled?: boolean;
  template?: 'FIFO' | 'NONE';
  prioritizeQueueOrder?: 'FIFO' | 'LIFO';
}

export async function createWorkspace(client: TwilioClient, input: WorkspaceInput): Promise<Workspace> {
  if (input.eventCallbackUrl && !/^https?:\/\/\S+$/i.test(input.eventCallbackUrl)) throw usageError(`--event-callback-url "${input.eventCallbackUrl}" is not an absolute http(s) URL`);
  return wire(await client.taskrouter.v1.workspaces.create(given({...input})));
}

/**
 * The workspace a command works in: `key` (a WS SID or a friendly name) when given, else the
 * project config's `workspace`, else the only one there is. None, or several and none named: a
 * usage error that lists them and says how to pick one.
 */
export async function resolveWorkspace(client: TwilioClient, key: string | undefined, fromConfig?: string): Promise<string> {
  const given = key ?? fromConfig;
  if (given !== undefined)
    return bySidOrName(given, 'WS', 'workspace', 'flexconv workspaces list', async (n) => (await listWorkspaces(client, {friendlyName: n, limit: 20})).items, async () => (await listWorkspaces(client, {limit: 100})).items);
  const {items, more} = await listWorkspaces(client, {limit: 20});
  if (items.length === 1) return items[0].sid;
  if (items.length === 0) throw usageError('There is no TaskRouter workspace yet', ['create one with `flexconv workspaces create --friendly-name "Flex Task Assignment"`']);
  throw usageError(`${more ? 'More than 20' : items.length} workspaces exist and none is named: ${names(items)}`, [
    `pick one with --workspace "${items[0].friendly_name}" (or its SID)`,
    'or set `workspace` in the project config (flexconv.config.yaml)',
  ]);
}

// ---------------------------------------------------------------------------------------------
// Activities

export async function listActivities(client: TwilioClient, ws: string, opts: PageOptions & {available?: boolean} = {}): Promise<Listed<Activity>> {
  const list = client.taskrouter.v1.workspaces(ws).activities;
  return guard(`workspace ${ws}`, 'list them with `flexconv workspaces list`', () => collect((pageSize) => list.page(given({available: opts.available === undefined ? undefined : String(opts.available), pageSize})), {...opts, max: MAX_PAGE}, (i) => wire<Activity>(i)));
}

/** An activity SID from a WA SID or its name (`Available`, `offline`: case does not matter when unambiguous). */
export async function activitySid(client: TwilioClient, ws: string, key: string): Promise<string> {
  const list = client.taskrouter.v1.workspaces(ws).activities;
  return bySidOrName(key, 'WA', 'activity', 'flexconv activities list', async (n) => all<unknown, Activity>((pageSize) => list.page({friendlyName: n, pageSize})), async () => all<unknown, Activity>((pageSize) => list.page({pageSize})));
}

// ---------------------------------------------------------------------------------------------
// Workers

export interface ListWorkersOptions extends PageOptions {
  activity?: string;
  available?: boolean;
  friendlyName?: string;
  queue?: string;
  targetWorkersExpression?: string;
}

export async function listWorkers(client: TwilioClient, ws: string, opts: ListWorkersOptions = {}): Promise<Listed<Worker>> {
  const list = client.taskrouter.v1.workspaces(ws).workers;
  const activity = opts.activity === undefined ? undefined : await activitySid(client, ws, opts.activity);
  const queue = opts.queue === undefined ? undefined : await queueSid(client, ws, opts.queue);
  return guard(`workspace ${ws}`, 'list them with `flexconv workspaces list`', () => collect(
    (pageSize) =>
      list.page(given({activitySid: activity, available: opts.available === undefined ? undefined : String(opts.available), friendlyName: opts.friendlyName, taskQueueSid: queue, targetWorkersExpression: opts.targetWorkersExpression, pageSize})),
    {...opts, max: MAX_PAGE},
    (i) => wire<Worker>(i),
  ));
}

export async function workerSid(client: TwilioClient, ws: string, key: string): Promise<string> {
  const list = client.taskrouter.v1.workspaces(ws).workers;
  return bySidOrName(key, 'WK', 'worker', 'flexconv workers list', async (n) => all<unknown, Worker>((pageSize) => list.page({friendlyName: n, pageSize})), async () => (await listWorkers(client, ws, {limit: 200})).items);
}

export async function getWorker(client: TwilioClient, ws: string, key: string): Promise<Worker> {
  const sid = await workerSid(client, ws, key);
  return guard(`worker ${sid}`, 'list them with `flexconv workers list`', async () => wire(await client.taskrouter.v1.workspaces(ws).workers(sid).fetch()));
}

export interface WorkerInput {
  friendlyName?: string;
  /** A WA SID or an activity name. */
  activity?: string;
  attributes?: string;
  rejectPendingReservations?: boolean;
  ifMatch?: string;
}

async function workerParams(client: TwilioClient, ws: string, i: WorkerInput) {
  return given({
    friendlyName: i.friendlyName,
    activitySid: i.activity === undefined ? undefined : await activitySid(client, ws, i.activity),
    attributes: jsonObject('--attributes', i.attributes),
    rejectPendingReservations: i.rejectPendingReservations,
    ifMatch: i.ifMatch,
  });
}

export async function createWorker(client: TwilioClient, ws: string, input: WorkerInput & {friendlyName: string}): Promise<Worker> {
  const params = await workerParams(client, ws, input);
  return guard(`workspace ${ws}`, 'list them with `flexconv workspaces list`', async () => wire(await client.taskrouter.v1.workspaces(ws).workers.create(params as typeof params & {friendlyName: string})));
}

export async function updateWorker(client: TwilioClient, ws: string, key: string, input: WorkerInput): Promise<Worker> {
  const sid = await workerSid(client, ws, key);
  const params = await workerParams(client, ws, input);
  if (!Object.keys(params).some((k) => k !== 'ifMatch' && k !== 'rejectPendingReservations'))
    throw usageError('Nothing to update: give at least one of --friendly-name, --activity, --attributes');
  return guard(`worker ${sid}`, 'list them with `flexconv workers list`', async () => wire(await client.taskrouter.v1.workspaces(ws).workers(sid).update(params)));
}

// ---------------------------------------------------------------------------------------------
// Queues

export async function listQueues(client: TwilioClient, ws: string, opts: PageOptions & {friendlyName?: string; worker?: string} = {}): Promise<Listed<Queue>> {
  const list = client.taskrouter.v1.workspaces(ws).taskQueues;
  const worker = opts.worker === undefined ? undefined : await workerSid(client, ws, opts.worker);
  return guard(`workspace ${ws}`, 'list them with `flexconv workspaces list`', () => collect((pageSize) => list.page(given({friendlyName: opts.friendlyName, workerSid: worker, pageSize})), {...opts, max: MAX_PAGE}, (i) => wire<Queue>(i)));
}

export async function queueSid(client: TwilioClient, ws: string, key: string): Promise<string> {
  const list = client.taskrouter.v1.workspaces(ws).taskQueues;
  return bySidOrName(key, 'WQ', 'queue', 'flexconv queues list', async (n) => all<unknown, Queue>((pageSize) => list.page({friendlyName: n, pageSize})), async () => all<unknown, Queue>((pageSize) => list.page({pageSize})));
}

export async function getQueue(client: TwilioClient, ws: string, key: string): Promise<Queue> {
  const sid = await queueSid(client, ws, key);
  return guard(`queue ${sid}`, 'list them with `flexconv queues list`', async () => wire(await client.taskrouter.v1.workspaces(ws).taskQueues(sid).fetch()));
}

export interface QueueInput {
  friendlyName?: string;
  targetWorkers?: string;
  maxReservedWorkers?: number;
  taskOrder?: 'FIFO' | 'LIFO';
  /** WA SIDs or activity names. */
  reservationActivity?: string;
  assignmentActivity?: string;
}

async function queueParams(client: TwilioClient, ws: string, i: QueueInput) {
  return given({
    friendlyName: i.friendlyName,
    targetWorkers: i.targetWorkers,
    maxReservedWorkers: i.maxReservedWorkers,
    taskOrder: i.taskOrder,
    reservationActivitySid: i.reservationActivity === undefined ? undefined : await activitySid(client, ws, i.reservationActivity),
    assignmentActivitySid: i.assignmentActivity === undefined ? undefined : await activitySid(client, ws, i.assignmentActivity),
  });
}

export async function createQueue(client: TwilioClient, ws: string, input: QueueInput & {friendlyName: string}): Promise<Queue> {
  const params = await queueParams(client, ws, input);
  return guard(`workspace ${ws}`, 'list them with `flexconv workspaces list`', async () => wire(await client.taskrouter.v1.workspaces(ws).taskQueues.create(params as typeof params & {friendlyName: string})));
}

export async function updateQueue(client: TwilioClient, ws: string, key: string, input: QueueInput): Promise<Queue> {
  const sid = await queueSid(client, ws, key);
  const params = await queueParams(client, ws, input);
  if (!Object.keys(params).length) throw usageError('Nothing to update: give at least one of --friendly-name, --target-workers, --max-reserved-workers, --task-order, --reservation-activity, --assignment-activity');
  return guard(`queue ${sid}`, 'list them with `flexconv queues list`', async () => wire(await client.taskrouter.v1.workspaces(ws).taskQueues(sid).update(params)));
}

// ---------------------------------------------------------------------------------------------
// Workflows

export async function listWorkflows(client: TwilioClient, ws: string, opts: PageOptions & {friendlyName?: string} = {}): Promise<Listed<Workflow>> {
  const list = client.taskrouter.v1.workspaces(ws).workflows;
  return guard(`workspace ${ws}`, 'list them with `flexconv workspaces list`', () => collect((pageSize) => list.page(given({friendlyName: opts.friendlyName, pageSize})), {...opts, max: MAX_PAGE}, (i) => wire<Workflow>(i)));
}

export async function workflowSid(client: TwilioClient, ws: string, key: string): Promise<string> {
  const list = client.taskrouter.v1.workspaces(ws).workflows;
  return bySidOrName(key, 'WW', 'workflow', 'flexconv workflows list', async (n) => all<unknown, Workflow>((pageSize) => list.page({friendlyName: n, pageSize})), async () => all<unknown, Workflow>((pageSize) => list.page({pageSize})));
}

export async function getWorkflow(client: TwilioClient, ws: string, key: string): Promise<Workflow> {
  const sid = await workflowSid(client, ws, key);
  return guard(`workflow ${sid}`, 'list them with `flexconv workflows list`', async () => wire(await client.taskrouter.v1.workspaces(ws).workflows(sid).fetch()));
}

export interface WorkflowInput {
  friendlyName?: string;
  /** The parsed configuration ({task_routing: …}); queue names in targets are resolved to SIDs. */
  configuration?: {task_routing: Record<string, unknown>};
  assignmentCallbackUrl?: string;
  fallbackAssignmentCallbackUrl?: string;
  taskReservationTimeout?: number;
  reEvaluateTasks?: boolean;
}

/** The configuration with every target's and the default filter's `queue` name replaced by its WQ SID. */
export async function resolveQueueNames(client: TwilioClient, ws: string, config: {task_routing: Record<string, unknown>}): Promise<{task_routing: Record<string, unknown>}> {
  const copy = structuredClone(config);
  const tr = copy.task_routing as {filters?: {targets?: {queue?: unknown}[]}[]; default_filter?: {queue?: unknown}};
  const slots = [...(tr.filters ?? []).flatMap((f) => f.targets ?? []), ...(tr.default_filter ? [tr.default_filter] : [])];
  const cache = new Map<string, string>();
  for (const s of slots) {
    if (typeof s.queue !== 'string' || isSid('WQ', s.queue)) continue;
    if (!cache.has(s.queue)) cache.set(s.queue, await queueSid(client, ws, s.queue));
    s.queue = cache.get(s.queue);
  }
  return copy;
}

async function workflowParams(client: TwilioClient, ws: string, i: WorkflowInput) {
  for (const [flag, url] of [['--assignment-callback-url', i.assignmentCallbackUrl], ['--fallback-assignment-callback-url', i.fallbackAssignmentCallbackUrl]] as const)
    if (url && !/^https?:\/\/\S+$/i.test(url)) throw usageError(`${flag} "${url}" is not an absolute http(s) URL ("" clears it)`);
  return given({
    friendlyName: i.friendlyName,
    configuration: i.configuration === undefined ? undefined : JSON.stringify(await resolveQueueNames(client, ws, i.configuration)),
    assignmentCallbackUrl: i.assignmentCallbackUrl,
    fallbackAssignmentCallbackUrl: i.fallbackAssignmentCallbackUrl,
    taskReservationTimeout: i.taskReservationTimeout,
    reEvaluateTasks: i.reEvaluateTasks === undefined ? undefined : String(i.reEvaluateTasks),
  });
}

export async function createWorkflow(client: TwilioClient, ws: string, input: WorkflowInput & {friendlyName: string; configuration: {task_routing: Record<string, unknown>}}): Promise<Workflow> {
  const params = await workflowParams(client, ws, input);
  return guard(`workspace ${ws}`, 'list them with `flexconv workspaces list`', async () => wire(await client.taskrouter.v1.workspaces(ws).workflows.create(params as typeof params & {friendlyName: string; configuration: string})));
}

export async function updateWorkflow(client: TwilioClient, ws: string, key: string, input: WorkflowInput): Promise<Workflow> {
  const sid = await workflowSid(client, ws, key);
  const params = await workflowParams(client, ws, input);
  if (!Object.keys(params).some((k) => k !== 'reEvaluateTasks'))
    throw usageError('Nothing to update: give at least one of --friendly-name, --config, --assignment-callback-url, --fallback-assignment-callback-url, --task-reservation-timeout');
  return guard(`workflow ${sid}`, 'list them with `flexconv workflows list`', async () => wire(await client.taskrouter.v1.workspaces(ws).workflows(sid).update(params)));
}

// ---------------------------------------------------------------------------------------------
// Tasks

export interface ListTasksOptions extends PageOptions {
  statuses?: TaskStatus[];
  /** WW SID or name. */
  workflow?: string;
  /** WQ SID or name. */
  queue?: string;
  evaluateTaskAttributes?: string;
  ordering?: string;
}

export async function listTasks(client: TwilioClient, ws: string, opts: ListTasksOptions = {}): Promise<Listed<Task>> {
  const list = client.taskrouter.v1.workspaces(ws).tasks;
  const workflow = opts.workflow === undefined ? undefined : await workflowSid(client, ws, opts.workflow);
  const queue = opts.queue === undefined ? undefined : await queueSid(client, ws, opts.queue);
  return guard(`workspace ${ws}`, 'list them with `flexconv workspaces list`', () => collect(
    (pageSize) =>
      list.page(
        given({
          assignmentStatus: opts.statuses?.length ? opts.statuses : undefined,
          workflowSid: workflow,
          taskQueueSid: queue,
          evaluateTaskAttributes: opts.evaluateTaskAttributes,
          ordering: opts.ordering,
          pageSize,
        }),
      ),
    {...opts, max: MAX_PAGE},
    (i) => wire<Task>(i),
  ));
}

const taskKey = (sid: string) => {
  if (!isSid('WT', sid)) throw usageError(`"${sid}" is not a Task SID (WT + 32 hex characters)`, ['list them with `flexconv tasks list`']);
  return sid;
};

export async function getTask(client: TwilioClient, ws: string, sid: string): Promise<Task> {
  return guard(`task ${sid}`, 'list them with `flexconv tasks list`', async () => wire(await client.taskrouter.v1.workspaces(ws).tasks(taskKey(sid)).fetch()));
}

export interface TaskInput {
  attributes?: string;
  /** WW SID or name; optional when the workspace has one workflow. */
  workflow?: string;
  priority?: number;
  timeout?: number;
  channel?: string;
  /** Route straight to this worker (WK… SID or name): RoutingTarget, no workflow. */
  worker?: string;
  /** Route straight into this queue (WQ… SID or name): RoutingTarget, no workflow. */
  queue?: string;
  /** With `worker`: wait until the worker is available with capacity (IgnoreCapacity=false). */
  respectCapacity?: boolean;
}

export async function createTask(client: TwilioClient, ws: string, input: TaskInput): Promise<Task> {
  if (input.worker !== undefined && input.queue !== undefined) throw usageError('Give --worker or --queue, not both: a task is routed to one target');
  if (input.respectCapacity && input.worker === undefined) throw usageError('--respect-capacity only applies with --worker (a task routed to one worker)');
  const attributes = jsonObject('--attributes', input.attributes);
  const target = input.worker !== undefined ? await workerSid(client, ws, input.worker) : input.queue !== undefined ? await queueSid(client, ws, input.queue) : undefined;
  const params = given({
    attributes,
    workflowSid: input.workflow === undefined ? undefined : await workflowSid(client, ws, input.workflow),
    priority: input.priority,
    timeout: input.timeout,
    taskChannel: input.channel,
    routingTarget: target,
    ignoreCapacity: input.respectCapacity ? 'false' : undefined,
  });
  return guard(`workspace ${ws}`, 'list them with `flexconv workspaces list`', async () => wire(await client.taskrouter.v1.workspaces(ws).tasks.create(params)));
}

/** Cancel, wrap up or complete a task: AssignmentStatus (+ Reason, If-Match). */
export async function setTaskStatus(client: TwilioClient, ws: string, sid: string, status: 'canceled' | 'wrapping' | 'completed', opts: {reason?: string; ifMatch?: string} = {}): Promise<Task> {
  return guard(`task ${sid}`, 'list them with `flexconv tasks list`', async () =>
    wire(await client.taskrouter.v1.workspaces(ws).tasks(taskKey(sid)).update(given({assignmentStatus: status, reason: opts.reason, ifMatch: opts.ifMatch}))),
  );
}

// ---------------------------------------------------------------------------------------------
// Reservations

export async function listReservations(
  client: TwilioClient,
  ws: string,
  by: {worker?: string; task?: string; status?: ReservationStatus},
  opts: PageOptions = {},
): Promise<Listed<Reservation>> {
  const w = client.taskrouter.v1.workspaces(ws);
  if (by.task !== undefined) {
    const task = taskKey(by.task);
    const worker = by.worker === undefined ? undefined : await workerSid(client, ws, by.worker);
    const list = w.tasks(task).reservations;
    return guard(`task ${task}`, 'list them with `flexconv tasks list`', () =>
      collect((pageSize) => list.page(given({reservationStatus: by.status, workerSid: worker, pageSize})), {...opts, max: MAX_PAGE}, (i) => wire<Reservation>(i)),
    );
  }
  if (by.worker === undefined) return workspaceReservations(client, ws, by.status, opts);
  const worker = await workerSid(client, ws, by.worker);
  const list = w.workers(worker).reservations;
  return guard(`worker ${worker}`, 'list them with `flexconv workers list`', () =>
    collect((pageSize) => list.page(given({reservationStatus: by.status, pageSize})), {...opts, max: MAX_PAGE}, (i) => wire<Reservation>(i)),
  );
}

/** Worker reservation lists fetched at once when listing a whole workspace's. */
export const RESERVATION_FANOUT = 4;

/**
 * Every reservation of the workspace: TaskRouter has no workspace-wide reservation list, so each
 * worker's is read (RESERVATION_FANOUT at a time), each at most `limit` long, merged oldest first.
 */
async function workspaceReservations(client: TwilioClient, ws: string, status: ReservationStatus | undefined, opts: PageOptions): Promise<Listed<Reservation>> {
  const workers = (await listWorkers(client, ws, {limit: undefined})).items;
  const w = client.taskrouter.v1.workspaces(ws);
  const lists = await mapLimit(workers, RESERVATION_FANOUT, (worker) =>
    guard(`worker ${worker.sid}`, 'list them with `flexconv workers list`', () =>
      collect((pageSize) => w.workers(worker.sid).reservations.page(given({reservationStatus: status, pageSize})), {...opts, max: MAX_PAGE}, (i) => wire<Reservation>(i)),
    ),
  );
  // oldest first; within one second, in the workers' order (the sort is stable)
  const all = lists.flatMap((l) => l.items).sort((a, b) => (a.date_created ?? '').localeCompare(b.date_created ?? ''));
  const limit = opts.limit;
  const more = lists.some((l) => l.more) || (limit !== undefined && all.length > limit);
  return {items: limit === undefined ? all : all.slice(0, limit), more};
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
async function mapLimit<I, O>(items: I[], limit: number, fn: (item: I) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
  return out;
}

/** The task a reservation belongs to, when only the WR SID is known: searched among the live tasks. */
async function reservationTask(client: TwilioClient, ws: string, sid: string): Promise<string> {
  const {items} = await listTasks(client, ws, {statuses: ['reserved', 'assigned', 'wrapping'], limit: 1000});
  for (const t of items) {
    const r = await client.taskrouter.v1.workspaces(ws).tasks(t.sid).reservations(sid).fetch().catch(() => undefined);
    if (r) return t.sid;
  }
  throw new FlexconvError('NOT_FOUND', `No reservation ${sid} among the workspace's live tasks`, {
    hints: ['give --task WT… or --worker NAME; find it with `flexconv reservations list --worker NAME`'],
  });
}

export interface ReservationChange {
  status: 'accepted' | 'rejected' | 'wrapping' | 'completed';
  /** WA SID or name: the worker's activity after a reject. */
  activity?: string;
  ifMatch?: string;
}

/** Accept, reject or complete a reservation (through its task's or its worker's path). */
export async function updateReservation(client: TwilioClient, ws: string, sid: string, at: {task?: string; worker?: string}, change: ReservationChange): Promise<Reservation> {
  if (!isSid('WR', sid)) throw usageError(`"${sid}" is not a Reservation SID (WR + 32 hex characters)`, ['find it with `flexconv reservations list --worker NAME`']);
  const params = given({
    reservationStatus: change.status,
    workerActivitySid: change.activity === undefined ? undefined : await activitySid(client, ws, change.activity),
    ifMatch: change.ifMatch,
  });
  const w = client.taskrouter.v1.workspaces(ws);
  if (at.task === undefined && at.worker !== undefined) {
    const worker = await workerSid(client, ws, at.worker);
    return guard(`reservation ${sid} of worker ${worker}`, `list them with \`flexconv reservations list --worker ${at.worker}\``, async () => wire(await w.workers(worker).reservations(sid).update(params)));
  }
  const task = at.task === undefined ? await reservationTask(client, ws, sid) : taskKey(at.task);
  return guard(`reservation ${sid} of task ${task}`, `list them with \`flexconv reservations list --task ${task}\``, async () => wire(await w.tasks(task).reservations(sid).update(params)));
}

// ---------------------------------------------------------------------------------------------
// Statistics

export interface StatsView {
  workspace_sid: string;
  workspace_name: string;
  /** Set for a queue's view. */
  task_queue_sid?: string;
  task_queue_name?: string;
  /** The RealTimeStatistics resource as the API returned it. */
  realtime: Record<string, unknown>;
  /** The CumulativeStatistics resource of the window (--minutes; the API's default window otherwise). */
  cumulative: Record<string, unknown>;
  /** Workspace view only: each queue's realtime statistics. */
  queues?: {sid: string; friendly_name: string; realtime: Record<string, unknown>}[];
}

/** The realtime (and cumulative) statistics of a workspace, with each queue's, or of one queue. */
export async function stats(client: TwilioClient, ws: string, opts: {queue?: string; channel?: string; minutes?: number} = {}): Promise<StatsView> {
  const w = client.taskrouter.v1.workspaces(ws);
  const workspace = await getWorkspace(client, ws);
  const rt = given({taskChannel: opts.channel});
  const cu = given({taskChannel: opts.channel, minutes: opts.minutes});
  if (opts.queue !== undefined) {
    const queue = await getQueue(client, ws, opts.queue);
    const realtime = wire(await w.taskQueues(queue.sid).realTimeStatistics().fetch(rt));
    const cumulative = wire(await w.taskQueues(queue.sid).cumulativeStatistics().fetch(cu));
    return {workspace_sid: ws, workspace_name: workspace.friendly_name, task_queue_sid: queue.sid, task_queue_name: queue.friendly_name, realtime, cumulative};
  }
  const realtime = wire(await w.realTimeStatistics().fetch(rt));
  const cumulative = wire(await w.cumulativeStatistics().fetch(cu));
  const queues = await listQueues(client, ws, {limit: 100});
  const per = [];
  for (const queue of queues.items) per.push({sid: queue.sid, friendly_name: queue.friendly_name, realtime: wire(await w.taskQueues(queue.sid).realTimeStatistics().fetch(rt))});
  return {workspace_sid: ws, workspace_name: workspace.friendly_name, realtime, cumulative, queues: per};
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const age = (s: number) => (s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`);

/** The view as text, readable at a glance: tasks by status, workers by activity, the longest wait, offers accepted/rejected/timed out, and one row per queue. */
export function statsText(v: StatsView, now = new Date()): string[] {
  const r = v.realtime as {tasks_by_status?: Record<string, number>; total_tasks?: number; longest_task_waiting_age?: number; longest_task_waiting_sid?: string | null; activity_statistics?: {friendly_name: string; workers: number}[]; total_workers?: number; total_available_workers?: number; total_eligible_workers?: number};
  const c = v.cumulative as Record<string, unknown>;
  const byStatus = r.tasks_by_status ?? {};
  const title = v.task_queue_sid ? `Queue ${v.task_queue_name} (${v.task_queue_sid}) in ${v.workspace_name}` : `Workspace ${v.workspace_name} (${v.workspace_sid})`;
  const acts = (r.activity_statistics ?? []).map((a) => `${a.friendly_name} ${a.workers}`).join(' · ');
  const workers = v.task_queue_sid ? `${num(r.total_available_workers)} available of ${num(r.total_eligible_workers)}` : `${num(r.total_workers)}`;
  const lines = [
    `${title}  ${now.toISOString().slice(11, 19)}`,
    `Tasks         pending ${num(byStatus.pending)} · reserved ${num(byStatus.reserved)} · assigned ${num(byStatus.assigned)} · wrapping ${num(byStatus.wrapping)}  (total ${num(r.total_tasks)})`,
    `Longest wait  ${r.longest_task_waiting_sid ? `${age(num(r.longest_task_waiting_age))} (${r.longest_task_waiting_sid})` : '-'}`,
    `Workers       ${workers}${acts ? `: ${acts}` : ''}`,
    `Reservations  accepted ${num(c.reservations_accepted)} · rejected ${num(c.reservations_rejected)} · timed out ${num(c.reservations_timed_out)} · canceled ${num(c.reservations_canceled)}`,
    `Tasks done    completed ${num(c.tasks_completed)} · canceled ${num(c.tasks_canceled)}${c.tasks_created !== undefined ? ` · created ${num(c.tasks_created)}` : c.tasks_entered !== undefined ? ` · entered ${num(c.tasks_entered)}` : ''}`,
  ];
  if (v.queues?.length) {
    const rows = v.queues.map((q) => {
      const s = (q.realtime.tasks_by_status ?? {}) as Record<string, number>;
      return [q.friendly_name, num(s.pending), num(s.reserved), num(s.assigned), num(s.wrapping), q.realtime.longest_task_waiting_sid ? age(num(q.realtime.longest_task_waiting_age)) : '-', `${num(q.realtime.total_available_workers)}/${num(q.realtime.total_eligible_workers)}`].map(String);
    });
    const head = ['QUEUE', 'PENDING', 'RESERVED', 'ASSIGNED', 'WRAPPING', 'LONGEST', 'AVAILABLE'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    lines.push('', head.map((h, i) => h.padEnd(widths[i])).join('  ').trimEnd(), ...rows.map((row) => row.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd()));
  }
  return lines;
}
