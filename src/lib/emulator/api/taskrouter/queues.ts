import * as ops from '../../engine/taskrouter/ops.js';
import {compile} from '../../engine/taskrouter/expression/index.js';
import {errors} from '../../errors.js';
import {TASK_QUEUES, WORKFLOWS} from '../../model/taskrouter.js';
import {created, defineResource, noContent, ok, type Ctx} from '../../router.js';
import {docOf, echo, list, reader, render, urlParam, workspaceOf, WS, wsPath} from './common.js';

function queueInput(ctx: Ctx, required: boolean): ops.QueueInput {
  const f = ctx.form;
  return {
    friendly_name: required ? f.str('FriendlyName', {required: true, max: 64}) : f.str('FriendlyName', {max: 64}),
    target_workers: f.str('TargetWorkers'),
    max_reserved_workers: f.int('MaxReservedWorkers', {min: 1, max: 50}),
    task_order: f.enum('TaskOrder', ['FIFO', 'LIFO'] as const),
    reservation_activity_sid: f.sid('ReservationActivitySid', 'WA'),
    assignment_activity_sid: f.sid('AssignmentActivitySid', 'WA'),
  };
}

function workflowInput(ctx: Ctx, required: boolean): ops.WorkflowInput {
  const f = ctx.form;
  return {
    friendly_name: required ? f.str('FriendlyName', {required: true, max: 64}) : f.str('FriendlyName', {max: 64}),
    configuration: required ? f.str('Configuration', {required: true}) : f.str('Configuration'),
    assignment_callback_url: urlParam(f, 'AssignmentCallbackUrl'),
    fallback_assignment_callback_url: urlParam(f, 'FallbackAssignmentCallbackUrl'),
    task_reservation_timeout: f.int('TaskReservationTimeout', {min: 1, max: 86_400}),
    re_evaluate: f.str('ReEvaluateTasks')?.toLowerCase() === 'true',
  };
}

export default defineResource({
  domain: 'taskrouter',
  routes: {
    [`GET ${WS}/TaskQueues`](ctx) {
      const ws = workspaceOf(ctx);
      const name = ctx.query.str('FriendlyName');
      const expression = ctx.query.str('EvaluateWorkerAttributes');
      const worker = ctx.query.str('WorkerSid');
      let filter: ((q: {sid: string; target_workers: string}) => boolean) | undefined;
      if (expression) {
        let attrs: unknown;
        try {
          attrs = JSON.parse(expression);
        } catch {
          throw errors.invalid('EvaluateWorkerAttributes', 'is not JSON worker attributes');
        }
        filter = (q) => compile(q.target_workers)({bare: attrs, worker: attrs});
      } else if (worker) {
        const w = ops.index(reader(ctx), ws.sid).workers.get(worker);
        filter = (q) => !!w?.queues.has(q.sid);
      }
      const query = {where: (name ? {friendly_name: name} : {}) as Record<string, string>, filter};
      return ok(list(ctx, TASK_QUEUES, {collection: `${wsPath(ws.sid)}/TaskQueues`, key: 'task_queues', parent: ws.sid, query, filters: echo(ctx.query, ['FriendlyName', 'EvaluateWorkerAttributes', 'WorkerSid'])}));
    },
    [`POST ${WS}/TaskQueues`](ctx) {
      const ws = workspaceOf(ctx);
      const input = queueInput(ctx, true) as ops.QueueInput & {friendly_name: string};
      const q = ctx.tx((tx) => ops.createQueue(tx, ws.sid, input));
      return created(render(ctx, TASK_QUEUES, q, `${wsPath(ws.sid)}/TaskQueues`));
    },
    [`GET ${WS}/TaskQueues/:Sid`](ctx) {
      const q = docOf(ctx, TASK_QUEUES, 'TaskQueues');
      return ok(render(ctx, TASK_QUEUES, q, `${wsPath(q.workspace_sid)}/TaskQueues`));
    },
    [`POST ${WS}/TaskQueues/:Sid`](ctx) {
      const q = docOf(ctx, TASK_QUEUES, 'TaskQueues');
      const input = queueInput(ctx, false);
      const next = ctx.tx((tx) => ops.updateQueue(tx, q.workspace_sid, q, input));
      return ok(render(ctx, TASK_QUEUES, next, `${wsPath(q.workspace_sid)}/TaskQueues`));
    },
    [`DELETE ${WS}/TaskQueues/:Sid`](ctx) {
      const q = docOf(ctx, TASK_QUEUES, 'TaskQueues');
      ctx.tx((tx) => ops.deleteQueue(tx, q.workspace_sid, q));
      return noContent();
    },

    [`GET ${WS}/Workflows`](ctx) {
      const ws = workspaceOf(ctx);
      const name = ctx.query.str('FriendlyName');
      return ok(list(ctx, WORKFLOWS, {collection: `${wsPath(ws.sid)}/Workflows`, key: 'workflows', parent: ws.sid, query: {where: (name ? {friendly_name: name} : {}) as Record<string, string>}, filters: echo(ctx.query, ['FriendlyName'])}));
    },
    [`POST ${WS}/Workflows`](ctx) {
      const ws = workspaceOf(ctx);
      const input = workflowInput(ctx, true) as ops.WorkflowInput & {friendly_name: string; configuration: string};
      const wf = ctx.tx((tx) => ops.createWorkflow(tx, ws.sid, input));
      return created(render(ctx, WORKFLOWS, wf, `${wsPath(ws.sid)}/Workflows`));
    },
    [`GET ${WS}/Workflows/:Sid`](ctx) {
      const wf = docOf(ctx, WORKFLOWS, 'Workflows');
      return ok(render(ctx, WORKFLOWS, wf, `${wsPath(wf.workspace_sid)}/Workflows`));
    },
    [`POST ${WS}/Workflows/:Sid`](ctx) {
      const wf = docOf(ctx, WORKFLOWS, 'Workflows');
      const input = workflowInput(ctx, false);
      const next = ctx.tx((tx) => ops.updateWorkflow(tx, wf.workspace_sid, wf, input));
      return ok(render(ctx, WORKFLOWS, next, `${wsPath(wf.workspace_sid)}/Workflows`));
    },
    [`DELETE ${WS}/Workflows/:Sid`](ctx) {
      const wf = docOf(ctx, WORKFLOWS, 'Workflows');
      ctx.tx((tx) => ops.deleteWorkflow(tx, wf.workspace_sid, wf));
      return noContent();
    },
  },
});
