/**
 * The routing engine's in-memory indexes, one per workspace: workers (attributes, activity,
 * channels), queue membership and, per queue and task channel, the workers with free capacity
 * in round-robin order (a Map: offering moves a worker to the back), plus each queue's waiting
 * tasks in offer order. No task scans the store: a task looks up its queue's free workers, a
 * freed worker looks at its queues' waiting tasks.
 *
 * The store is the truth; an index is derived from it (built on first use, kept in step by the
 * operations, which change the documents it holds and write them). A transaction that rolls
 * back drops the indexes it changed (the store's undo journal), and the next use rebuilds them from what was committed.
 */
import type {Store} from '../../store/index.js';
import type {Tx} from '../../store/tx.js';
import {
  ACTIVITIES,
  TASK_CHANNELS,
  TASK_QUEUES,
  TASKS,
  WORKER_CHANNELS,
  WORKERS,
  WORKSPACES,
  WORKFLOWS,
  type ActivityDoc,
  type TaskChannelDoc,
  type TaskDoc,
  type TaskQueueDoc,
  type WorkerChannelDoc,
  type WorkerDoc,
  type WorkspaceDoc,
  type WorkflowDoc,
} from '../../model/taskrouter.js';
import {alwaysTrue, compile, type Predicate} from './expression/index.js';

export interface WorkerState {
  doc: WorkerDoc;
  /** Parsed attributes plus sid, friendly_name, activity_sid, activity_name (target expressions' `worker.`). */
  env: Record<string, unknown>;
  attrs: unknown;
  channels: Map<string, WorkerChannelDoc>;
  queues: Set<string>;
}

export interface Waiting {
  sid: string;
  priority: number;
  /** virtual_start_time in ms (age order). */
  vst: number;
  channel: string;
}

export interface QueueState {
  doc: TaskQueueDoc;
  matches: Predicate;
  always: boolean;
  members: Set<string>;
  /** Task channel sid → workers with free capacity on it, in offer order. */
  free: Map<string, Map<string, WorkerState>>;
  /** Pending tasks, in offer order (priority, then age per task_order). */
  waiting: Waiting[];
}

export class WorkspaceIndex {
  workers = new Map<string, WorkerState>();
  queues = new Map<string, QueueState>();
  activities = new Map<string, ActivityDoc>();
  channels = new Map<string, TaskChannelDoc>();
  workflows = new Map<string, WorkflowDoc>();
  /** Worker sid → tasks routed to that worker (RoutingTarget WK…) waiting for it to be free, in arrival order. */
  direct = new Map<string, Waiting[]>();

  constructor(public ws: WorkspaceDoc) {}

  waitFor(workerSid: string, t: Waiting): void {
    const list = this.direct.get(workerSid);
    if (list) list.push(t);
    else this.direct.set(workerSid, [t]);
  }

  unwait(workerSid: string, taskSid: string): void {
    const list = this.direct.get(workerSid);
    if (!list) return;
    const i = list.findIndex((x) => x.sid === taskSid);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.direct.delete(workerSid);
  }

  channelByName(name: string): TaskChannelDoc | undefined {
    for (const c of this.channels.values()) if (c.unique_name === name) return c;
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // workers

  addWorker(doc: WorkerDoc, channels: WorkerChannelDoc[]): WorkerState {
    const w: WorkerState = {doc, env: {}, attrs: {}, channels: new Map(channels.map((c) => [c.task_channel_sid, c])), queues: new Set()};
    this.setAttributes(w);
    this.workers.set(doc.sid, w);
    for (const q of this.queues.values()) if (q.always || q.matches({bare: w.attrs, worker: w.attrs})) q.members.add(doc.sid), w.queues.add(q.doc.sid);
    this.refresh(w);
    return w;
  }

  setAttributes(w: WorkerState): void {
    let attrs: unknown = {};
    try {
      attrs = JSON.parse(w.doc.attributes);
    } catch {
      // validated on write
    }
    w.attrs = attrs;
    const base = attrs && typeof attrs === 'object' && !Array.isArray(attrs) ? (attrs as Record<string, unknown>) : {};
    w.env = {...base, sid: w.doc.sid, friendly_name: w.doc.friendly_name, activity_sid: w.doc.activity_sid, activity_name: w.doc.activity_name};
  }

  /** Worker attributes changed: queue membership again (O(queues)). */
  rematch(w: WorkerState): void {
    this.setAttributes(w);
    for (const q of this.queues.values()) {
      const member = q.always || q.matches({bare: w.attrs, worker: w.attrs});
      if (member && !q.members.has(w.doc.sid)) {
        q.members.add(w.doc.sid);
        w.queues.add(q.doc.sid);
      } else if (!member && q.members.has(w.doc.sid)) {
        q.members.delete(w.doc.sid);
        w.queues.delete(q.doc.sid);
        for (const f of q.free.values()) f.delete(w.doc.sid);
      }
    }
    this.refresh(w);
  }

  removeWorker(sid: string): void {
    const w = this.workers.get(sid);
    if (!w) return;
    for (const qs of w.queues) {
      const q = this.queues.get(qs);
      if (!q) continue;
      q.members.delete(sid);
      for (const f of q.free.values()) f.delete(sid);
    }
    this.workers.delete(sid);
    this.direct.delete(sid);
  }

  /** Whether the worker can take one more task on this channel. */
  freeOn(w: WorkerState, channelSid: string): boolean {
    const c = w.channels.get(channelSid);
    if (!w.doc.available || !c || !c.available) return false;
    if (!this.ws.multi_task_enabled) {
      // single-tasking: one task at a time, whatever the channel
      for (const other of w.channels.values()) if (other.assigned_tasks + other._.reserved > 0) return false;
      return true;
    }
    return c.assigned_tasks + c._.reserved < c.configured_capacity;
  }

  /** Keep the free-capacity index in step with the worker (O(queues × channels)). */
  refresh(w: WorkerState): void {
    for (const qs of w.queues) {
      const q = this.queues.get(qs);
      if (!q) continue;
      for (const ch of w.channels.keys()) {
        let f = q.free.get(ch);
        const free = this.freeOn(w, ch);
        if (free) {
          if (!f) q.free.set(ch, (f = new Map()));
          if (!f.has(w.doc.sid)) f.set(w.doc.sid, w);
        } else f?.delete(w.doc.sid);
      }
    }
  }

  /** Offered a task: to the back of every round-robin order it is in. */
  rotate(w: WorkerState): void {
    for (const qs of w.queues) {
      const q = this.queues.get(qs);
      if (!q) continue;
      for (const f of q.free.values())
        if (f.delete(w.doc.sid)) f.set(w.doc.sid, w);
    }
  }

  // -------------------------------------------------------------------------------------------
  // queues

  addQueue(doc: TaskQueueDoc): QueueState {
    const q: QueueState = {
      doc,
      matches: compile(doc.target_workers),
      always: alwaysTrue(doc.target_workers),
      members: new Set(),
      free: new Map(),
      waiting: this.queues.get(doc.sid)?.waiting ?? [],
    };
    this.queues.set(doc.sid, q);
    for (const w of this.workers.values()) {
      w.queues.delete(doc.sid);
      if (q.always || q.matches({bare: w.attrs, worker: w.attrs})) {
        q.members.add(w.doc.sid);
        w.queues.add(doc.sid);
        for (const ch of w.channels.keys())
          if (this.freeOn(w, ch)) {
            let f = q.free.get(ch);
            if (!f) q.free.set(ch, (f = new Map()));
            f.set(w.doc.sid, w);
          }
      }
    }
    return q;
  }

  removeQueue(sid: string): void {
    const q = this.queues.get(sid);
    if (!q) return;
    for (const ws of q.members) this.workers.get(ws)?.queues.delete(sid);
    this.queues.delete(sid);
  }

  enqueue(q: QueueState, t: Waiting): void {
    const lifo = q.doc.task_order === 'LIFO';
    // first index that should come after t
    let lo = 0;
    let hi = q.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const o = q.waiting[mid];
      const after = o.priority < t.priority || (o.priority === t.priority && (lifo ? o.vst < t.vst : o.vst > t.vst));
      if (after) hi = mid;
      else lo = mid + 1;
    }
    q.waiting.splice(lo, 0, t);
  }

  dequeue(queueSid: string | null, taskSid: string): void {
    if (!queueSid) return;
    const q = this.queues.get(queueSid);
    if (!q) return;
    const i = q.waiting.findIndex((x) => x.sid === taskSid);
    if (i >= 0) q.waiting.splice(i, 1);
  }
}

/** The indexes of one store (one emulator). */
export class RoutingIndexes {
  private readonly byWorkspace = new Map<string, WorkspaceIndex>();
  /** One undo function per workspace: drop its index (a rolled-back savepoint changed it). */
  private readonly droppers = new Map<string, () => void>();
  builds = 0;

  constructor(private readonly store: Store) {
    store.onReset(() => this.byWorkspace.clear());
  }

  /**
   * The workspace's index (built from the store when missing). The caller may change it inside
   * the current savepoint: if that rolls back, the index is dropped and the next use rebuilds it
   * from what was committed (the store's undo journal).
   */
  get(tx: Tx, wsSid: string): WorkspaceIndex {
    let drop = this.droppers.get(wsSid);
    if (!drop) this.droppers.set(wsSid, (drop = () => void this.byWorkspace.delete(wsSid)));
    this.store.onUndo(drop);
    let ix = this.byWorkspace.get(wsSid);
    if (!ix) {
      ix = build(tx, wsSid);
      this.byWorkspace.set(wsSid, ix);
    }
    return ix;
  }

  drop(wsSid: string): void {
    this.byWorkspace.delete(wsSid);
  }
}

function build(tx: Tx, wsSid: string): WorkspaceIndex {
  const ws = tx.repo(WORKSPACES).get(wsSid);
  if (!ws) throw new Error(`workspace ${wsSid} is gone`);
  const ix = new WorkspaceIndex(ws);
  for (const a of tx.repo(ACTIVITIES).all({}, wsSid)) ix.activities.set(a.sid, a);
  for (const c of tx.repo(TASK_CHANNELS).all({}, wsSid)) ix.channels.set(c.sid, c);
  for (const w of tx.repo(WORKFLOWS).all({}, wsSid)) ix.workflows.set(w.sid, w);
  for (const q of tx.repo(TASK_QUEUES).all({}, wsSid)) ix.addQueue(q);
  const channels = new Map<string, WorkerChannelDoc[]>();
  for (const c of tx.repo(WORKER_CHANNELS).all({workspace_sid: wsSid})) {
    const list = channels.get(c.worker_sid) ?? [];
    list.push(c);
    channels.set(c.worker_sid, list);
  }
  for (const w of tx.repo(WORKERS).all({}, wsSid)) ix.addWorker(w, channels.get(w.sid) ?? []);
  for (const t of tx.repo(TASKS).all({assignment_status: 'pending'}, wsSid) as TaskDoc[]) {
    // a task routed to one worker waits for that worker, never in its queue
    if (isWorkerSid(t.routing_target)) {
      if (t._.direct_wait) ix.waitFor(t.routing_target!, waitingOf(t));
      continue;
    }
    const q = t.task_queue_sid ? ix.queues.get(t.task_queue_sid) : undefined;
    if (q) ix.enqueue(q, waitingOf(t));
  }
  return ix;
}

export function waitingOf(t: TaskDoc): Waiting {
  return {sid: t.sid, priority: t.priority, vst: Date.parse(t.virtual_start_time), channel: t.task_channel_sid};
}

export const isWorkerSid = (sid: string | null | undefined): boolean => !!sid && sid.startsWith('WK');
export const isQueueSid = (sid: string | null | undefined): boolean => !!sid && sid.startsWith('WQ');
