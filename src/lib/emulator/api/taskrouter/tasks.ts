import * as ops from '../../engine/taskrouter/ops.js';
import {compile, ExpressionError} from '../../engine/taskrouter/expression/index.js';
import {errors} from '../../errors.js';
import {RESERVATIONS, TASKS, type TaskDoc, type TaskStatus} from '../../model/taskrouter.js';
import {created, defineResource, noContent, ok, RawJson, type Ctx} from '../../router.js';
import type {Cond} from '../../store/repository.js';
import {dateParam, derivedList, docOf, echo, ifMatch, jsonParam, render, withAge, withETag, workspaceOf, WS, wsPath} from './common.js';
import {reservationInput, reservationList, reservationOf} from './workers.js';

const STATUSES = ['pending', 'reserved', 'assigned', 'canceled', 'completed', 'wrapping'] as const;

const taskOf = (ctx: Ctx, sid = ctx.params.TaskSid ?? ctx.params.Sid) => docOf(ctx, TASKS, 'Tasks', sid);

function renderTask(ctx: Ctx, t: TaskDoc): RawJson {
  return render(ctx, TASKS, withAge(t, ctx.clock.now()), `${wsPath(t.workspace_sid)}/Tasks`);
}

export default defineResource({
  domain: 'taskrouter',
  routes: {
    [`GET ${WS}/Tasks`](ctx) {
      const ws = workspaceOf(ctx);
      const q = ctx.query;
      const where: Record<string, Cond> = {};
      const statuses = q.list('AssignmentStatus')?.flatMap((s) => s.split(','));
      if (statuses?.length) {
        for (const s of statuses) if (!(STATUSES as readonly string[]).includes(s)) throw errors.invalid('AssignmentStatus', `'${s}' is not one of ${STATUSES.join(', ')}`);
        where.assignment_status = {in: statuses};
      }
      const wf = q.str('WorkflowSid');
      if (wf) where.workflow_sid = wf;
      const queue = q.str('TaskQueueSid');
      if (queue) where.task_queue_sid = queue;
      const priority = q.int('Priority');
      if (priority !== undefined) where.priority = priority;
      let tasks = ctx.store.repo(TASKS).all(ctx.accountSid, where, ws.sid);
      const wfName = q.str('WorkflowName');
      if (wfName) tasks = tasks.filter((t) => t.workflow_friendly_name === wfName);
      const queueName = q.str('TaskQueueName');
      if (queueName) tasks = tasks.filter((t) => t.task_queue_friendly_name === queueName);
      const routing = q.str('RoutingTarget');
      if (routing) tasks = tasks.filter((t) => t.routing_target === routing);
      // HasAddons [OAI]: the emulator runs no Add-ons, so only tasks whose addons say otherwise have them
      const addons = q.bool('HasAddons');
      if (addons !== undefined) tasks = tasks.filter((t) => hasAddons(t) === addons);
      const expression = q.str('EvaluateTaskAttributes');
      if (expression) {
        let p: ReturnType<typeof compile>;
        try {
          p = compile(expression);
        } catch (e) {
          if (e instanceof ExpressionError) throw errors.invalid('EvaluateTaskAttributes', `${e.why} at position ${e.position} of '${expression}'`);
          throw e;
        }
        tasks = tasks.filter((t) => {
          const a = JSON.parse(t.attributes);
          return p({bare: a, task: a});
        });
      }
      // Ordering: DateCreated|Priority|VirtualStartTime (:asc|:desc), comma-separated [OAI]
      const ordering = q.str('Ordering');
      if (ordering) {
        const keys = ordering.split(',').map((o) => {
          const [field, dir = 'asc'] = o.trim().split(':');
          const get: ((t: TaskDoc) => number) | undefined = {
            DateCreated: (t: TaskDoc) => Date.parse(t.date_created),
            Priority: (t: TaskDoc) => t.priority,
            VirtualStartTime: (t: TaskDoc) => Date.parse(t.virtual_start_time),
          }[field];
          if (!get || !/^(asc|desc)$/i.test(dir)) throw errors.invalid('Ordering', `'${o}' is not DateCreated, Priority or VirtualStartTime with :asc or :desc`);
          return {get, desc: dir.toLowerCase() === 'desc'};
        });
        tasks.sort((a, b) => {
          for (const k of keys) {
            const d = k.get(a) - k.get(b);
            if (d !== 0) return k.desc ? -d : d;
          }
          return 0;
        });
      }
      const now = ctx.clock.now();
      const urls = ctx.urls(`${wsPath(ws.sid)}/Tasks`);
      const repo = ctx.store.repo(TASKS);
      const items = tasks.map((t) => repo.render(withAge(t, now), urls));
      return ok(derivedList(ctx, items, {collection: `${wsPath(ws.sid)}/Tasks`, key: 'tasks', filters: echo(q, ['Priority', 'AssignmentStatus', 'WorkflowSid', 'WorkflowName', 'TaskQueueSid', 'TaskQueueName', 'EvaluateTaskAttributes', 'RoutingTarget', 'Ordering', 'HasAddons'])}));
    },
    [`POST ${WS}/Tasks`](ctx) {
      const ws = workspaceOf(ctx);
      const f = ctx.form;
      const input: ops.TaskInput = {
        workflow_sid: f.sid('WorkflowSid', 'WW'),
        attributes: jsonParam(f, 'Attributes'),
        priority: f.int('Priority', {min: 0, max: 2_147_483_647}),
        timeout: f.int('Timeout', {min: 1, max: 1_209_600}),
        task_channel: f.str('TaskChannel') || undefined,
        virtual_start_time: dateParam(f, 'VirtualStartTime'),
        routing_target: f.str('RoutingTarget') || undefined,
        ignore_capacity: ignoreCapacity(f.str('IgnoreCapacity')),
        task_queue_sid: f.sid('TaskQueueSid', 'WQ'),
      };
      const t = ctx.tx((tx) => ops.createTask(tx, ws.sid, input));
      return withETag(created(renderTask(ctx, t)), t);
    },
    [`GET ${WS}/Tasks/:Sid`](ctx) {
      const t = taskOf(ctx);
      return withETag(ok(renderTask(ctx, t)), t);
    },
    [`POST ${WS}/Tasks/:Sid`](ctx) {
      const t = taskOf(ctx);
      const f = ctx.form;
      const input: ops.TaskUpdate = {
        attributes: jsonParam(f, 'Attributes'),
        assignment_status: f.enum('AssignmentStatus', STATUSES) as TaskStatus | undefined,
        reason: f.str('Reason', {max: 1024}),
        priority: f.int('Priority', {min: 0, max: 2_147_483_647}),
        task_channel: f.str('TaskChannel') || undefined,
        virtual_start_time: dateParam(f, 'VirtualStartTime'),
        if_match: ifMatch(ctx),
      };
      const next = ctx.tx((tx) => ops.updateTask(tx, t.workspace_sid, t, input));
      return withETag(ok(renderTask(ctx, next)), next);
    },
    [`DELETE ${WS}/Tasks/:Sid`](ctx) {
      const t = taskOf(ctx);
      ctx.tx((tx) => ops.deleteTask(tx, t.workspace_sid, t, ifMatch(ctx)));
      return noContent();
    },

    [`GET ${WS}/Tasks/:TaskSid/Reservations`](ctx) {
      const t = taskOf(ctx);
      return reservationList(ctx, {task_sid: t.sid}, `${wsPath(t.workspace_sid)}/Tasks/${t.sid}/Reservations`);
    },
    [`GET ${WS}/Tasks/:TaskSid/Reservations/:Sid`](ctx) {
      const t = taskOf(ctx);
      const path = `${wsPath(t.workspace_sid)}/Tasks/${t.sid}/Reservations`;
      const r = reservationOf(ctx, {task_sid: t.sid}, path);
      return withETag(ok(render(ctx, RESERVATIONS, r, path)), r);
    },
    [`POST ${WS}/Tasks/:TaskSid/Reservations/:Sid`](ctx) {
      const t = taskOf(ctx);
      const path = `${wsPath(t.workspace_sid)}/Tasks/${t.sid}/Reservations`;
      const r = reservationOf(ctx, {task_sid: t.sid}, path);
      const input = reservationInput(ctx);
      const next = ctx.tx((tx) => ops.updateReservation(tx, t.workspace_sid, r, input));
      return withETag(ok(render(ctx, RESERVATIONS, next, path)), next);
    },
  },
});

const hasAddons = (t: TaskDoc) => !!t.addons && t.addons !== '{}';

/** IgnoreCapacity [OAI]: `true`, `1` or `yes` ignore the worker's capacity; any other value enforces it. */
function ignoreCapacity(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  return ['true', '1', 'yes'].includes(v.trim().toLowerCase());
}
