import {errors} from '../../errors.js';
import {EXECUTIONS, FLOWS, STEPS, type ExecutionDoc, type FlowDoc, type StepDoc} from '../../model/studio.js';
import {tablePage} from '../../paging.js';
import {RawJson, type Ctx} from '../../router.js';
import type {ListQuery} from '../../store/repository.js';
import type {TableDecl} from '../../store/table.js';

export const FLOWS_PATH = '/v2/Flows';
export const MAX_PAGE = 1000;

export const flowPath = (fw: string) => `${FLOWS_PATH}/${fw}`;
export const executionsPath = (fw: string) => `${flowPath(fw)}/Executions`;
export const stepsPath = (e: Pick<ExecutionDoc, 'flow_sid' | 'sid'>) => `${executionsPath(e.flow_sid)}/${e.sid}/Steps`;

export function flowOf(ctx: Ctx, sid = ctx.params.FlowSid ?? ctx.params.Sid): FlowDoc {
  const doc = ctx.store.repo(FLOWS).get(ctx.accountSid, sid);
  if (!doc) throw errors.notFound(flowPath(sid));
  return doc;
}

export function executionOf(ctx: Ctx, sid = ctx.params.ExecutionSid ?? ctx.params.Sid): ExecutionDoc {
  const flow = flowOf(ctx, ctx.params.FlowSid);
  const doc = ctx.store.repo(EXECUTIONS).get(ctx.accountSid, sid, flow.sid);
  if (!doc) throw errors.notFound(`${executionsPath(flow.sid)}/${sid}`);
  return doc;
}

export function stepOf(ctx: Ctx, sid = ctx.params.StepSid ?? ctx.params.Sid): StepDoc {
  const exec = executionOf(ctx, ctx.params.ExecutionSid);
  const doc = ctx.store.repo(STEPS).get(ctx.accountSid, sid, exec.sid);
  if (!doc) throw errors.notFound(`${stepsPath(exec)}/${sid}`);
  return doc;
}

export function render<T extends {sid: string}>(ctx: Ctx, decl: TableDecl<T>, doc: T, collection: string): RawJson {
  return new RawJson(ctx.store.repo(decl).render(doc, ctx.urls(collection)));
}

export function list<T extends {sid: string}>(
  ctx: Ctx,
  decl: TableDecl<T>,
  collection: string,
  key: string,
  parent = '',
  query?: ListQuery<T>,
  filters?: Record<string, string>,
): RawJson {
  return tablePage(ctx, decl, ctx.urls(collection), {key, max: MAX_PAGE, parent, query, filters});
}
