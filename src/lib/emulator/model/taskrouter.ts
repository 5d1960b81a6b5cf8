import {errors, TwilioApiError} from '../errors.js';
import {table} from '../store/table.js';

/**
 * Documents and tables of TaskRouter (taskrouter v1). Documents are the API's own shape
 * (snake_case) minus url/links; state the API does not show lives under `_` (TableDecl.internal).
 * Everything hangs under a workspace (parent), so deleting one deletes its tree.
 */

const ws = (d: {workspace_sid: string}) => `/v1/Workspaces/${d.workspace_sid}`;

/** [unverified] Twilio answers a duplicate friendly/unique name in a workspace with 409; the code is our guess. */
export const DUPLICATE = 20409;

const dup = (what: string, name: string) => (d: any, existing: any) =>
  new TwilioApiError(409, DUPLICATE, `A ${what} named '${d[name]}' already exists in this Workspace${existing ? `: ${existing.sid}` : ''}`);

export interface WorkspaceDoc {
  account_sid: string;
  date_created: string;
  date_updated: string;
  default_activity_name: string | null;
  default_activity_sid: string | null;
  event_callback_url: string | null;
  events_filter: string | null;
  friendly_name: string;
  multi_task_enabled: boolean;
  sid: string;
  timeout_activity_name: string | null;
  timeout_activity_sid: string | null;
  prioritize_queue_order: 'FIFO' | 'LIFO';
}

export const WORKSPACES = table<WorkspaceDoc>({
  name: 'tr_workspaces',
  keys: {friendly_name: {get: (d) => d.friendly_name}},
  unique: {
    name: {
      columns: ['friendly_name'],
      per: 'account',
      error: (d, e) => new TwilioApiError(409, DUPLICATE, `A Workspace named '${d.friendly_name}' already exists${e ? `: ${e.sid}` : ''}`),
    },
  },
  links: {
    activities: 'Activities',
    statistics: 'Statistics',
    real_time_statistics: 'RealTimeStatistics',
    cumulative_statistics: 'CumulativeStatistics',
    task_queues: 'TaskQueues',
    tasks: 'Tasks',
    workers: 'Workers',
    workflows: 'Workflows',
    task_channels: 'TaskChannels',
    events: 'Events',
  },
});

export interface ActivityDoc {
  account_sid: string;
  available: boolean;
  date_created: string;
  date_updated: string;
  friendly_name: string;
  sid: string;
  workspace_sid: string;
}

export const ACTIVITIES = table<ActivityDoc>({
  name: 'tr_activities',
  parent: WORKSPACES,
  keys: {friendly_name: {get: (d) => d.friendly_name}, available: {get: (d) => (d.available ? 1 : 0), type: 'int', indexed: false}},
  unique: {name: {columns: ['friendly_name'], per: 'parent', error: dup('Activity', 'friendly_name')}},
  links: {workspace: ws},
});

export interface TaskChannelDoc {
  account_sid: string;
  date_created: string;
  date_updated: string;
  friendly_name: string;
  sid: string;
  unique_name: string;
  workspace_sid: string;
  channel_optimized_routing: boolean | null;
}

export const TASK_CHANNELS = table<TaskChannelDoc>({
  name: 'tr_task_channels',
  parent: WORKSPACES,
  keys: {unique_name: {get: (d) => d.unique_name}},
  unique: {name: {columns: ['unique_name'], per: 'parent', error: dup('TaskChannel', 'unique_name')}},
  links: {workspace: ws},
});

export interface WorkerDoc {
  account_sid: string;
  activity_name: string;
  activity_sid: string;
  attributes: string;
  available: boolean;
  date_created: string;
  date_status_changed: string;
  date_updated: string;
  friendly_name: string;
  sid: string;
  workspace_sid: string;
  _: {version: number};
}

export const WORKERS = table<WorkerDoc>({
  name: 'tr_workers',
  parent: WORKSPACES,
  keys: {
    friendly_name: {get: (d) => d.friendly_name},
    activity_sid: {get: (d) => d.activity_sid},
    available: {get: (d) => (d.available ? 1 : 0), type: 'int', indexed: false},
  },
  unique: {name: {columns: ['friendly_name'], per: 'parent', error: dup('Worker', 'friendly_name')}},
  internal: '_',
  links: {
    channels: 'Channels',
    activity: (d) => `${ws(d)}/Activities/${d.activity_sid}`,
    workspace: ws,
    statistics: (d) => `${ws(d)}/Workers/Statistics`,
    real_time_statistics: (d) => `${ws(d)}/Workers/RealTimeStatistics`,
    cumulative_statistics: (d) => `${ws(d)}/Workers/CumulativeStatistics`,
    worker_statistics: 'Statistics',
    worker_channels: 'Channels',
    reservations: 'Reservations',
  },
});

export interface WorkerChannelDoc {
  account_sid: string;
  assigned_tasks: number;
  available: boolean;
  available_capacity_percentage: number;
  configured_capacity: number;
  date_created: string;
  date_updated: string;
  sid: string;
  task_channel_sid: string;
  task_channel_unique_name: string;
  worker_sid: string;
  workspace_sid: string;
  /** Pending reservations on this channel (they hold capacity; the API shows no count of them). */
  _: {reserved: number};
}

export const WORKER_CHANNELS = table<WorkerChannelDoc>({
  name: 'tr_worker_channels',
  parent: WORKERS,
  keys: {task_channel_sid: {get: (d) => d.task_channel_sid}, workspace_sid: {get: (d) => d.workspace_sid}},
  internal: '_',
});

export interface TaskQueueDoc {
  account_sid: string;
  assignment_activity_sid: string | null;
  assignment_activity_name: string | null;
  date_created: string;
  date_updated: string;
  friendly_name: string;
  max_reserved_workers: number;
  reservation_activity_sid: string | null;
  reservation_activity_name: string | null;
  sid: string;
  target_workers: string;
  task_order: 'FIFO' | 'LIFO';
  workspace_sid: string;
}

export const TASK_QUEUES = table<TaskQueueDoc>({
  name: 'tr_task_queues',
  parent: WORKSPACES,
  keys: {friendly_name: {get: (d) => d.friendly_name}},
  unique: {name: {columns: ['friendly_name'], per: 'parent', error: dup('TaskQueue', 'friendly_name')}},
  links: {
    assignment_activity: (d) => `${ws(d)}/Activities/${d.assignment_activity_sid ?? ''}`,
    reservation_activity: (d) => `${ws(d)}/Activities/${d.reservation_activity_sid ?? ''}`,
    workspace: ws,
    statistics: 'Statistics',
    real_time_statistics: 'RealTimeStatistics',
    cumulative_statistics: 'CumulativeStatistics',
    list_statistics: (d) => `${ws(d)}/TaskQueues/Statistics`,
    bulk_real_time_statistics: (d) => `${ws(d)}/TaskQueues/RealTimeStatistics`,
  },
});

export interface WorkflowDoc {
  account_sid: string;
  assignment_callback_url: string | null;
  configuration: string;
  date_created: string;
  date_updated: string;
  document_content_type: string;
  fallback_assignment_callback_url: string | null;
  friendly_name: string;
  sid: string;
  task_reservation_timeout: number;
  workspace_sid: string;
}

export const WORKFLOWS = table<WorkflowDoc>({
  name: 'tr_workflows',
  parent: WORKSPACES,
  keys: {friendly_name: {get: (d) => d.friendly_name}},
  links: {statistics: 'Statistics', real_time_statistics: 'RealTimeStatistics', cumulative_statistics: 'CumulativeStatistics'},
});

export type TaskStatus = 'pending' | 'reserved' | 'assigned' | 'canceled' | 'completed' | 'wrapping';

/** Where a task is in its workflow (not shown by the API). */
export interface TaskRouting {
  version: number;
  /** Index of the matched filter; -1 = default_filter; null = none matched (no queue). */
  filter: number | null;
  /** Index of the current target of that filter. */
  target: number;
  /** When the task entered its workflow (targets' timeouts add up from here) [docs: task-evaluation]. */
  entered_ms: number;
  /** Workers who rejected it (never offered it again) [unverified; semantics §1.3]. */
  rejected: string[];
  /** The priority the task was created/updated with (a target's priority overrides it while matched). */
  base_priority: number;
  /** RoutingTarget WK… with IgnoreCapacity=false: the task waits until that worker is free. */
  direct_wait?: boolean;
}

export interface TaskDoc {
  account_sid: string;
  age: number;
  assignment_status: TaskStatus;
  attributes: string;
  addons: string | null;
  date_created: string;
  date_updated: string;
  task_queue_entered_date: string | null;
  priority: number;
  reason: string | null;
  sid: string;
  task_queue_sid: string | null;
  task_queue_friendly_name: string | null;
  task_channel_sid: string;
  task_channel_unique_name: string;
  timeout: number;
  workflow_sid: string | null;
  workflow_friendly_name: string | null;
  workspace_sid: string;
  virtual_start_time: string;
  ignore_capacity: boolean | null;
  routing_target: string | null;
  _: TaskRouting;
}

export const TASKS = table<TaskDoc>({
  name: 'tr_tasks',
  parent: WORKSPACES,
  keys: {
    assignment_status: {get: (d) => d.assignment_status},
    workflow_sid: {get: (d) => d.workflow_sid},
    task_queue_sid: {get: (d) => d.task_queue_sid},
    priority: {get: (d) => d.priority, type: 'int', indexed: false},
  },
  internal: '_',
  links: {
    task_queue: (d) => `${ws(d)}/TaskQueues/${d.task_queue_sid ?? ''}`,
    workflow: (d) => `${ws(d)}/Workflows/${d.workflow_sid ?? ''}`,
    workspace: ws,
    reservations: 'Reservations',
  },
});

export type ReservationStatus = 'pending' | 'accepted' | 'rejected' | 'timeout' | 'canceled' | 'rescinded' | 'wrapping' | 'completed';

export interface ReservationDoc {
  account_sid: string;
  date_created: string;
  date_updated: string;
  reservation_status: ReservationStatus;
  sid: string;
  task_sid: string;
  worker_name: string;
  worker_sid: string;
  workspace_sid: string;
  _: {
    version: number;
    channel_sid: string;
    queue_sid: string | null;
    workflow_sid: string | null;
    /** The assignment callback: 'pending' until answered (survives a restart), then done. */
    callback: 'pending' | 'done' | null;
  };
}

/** Reservations hang under the workspace (task and worker views are two filters of one table). */
export const RESERVATIONS = table<ReservationDoc>({
  name: 'tr_reservations',
  parent: WORKSPACES,
  keys: {
    task_sid: {get: (d) => d.task_sid},
    worker_sid: {get: (d) => d.worker_sid},
    reservation_status: {get: (d) => d.reservation_status, indexed: false},
    callback: {get: (d) => d._.callback ?? null},
  },
  internal: '_',
  links: {
    task: (d) => `${ws(d)}/Tasks/${d.task_sid}`,
    worker: (d) => `${ws(d)}/Workers/${d.worker_sid}`,
    workspace: ws,
  },
});

export interface EventDoc {
  account_sid: string;
  actor_sid: string | null;
  actor_type: string | null;
  actor_url: string | null;
  description: string;
  event_data: Record<string, unknown>;
  event_date: string;
  event_date_ms: number;
  event_type: string;
  resource_sid: string;
  resource_type: string;
  resource_url: string;
  sid: string;
  source: string;
  source_ip_address: string | null;
  workspace_sid: string;
}

const eventKey = (name: string) => (d: EventDoc) => (d.event_data[name] as string | undefined) ?? null;

export const EVENTS = table<EventDoc>({
  name: 'tr_events',
  parent: WORKSPACES,
  // Every routing step writes several events (5 per routed interaction): an index is a B-tree
  // written per event, and only a task's events are read often enough to keep one. The other
  // filters (EventType, WorkerSid, ...) are SQL conditions on the workspace's rows.
  keys: {
    event_type: {get: (d) => d.event_type, indexed: false},
    date_ms: {get: (d) => d.event_date_ms, type: 'int', indexed: false},
    task_sid: {get: eventKey('task_sid')},
    worker_sid: {get: eventKey('worker_sid'), indexed: false},
    reservation_sid: {get: eventKey('reservation_sid'), indexed: false},
    task_queue_sid: {get: eventKey('task_queue_sid'), indexed: false},
    workflow_sid: {get: eventKey('workflow_sid'), indexed: false},
    task_channel: {get: eventKey('task_channel_unique_name'), indexed: false},
  },
});

export const TASKROUTER_TABLES = [
  WORKSPACES,
  ACTIVITIES,
  TASK_CHANNELS,
  WORKERS,
  WORKER_CHANNELS,
  TASK_QUEUES,
  WORKFLOWS,
  TASKS,
  RESERVATIONS,
  EVENTS,
];

export {errors};
