/**
 * Statistics of workspaces, queues, workflows and workers, derived when asked: realtime from the
 * routing index and the active tasks, cumulative from the stored events of the window
 * (StartDate/EndDate/Minutes; default the last 15 minutes [unverified: Twilio's default window]).
 */
import * as ops from '../../engine/taskrouter/ops.js';
import {isoSeconds} from '../../engine/clock.js';
import {errors} from '../../errors.js';
import {EVENTS, TASK_QUEUES, TASKS, WORKERS, WORKFLOWS, type TaskDoc} from '../../model/taskrouter.js';
import {defineResource, ok, type Ctx} from '../../router.js';
import type {Cond} from '../../store/repository.js';
import {dateParam, derivedList, docOf, reader, workspaceOf, WS, wsPath} from './common.js';
import type {WorkspaceIndex} from '../../engine/taskrouter/routing.js';

const ACTIVE = ['pending', 'reserved', 'assigned', 'wrapping'];

function window(ctx: Ctx): {start: number; end: number} {
  const now = ctx.clock.now().getTime();
  const start = dateParam(ctx.query, 'StartDate');
  const end = dateParam(ctx.query, 'EndDate');
  const minutes = ctx.query.int('Minutes', {min: 1});
  const s = minutes !== undefined ? now - minutes * 60_000 : start ? Date.parse(start) : now - 15 * 60_000;
  return {start: s, end: end ? Date.parse(end) : now};
}

function activeTasks(ctx: Ctx, wsSid: string, where: Record<string, Cond> = {}): TaskDoc[] {
  return ctx.store.repo(TASKS).all(ctx.accountSid, {...where, assignment_status: {in: ACTIVE}}, wsSid);
}

function channelFilter(ctx: Ctx, ix: WorkspaceIndex): string | undefined {
  const c = ctx.query.str('TaskChannel');
  if (!c) return undefined;
  const tc = ix.channels.get(c) ?? ix.channelByName(c);
  if (!tc) throw errors.invalid('TaskChannel', `'${c}' is not a TaskChannel of this Workspace`);
  return tc.sid;
}

function taskStats(tasks: TaskDoc[], now: number, channel?: string) {
  const byStatus: Record<string, number> = {pending: 0, reserved: 0, assigned: 0, wrapping: 0};
  const byPriority: Record<string, number> = {};
  let longest: TaskDoc | undefined;
  let total = 0;
  for (const t of tasks) {
    if (channel && t.task_channel_sid !== channel) continue;
    total++;
    byStatus[t.assignment_status] = (byStatus[t.assignment_status] ?? 0) + 1;
    if (t.assignment_status === 'pending' || t.assignment_status === 'reserved') {
      byPriority[String(t.priority)] = (byPriority[String(t.priority)] ?? 0) + 1;
      if (!longest || t.date_created < longest.date_created) longest = t;
    }
  }
  return {
    tasks_by_status: byStatus,
    tasks_by_priority: byPriority,
    total_tasks: total,
    longest_task_waiting_age: longest ? Math.floor((now - Date.parse(longest.date_created)) / 1000) : 0,
    longest_task_waiting_sid: longest?.sid ?? null,
    longest: longest,
  };
}

function activityStats(ix: WorkspaceIndex, workers: Iterable<string> | undefined) {
  const counts = new Map<string, number>();
  for (const a of ix.activities.keys()) counts.set(a, 0);
  const list = workers ? [...workers].map((s) => ix.workers.get(s)!).filter(Boolean) : [...ix.workers.values()];
  for (const w of list) counts.set(w.doc.activity_sid, (counts.get(w.doc.activity_sid) ?? 0) + 1);
  return {
    activity_statistics: [...ix.activities.values()].map((a) => ({sid: a.sid, friendly_name: a.friendly_name, workers: counts.get(a.sid) ?? 0})),
    total: list.length,
    available: list.filter((w) => w.doc.available).length,
  };
}

function cumulative(ctx: Ctx, wsSid: string, where: Record<string, Cond>) {
  const {start, end} = window(ctx);
  const repo = ctx.store.repo(EVENTS);
  const count = (type: string) => repo.count(ctx.accountSid, wsSid, {...where, event_type: type, date_ms: {gte: start, lte: end}});
  // acceptance time: from reservation.created to its reservation.accepted
  const accepted = repo.all(ctx.accountSid, {...where, event_type: 'reservation.accepted', date_ms: {gte: start, lte: end}}, wsSid);
  let totalAge = 0;
  for (const e of accepted) totalAge += Number(e.event_data.task_age ?? 0);
  const wait = {avg: accepted.length ? Math.round(totalAge / accepted.length) : 0, min: 0, max: 0, total: totalAge};
  return {
    start_time: isoSeconds(new Date(start)),
    end_time: isoSeconds(new Date(end)),
    reservations_created: count('reservation.created'),
    reservations_accepted: accepted.length,
    reservations_rejected: count('reservation.rejected'),
    reservations_timed_out: count('reservation.timeout'),
    reservations_canceled: count('reservation.canceled'),
    reservations_rescinded: count('reservation.rescinded'),
    tasks_canceled: count('task.canceled'),
    tasks_completed: count('task.completed'),
    tasks_deleted: count('task.deleted'),
    tasks_moved: count('task-queue.moved'),
    avg_task_acceptance_time: wait.avg,
    split_by_wait_time: null,
    wait_duration_until_accepted: wait,
    wait_duration_until_canceled: {avg: 0, min: 0, max: 0, total: 0},
    count,
  };
}

const base = (ctx: Ctx, wsSid: string, path: string) => ({account_sid: ctx.accountSid, workspace_sid: wsSid, url: ctx.url(`${wsPath(wsSid)}${path}`)});

function workspaceRealtime(ctx: Ctx, wsSid: string) {
  const ix = ops.index(reader(ctx), wsSid);
  const t = taskStats(activeTasks(ctx, wsSid), ctx.clock.now().getTime(), channelFilter(ctx, ix));
  const a = activityStats(ix, undefined);
  return {
    activity_statistics: a.activity_statistics,
    longest_task_waiting_age: t.longest_task_waiting_age,
    longest_task_waiting_sid: t.longest_task_waiting_sid,
    tasks_by_priority: t.tasks_by_priority,
    tasks_by_status: t.tasks_by_status,
    total_tasks: t.total_tasks,
    total_workers: a.total,
  };
}

function workspaceCumulative(ctx: Ctx, wsSid: string) {
  const {count, ...c} = cumulative(ctx, wsSid, {});
  return {...c, tasks_created: count('task.created'), tasks_timed_out_in_workflow: count('workflow.timeout')};
}

function queueRealtime(ctx: Ctx, wsSid: string, queueSid: string) {
  const ix = ops.index(reader(ctx), wsSid);
  const q = ix.queues.get(queueSid)!;
  const now = ctx.clock.now().getTime();
  const t = taskStats(activeTasks(ctx, wsSid, {task_queue_sid: queueSid}), now, channelFilter(ctx, ix));
  const a = activityStats(ix, q.members);
  const entered = t.longest?.task_queue_entered_date;
  return {
    activity_statistics: a.activity_statistics,
    longest_task_waiting_age: t.longest_task_waiting_age,
    longest_task_waiting_sid: t.longest_task_waiting_sid,
    longest_relative_task_age_in_queue: entered ? Math.floor((now - Date.parse(entered)) / 1000) : 0,
    longest_relative_task_sid_in_queue: t.longest_task_waiting_sid,
    task_queue_sid: queueSid,
    tasks_by_priority: t.tasks_by_priority,
    tasks_by_status: t.tasks_by_status,
    total_available_workers: a.available,
    total_eligible_workers: a.total,
    total_tasks: t.total_tasks,
  };
}

function queueCumulative(ctx: Ctx, wsSid: string, queueSid: string) {
  const {count, ...c} = cumulative(ctx, wsSid, {task_queue_sid: queueSid});
  return {...c, task_queue_sid: queueSid, tasks_entered: count('task-queue.entered'), wait_duration_in_queue_until_accepted: c.wait_duration_until_accepted};
}

function workflowRealtime(ctx: Ctx, wsSid: string, wfSid: string) {
  const ix = ops.index(reader(ctx), wsSid);
  const t = taskStats(activeTasks(ctx, wsSid, {workflow_sid: wfSid}), ctx.clock.now().getTime(), channelFilter(ctx, ix));
  return {
    longest_task_waiting_age: t.longest_task_waiting_age,
    longest_task_waiting_sid: t.longest_task_waiting_sid,
    tasks_by_priority: t.tasks_by_priority,
    tasks_by_status: t.tasks_by_status,
    total_tasks: t.total_tasks,
    workflow_sid: wfSid,
  };
}

function workflowCumulative(ctx: Ctx, wsSid: string, wfSid: string) {
  const {count, ...c} = cumulative(ctx, wsSid, {workflow_sid: wfSid});
  return {...c, workflow_sid: wfSid, tasks_entered: count('workflow.entered'), tasks_timed_out_in_workflow: count('workflow.timeout')};
}

function workersRealtime(ctx: Ctx, wsSid: string) {
  const ix = ops.index(reader(ctx), wsSid);
  const a = activityStats(ix, undefined);
  return {activity_statistics: a.activity_statistics, total_workers: a.total};
}

function workersCumulative(ctx: Ctx, wsSid: string, where: Record<string, Cond> = {}) {
  const {count: _count, start_time, end_time, reservations_created, reservations_accepted, reservations_rejected, reservations_timed_out, reservations_canceled, reservations_rescinded} = cumulative(ctx, wsSid, where);
  const ix = ops.index(reader(ctx), wsSid);
  return {
    start_time,
    end_time,
    activity_durations: [...ix.activities.values()].map((a) => ({sid: a.sid, friendly_name: a.friendly_name, avg: 0, min: 0, max: 0, total: 0})),
    reservations_created,
    reservations_accepted,
    reservations_rejected,
    reservations_timed_out,
    reservations_canceled,
    reservations_rescinded,
  };
}

export default defineResource({
  domain: 'taskrouter',
  routes: {
    [`GET ${WS}/Statistics`](ctx) {
      const ws = workspaceOf(ctx);
      return ok({...base(ctx, ws.sid, '/Statistics'), realtime: workspaceRealtime(ctx, ws.sid), cumulative: workspaceCumulative(ctx, ws.sid)});
    },
    [`GET ${WS}/RealTimeStatistics`](ctx) {
      const ws = workspaceOf(ctx);
      return ok({...base(ctx, ws.sid, '/RealTimeStatistics'), ...workspaceRealtime(ctx, ws.sid)});
    },
    [`GET ${WS}/CumulativeStatistics`](ctx) {
      const ws = workspaceOf(ctx);
      return ok({...base(ctx, ws.sid, '/CumulativeStatistics'), ...workspaceCumulative(ctx, ws.sid)});
    },

    [`GET ${WS}/TaskQueues/Statistics`](ctx) {
      const ws = workspaceOf(ctx);
      const name = ctx.query.str('FriendlyName');
      const queues = ctx.store.repo(TASK_QUEUES).all(ctx.accountSid, name ? {friendly_name: name} : {}, ws.sid);
      const items = queues.map((q) =>
        JSON.stringify({account_sid: ctx.accountSid, workspace_sid: ws.sid, task_queue_sid: q.sid, realtime: queueRealtime(ctx, ws.sid, q.sid), cumulative: queueCumulative(ctx, ws.sid, q.sid)}),
      );
      return ok(derivedList(ctx, items, {collection: `${wsPath(ws.sid)}/TaskQueues/Statistics`, key: 'task_queues_statistics'}));
    },
    [`POST ${WS}/TaskQueues/RealTimeStatistics`](ctx) {
      const ws = workspaceOf(ctx);
      const body = ctx.json as {TaskQueueSids?: unknown} | undefined;
      const sids = Array.isArray(body?.TaskQueueSids) ? (body!.TaskQueueSids as unknown[]) : ctx.form.list('TaskQueueSids');
      if (!sids || sids.length === 0) throw errors.missing('TaskQueueSids');
      if (sids.length > 50) throw errors.invalid('TaskQueueSids', 'at most 50 queues per request');
      const ix = ops.index(reader(ctx), ws.sid);
      const data = sids.map((s) => {
        if (typeof s !== 'string' || !ix.queues.has(s)) throw errors.invalid('TaskQueueSids', `${String(s)} is not a TaskQueue of this Workspace`);
        return {...base(ctx, ws.sid, `/TaskQueues/${s}/RealTimeStatistics`), ...queueRealtime(ctx, ws.sid, s)};
      });
      return {status: 200, body: {...base(ctx, ws.sid, '/TaskQueues/RealTimeStatistics'), task_queue_data: data, task_queue_response_count: data.length}};
    },
    [`GET ${WS}/TaskQueues/:TaskQueueSid/Statistics`](ctx) {
      const q = docOf(ctx, TASK_QUEUES, 'TaskQueues', ctx.params.TaskQueueSid);
      return ok({...base(ctx, q.workspace_sid, `/TaskQueues/${q.sid}/Statistics`), task_queue_sid: q.sid, realtime: queueRealtime(ctx, q.workspace_sid, q.sid), cumulative: queueCumulative(ctx, q.workspace_sid, q.sid)});
    },
    [`GET ${WS}/TaskQueues/:TaskQueueSid/RealTimeStatistics`](ctx) {
      const q = docOf(ctx, TASK_QUEUES, 'TaskQueues', ctx.params.TaskQueueSid);
      return ok({...base(ctx, q.workspace_sid, `/TaskQueues/${q.sid}/RealTimeStatistics`), ...queueRealtime(ctx, q.workspace_sid, q.sid)});
    },
    [`GET ${WS}/TaskQueues/:TaskQueueSid/CumulativeStatistics`](ctx) {
      const q = docOf(ctx, TASK_QUEUES, 'TaskQueues', ctx.params.TaskQueueSid);
      return ok({...base(ctx, q.workspace_sid, `/TaskQueues/${q.sid}/CumulativeStatistics`), ...queueCumulative(ctx, q.workspace_sid, q.sid)});
    },

    [`GET ${WS}/Workflows/:WorkflowSid/Statistics`](ctx) {
      const wf = docOf(ctx, WORKFLOWS, 'Workflows', ctx.params.WorkflowSid);
      return ok({...base(ctx, wf.workspace_sid, `/Workflows/${wf.sid}/Statistics`), workflow_sid: wf.sid, realtime: workflowRealtime(ctx, wf.workspace_sid, wf.sid), cumulative: workflowCumulative(ctx, wf.workspace_sid, wf.sid)});
    },
    [`GET ${WS}/Workflows/:WorkflowSid/RealTimeStatistics`](ctx) {
      const wf = docOf(ctx, WORKFLOWS, 'Workflows', ctx.params.WorkflowSid);
      return ok({...base(ctx, wf.workspace_sid, `/Workflows/${wf.sid}/RealTimeStatistics`), ...workflowRealtime(ctx, wf.workspace_sid, wf.sid)});
    },
    [`GET ${WS}/Workflows/:WorkflowSid/CumulativeStatistics`](ctx) {
      const wf = docOf(ctx, WORKFLOWS, 'Workflows', ctx.params.WorkflowSid);
      return ok({...base(ctx, wf.workspace_sid, `/Workflows/${wf.sid}/CumulativeStatistics`), ...workflowCumulative(ctx, wf.workspace_sid, wf.sid)});
    },

    [`GET ${WS}/Workers/Statistics`](ctx) {
      const ws = workspaceOf(ctx);
      return ok({...base(ctx, ws.sid, '/Workers/Statistics'), realtime: workersRealtime(ctx, ws.sid), cumulative: workersCumulative(ctx, ws.sid)});
    },
    [`GET ${WS}/Workers/RealTimeStatistics`](ctx) {
      const ws = workspaceOf(ctx);
      return ok({...base(ctx, ws.sid, '/Workers/RealTimeStatistics'), ...workersRealtime(ctx, ws.sid)});
    },
    [`GET ${WS}/Workers/CumulativeStatistics`](ctx) {
      const ws = workspaceOf(ctx);
      return ok({...base(ctx, ws.sid, '/Workers/CumulativeStatistics'), ...workersCumulative(ctx, ws.sid)});
    },
    [`GET ${WS}/Workers/:WorkerSid/Statistics`](ctx) {
      const w = docOf(ctx, WORKERS, 'Workers', ctx.params.WorkerSid);
      return ok({...base(ctx, w.workspace_sid, `/Workers/${w.sid}/Statistics`), worker_sid: w.sid, cumulative: workersCumulative(ctx, w.workspace_sid, {worker_sid: w.sid})});
    },
  },
});
