import * as ops from '../../engine/taskrouter/ops.js';
import {compile} from '../../engine/taskrouter/expression/index.js';
import {ExpressionError} from '../../engine/taskrouter/expression/index.js';
import {errors} from '../../errors.js';
import {RESERVATIONS, TASKS, WORKER_CHANNELS, WORKERS, type ReservationDoc, type WorkerDoc} from '../../model/taskrouter.js';
import {created, defineResource, noContent, ok, type Ctx} from '../../router.js';
import {docOf, echo, ifMatch, jsonParam, list, reader, render, withETag, workspaceOf, WS, wsPath} from './common.js';

const STATUSES = ['pending', 'accepted', 'rejected', 'timeout', 'canceled', 'rescinded', 'wrapping', 'completed'] as const;

export function reservationInput(ctx: Ctx): ops.ReservationUpdate {
  const f = ctx.form;
  return {
    reservation_status: f.enum('ReservationStatus', STATUSES),
    worker_activity_sid: f.sid('WorkerActivitySid', 'WA'),
    post_work_activity_sid: f.sid('PostWorkActivitySid', 'WA'),
    instruction: f.str('Instruction') || undefined,
    if_match: ifMatch(ctx),
  };
}

const workerOf = (ctx: Ctx, sid = ctx.params.WorkerSid ?? ctx.params.Sid) => docOf(ctx, WORKERS, 'Workers', sid);

function reservationOf(ctx: Ctx, where: {task_sid?: string; worker_sid?: string}, path: string): ReservationDoc {
  const ws = workspaceOf(ctx);
  const r = ctx.store.repo(RESERVATIONS).get(ctx.accountSid, ctx.params.Sid, ws.sid);
  if (!r || (where.task_sid && r.task_sid !== where.task_sid) || (where.worker_sid && r.worker_sid !== where.worker_sid))
    throw errors.notFound(`${path}/${ctx.params.Sid}`);
  return r;
}

export function reservationList(ctx: Ctx, where: Record<string, string>, collection: string) {
  const ws = workspaceOf(ctx);
  const status = ctx.query.enum('ReservationStatus', STATUSES);
  const worker = ctx.query.str('WorkerSid');
  if (worker) where = {...where, worker_sid: worker};
  const filter = status ? (r: ReservationDoc) => r.reservation_status === status : undefined;
  return ok(list(ctx, RESERVATIONS, {collection, key: 'reservations', parent: ws.sid, query: {where, filter}, filters: echo(ctx.query, ['ReservationStatus', 'WorkerSid'])}));
}

export {reservationOf};

export default defineResource({
  domain: 'taskrouter',
  routes: {
    [`GET ${WS}/Workers`](ctx) {
      const ws = workspaceOf(ctx);
      const q = ctx.query;
      const where: Record<string, string | number> = {};
      const sid = q.str('ActivitySid');
      if (sid) where.activity_sid = sid;
      const name = q.str('FriendlyName');
      if (name) where.friendly_name = name;
      const available = q.bool('Available');
      if (available !== undefined) where.available = available ? 1 : 0;
      const preds: ((w: WorkerDoc) => boolean)[] = [];
      const activityName = q.str('ActivityName');
      if (activityName) preds.push((w) => w.activity_name === activityName);
      const expression = q.str('TargetWorkersExpression');
      if (expression) {
        let p: ReturnType<typeof compile>;
        try {
          p = compile(expression);
        } catch (e) {
          if (e instanceof ExpressionError) throw errors.invalid('TargetWorkersExpression', `${e.why} at position ${e.position}`);
          throw e;
        }
        preds.push((w) => {
          const a = JSON.parse(w.attributes);
          return p({bare: a, worker: a});
        });
      }
      const queueSid = q.str('TaskQueueSid');
      const queueName = q.str('TaskQueueName');
      if (queueSid || queueName) {
        const ix = ops.index(reader(ctx), ws.sid);
        const queue = queueSid ? ix.queues.get(queueSid) : [...ix.queues.values()].find((x) => x.doc.friendly_name === queueName);
        preds.push((w) => !!queue?.members.has(w.sid));
      }
      const filter = preds.length ? (w: WorkerDoc) => preds.every((p) => p(w)) : undefined;
      return ok(list(ctx, WORKERS, {
        collection: `${wsPath(ws.sid)}/Workers`,
        key: 'workers',
        parent: ws.sid,
        query: {where, filter, order: q.str('Ordering')?.toLowerCase().endsWith(':desc') ? 'desc' : 'asc'},
        filters: echo(q, ['ActivityName', 'ActivitySid', 'Available', 'FriendlyName', 'TargetWorkersExpression', 'TaskQueueName', 'TaskQueueSid', 'Ordering']),
      }));
    },
    [`POST ${WS}/Workers`](ctx) {
      const ws = workspaceOf(ctx);
      const f = ctx.form;
      const input = {friendly_name: f.str('FriendlyName', {required: true, max: 64}), activity_sid: f.sid('ActivitySid', 'WA'), attributes: jsonParam(f, 'Attributes')};
      const w = ctx.tx((tx) => ops.createWorker(tx, ws.sid, input));
      return withETag(created(render(ctx, WORKERS, w, `${wsPath(ws.sid)}/Workers`)), w);
    },
    [`GET ${WS}/Workers/:Sid`](ctx) {
      const w = workerOf(ctx);
      return withETag(ok(render(ctx, WORKERS, w, `${wsPath(w.workspace_sid)}/Workers`)), w);
    },
    [`POST ${WS}/Workers/:Sid`](ctx) {
      const w = workerOf(ctx);
      const f = ctx.form;
      const input = {
        friendly_name: f.str('FriendlyName', {max: 64}),
        activity_sid: f.sid('ActivitySid', 'WA'),
        attributes: jsonParam(f, 'Attributes'),
        reject_pending: f.bool('RejectPendingReservations'),
        if_match: ifMatch(ctx),
      };
      const next = ctx.tx((tx) => ops.updateWorker(tx, w.workspace_sid, w, input));
      return withETag(ok(render(ctx, WORKERS, next, `${wsPath(w.workspace_sid)}/Workers`)), next);
    },
    [`DELETE ${WS}/Workers/:Sid`](ctx) {
      const w = workerOf(ctx);
      ctx.tx((tx) => ops.deleteWorker(tx, w.workspace_sid, w, ifMatch(ctx)));
      return noContent();
    },

    [`GET ${WS}/Workers/:WorkerSid/Channels`](ctx) {
      const w = workerOf(ctx);
      return ok(list(ctx, WORKER_CHANNELS, {collection: `${wsPath(w.workspace_sid)}/Workers/${w.sid}/Channels`, key: 'channels', parent: w.sid}));
    },
    [`GET ${WS}/Workers/:WorkerSid/Channels/:Sid`](ctx) {
      const w = workerOf(ctx);
      const wc = channelOf(ctx, w);
      return ok(render(ctx, WORKER_CHANNELS, wc, `${wsPath(w.workspace_sid)}/Workers/${w.sid}/Channels`));
    },
    [`POST ${WS}/Workers/:WorkerSid/Channels/:Sid`](ctx) {
      const w = workerOf(ctx);
      const wc = channelOf(ctx, w);
      const input = {capacity: ctx.form.int('Capacity', {min: 0, max: 50}), available: ctx.form.bool('Available')};
      const next = ctx.tx((tx) => ops.updateWorkerChannel(tx, w.workspace_sid, wc, input));
      return ok(render(ctx, WORKER_CHANNELS, next, `${wsPath(w.workspace_sid)}/Workers/${w.sid}/Channels`));
    },

    [`GET ${WS}/Workers/:WorkerSid/Reservations`](ctx) {
      const w = workerOf(ctx);
      return reservationList(ctx, {worker_sid: w.sid}, `${wsPath(w.workspace_sid)}/Workers/${w.sid}/Reservations`);
    },
    [`GET ${WS}/Workers/:WorkerSid/Reservations/:Sid`](ctx) {
      const w = workerOf(ctx);
      const path = `${wsPath(w.workspace_sid)}/Workers/${w.sid}/Reservations`;
      const r = reservationOf(ctx, {worker_sid: w.sid}, path);
      return withETag(ok(render(ctx, RESERVATIONS, r, path)), r);
    },
    [`POST ${WS}/Workers/:WorkerSid/Reservations/:Sid`](ctx) {
      const w = workerOf(ctx);
      const path = `${wsPath(w.workspace_sid)}/Workers/${w.sid}/Reservations`;
      const r = reservationOf(ctx, {worker_sid: w.sid}, path);
      const input = reservationInput(ctx);
      const next = ctx.tx((tx) => ops.updateReservation(tx, w.workspace_sid, r, input));
      return withETag(ok(render(ctx, RESERVATIONS, next, path)), next);
    },
  },
});

/** A worker channel by its WC sid or its task channel's sid / unique name. */
function channelOf(ctx: Ctx, w: WorkerDoc) {
  const key = ctx.params.Sid;
  const repo = ctx.store.repo(WORKER_CHANNELS);
  let wc = repo.get(ctx.accountSid, key, w.sid);
  if (!wc) {
    const ix = ops.index(reader(ctx), w.workspace_sid);
    const tc = ix.channels.get(key) ?? ix.channelByName(key);
    if (tc) wc = repo.findBy(ctx.accountSid, {task_channel_sid: tc.sid}, w.sid);
  }
  if (!wc) throw errors.notFound(`${wsPath(w.workspace_sid)}/Workers/${w.sid}/Channels/${key}`);
  return wc;
}

export {TASKS};
