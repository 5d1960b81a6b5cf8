/**
 * The TaskRouter domain: one operation per action, each writing through a Tx and keeping the
 * workspace's routing index (routing.ts) in step. REST handlers, timers and the assignment
 * callback all call these. Routing happens inside the operation's transaction (so a client that
 * sees 201 for a task can already list its reservation); timers use the one clock.
 */
import {CODES, errors, TwilioApiError} from '../../errors.js';
import {
  ACTIVITIES,
  EVENTS,
  RESERVATIONS,
  TASK_CHANNELS,
  TASK_QUEUES,
  TASKS,
  WORKER_CHANNELS,
  WORKERS,
  WORKFLOWS,
  WORKSPACES,
  type ActivityDoc,
  type ReservationDoc,
  type ReservationStatus,
  type TaskChannelDoc,
  type TaskDoc,
  type TaskQueueDoc,
  type TaskStatus,
  type WorkerChannelDoc,
  type WorkerDoc,
  type WorkflowDoc,
  type WorkspaceDoc,
} from '../../model/taskrouter.js';
import {newSid} from '../../sid.js';
import type {Store} from '../../store/index.js';
import type {Tx} from '../../store/tx.js';
import {isoSeconds} from '../clock.js';
import {recordEvent, reservationData, taskData, workerData} from './events.js';
import {ExpressionError, compile} from './expression/index.js';
import {isQueueSid, isWorkerSid, RoutingIndexes, waitingOf, type QueueState, type WorkerState, type WorkspaceIndex} from './routing.js';
import {compileWorkflow, type Target} from './workflow.js';

export const TIMER = {
  reservation: 'taskrouter.reservation.timeout',
  target: 'taskrouter.target.timeout',
  ttl: 'taskrouter.task.ttl',
} as const;

/** Bus event: a reservation whose workflow has an assignment callback (the engine calls it after COMMIT). */
export const ASSIGNMENT_EVENT = 'taskrouter.assignment';
/** Logged (GET /_emulator/events) when a callback answers an instruction conversations can't carry out. */
export const UNSUPPORTED_INSTRUCTION = 'taskrouter.instruction.unsupported';

/** [unverified] Twilio's code for an If-Match mismatch; 412 is the status its docs name. */
export const VERSION_MISMATCH = 20412;

export const DEFAULT_CHANNELS: [string, string][] = [
  ['Default', 'default'],
  ['Voice', 'voice'],
  ['Chat', 'chat'],
  ['SMS', 'sms'],
  ['Video', 'video'],
  ['Email', 'email'],
];

const indexes = new WeakMap<Store, RoutingIndexes>();

export function routingIndexes(store: Store): RoutingIndexes {
  let r = indexes.get(store);
  if (!r) indexes.set(store, (r = new RoutingIndexes(store)));
  return r;
}

export const index = (tx: Tx, wsSid: string): WorkspaceIndex => routingIndexes(tx.store).get(tx, wsSid);

const iso = (tx: Tx) => isoSeconds(tx.now);

const illegal = (message: string) => new TwilioApiError(400, CODES.INVALID_PARAMETER, message);

function checkJson(name: string, v: string): void {
  try {
    const parsed = JSON.parse(v);
    if (name === 'Attributes' && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)))
      throw new Error('not an object');
  } catch {
    throw errors.invalid(name, `'${v.slice(0, 80)}' is not a JSON object`);
  }
}

function checkExpression(name: string, text: string): void {
  try {
    compile(text);
  } catch (e) {
    if (e instanceof ExpressionError) throw errors.invalid(name, `${e.why} at position ${e.position} of '${text}'`);
    throw e;
  }
}

function checkVersion(ifMatch: string | undefined, version: number, path: string): void {
  if (ifMatch === undefined || ifMatch === '' || ifMatch === '*') return;
  if (ifMatch.replace(/^W\//, '').replace(/"/g, '') !== String(version))
    throw new TwilioApiError(412, VERSION_MISMATCH, `If-Match ${ifMatch} does not match the current version ${version} of ${path}`);
}

// =============================================================================================
// Workspaces

export interface WorkspaceInput {
  friendly_name?: string;
  event_callback_url?: string | null;
  events_filter?: string | null;
  multi_task_enabled?: boolean;
  prioritize_queue_order?: 'FIFO' | 'LIFO';
  default_activity_sid?: string;
  timeout_activity_sid?: string;
  template?: 'NONE' | 'FIFO';
}

export function createWorkspace(tx: Tx, input: WorkspaceInput & {friendly_name: string}): WorkspaceDoc {
  const now = iso(tx);
  const ws: WorkspaceDoc = {
    account_sid: tx.accountSid,
    date_created: now,
    date_updated: now,
    default_activity_name: null,
    default_activity_sid: null,
    event_callback_url: input.event_callback_url ?? null,
    events_filter: input.events_filter ?? null,
    friendly_name: input.friendly_name,
    multi_task_enabled: input.multi_task_enabled ?? true,
    sid: newSid('WS'),
    timeout_activity_name: null,
    timeout_activity_sid: null,
    prioritize_queue_order: input.prioritize_queue_order ?? 'FIFO',
  };
  tx.repo(WORKSPACES).insert(ws);
  // a new workspace has these activities [docs]; Offline is its default and timeout activity [unverified]
  const acts = new Map<string, ActivityDoc>();
  for (const [name, available] of [['Offline', false], ['Available', true], ['Unavailable', false]] as const)
    acts.set(name, insertActivity(tx, ws, name, available));
  ws.default_activity_sid = ws.timeout_activity_sid = acts.get('Offline')!.sid;
  ws.default_activity_name = ws.timeout_activity_name = 'Offline';
  tx.repo(WORKSPACES).update(ws);
  for (const [friendly, unique] of DEFAULT_CHANNELS) insertTaskChannel(tx, ws, friendly, unique, false);
  if (input.template === 'FIFO') {
    // [docs] the FIFO template: a queue of everyone and a workflow to it
    const q = insertQueue(tx, ws, {friendly_name: 'Sample Queue', target_workers: '1==1'});
    insertWorkflow(tx, ws, {
      friendly_name: 'Default Fifo Workflow',
      configuration: JSON.stringify({task_routing: {filters: [], default_filter: {queue: q.sid}}}),
    });
  }
  routingIndexes(tx.store).drop(ws.sid);
  recordEvent(tx, ws, 'workspace.created', {type: 'workspace', sid: ws.sid}, `Workspace ${ws.friendly_name} created`, {});
  return ws;
}

export function updateWorkspace(tx: Tx, current: WorkspaceDoc, input: WorkspaceInput): WorkspaceDoc {
  const ix = index(tx, current.sid);
  const ws = ix.ws;
  for (const k of ['default_activity_sid', 'timeout_activity_sid'] as const) {
    const sid = input[k];
    if (sid === undefined) continue;
    const a = ix.activities.get(sid);
    if (!a) throw errors.invalid(k === 'default_activity_sid' ? 'DefaultActivitySid' : 'TimeoutActivitySid', `${sid} is not an Activity of this Workspace`);
    ws[k] = a.sid;
    ws[k === 'default_activity_sid' ? 'default_activity_name' : 'timeout_activity_name'] = a.friendly_name;
  }
  if (input.friendly_name !== undefined) ws.friendly_name = input.friendly_name;
  if (input.event_callback_url !== undefined) ws.event_callback_url = input.event_callback_url || null;
  if (input.events_filter !== undefined) ws.events_filter = input.events_filter || null;
  if (input.prioritize_queue_order !== undefined) ws.prioritize_queue_order = input.prioritize_queue_order;
  const multi = input.multi_task_enabled !== undefined && input.multi_task_enabled !== ws.multi_task_enabled;
  if (input.multi_task_enabled !== undefined) ws.multi_task_enabled = input.multi_task_enabled;
  ws.date_updated = iso(tx);
  tx.repo(WORKSPACES).update(ws);
  if (multi) for (const w of ix.workers.values()) ix.refresh(w);
  recordEvent(tx, ws, 'workspace.updated', {type: 'workspace', sid: ws.sid}, `Workspace ${ws.friendly_name} updated`, {});
  return ws;
}

export function deleteWorkspace(tx: Tx, ws: WorkspaceDoc): void {
  const active = tx.repo(TASKS).count(ws.sid, {assignment_status: {in: ['pending', 'reserved', 'assigned', 'wrapping']}});
  if (active > 0) throw illegal(`Workspace ${ws.sid} has ${active} active Tasks; cancel or complete them first`);
  tx.repo(WORKSPACES).delete(ws.sid);
  for (const t of tx.repo(TASKS).all({}, ws.sid)) cancelTaskTimers(tx, t.sid);
  routingIndexes(tx.store).drop(ws.sid);
}

// =============================================================================================
// Activities

function insertActivity(tx: Tx, ws: WorkspaceDoc, name: string, available: boolean): ActivityDoc {
  const now = iso(tx);
  const a: ActivityDoc = {account_sid: tx.accountSid, available, date_created: now, date_updated: now, friendly_name: name, sid: newSid('WA'), workspace_sid: ws.sid};
  tx.repo(ACTIVITIES).insert(a, ws.sid);
  return a;
}

export function createActivity(tx: Tx, wsSid: string, name: string, available: boolean): ActivityDoc {
  const ix = index(tx, wsSid);
  const a = insertActivity(tx, ix.ws, name, available);
  ix.activities.set(a.sid, a);
  recordEvent(tx, ix.ws, 'activity.created', {type: 'activity', sid: a.sid}, `Activity ${name} created`, activityData(a));
  return a;
}

const activityData = (a: ActivityDoc) => ({activity_sid: a.sid, activity_name: a.friendly_name, activity_available: a.available});

export function updateActivity(tx: Tx, wsSid: string, a: ActivityDoc, name: string | undefined): ActivityDoc {
  const ix = index(tx, wsSid);
  const next = ix.activities.get(a.sid)!;
  if (name !== undefined && name !== next.friendly_name) {
    next.friendly_name = name;
    next.date_updated = iso(tx);
    tx.repo(ACTIVITIES).update(next, wsSid);
    // names are copied into workers, queues and the workspace
    for (const w of ix.workers.values())
      if (w.doc.activity_sid === a.sid) {
        w.doc.activity_name = name;
        tx.repo(WORKERS).update(w.doc, wsSid);
        ix.setAttributes(w);
      }
    if (ix.ws.default_activity_sid === a.sid) ix.ws.default_activity_name = name;
    if (ix.ws.timeout_activity_sid === a.sid) ix.ws.timeout_activity_name = name;
    tx.repo(WORKSPACES).update(ix.ws);
    for (const q of ix.queues.values()) {
      let changed = false;
      if (q.doc.assignment_activity_sid === a.sid) (q.doc.assignment_activity_name = name), (changed = true);
      if (q.doc.reservation_activity_sid === a.sid) (q.doc.reservation_activity_name = name), (changed = true);
      if (changed) tx.repo(TASK_QUEUES).update(q.doc, wsSid);
    }
  }
  recordEvent(tx, ix.ws, 'activity.updated', {type: 'activity', sid: a.sid}, `Activity ${next.friendly_name} updated`, activityData(next));
  return next;
}

export function deleteActivity(tx: Tx, wsSid: string, a: ActivityDoc): void {
  const ix = index(tx, wsSid);
  if (ix.ws.default_activity_sid === a.sid || ix.ws.timeout_activity_sid === a.sid)
    throw illegal(`Activity ${a.sid} is the Workspace's default or timeout activity and cannot be deleted`);
  for (const w of ix.workers.values())
    if (w.doc.activity_sid === a.sid) throw illegal(`Activity ${a.sid} is the activity of Worker ${w.doc.sid} and cannot be deleted`);
  tx.repo(ACTIVITIES).delete(a.sid, wsSid);
  ix.activities.delete(a.sid);
  recordEvent(tx, ix.ws, 'activity.deleted', {type: 'activity', sid: a.sid}, `Activity ${a.friendly_name} deleted`, activityData(a));
}

// =============================================================================================
// Task channels

function insertTaskChannel(tx: Tx, ws: WorkspaceDoc, friendly: string, unique: string, optimized: boolean | null): TaskChannelDoc {
  const now = iso(tx);
  const c: TaskChannelDoc = {
    account_sid: tx.accountSid,
    date_created: now,
    date_updated: now,
    friendly_name: friendly,
    sid: newSid('TC'),
    unique_name: unique,
    workspace_sid: ws.sid,
    channel_optimized_routing: optimized,
  };
  tx.repo(TASK_CHANNELS).insert(c, ws.sid);
  return c;
}

export function createTaskChannel(tx: Tx, wsSid: string, friendly: string, unique: string, optimized?: boolean): TaskChannelDoc {
  const ix = index(tx, wsSid);
  const c = insertTaskChannel(tx, ix.ws, friendly, unique, optimized ?? false);
  ix.channels.set(c.sid, c);
  // every worker gets a channel for it
  for (const w of ix.workers.values()) {
    const wc = insertWorkerChannel(tx, ix.ws, w.doc, c);
    w.channels.set(c.sid, wc);
    ix.refresh(w);
  }
  recordEvent(tx, ix.ws, 'task-channel.created', {type: 'taskchannel', sid: c.sid}, `TaskChannel ${unique} created`, channelData(c));
  return c;
}

const channelData = (c: TaskChannelDoc) => ({
  task_channel_sid: c.sid,
  task_channel_name: c.friendly_name,
  task_channel_unique_name: c.unique_name,
  task_channel_optimized_routing: c.channel_optimized_routing,
});

export function updateTaskChannel(tx: Tx, wsSid: string, c: TaskChannelDoc, input: {friendly_name?: string; channel_optimized_routing?: boolean}): TaskChannelDoc {
  const ix = index(tx, wsSid);
  const next = ix.channels.get(c.sid)!;
  if (input.friendly_name !== undefined) next.friendly_name = input.friendly_name;
  if (input.channel_optimized_routing !== undefined) next.channel_optimized_routing = input.channel_optimized_routing;
  next.date_updated = iso(tx);
  tx.repo(TASK_CHANNELS).update(next, wsSid);
  recordEvent(tx, ix.ws, 'task-channel.updated', {type: 'taskchannel', sid: c.sid}, `TaskChannel ${next.unique_name} updated`, channelData(next));
  return next;
}

export function deleteTaskChannel(tx: Tx, wsSid: string, c: TaskChannelDoc): void {
  const ix = index(tx, wsSid);
  const inUse = tx.repo(TASKS).findBy({assignment_status: {in: ['pending', 'reserved', 'assigned', 'wrapping']}}, wsSid);
  if (inUse && inUse.task_channel_sid === c.sid) throw illegal(`TaskChannel ${c.sid} has active Tasks`);
  for (const t of tx.repo(TASKS).all({assignment_status: {in: ['pending', 'reserved', 'assigned', 'wrapping']}}, wsSid))
    if (t.task_channel_sid === c.sid) throw illegal(`TaskChannel ${c.sid} has active Tasks (${t.sid})`);
  tx.repo(TASK_CHANNELS).delete(c.sid, wsSid);
  for (const w of ix.workers.values()) {
    const wc = w.channels.get(c.sid);
    if (wc) tx.repo(WORKER_CHANNELS).delete(wc.sid, w.doc.sid);
  }
  routingIndexes(tx.store).drop(wsSid);
  recordEvent(tx, ix.ws, 'task-channel.deleted', {type: 'taskchannel', sid: c.sid}, `TaskChannel ${c.unique_name} deleted`, channelData(c));
}

/** A TaskChannel by sid or unique_name. */
export function channelOf(ix: WorkspaceIndex, key: string, param: string): TaskChannelDoc {
  const c = ix.channels.get(key) ?? ix.channelByName(key);
  if (!c) throw errors.invalid(param, `'${key}' is not a TaskChannel (sid or unique name) of this Workspace`);
  return c;
}

// =============================================================================================
// Workers and their channels

function insertWorkerChannel(tx: Tx, ws: WorkspaceDoc, w: WorkerDoc, c: TaskChannelDoc): WorkerChannelDoc {
  const now = iso(tx);
  const wc: WorkerChannelDoc = {
    account_sid: tx.accountSid,
    assigned_tasks: 0,
    available: true,
    available_capacity_percentage: 100,
    // capacity 1 per channel by default [unverified]
    configured_capacity: 1,
    date_created: now,
    date_updated: now,
    sid: newSid('WC'),
    task_channel_sid: c.sid,
    task_channel_unique_name: c.unique_name,
    worker_sid: w.sid,
    workspace_sid: ws.sid,
    _: {reserved: 0},
  };
  tx.repo(WORKER_CHANNELS).insert(wc, w.sid);
  return wc;
}

function saveChannel(tx: Tx, wc: WorkerChannelDoc): void {
  const used = wc.assigned_tasks + wc._.reserved;
  wc.available_capacity_percentage = wc.configured_capacity > 0 ? Math.max(0, Math.round((100 * (wc.configured_capacity - used)) / wc.configured_capacity)) : 0;
  wc.date_updated = iso(tx);
  tx.repo(WORKER_CHANNELS).update(wc, wc.worker_sid);
}

export interface WorkerInput {
  friendly_name?: string;
  activity_sid?: string;
  attributes?: string;
  reject_pending?: boolean;
  if_match?: string;
}

export function createWorker(tx: Tx, wsSid: string, input: WorkerInput & {friendly_name: string}): WorkerDoc {
  const ix = index(tx, wsSid);
  if (input.attributes !== undefined) checkJson('Attributes', input.attributes);
  const activity = input.activity_sid ? ix.activities.get(input.activity_sid) : ix.activities.get(ix.ws.default_activity_sid ?? '');
  if (!activity) throw errors.invalid('ActivitySid', `${input.activity_sid} is not an Activity of this Workspace`);
  const now = iso(tx);
  const doc: WorkerDoc = {
    account_sid: tx.accountSid,
    activity_name: activity.friendly_name,
    activity_sid: activity.sid,
    attributes: input.attributes ?? '{}',
    available: activity.available,
    date_created: now,
    date_status_changed: now,
    date_updated: now,
    friendly_name: input.friendly_name,
    sid: newSid('WK'),
    workspace_sid: wsSid,
    _: {version: 0},
  };
  tx.repo(WORKERS).insert(doc, wsSid);
  const channels = [...ix.channels.values()].map((c) => insertWorkerChannel(tx, ix.ws, doc, c));
  const w = ix.addWorker(doc, channels);
  recordEvent(tx, ix.ws, 'worker.created', {type: 'worker', sid: doc.sid}, `Worker ${doc.friendly_name} created`, workerData(doc));
  offerWorker(tx, ix, w);
  return w.doc;
}

export function updateWorker(tx: Tx, wsSid: string, current: WorkerDoc, input: WorkerInput): WorkerDoc {
  const ix = index(tx, wsSid);
  const w = ix.workers.get(current.sid)!;
  checkVersion(input.if_match, w.doc._.version, `/v1/Workspaces/${wsSid}/Workers/${current.sid}`);
  if (input.attributes !== undefined) checkJson('Attributes', input.attributes);
  let activity: ActivityDoc | undefined;
  if (input.activity_sid !== undefined) {
    activity = ix.activities.get(input.activity_sid);
    if (!activity) throw errors.invalid('ActivitySid', `${input.activity_sid} is not an Activity of this Workspace`);
  }
  if (input.reject_pending && activity?.available !== false)
    throw errors.invalid('RejectPendingReservations', 'is only allowed together with an ActivitySid of an unavailable activity');
  const doc = w.doc;
  if (input.friendly_name !== undefined) doc.friendly_name = input.friendly_name;
  doc.date_updated = iso(tx);
  doc._.version++;
  const events: [string, string][] = [];
  let attributesChanged = false;
  if (input.attributes !== undefined && input.attributes !== doc.attributes) {
    doc.attributes = input.attributes;
    attributesChanged = true;
    events.push(['worker.attributes.update', `Worker ${doc.friendly_name} attributes updated`]);
  }
  let previous: {sid: string; ms: number} | undefined;
  if (activity && activity.sid !== doc.activity_sid) {
    previous = {sid: doc.activity_sid, ms: tx.now.getTime() - Date.parse(doc.date_status_changed)};
    setActivity(tx, doc, activity);
  }
  tx.repo(WORKERS).update(doc, wsSid);
  if (attributesChanged) ix.rematch(w);
  else {
    ix.setAttributes(w);
    ix.refresh(w);
  }
  for (const [type, d] of events) recordEvent(tx, ix.ws, type, {type: 'worker', sid: doc.sid}, d, workerData(doc));
  if (previous)
    recordEvent(tx, ix.ws, 'worker.activity.update', {type: 'worker', sid: doc.sid}, `Worker ${doc.friendly_name} updated to ${doc.activity_name} Activity`, {
      ...workerData(doc),
      worker_previous_activity_sid: previous.sid,
      worker_time_in_previous_activity: Math.floor(previous.ms / 1000),
      worker_time_in_previous_activity_ms: previous.ms,
    });
  if (input.reject_pending)
    for (const r of tx.repo(RESERVATIONS).all({worker_sid: doc.sid}, wsSid))
      if (r.reservation_status === 'pending') rejectReservation(tx, wsSid, r, {});
  offerWorker(tx, ix, w);
  return doc;
}

function setActivity(tx: Tx, doc: WorkerDoc, activity: ActivityDoc): void {
  doc.activity_sid = activity.sid;
  doc.activity_name = activity.friendly_name;
  doc.available = activity.available;
  doc.date_status_changed = iso(tx);
}

export function deleteWorker(tx: Tx, wsSid: string, current: WorkerDoc, ifMatch?: string): void {
  const ix = index(tx, wsSid);
  checkVersion(ifMatch, current._.version, `/v1/Workspaces/${wsSid}/Workers/${current.sid}`);
  for (const r of tx.repo(RESERVATIONS).all({worker_sid: current.sid}, wsSid))
    if (['pending', 'accepted', 'wrapping'].includes(r.reservation_status))
      throw illegal(`Worker ${current.sid} has ${r.reservation_status} reservation ${r.sid}; resolve it first`);
  tx.repo(WORKERS).delete(current.sid, wsSid);
  ix.removeWorker(current.sid);
  recordEvent(tx, ix.ws, 'worker.deleted', {type: 'worker', sid: current.sid}, `Worker ${current.friendly_name} deleted`, workerData(current));
}

export function updateWorkerChannel(tx: Tx, wsSid: string, wc: WorkerChannelDoc, input: {capacity?: number; available?: boolean}): WorkerChannelDoc {
  const ix = index(tx, wsSid);
  const w = ix.workers.get(wc.worker_sid)!;
  const doc = w.channels.get(wc.task_channel_sid)!;
  const before = doc.configured_capacity;
  const wasAvailable = doc.available;
  if (input.capacity !== undefined) doc.configured_capacity = input.capacity;
  if (input.available !== undefined) doc.available = input.available;
  saveChannel(tx, doc);
  ix.refresh(w);
  const data = {
    ...workerData(w.doc),
    task_channel_sid: doc.task_channel_sid,
    task_channel_unique_name: doc.task_channel_unique_name,
    worker_channel_available: doc.available,
    worker_channel_available_capacity: doc.configured_capacity - doc.assigned_tasks - doc._.reserved,
    worker_channel_previous_capacity: before,
    worker_channel_task_count: doc.assigned_tasks,
  };
  if (before !== doc.configured_capacity)
    recordEvent(tx, ix.ws, 'worker.capacity.update', {type: 'worker', sid: w.doc.sid}, `Worker ${w.doc.friendly_name} capacity updated`, data);
  if (wasAvailable !== doc.available)
    recordEvent(tx, ix.ws, 'worker.channel.availability.update', {type: 'worker', sid: w.doc.sid}, `Worker ${w.doc.friendly_name} channel availability updated`, data);
  offerWorker(tx, ix, w);
  return doc;
}

// =============================================================================================
// Task queues

export interface QueueInput {
  friendly_name?: string;
  target_workers?: string;
  max_reserved_workers?: number;
  task_order?: 'FIFO' | 'LIFO';
  reservation_activity_sid?: string;
  assignment_activity_sid?: string;
}

function insertQueue(tx: Tx, ws: WorkspaceDoc, input: QueueInput & {friendly_name: string}, ix?: WorkspaceIndex): TaskQueueDoc {
  const now = iso(tx);
  const act = (sid: string | undefined, param: string) => {
    if (!sid) return null;
    const a = ix?.activities.get(sid);
    if (!a) throw errors.invalid(param, `${sid} is not an Activity of this Workspace`);
    return a;
  };
  const res = act(input.reservation_activity_sid, 'ReservationActivitySid');
  const asg = act(input.assignment_activity_sid, 'AssignmentActivitySid');
  const q: TaskQueueDoc = {
    account_sid: tx.accountSid,
    assignment_activity_sid: asg?.sid ?? null,
    assignment_activity_name: asg?.friendly_name ?? null,
    date_created: now,
    date_updated: now,
    friendly_name: input.friendly_name,
    max_reserved_workers: input.max_reserved_workers ?? 1,
    reservation_activity_sid: res?.sid ?? null,
    reservation_activity_name: res?.friendly_name ?? null,
    sid: newSid('WQ'),
    target_workers: input.target_workers || '1==1',
    task_order: input.task_order ?? 'FIFO',
    workspace_sid: ws.sid,
  };
  checkExpression('TargetWorkers', q.target_workers);
  tx.repo(TASK_QUEUES).insert(q, ws.sid);
  return q;
}

const queueData = (q: TaskQueueDoc) => ({task_queue_sid: q.sid, task_queue_name: q.friendly_name, task_queue_target_expression: q.target_workers});

export function createQueue(tx: Tx, wsSid: string, input: QueueInput & {friendly_name: string}): TaskQueueDoc {
  const ix = index(tx, wsSid);
  const q = insertQueue(tx, ix.ws, input, ix);
  ix.addQueue(q);
  recordEvent(tx, ix.ws, 'task-queue.created', {type: 'taskqueue', sid: q.sid}, `TaskQueue ${q.friendly_name} created`, queueData(q));
  return q;
}

export function updateQueue(tx: Tx, wsSid: string, current: TaskQueueDoc, input: QueueInput): TaskQueueDoc {
  const ix = index(tx, wsSid);
  const q = ix.queues.get(current.sid)!.doc;
  for (const [k, name, param] of [
    ['reservation_activity_sid', 'reservation_activity_name', 'ReservationActivitySid'],
    ['assignment_activity_sid', 'assignment_activity_name', 'AssignmentActivitySid'],
  ] as const) {
    const sid = input[k];
    if (sid === undefined) continue;
    const a = ix.activities.get(sid);
    if (!a) throw errors.invalid(param, `${sid} is not an Activity of this Workspace`);
    q[k] = a.sid;
    q[name] = a.friendly_name;
  }
  const expressionChanged = input.target_workers !== undefined && input.target_workers !== q.target_workers;
  if (input.target_workers !== undefined) {
    checkExpression('TargetWorkers', input.target_workers || '1==1');
    q.target_workers = input.target_workers || '1==1';
  }
  if (input.friendly_name !== undefined) q.friendly_name = input.friendly_name;
  if (input.max_reserved_workers !== undefined) q.max_reserved_workers = input.max_reserved_workers;
  const orderChanged = input.task_order !== undefined && input.task_order !== q.task_order;
  if (input.task_order !== undefined) q.task_order = input.task_order;
  q.date_updated = iso(tx);
  tx.repo(TASK_QUEUES).update(q, wsSid);
  const state = ix.addQueue(q);
  if (orderChanged) {
    const waiting = state.waiting;
    state.waiting = [];
    for (const t of waiting) ix.enqueue(state, t);
  }
  if (expressionChanged) {
    recordEvent(tx, ix.ws, 'task-queue.expression.updated', {type: 'taskqueue', sid: q.sid}, `TaskQueue ${q.friendly_name} expression updated`, queueData(q));
    for (const ws of state.members) offerWorker(tx, ix, ix.workers.get(ws)!);
  }
  return q;
}

export function deleteQueue(tx: Tx, wsSid: string, q: TaskQueueDoc): void {
  const ix = index(tx, wsSid);
  const active = tx.repo(TASKS).count(wsSid, {task_queue_sid: q.sid, assignment_status: {in: ['pending', 'reserved', 'assigned', 'wrapping']}});
  if (active) throw illegal(`TaskQueue ${q.sid} has ${active} active Tasks`);
  for (const wf of ix.workflows.values())
    if (compileWorkflow(wf.configuration).queues.has(q.sid)) throw illegal(`TaskQueue ${q.sid} is a target of Workflow ${wf.sid}; change the workflow first`);
  tx.repo(TASK_QUEUES).delete(q.sid, wsSid);
  ix.removeQueue(q.sid);
  recordEvent(tx, ix.ws, 'task-queue.deleted', {type: 'taskqueue', sid: q.sid}, `TaskQueue ${q.friendly_name} deleted`, queueData(q));
}

// =============================================================================================
// Workflows

export interface WorkflowInput {
  friendly_name?: string;
  configuration?: string;
  assignment_callback_url?: string | null;
  fallback_assignment_callback_url?: string | null;
  task_reservation_timeout?: number;
  re_evaluate?: boolean;
}

function validateConfiguration(ix: WorkspaceIndex | undefined, text: string): void {
  const c = compileWorkflow(text);
  if (ix) for (const q of c.queues) if (!ix.queues.has(q)) throw new TwilioApiError(400, CODES.INVALID_PARAMETER, `Invalid Configuration: TaskQueue ${q} is not in this Workspace`);
}

function insertWorkflow(tx: Tx, ws: WorkspaceDoc, input: WorkflowInput & {friendly_name: string; configuration: string}, ix?: WorkspaceIndex): WorkflowDoc {
  validateConfiguration(ix, input.configuration);
  const now = iso(tx);
  const wf: WorkflowDoc = {
    account_sid: tx.accountSid,
    assignment_callback_url: input.assignment_callback_url ?? null,
    configuration: input.configuration,
    date_created: now,
    date_updated: now,
    document_content_type: 'application/json',
    fallback_assignment_callback_url: input.fallback_assignment_callback_url ?? null,
    friendly_name: input.friendly_name,
    sid: newSid('WW'),
    task_reservation_timeout: input.task_reservation_timeout ?? 120,
    workspace_sid: ws.sid,
  };
  tx.repo(WORKFLOWS).insert(wf, ws.sid);
  return wf;
}

const workflowData = (wf: WorkflowDoc) => ({workflow_sid: wf.sid, workflow_name: wf.friendly_name});

export function createWorkflow(tx: Tx, wsSid: string, input: WorkflowInput & {friendly_name: string; configuration: string}): WorkflowDoc {
  const ix = index(tx, wsSid);
  const wf = insertWorkflow(tx, ix.ws, input, ix);
  ix.workflows.set(wf.sid, wf);
  recordEvent(tx, ix.ws, 'workflow.created', {type: 'workflow', sid: wf.sid}, `Workflow ${wf.friendly_name} created`, workflowData(wf));
  return wf;
}

export function updateWorkflow(tx: Tx, wsSid: string, current: WorkflowDoc, input: WorkflowInput): WorkflowDoc {
  const ix = index(tx, wsSid);
  const wf = ix.workflows.get(current.sid)!;
  if (input.configuration !== undefined) {
    validateConfiguration(ix, input.configuration);
    wf.configuration = input.configuration;
  }
  if (input.friendly_name !== undefined) wf.friendly_name = input.friendly_name;
  if (input.assignment_callback_url !== undefined) wf.assignment_callback_url = input.assignment_callback_url || null;
  if (input.fallback_assignment_callback_url !== undefined) wf.fallback_assignment_callback_url = input.fallback_assignment_callback_url || null;
  if (input.task_reservation_timeout !== undefined) wf.task_reservation_timeout = input.task_reservation_timeout;
  wf.date_updated = iso(tx);
  tx.repo(WORKFLOWS).update(wf, wsSid);
  recordEvent(tx, ix.ws, 'workflow.updated', {type: 'workflow', sid: wf.sid}, `Workflow ${wf.friendly_name} updated`, workflowData(wf));
  // ReEvaluateTasks: pending tasks of this workflow are routed again under the new configuration [docs]
  if (input.re_evaluate || input.configuration !== undefined)
    for (const t of tx.repo(TASKS).all({workflow_sid: wf.sid, assignment_status: 'pending'}, wsSid)) {
      ix.dequeue(t.task_queue_sid, t.sid);
      startWorkflow(tx, ix, t, wf);
      saveTask(tx, t);
    }
  return wf;
}

export function deleteWorkflow(tx: Tx, wsSid: string, wf: WorkflowDoc): void {
  const ix = index(tx, wsSid);
  const active = tx.repo(TASKS).count(wsSid, {workflow_sid: wf.sid, assignment_status: {in: ['pending', 'reserved', 'assigned', 'wrapping']}});
  if (active) throw illegal(`Workflow ${wf.sid} has ${active} active Tasks`);
  tx.repo(WORKFLOWS).delete(wf.sid, wsSid);
  ix.workflows.delete(wf.sid);
  recordEvent(tx, ix.ws, 'workflow.deleted', {type: 'workflow', sid: wf.sid}, `Workflow ${wf.friendly_name} deleted`, workflowData(wf));
}

// =============================================================================================
// Tasks

export interface TaskInput {
  workflow_sid?: string;
  attributes?: string;
  priority?: number;
  timeout?: number;
  task_channel?: string;
  virtual_start_time?: string;
  routing_target?: string;
  ignore_capacity?: boolean;
  task_queue_sid?: string;
}

/**
 * Where a new task goes [docs: changelog 2024-07 "Route tasks directly to a worker, task queue,
 * or workflow"; OAI]: RoutingTarget WW… is its workflow; WQ… puts it straight into that queue (no
 * workflow evaluation); WK… offers it to that worker only — whatever the worker's capacity and
 * availability unless IgnoreCapacity is false (then it waits until the worker can take it).
 * TaskQueueSid alone routes to that queue; with a worker target it is the queue the task is
 * counted in [unverified: both readings of TaskQueueSid].
 */
interface Route {
  kind: 'workflow' | 'queue' | 'worker';
  wf?: WorkflowDoc;
  queue?: QueueState;
  worker?: WorkerState;
}

function routeOf(ix: WorkspaceIndex, input: TaskInput): Route {
  const target = input.routing_target;
  if (target !== undefined && !/^(WK|WQ|WW)[0-9a-fA-F]{32}$/.test(target))
    throw errors.invalid('RoutingTarget', `'${target}' is not the SID of a Worker (WK…), TaskQueue (WQ…) or Workflow (WW…)`);
  if (input.ignore_capacity !== undefined && !target?.startsWith('WK'))
    throw errors.invalid('IgnoreCapacity', 'can only be used when RoutingTarget is a Worker SID');
  let wf: WorkflowDoc | undefined;
  if (input.workflow_sid) {
    wf = ix.workflows.get(input.workflow_sid);
    if (!wf) throw errors.invalid('WorkflowSid', `${input.workflow_sid} is not a Workflow of this Workspace`);
  }
  let queue: QueueState | undefined;
  if (input.task_queue_sid) {
    queue = ix.queues.get(input.task_queue_sid);
    if (!queue) throw errors.invalid('TaskQueueSid', `${input.task_queue_sid} is not a TaskQueue of this Workspace`);
  }
  if (target?.startsWith('WW')) {
    const byTarget = ix.workflows.get(target);
    if (!byTarget) throw errors.invalid('RoutingTarget', `${target} is not a Workflow of this Workspace`);
    if (wf && wf.sid !== target) throw errors.invalid('WorkflowSid', `${wf.sid} differs from the RoutingTarget Workflow ${target}; give one of them`);
    return {kind: 'workflow', wf: byTarget};
  }
  if (target?.startsWith('WQ')) {
    const q = ix.queues.get(target);
    if (!q) throw errors.invalid('RoutingTarget', `${target} is not a TaskQueue of this Workspace`);
    if (queue && queue.doc.sid !== target) throw errors.invalid('TaskQueueSid', `${queue.doc.sid} differs from the RoutingTarget TaskQueue ${target}; give one of them`);
    return {kind: 'queue', wf, queue: q};
  }
  if (target?.startsWith('WK')) {
    const w = ix.workers.get(target);
    if (!w) throw errors.invalid('RoutingTarget', `${target} is not a Worker of this Workspace`);
    return {kind: 'worker', wf, queue, worker: w};
  }
  if (queue) return {kind: 'queue', wf, queue};
  if (!wf) {
    if (ix.workflows.size !== 1)
      throw errors.missing(ix.workflows.size === 0 ? 'WorkflowSid (the Workspace has no Workflow)' : 'WorkflowSid (the Workspace has several Workflows)');
    wf = ix.workflows.values().next().value!;
  }
  return {kind: 'workflow', wf};
}

export function createTask(tx: Tx, wsSid: string, input: TaskInput): TaskDoc {
  const ix = index(tx, wsSid);
  if (input.attributes !== undefined) checkJson('Attributes', input.attributes);
  const route = routeOf(ix, input);
  const channel = channelOf(ix, input.task_channel || 'default', 'TaskChannel');
  const w = route.worker;
  if (w && !w.channels.get(channel.sid)) throw errors.invalid('TaskChannel', `Worker ${w.doc.sid} has no ${channel.unique_name} channel`);
  const wf = route.wf;
  const now = iso(tx);
  const priority = input.priority ?? 0;
  const t: TaskDoc = {
    account_sid: tx.accountSid,
    age: 0,
    assignment_status: 'pending',
    attributes: input.attributes ?? '{}',
    addons: '{}',
    date_created: now,
    date_updated: now,
    task_queue_entered_date: null,
    priority,
    reason: null,
    sid: newSid('WT'),
    task_queue_sid: null,
    task_queue_friendly_name: null,
    task_channel_sid: channel.sid,
    task_channel_unique_name: channel.unique_name,
    timeout: input.timeout ?? 86_400,
    workflow_sid: wf?.sid ?? null,
    workflow_friendly_name: wf?.friendly_name ?? null,
    workspace_sid: wsSid,
    virtual_start_time: input.virtual_start_time ?? now,
    // IgnoreCapacity is true by default when routing to a worker [OAI]
    ignore_capacity: w ? (input.ignore_capacity ?? true) : null,
    routing_target: input.routing_target ?? null,
    _: {version: 0, filter: null, target: 0, entered_ms: tx.now.getTime(), rejected: [], base_priority: priority},
  };
  if (route.kind === 'queue' && !t.routing_target) t.routing_target = route.queue!.doc.sid;
  // written once, routed (saveTask below inserts it): an insert and then an update of the same
  // row cost a create half its task writes. Routing reads no task from the store, except a
  // single-tasking activity change (reserve), which first writes the task as created.
  unwritten.set(t, {...t, _: {...t._, rejected: [...t._.rejected]}});
  tx.at(`tr:ttl:${t.sid}`, tx.now.getTime() + t.timeout * 1000, TIMER.ttl, {ws: wsSid, task: t.sid});
  recordEvent(tx, ix.ws, 'task.created', {type: 'task', sid: t.sid}, `Task ${t.sid} created`, taskData(t, tx.now));
  if (route.kind === 'workflow') startWorkflow(tx, ix, t, wf!);
  else {
    if (route.queue) enterQueue(tx, ix, t, route.queue);
    if (route.kind === 'queue') offerInQueue(tx, ix, t, route.queue!);
    else offerToWorker(tx, ix, t, w!);
  }
  saveTask(tx, t);
  return t;
}

/** A directly routed task enters its queue (no workflow): task-queue.entered. */
function enterQueue(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, q: QueueState): void {
  t.task_queue_sid = q.doc.sid;
  t.task_queue_friendly_name = q.doc.friendly_name;
  t.task_queue_entered_date = iso(tx);
  recordEvent(tx, ix.ws, 'task-queue.entered', {type: 'task', sid: t.sid}, `Task ${t.sid} entered TaskQueue ${q.doc.friendly_name}`, taskData(t, tx.now));
}

/** The target of a task routed to a queue: every member of the queue, no expression. */
const queueTarget = (q: QueueState): Target => ({queue: q.doc.sid});

/** Offer a queue-routed task to the queue's free members, else it waits in the queue. */
function offerInQueue(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, q: QueueState): void {
  const wf = t.workflow_sid ? ix.workflows.get(t.workflow_sid) : undefined;
  const made = offerTask(tx, ix, t, wf, q, queueTarget(q));
  if (made === 0 && t.assignment_status === 'pending') ix.enqueue(q, waitingOf(t));
}

/** Offer a worker-routed task to its worker: at once when IgnoreCapacity, else when the worker is free. */
function offerToWorker(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, w: WorkerState): void {
  const wf = t.workflow_sid ? ix.workflows.get(t.workflow_sid) : undefined;
  const q = t.task_queue_sid ? ix.queues.get(t.task_queue_sid) : undefined;
  if (t.ignore_capacity !== false || ix.freeOn(w, t.task_channel_sid)) {
    t._.direct_wait = false;
    reserve(tx, ix, t, w, wf, q);
    return;
  }
  t._.direct_wait = true;
  ix.waitFor(w.doc.sid, waitingOf(t));
}

/**
 * A task routed straight to one worker (Flex's agent-initiated interactions and invites to a
 * known worker): createTask with that worker as its RoutingTarget, so the worker gets its
 * reservation at once, whatever its activity (IgnoreCapacity). Rejected or timed out, the task
 * stays pending with no one to offer it to (its creator decides what follows).
 */
export function createDirectTask(
  tx: Tx,
  wsSid: string,
  input: TaskInput & {worker_sid: string; queue_sid?: string},
): {task: TaskDoc; reservation: ReservationDoc} {
  const ix = index(tx, wsSid);
  if (!ix.workers.has(input.worker_sid)) throw errors.invalid('worker_sid', `${input.worker_sid} is not a Worker of Workspace ${wsSid}`);
  if (input.queue_sid && !ix.queues.has(input.queue_sid)) throw errors.invalid('queue_sid', `${input.queue_sid} is not a TaskQueue of Workspace ${wsSid}`);
  if (input.workflow_sid && !ix.workflows.has(input.workflow_sid)) throw errors.invalid('workflow_sid', `${input.workflow_sid} is not a Workflow of Workspace ${wsSid}`);
  const {worker_sid, queue_sid, ...rest} = input;
  const task = createTask(tx, wsSid, {...rest, routing_target: worker_sid, task_queue_sid: queue_sid, ignore_capacity: true});
  const reservation = tx.repo(RESERVATIONS).findBy({task_sid: task.sid}, wsSid)!;
  return {task, reservation};
}

/** Tasks created by createTask and not written yet, with what they were when created. */
const unwritten = new WeakMap<TaskDoc, TaskDoc>();

/** Write a task; every write is a new version (its ETag, checked by If-Match). */
function saveTask(tx: Tx, t: TaskDoc): void {
  t._.version++;
  if (unwritten.delete(t)) tx.repo(TASKS).insert(t, t.workspace_sid);
  else tx.repo(TASKS).update(t, t.workspace_sid);
}

/** A task being created is in the store as created (before something that reads tasks from it). */
function writeCreated(tx: Tx, t: TaskDoc): void {
  const created = unwritten.get(t);
  if (!created) return;
  unwritten.delete(t);
  tx.repo(TASKS).insert(created, t.workspace_sid);
}

function cancelTaskTimers(tx: Tx, taskSid: string): void {
  tx.cancel(`tr:ttl:${taskSid}`);
  tx.cancel(`tr:step:${taskSid}`);
}

/** The last attributes text parsed, and what it parsed to (read-only: expressions only read it). */
let attrsMemo: {text: string; value: Record<string, unknown>} = {text: '{}', value: {}};

/**
 * The task's attributes as an object (the bare document of filter expressions). One create
 * reads them several times (the workflow's filters, then the target's expression for each
 * worker offered): the text is parsed once.
 */
function taskAttrs(t: TaskDoc): Record<string, unknown> {
  if (t.attributes === attrsMemo.text) return attrsMemo.value;
  let value: Record<string, unknown> = {};
  try {
    const v = JSON.parse(t.attributes);
    if (v && typeof v === 'object' && !Array.isArray(v)) value = v;
  } catch {
    // not JSON: no attributes
  }
  attrsMemo = {text: t.attributes, value};
  return value;
}

/** Evaluate the workflow's filters from the top and enter the first target (task is written by the caller). */
function startWorkflow(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, wf: WorkflowDoc): void {
  const config = compileWorkflow(wf.configuration);
  const attrs = taskAttrs(t);
  const env = {bare: attrs, task: attrs};
  t._.entered_ms = tx.now.getTime();
  t._.filter = null;
  recordEvent(tx, ix.ws, 'workflow.entered', {type: 'task', sid: t.sid}, `Task ${t.sid} entered Workflow ${wf.friendly_name}`, taskData(t, tx.now));
  const i = config.filters.findIndex((f) => f.matches(env));
  if (i >= 0) t._.filter = i;
  else if (config.defaultTargets) t._.filter = -1;
  else {
    // no filter and no default_filter: the task stays pending in no queue [unverified]
    t.task_queue_sid = null;
    t.task_queue_friendly_name = null;
    return;
  }
  enterTarget(tx, ix, t, wf, 0);
}

function targetsOf(wf: WorkflowDoc, t: TaskDoc): Target[] {
  const config = compileWorkflow(wf.configuration);
  return t._.filter === -1 ? (config.defaultTargets ?? []) : (config.filters[t._.filter ?? 0]?.targets ?? []);
}

/** Enter target `n` of the task's filter: its queue, its priority, its timeout; then offer. */
function enterTarget(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, wf: WorkflowDoc, n: number): void {
  const targets = targetsOf(wf, t);
  const target = targets[n];
  if (!target) return workflowEnded(tx, ix, t, wf, 'workflow.timeout', 'Workflow Timeout');
  t._.target = n;
  const previousQueue = t.task_queue_sid;
  const q = ix.queues.get(target.queue);
  if (!q) return workflowEnded(tx, ix, t, wf, 'workflow.timeout', `TaskQueue ${target.queue} no longer exists`);
  ix.dequeue(previousQueue, t.sid);
  t.task_queue_sid = q.doc.sid;
  t.task_queue_friendly_name = q.doc.friendly_name;
  t.priority = target.priority ?? t._.base_priority;
  const filterName = t._.filter === -1 ? 'Default Filter' : compileWorkflow(wf.configuration).filters[t._.filter!].name;
  if (previousQueue && previousQueue !== q.doc.sid)
    recordEvent(tx, ix.ws, 'task-queue.moved', {type: 'task', sid: t.sid}, `Task ${t.sid} moved to TaskQueue ${q.doc.friendly_name}`, taskData(t, tx.now));
  recordEvent(tx, ix.ws, 'workflow.target-matched', {type: 'task', sid: t.sid}, `Task ${t.sid} matched a target of ${filterName} in Workflow ${wf.friendly_name}`, {
    ...taskData(t, tx.now),
    workflow_filter_name: filterName,
    workflow_filter_target_index: n,
  });
  if (previousQueue !== q.doc.sid) {
    t.task_queue_entered_date = iso(tx);
    recordEvent(tx, ix.ws, 'task-queue.entered', {type: 'task', sid: t.sid}, `Task ${t.sid} entered TaskQueue ${q.doc.friendly_name}`, taskData(t, tx.now));
  }
  // targets' timeouts add up from the workflow entry [docs: task-evaluation]
  if (target.timeout !== undefined) {
    let total = 0;
    for (let i = 0; i <= n; i++) total += targets[i].timeout ?? 0;
    tx.at(`tr:step:${t.sid}`, t._.entered_ms + total * 1000, TIMER.target, {ws: ix.ws.sid, task: t.sid, filter: t._.filter, target: n});
  } else tx.cancel(`tr:step:${t.sid}`);
  const made = offerTask(tx, ix, t, wf, q, target);
  if (made === 0) {
    // skip_if: only when no reservation can be made at once [docs]
    if (target.skipIf && target.skipIf({workers: workerCounts(ix, q)})) {
      if (n + 1 >= targets.length) return workflowEnded(tx, ix, t, wf, 'workflow.skipped', 'Workflow Skipped');
      return enterTarget(tx, ix, t, wf, n + 1);
    }
    if (t.assignment_status === 'pending') ix.enqueue(q, waitingOf(t));
  }
}

/** skip_if variables: workers.available, workers.unavailable, workers.WA… (counts in the queue). */
function workerCounts(ix: WorkspaceIndex, q: QueueState): Record<string, number> {
  const out: Record<string, number> = {available: 0, unavailable: 0};
  for (const sid of q.members) {
    const w = ix.workers.get(sid);
    if (!w) continue;
    out[w.doc.available ? 'available' : 'unavailable']++;
    out[w.doc.activity_sid] = (out[w.doc.activity_sid] ?? 0) + 1;
  }
  return out;
}

function workflowEnded(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, wf: WorkflowDoc, type: string, reason: string): void {
  ix.dequeue(t.task_queue_sid, t.sid);
  recordEvent(tx, ix.ws, type, {type: 'task', sid: t.sid}, `Task ${t.sid} reached the end of Workflow ${wf.friendly_name}`, taskData(t, tx.now));
  // the end of the workflow removes the task: the emulator cancels it [docs: events; reason text unverified]
  cancelTask(tx, ix, t, reason);
}

/** Whether worker w may be offered task t under target (expression, known worker, rejections). */
function eligible(ix: WorkspaceIndex, t: TaskDoc, attrs: Record<string, unknown>, target: Target, w: WorkerState): boolean {
  if (t._.rejected.includes(w.doc.sid)) return false;
  const env = {bare: w.env, worker: w.env, task: attrs};
  if (target.knownWorkerSid && target.knownWorkerSid(env) !== w.doc.sid) return false;
  if (target.knownWorkerName && target.knownWorkerName(env) !== w.doc.friendly_name) return false;
  if (target.expression && !target.expression(env)) return false;
  return true;
}

/** Offer task t to free workers of its queue (up to max_reserved_workers); the number of reservations made. */
function offerTask(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, wf: WorkflowDoc | undefined, q: QueueState, target: Target): number {
  const free = q.free.get(t.task_channel_sid);
  if (!free || free.size === 0) return 0;
  const attrs = taskAttrs(t);
  const pendingFor = t.assignment_status === 'reserved' ? tx.repo(RESERVATIONS).all({task_sid: t.sid}, ix.ws.sid).filter((r) => r.reservation_status === 'pending') : [];
  const holding = new Set(pendingFor.map((r) => r.worker_sid));
  let want = Math.max(0, q.doc.max_reserved_workers - holding.size);
  if (want === 0) return 0;
  let chosen: WorkerState[] = [];
  if (target.knownWorkerSid) {
    // known-worker routing: one lookup, no walk over the queue
    const sid = target.knownWorkerSid({task: attrs, bare: attrs});
    const w = typeof sid === 'string' ? free.get(sid) : undefined;
    if (w && !holding.has(w.doc.sid) && eligible(ix, t, attrs, target, w)) chosen.push(w);
  } else if (target.orderBy) {
    // order_by ranks every free worker of the queue (the one case that walks them all)
    const all = [...free.values()].filter((w) => !holding.has(w.doc.sid) && eligible(ix, t, attrs, target, w));
    all.sort((a, b) => {
      for (const o of target.orderBy!) {
        const av = o.value({worker: a.env, bare: a.env}) as number | string | null;
        const bv = o.value({worker: b.env, bare: b.env}) as number | string | null;
        if (av === bv) continue;
        if (av === null || av === undefined) return 1;
        if (bv === null || bv === undefined) return -1;
        const c = av < bv ? -1 : 1;
        return o.desc ? -c : c;
      }
      return 0;
    });
    chosen = all.slice(0, want);
  } else {
    for (const w of free.values()) {
      if (holding.has(w.doc.sid) || !eligible(ix, t, attrs, target, w)) continue;
      chosen.push(w);
      if (chosen.length >= want) break;
    }
  }
  for (const w of chosen) reserve(tx, ix, t, w, wf, q);
  return chosen.length;
}

function reserve(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, w: WorkerState, wf: WorkflowDoc | undefined, q: QueueState | undefined): ReservationDoc {
  const now = iso(tx);
  const r: ReservationDoc = {
    account_sid: tx.accountSid,
    date_created: now,
    date_updated: now,
    reservation_status: 'pending',
    sid: newSid('WR'),
    task_sid: t.sid,
    worker_name: w.doc.friendly_name,
    worker_sid: w.doc.sid,
    workspace_sid: ix.ws.sid,
    _: {version: 0, channel_sid: t.task_channel_sid, queue_sid: q?.doc.sid ?? null, workflow_sid: wf?.sid ?? null, callback: wf?.assignment_callback_url ? 'pending' : null},
  };
  tx.repo(RESERVATIONS).insert(r, ix.ws.sid);
  const wc = w.channels.get(t.task_channel_sid)!;
  wc._.reserved++;
  saveChannel(tx, wc);
  ix.refresh(w);
  ix.rotate(w);
  t.assignment_status = 'reserved';
  t.date_updated = now;
  if (q) ix.dequeue(q.doc.sid, t.sid);
  if (t._.direct_wait) {
    ix.unwait(w.doc.sid, t.sid);
    t._.direct_wait = false;
  }
  tx.at(`tr:res:${r.sid}`, tx.now.getTime() + (wf?.task_reservation_timeout ?? 120) * 1000, TIMER.reservation, {ws: ix.ws.sid, reservation: r.sid});
  recordEvent(tx, ix.ws, 'reservation.created', {type: 'reservation', sid: r.sid, parent: t.sid}, `Reservation ${r.sid} created for Worker ${w.doc.friendly_name}`, {
    ...reservationData(r, t, w.doc, tx.now),
  });
  if (wf?.assignment_callback_url) tx.emit(ASSIGNMENT_EVENT, {workspace_sid: ix.ws.sid, reservation_sid: r.sid}, r.sid);
  // single-tasking: the queue's ReservationActivitySid is the worker's activity while reserved [docs: TaskQueues and Activities]
  const activity = !ix.ws.multi_task_enabled ? q?.doc.reservation_activity_sid : null;
  if (activity) {
    writeCreated(tx, t);
    changeActivity(tx, ix, w.doc.sid, activity);
  }
  return r;
}

/** A worker may have capacity now: offer it the best waiting task of its queues, while it can take more. */
export function offerWorker(tx: Tx, ix: WorkspaceIndex, w: WorkerState): void {
  if (!w.doc.available) return;
  const lifoFirst = ix.ws.prioritize_queue_order === 'LIFO';
  for (let guard = 0; guard < 1000; guard++) {
    // tasks routed to this very worker (RoutingTarget WK…, IgnoreCapacity false) come first, oldest first [unverified]
    const direct = directTask(tx, ix, w);
    if (direct) {
      const q = direct.task_queue_sid ? ix.queues.get(direct.task_queue_sid) : undefined;
      reserve(tx, ix, direct, w, direct.workflow_sid ? ix.workflows.get(direct.workflow_sid) : undefined, q);
      saveTask(tx, direct);
      continue;
    }
    let best: {q: QueueState; t: TaskDoc; wf: WorkflowDoc | undefined; priority: number; vst: number} | undefined;
    for (const qs of w.queues) {
      const q = ix.queues.get(qs);
      if (!q || q.waiting.length === 0) continue;
      for (const waiting of q.waiting) {
        if (!ix.freeOn(w, waiting.channel)) continue;
        const t = tx.repo(TASKS).get(waiting.sid, ix.ws.sid);
        if (!t || t.assignment_status !== 'pending') continue;
        const route = waitingRoute(ix, t, q);
        if (!route || !eligible(ix, t, taskAttrs(t), route.target, w)) continue;
        const better =
          !best ||
          waiting.priority > best.priority ||
          (waiting.priority === best.priority &&
            (q.doc.task_order !== best.q.doc.task_order
              ? (q.doc.task_order === 'LIFO') === lifoFirst
              : q.doc.task_order === 'LIFO'
                ? waiting.vst > best.vst
                : waiting.vst < best.vst));
        if (better) best = {q, t, wf: route.wf, priority: waiting.priority, vst: waiting.vst};
        break; // the first eligible task is this queue's best
      }
    }
    if (!best) return;
    reserve(tx, ix, best.t, w, best.wf, best.q);
    saveTask(tx, best.t);
  }
}

/** The first task waiting for this worker that it can take now. */
function directTask(tx: Tx, ix: WorkspaceIndex, w: WorkerState): TaskDoc | undefined {
  const list = ix.direct.get(w.doc.sid);
  if (!list) return undefined;
  for (const waiting of [...list]) {
    if (!ix.freeOn(w, waiting.channel)) continue;
    const t = tx.repo(TASKS).get(waiting.sid, ix.ws.sid);
    if (t && t.assignment_status === 'pending' && t._.direct_wait) return t;
    ix.unwait(w.doc.sid, waiting.sid);
  }
  return undefined;
}

/** How a task waiting in queue q is offered: its workflow's current target, or the queue itself (RoutingTarget WQ…). */
function waitingRoute(ix: WorkspaceIndex, t: TaskDoc, q: QueueState): {wf: WorkflowDoc | undefined; target: Target} | undefined {
  const wf = t.workflow_sid ? ix.workflows.get(t.workflow_sid) : undefined;
  if (isQueueSid(t.routing_target)) return {wf, target: queueTarget(q)};
  if (isWorkerSid(t.routing_target)) return undefined;
  const target = wf && targetsOf(wf, t)[t._.target];
  return wf && target ? {wf, target} : undefined;
}

export interface TaskUpdate {
  attributes?: string;
  assignment_status?: TaskStatus;
  reason?: string;
  priority?: number;
  task_channel?: string;
  virtual_start_time?: string;
  if_match?: string;
}

const ACTIVE: TaskStatus[] = ['pending', 'reserved', 'assigned', 'wrapping'];

export function updateTask(tx: Tx, wsSid: string, current: TaskDoc, input: TaskUpdate): TaskDoc {
  const ix = index(tx, wsSid);
  const t = tx.repo(TASKS).get(current.sid, wsSid)!;
  checkVersion(input.if_match, t._.version, `/v1/Workspaces/${wsSid}/Tasks/${t.sid}`);
  if (input.attributes !== undefined) checkJson('Attributes', input.attributes);
  if (!ACTIVE.includes(t.assignment_status) && (input.attributes !== undefined || input.assignment_status !== undefined || input.priority !== undefined))
    throw illegal(`Task ${t.sid} is ${t.assignment_status} and can no longer be updated`);
  const to = input.assignment_status;
  if (to !== undefined && to !== t.assignment_status) {
    const from = t.assignment_status;
    const ok =
      (to === 'canceled' && (from === 'pending' || from === 'reserved')) ||
      (to === 'wrapping' && from === 'assigned') ||
      (to === 'completed' && (from === 'assigned' || from === 'wrapping'));
    if (!ok) throw illegal(`Task ${t.sid} cannot move from ${from} to ${to} (pending/reserved → canceled, assigned → wrapping|completed, wrapping → completed)`);
  }
  let reroute = false;
  if (input.attributes !== undefined && input.attributes !== t.attributes) {
    t.attributes = input.attributes;
    reroute = t.assignment_status === 'pending';
  }
  if (input.priority !== undefined) {
    t._.base_priority = input.priority;
    t.priority = input.priority;
    reroute = reroute || t.assignment_status === 'pending';
  }
  if (input.task_channel !== undefined) {
    const c = channelOf(ix, input.task_channel, 'TaskChannel');
    t.task_channel_sid = c.sid;
    t.task_channel_unique_name = c.unique_name;
  }
  if (input.virtual_start_time !== undefined) t.virtual_start_time = input.virtual_start_time;
  t.date_updated = iso(tx);
  if (to === 'canceled') cancelTask(tx, ix, t, input.reason ?? null);
  else if (to === 'wrapping') wrapTask(tx, ix, t, input.reason ?? null);
  else if (to === 'completed') completeTask(tx, ix, t, input.reason ?? null);
  else {
    recordEvent(tx, ix.ws, 'task.updated', {type: 'task', sid: t.sid}, `Task ${t.sid} updated`, taskData(t, tx.now));
    if (reroute) {
      // new attributes re-evaluate the workflow [docs: task re-evaluation]
      ix.dequeue(t.task_queue_sid, t.sid);
      const wf = t.workflow_sid ? ix.workflows.get(t.workflow_sid) : undefined;
      const q = t.task_queue_sid ? ix.queues.get(t.task_queue_sid) : undefined;
      if (isQueueSid(t.routing_target)) {
        if (q) offerInQueue(tx, ix, t, q);
      } else if (isWorkerSid(t.routing_target)) {
        // its place among the tasks waiting for the worker follows the new priority
        ix.unwait(t.routing_target!, t.sid);
        if (t._.direct_wait) ix.waitFor(t.routing_target!, waitingOf(t));
      } else if (wf) startWorkflow(tx, ix, t, wf);
    }
  }
  saveTask(tx, t);
  return t;
}

function cancelTask(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, reason: string | null): void {
  ix.dequeue(t.task_queue_sid, t.sid);
  if (t._.direct_wait) {
    ix.unwait(t.routing_target!, t.sid);
    t._.direct_wait = false;
  }
  t.assignment_status = 'canceled';
  t.reason = reason;
  t.date_updated = iso(tx);
  cancelTaskTimers(tx, t.sid);
  const freed: WorkerState[] = [];
  for (const r of tx.repo(RESERVATIONS).all({task_sid: t.sid}, ix.ws.sid))
    if (r.reservation_status === 'pending') {
      const w = closeReservation(tx, ix, t, r, 'canceled');
      if (w) freed.push(w);
    }
  recordEvent(tx, ix.ws, 'task.canceled', {type: 'task', sid: t.sid}, `Task ${t.sid} canceled${reason ? `: ${reason}` : ''}`, taskData(t, tx.now));
  for (const w of freed) offerWorker(tx, ix, w);
}

function acceptedOf(tx: Tx, ix: WorkspaceIndex, t: TaskDoc): ReservationDoc | undefined {
  return tx.repo(RESERVATIONS).all({task_sid: t.sid}, ix.ws.sid).find((r) => r.reservation_status === 'accepted' || r.reservation_status === 'wrapping');
}

function wrapTask(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, reason: string | null): void {
  t.assignment_status = 'wrapping';
  if (reason) t.reason = reason;
  const r = acceptedOf(tx, ix, t);
  if (r) {
    r.reservation_status = 'wrapping';
    r.date_updated = iso(tx);
    r._.version++;
    tx.repo(RESERVATIONS).update(r, ix.ws.sid);
    const w = ix.workers.get(r.worker_sid);
    recordEvent(tx, ix.ws, 'reservation.wrapup', {type: 'reservation', sid: r.sid, parent: t.sid}, `Reservation ${r.sid} wrapping`, reservationData(r, t, w?.doc, tx.now));
  }
  // a wrapping task still holds the worker's capacity until it completes [unverified; semantics §1.4]
  recordEvent(tx, ix.ws, 'task.wrapup', {type: 'task', sid: t.sid}, `Task ${t.sid} wrapping up`, taskData(t, tx.now));
}

function completeTask(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, reason: string | null): void {
  t.assignment_status = 'completed';
  t.reason = reason;
  cancelTaskTimers(tx, t.sid);
  const r = acceptedOf(tx, ix, t);
  let worker: WorkerState | undefined;
  if (r) {
    r.reservation_status = 'completed';
    r.date_updated = iso(tx);
    r._.version++;
    tx.repo(RESERVATIONS).update(r, ix.ws.sid);
    worker = ix.workers.get(r.worker_sid);
    const wc = worker?.channels.get(r._.channel_sid);
    if (worker && wc) {
      wc.assigned_tasks = Math.max(0, wc.assigned_tasks - 1);
      saveChannel(tx, wc);
      ix.refresh(worker);
    }
    recordEvent(tx, ix.ws, 'reservation.completed', {type: 'reservation', sid: r.sid, parent: t.sid}, `Reservation ${r.sid} completed`, reservationData(r, t, worker?.doc, tx.now));
  }
  recordEvent(tx, ix.ws, 'task.completed', {type: 'task', sid: t.sid}, `Task ${t.sid} completed${reason ? `: ${reason}` : ''}`, taskData(t, tx.now));
  if (worker) offerWorker(tx, ix, worker);
}

export function deleteTask(tx: Tx, wsSid: string, current: TaskDoc, ifMatch?: string): void {
  const ix = index(tx, wsSid);
  const t = tx.repo(TASKS).get(current.sid, wsSid)!;
  checkVersion(ifMatch, t._.version, `/v1/Workspaces/${wsSid}/Tasks/${t.sid}`);
  if (t.assignment_status === 'pending' || t.assignment_status === 'reserved') cancelTask(tx, ix, t, 'Task deleted');
  else if (t.assignment_status === 'assigned' || t.assignment_status === 'wrapping') completeTask(tx, ix, t, 'Task deleted');
  cancelTaskTimers(tx, t.sid);
  for (const r of tx.repo(RESERVATIONS).all({task_sid: t.sid}, wsSid)) {
    tx.cancel(`tr:res:${r.sid}`);
    tx.repo(RESERVATIONS).delete(r.sid, wsSid);
  }
  tx.repo(TASKS).delete(t.sid, wsSid);
  recordEvent(tx, ix.ws, 'task.deleted', {type: 'task', sid: t.sid}, `Task ${t.sid} deleted`, taskData(t, tx.now));
}

// =============================================================================================
// Reservations

/** A pending reservation ends without acceptance (rejected, timeout, canceled, rescinded): the worker's capacity is freed. */
function closeReservation(tx: Tx, ix: WorkspaceIndex, t: TaskDoc, r: ReservationDoc, status: ReservationStatus): WorkerState | undefined {
  r.reservation_status = status;
  r.date_updated = iso(tx);
  r._.version++;
  if (r._.callback === 'pending') r._.callback = 'done';
  tx.repo(RESERVATIONS).update(r, ix.ws.sid);
  tx.cancel(`tr:res:${r.sid}`);
  const w = ix.workers.get(r.worker_sid);
  const wc = w?.channels.get(r._.channel_sid);
  if (w && wc) {
    wc._.reserved = Math.max(0, wc._.reserved - 1);
    saveChannel(tx, wc);
    ix.refresh(w);
  }
  const type = status === 'timeout' ? 'reservation.timeout' : `reservation.${status}`;
  recordEvent(tx, ix.ws, type, {type: 'reservation', sid: r.sid, parent: t.sid}, `Reservation ${r.sid} ${status}`, reservationData(r, t, w?.doc, tx.now));
  return w;
}

export interface ReservationUpdate {
  reservation_status?: ReservationStatus;
  worker_activity_sid?: string;
  instruction?: string;
  post_work_activity_sid?: string;
  if_match?: string;
}

const ACCEPT_FROM: ReservationStatus[] = ['pending'];

export function updateReservation(tx: Tx, wsSid: string, current: ReservationDoc, input: ReservationUpdate): ReservationDoc {
  const ix = index(tx, wsSid);
  const r = tx.repo(RESERVATIONS).get(current.sid, wsSid)!;
  checkVersion(input.if_match, r._.version, `/v1/Workspaces/${wsSid}/Tasks/${r.task_sid}/Reservations/${r.sid}`);
  let to = input.reservation_status;
  if (input.instruction !== undefined) {
    const i = input.instruction.toLowerCase();
    if (i === 'accept') to = 'accepted';
    else if (i === 'reject') to = 'rejected';
    else throw new TwilioApiError(400, CODES.INVALID_PARAMETER, `Instruction ${input.instruction} is for voice tasks, which the emulator does not carry out (conversations use accept/reject and the task's status)`);
  }
  if (to === undefined) return r;
  const activity = input.worker_activity_sid ?? input.post_work_activity_sid;
  if (activity !== undefined && !ix.activities.has(activity)) throw errors.invalid('WorkerActivitySid', `${activity} is not an Activity of this Workspace`);
  switch (to) {
    case 'accepted':
      return acceptReservation(tx, wsSid, r, activity);
    case 'rejected':
      return rejectReservation(tx, wsSid, r, {activity});
    case 'wrapping':
    case 'completed': {
      if (r.reservation_status !== 'accepted' && !(to === 'completed' && r.reservation_status === 'wrapping'))
        throw illegal(`Reservation ${r.sid} is ${r.reservation_status}; only an accepted reservation can move to ${to}`);
      const t = tx.repo(TASKS).get(r.task_sid, wsSid)!;
      updateTask(tx, wsSid, t, {assignment_status: to});
      if (activity && to === 'completed') changeActivity(tx, ix, r.worker_sid, activity);
      return tx.repo(RESERVATIONS).get(r.sid, wsSid)!;
    }
    default:
      throw errors.invalid('ReservationStatus', `'${to}' cannot be set (use accepted, rejected, wrapping or completed)`);
  }
}

function changeActivity(tx: Tx, ix: WorkspaceIndex, workerSid: string, activitySid: string): void {
  const w = ix.workers.get(workerSid);
  if (w && w.doc.activity_sid !== activitySid) updateWorker(tx, ix.ws.sid, w.doc, {activity_sid: activitySid});
}

export function acceptReservation(tx: Tx, wsSid: string, r: ReservationDoc, activity?: string): ReservationDoc {
  const ix = index(tx, wsSid);
  if (!ACCEPT_FROM.includes(r.reservation_status)) throw illegal(`Reservation ${r.sid} is ${r.reservation_status} and can no longer be accepted`);
  const t = tx.repo(TASKS).get(r.task_sid, wsSid)!;
  r.reservation_status = 'accepted';
  r.date_updated = iso(tx);
  r._.version++;
  if (r._.callback === 'pending') r._.callback = 'done';
  tx.repo(RESERVATIONS).update(r, wsSid);
  tx.cancel(`tr:res:${r.sid}`);
  const w = ix.workers.get(r.worker_sid);
  const wc = w?.channels.get(r._.channel_sid);
  if (w && wc) {
    wc._.reserved = Math.max(0, wc._.reserved - 1);
    wc.assigned_tasks++;
    saveChannel(tx, wc);
    ix.refresh(w);
  }
  t.assignment_status = 'assigned';
  t.date_updated = iso(tx);
  tx.cancel(`tr:step:${t.sid}`);
  recordEvent(tx, ix.ws, 'reservation.accepted', {type: 'reservation', sid: r.sid, parent: t.sid}, `Reservation ${r.sid} accepted by Worker ${r.worker_name}`, reservationData(r, t, w?.doc, tx.now));
  // the other workers offered the same task lose it [docs]
  const freed: WorkerState[] = [];
  for (const other of tx.repo(RESERVATIONS).all({task_sid: t.sid}, wsSid))
    if (other.sid !== r.sid && other.reservation_status === 'pending') {
      const ow = closeReservation(tx, ix, t, other, 'rescinded');
      if (ow) freed.push(ow);
    }
  recordEvent(tx, ix.ws, 'task.updated', {type: 'task', sid: t.sid}, `Task ${t.sid} assigned`, taskData(t, tx.now));
  saveTask(tx, t);
  // single-tasking: the queue's AssignmentActivitySid once accepted [docs]; an explicit WorkerActivitySid wins
  const assignment = !ix.ws.multi_task_enabled && r._.queue_sid ? ix.queues.get(r._.queue_sid)?.doc.assignment_activity_sid : null;
  if (activity ?? assignment) changeActivity(tx, ix, r.worker_sid, (activity ?? assignment)!);
  for (const ow of freed) offerWorker(tx, ix, ow);
  return r;
}

/** Back to pending and offered again (within the current target), without the workers who said no. */
function reoffer(tx: Tx, ix: WorkspaceIndex, t: TaskDoc): void {
  const stillPending = tx.repo(RESERVATIONS).all({task_sid: t.sid}, ix.ws.sid).some((r) => r.reservation_status === 'pending');
  if (stillPending) return;
  t.assignment_status = 'pending';
  t.date_updated = iso(tx);
  // a task routed to one worker is offered to no one else; rejected or timed out, it stays
  // pending until it is canceled, updated or its TTL ends [unverified: what Twilio does next]
  if (isWorkerSid(t.routing_target)) return;
  const wf = t.workflow_sid ? ix.workflows.get(t.workflow_sid) : undefined;
  const q = t.task_queue_sid ? ix.queues.get(t.task_queue_sid) : undefined;
  if (isQueueSid(t.routing_target)) {
    if (q) offerInQueue(tx, ix, t, q);
    return;
  }
  const target = wf && targetsOf(wf, t)[t._.target];
  if (wf && q && target) {
    const made = offerTask(tx, ix, t, wf, q, target);
    if (made === 0) ix.enqueue(q, waitingOf(t));
  }
}

export function rejectReservation(tx: Tx, wsSid: string, r: ReservationDoc, opts: {activity?: string}): ReservationDoc {
  const ix = index(tx, wsSid);
  if (r.reservation_status !== 'pending') throw illegal(`Reservation ${r.sid} is ${r.reservation_status} and can no longer be rejected`);
  const t = tx.repo(TASKS).get(r.task_sid, wsSid)!;
  const w = closeReservation(tx, ix, t, r, 'rejected');
  // a worker who rejected a task is not offered it again [unverified; semantics §1.3]
  if (!t._.rejected.includes(r.worker_sid)) t._.rejected.push(r.worker_sid);
  // single-tasking: a worker moved to the queue's ReservationActivitySid stays there unless the
  // rejection names a WorkerActivitySid [unverified: Twilio documents no move back]
  if (opts.activity) changeActivity(tx, ix, r.worker_sid, opts.activity);
  reoffer(tx, ix, t);
  saveTask(tx, t);
  if (w) offerWorker(tx, ix, w);
  return r;
}

// =============================================================================================
// Timers

export function reservationTimedOut(tx: Tx, data: {ws: string; reservation: string}): void {
  const r = tx.repo(RESERVATIONS).get(data.reservation, data.ws);
  if (!r || r.reservation_status !== 'pending') return;
  const ix = index(tx, data.ws);
  const t = tx.repo(TASKS).get(r.task_sid, data.ws)!;
  closeReservation(tx, ix, t, r, 'timeout');
  // the worker goes to the workspace's timeout activity [helper-lib docs]
  if (ix.ws.timeout_activity_sid) changeActivity(tx, ix, r.worker_sid, ix.ws.timeout_activity_sid);
  reoffer(tx, ix, t);
  saveTask(tx, t);
}

export function targetTimedOut(tx: Tx, data: {ws: string; task: string; filter: number | null; target: number}): void {
  const t = tx.repo(TASKS).get(data.task, data.ws);
  if (!t || (t.assignment_status !== 'pending' && t.assignment_status !== 'reserved')) return;
  if (t._.filter !== data.filter || t._.target !== data.target) return;
  const ix = index(tx, data.ws);
  const wf = t.workflow_sid ? ix.workflows.get(t.workflow_sid) : undefined;
  if (!wf) return;
  const q = t.task_queue_sid ? ix.queues.get(t.task_queue_sid) : undefined;
  recordEvent(tx, ix.ws, 'task-queue.timeout', {type: 'task', sid: t.sid}, `Task ${t.sid} timed out of TaskQueue ${q?.doc.friendly_name ?? ''}`, taskData(t, tx.now));
  // pending reservations stay with their workers until they resolve [unverified]
  t.date_updated = iso(tx);
  enterTarget(tx, ix, t, wf, data.target + 1);
  saveTask(tx, t);
}

export function taskTtlExpired(tx: Tx, data: {ws: string; task: string}): void {
  const t = tx.repo(TASKS).get(data.task, data.ws);
  if (!t || (t.assignment_status !== 'pending' && t.assignment_status !== 'reserved')) return;
  const ix = index(tx, data.ws);
  cancelTask(tx, ix, t, 'Task TTL Exceeded');
  saveTask(tx, t);
}

export {EVENTS};
