/**
 * TaskRouter events [docs: taskrouter/api/event/reference]: every state change is an Event
 * resource (Twilio's event_type names, event_data in snake_case) and, when the workspace has an
 * EventCallbackUrl and its EventsFilter lets the type through, a signed form POST (PascalCase
 * fields) put in the outbox in the same transaction.
 */
import {EVENTS, type EventDoc, type ReservationDoc, type TaskDoc, type WorkerDoc, type WorkspaceDoc} from '../../model/taskrouter.js';
import {newSid} from '../../sid.js';
import type {Tx} from '../../store/tx.js';
import {isoSeconds} from '../clock.js';
import type {FormParams} from '../signature.js';
import {enqueue} from '../webhooks.js';

/** Bus name of a TaskRouter event (`taskrouter.reservation.accepted`), data = its event_data + workspace_sid. */
export const BUS_PREFIX = 'taskrouter.';

export const TWILIO_ROOT = 'https://taskrouter.twilio.com/v1/Workspaces';

const RESOURCE_PATH: Record<string, string> = {
  task: 'Tasks',
  reservation: 'Tasks',
  worker: 'Workers',
  activity: 'Activities',
  workflow: 'Workflows',
  taskqueue: 'TaskQueues',
  taskchannel: 'TaskChannels',
  workspace: '',
};

export function taskData(t: TaskDoc, now: Date): Record<string, unknown> {
  return {
    task_sid: t.sid,
    task_attributes: t.attributes,
    task_age: Math.max(0, Math.floor((now.getTime() - Date.parse(t.date_created)) / 1000)),
    task_priority: t.priority,
    task_assignment_status: t.assignment_status,
    task_channel_sid: t.task_channel_sid,
    task_channel_unique_name: t.task_channel_unique_name,
    task_queue_sid: t.task_queue_sid,
    task_queue_name: t.task_queue_friendly_name,
    workflow_sid: t.workflow_sid,
    workflow_name: t.workflow_friendly_name,
    task_date_created: Math.floor(Date.parse(t.date_created) / 1000),
    task_version: t._.version,
    ...(t.assignment_status === 'canceled' ? {task_canceled_reason: t.reason} : {}),
    ...(t.assignment_status === 'completed' ? {task_completed_reason: t.reason} : {}),
  };
}

export function workerData(w: WorkerDoc): Record<string, unknown> {
  return {
    worker_sid: w.sid,
    worker_name: w.friendly_name,
    worker_attributes: w.attributes,
    worker_activity_sid: w.activity_sid,
    worker_activity_name: w.activity_name,
    worker_available: w.available,
    worker_version: w._.version,
  };
}

export function reservationData(r: ReservationDoc, t: TaskDoc, w: WorkerDoc | undefined, now: Date): Record<string, unknown> {
  return {reservation_sid: r.sid, ...taskData(t, now), ...(w ? workerData(w) : {worker_sid: r.worker_sid, worker_name: r.worker_name})};
}

const pascal = (k: string) => k.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());

/** Record an event (and queue its callback). */
export function recordEvent(
  tx: Tx,
  ws: WorkspaceDoc,
  type: string,
  resource: {type: string; sid: string; parent?: string},
  description: string,
  data: Record<string, unknown>,
): EventDoc {
  const ms = tx.now.getTime();
  const path = RESOURCE_PATH[resource.type] ?? '';
  const resourceUrl =
    resource.type === 'workspace'
      ? `${TWILIO_ROOT}/${ws.sid}`
      : resource.type === 'reservation' && resource.parent
        ? `${TWILIO_ROOT}/${ws.sid}/Tasks/${resource.parent}/Reservations/${resource.sid}`
        : `${TWILIO_ROOT}/${ws.sid}/${path}/${resource.sid}`;
  const ev: EventDoc = {
    account_sid: tx.accountSid,
    actor_sid: ws.sid,
    actor_type: 'workspace',
    actor_url: `${TWILIO_ROOT}/${ws.sid}`,
    description,
    event_data: data,
    event_date: isoSeconds(tx.now),
    event_date_ms: ms,
    event_type: type,
    resource_sid: resource.sid,
    resource_type: resource.type,
    resource_url: resourceUrl,
    sid: newSid('EV'),
    source: 'twilio',
    source_ip_address: null,
    workspace_sid: ws.sid,
  };
  tx.repo(EVENTS).insert(ev, ws.sid);
  // on the bus too when another engine reacts to it (Flex: reservation.accepted → the agent joins)
  const busType = BUS_PREFIX + type;
  if (tx.store.wanted.has(busType)) tx.emit(busType, {workspace_sid: ws.sid, ...data}, resource.sid);
  if (ws.event_callback_url && passes(ws.events_filter, type)) {
    const params: FormParams = {
      EventType: type,
      AccountSid: tx.accountSid,
      WorkspaceSid: ws.sid,
      WorkspaceName: ws.friendly_name,
      EventDescription: description,
      ResourceType: capital(resource.type),
      ResourceSid: resource.sid,
      Sid: ev.sid,
      Timestamp: String(Math.floor(ms / 1000)),
      TimestampMs: String(ms),
    };
    for (const [k, v] of Object.entries(data)) if (v !== null && v !== undefined) params[pascal(k)] = String(v);
    enqueue(tx, {url: ws.event_callback_url, params, eventType: type, orderingKey: `tr:${ws.sid}`, maxAttempts: attemptsFor(ws.event_callback_url)});
  }
  return ev;
}

function capital(t: string): string {
  return {task: 'Task', reservation: 'Reservation', worker: 'Worker', activity: 'Activity', workflow: 'Workflow', taskqueue: 'TaskQueue', taskchannel: 'TaskChannel', workspace: 'Workspace'}[t] ?? t;
}

const filters = new Map<string, Set<string>>();

/** EventsFilter: a comma-separated list of event types (none = every event) [docs]. */
export function passes(filter: string | null, type: string): boolean {
  if (!filter) return true;
  let set = filters.get(filter);
  if (!set) {
    set = new Set(filter.split(',').map((s) => s.trim()).filter(Boolean));
    if (filters.size > 1000) filters.clear();
    filters.set(filter, set);
  }
  return set.size === 0 || set.has(type);
}

/** Retries of a failed callback when the URL sets none: Twilio's default retry count [docs: webhooks connection overrides, `rc` default 1]. */
export const EVENT_RETRIES = 1;

/**
 * Attempts for one event callback: 1 + the retry count, which the URL's connection-override
 * fragment may set (`#rc=0` … `#rc=5`) [docs: webhooks connection overrides]. Retries go through
 * the one webhook sender and back off on the clock (1 s, 2 s, …). Twilio's default retry policy
 * (`rp`) retries connection failures only; the emulator retries any failed attempt [unverified].
 */
export function attemptsFor(url: string): number {
  const hash = url.indexOf('#');
  if (hash < 0) return 1 + EVENT_RETRIES;
  const rc = new URLSearchParams(url.slice(hash + 1)).get('rc');
  const n = rc === null ? EVENT_RETRIES : Number(rc);
  return 1 + (Number.isInteger(n) && n >= 0 ? Math.min(n, 5) : EVENT_RETRIES);
}
