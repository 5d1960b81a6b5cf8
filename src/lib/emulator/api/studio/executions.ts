import * as ops from '../../engine/studio/ops.js';
import {errors} from '../../errors.js';
import {EXECUTIONS, STEPS} from '../../model/studio.js';
import {created, defineResource, noContent, ok} from '../../router.js';
import type {Cond} from '../../store/repository.js';
import {isoSeconds} from '../../engine/clock.js';
import {executionOf, executionsPath, flowOf, list, render, stepOf, stepsPath} from './common.js';

const FN = '/v2/Flows/:FlowSid/Executions';

/** DateCreatedFrom / DateCreatedTo: ISO 8601, compared at Twilio's one-second precision. */
function dateParam(ctx: Parameters<typeof flowOf>[0], name: string): string | undefined {
  const v = ctx.query.str(name);
  if (!v) return undefined;
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) throw errors.invalid(name, `'${v}' is not an ISO 8601 date-time (2026-12-01T10:00:00Z)`);
  return isoSeconds(d);
}

/** Studio v2 Executions (REST API trigger, fetch, list with date filters, Status=ended, delete), their Context and Steps. */
export default defineResource({
  domain: 'studio',
  routes: {
    [`POST ${FN}`](ctx) {
      const flow = flowOf(ctx);
      const to = ctx.form.str('To', {required: true});
      const from = ctx.form.str('From', {required: true});
      const raw = ctx.form.str('Parameters');
      let parameters: Record<string, unknown> = {};
      if (raw) {
        try {
          parameters = JSON.parse(raw);
        } catch {
          throw errors.invalid('Parameters', `'${raw.slice(0, 80)}' is not JSON`);
        }
        if (!parameters || typeof parameters !== 'object' || Array.isArray(parameters)) throw errors.invalid('Parameters', 'must be a JSON object');
      }
      const exec = ctx.tx((tx) => ops.createExecution(tx, flow, {to, from, parameters}));
      return created(render(ctx, EXECUTIONS, exec, executionsPath(flow.sid)));
    },
    [`GET ${FN}`](ctx) {
      const flow = flowOf(ctx);
      const from = dateParam(ctx, 'DateCreatedFrom');
      const to = dateParam(ctx, 'DateCreatedTo');
      const status = ctx.query.enum('Status', ['active', 'ended'] as const) ?? ctx.query.enum('status', ['active', 'ended'] as const);
      const where: Record<string, Cond> = {};
      if (from || to) where.date_created = {...(from ? {gte: from} : {}), ...(to ? {lte: to} : {})};
      if (status) where.status = status;
      const filters: Record<string, string> = {};
      if (from) filters.DateCreatedFrom = ctx.query.str('DateCreatedFrom')!;
      if (to) filters.DateCreatedTo = ctx.query.str('DateCreatedTo')!;
      if (status) filters.Status = status;
      return ok(list(ctx, EXECUTIONS, executionsPath(flow.sid), 'executions', flow.sid, {where}, filters));
    },
    [`GET ${FN}/:Sid`](ctx) {
      const exec = executionOf(ctx);
      return ok(render(ctx, EXECUTIONS, exec, executionsPath(exec.flow_sid)));
    },
    [`POST ${FN}/:Sid`](ctx) {
      const exec = executionOf(ctx);
      ctx.form.enum('Status', ['ended'] as const, {required: true});
      const next = ctx.tx((tx) => ops.endExecution(tx, exec));
      return ok(render(ctx, EXECUTIONS, next, executionsPath(exec.flow_sid)));
    },
    [`DELETE ${FN}/:Sid`](ctx) {
      const exec = executionOf(ctx);
      ctx.tx((tx) => ops.deleteExecution(tx, exec));
      return noContent();
    },
    [`GET ${FN}/:ExecutionSid/Context`](ctx) {
      const exec = executionOf(ctx);
      return ok({
        account_sid: exec.account_sid,
        context: exec.context,
        flow_sid: exec.flow_sid,
        execution_sid: exec.sid,
        url: ctx.url(`${executionsPath(exec.flow_sid)}/${exec.sid}/Context`),
      });
    },
    [`GET ${FN}/:ExecutionSid/Steps`](ctx) {
      const exec = executionOf(ctx);
      return ok(list(ctx, STEPS, stepsPath(exec), 'steps', exec.sid));
    },
    [`GET ${FN}/:ExecutionSid/Steps/:Sid`](ctx) {
      const step = stepOf(ctx);
      return ok(render(ctx, STEPS, step, stepsPath({flow_sid: step.flow_sid, sid: step.execution_sid})));
    },
    [`GET ${FN}/:ExecutionSid/Steps/:StepSid/Context`](ctx) {
      const step = stepOf(ctx);
      return ok({
        account_sid: step.account_sid,
        context: step.context,
        execution_sid: step.execution_sid,
        flow_sid: step.flow_sid,
        step_sid: step.sid,
        url: ctx.url(`${stepsPath({flow_sid: step.flow_sid, sid: step.execution_sid})}/${step.sid}/Context`),
      });
    },
  },
});
