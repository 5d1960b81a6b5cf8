import * as ops from '../../engine/studio/ops.js';
import {errors} from '../../errors.js';
import {FLOW_REVISIONS, FLOWS, type FlowRevisionDoc} from '../../model/studio.js';
import {positionPage, readPaging} from '../../paging.js';
import {created, defineResource, noContent, notImplemented, ok, RawJson, type Ctx} from '../../router.js';
import {Tx} from '../../store/tx.js';
import {FLOW_STATUSES, type FlowStatus} from '../../../spec/studio.js';
import {flowOf, flowPath, FLOWS_PATH, list, render} from './common.js';

/** Definition as the SDK sends it (a JSON string in the form), or a JSON body's object. */
function definitionParam(ctx: Ctx, required: boolean): unknown {
  const json = ctx.json && typeof ctx.json === 'object' && !Array.isArray(ctx.json) ? (ctx.json as Record<string, unknown>) : undefined;
  const v = json ? json.Definition : ctx.form.str('Definition');
  if ((v === undefined || v === '') && required) throw errors.missing('Definition');
  return v === '' ? undefined : v;
}

function field(ctx: Ctx, name: string): string | undefined {
  const json = ctx.json && typeof ctx.json === 'object' && !Array.isArray(ctx.json) ? (ctx.json as Record<string, unknown>) : undefined;
  if (json) return json[name] === undefined || json[name] === null ? undefined : String(json[name]);
  return ctx.form.str(name);
}

function status(ctx: Ctx): FlowStatus {
  const v = field(ctx, 'Status');
  if (!v) throw errors.missing('Status');
  if (!(FLOW_STATUSES as readonly string[]).includes(v)) throw errors.invalid('Status', `'${v}' is not one of ${FLOW_STATUSES.join(', ')}`);
  return v as FlowStatus;
}

function friendlyName(ctx: Ctx, required: boolean): string | undefined {
  const v = field(ctx, 'FriendlyName');
  if (required && !v) throw errors.missing('FriendlyName');
  if (v !== undefined && v.length > 255) throw errors.invalid('FriendlyName', 'must be at most 255 characters');
  return v || undefined;
}

/** A revision as the spec shows it (its url ends in the number, not a sid). */
function revisionJson(ctx: Ctx, r: FlowRevisionDoc): string {
  const s = r.snapshot;
  return JSON.stringify({
    sid: s.sid,
    account_sid: s.account_sid,
    author_sid: s.author_sid,
    friendly_name: s.friendly_name,
    definition: s.definition,
    status: s.status,
    revision: s.revision,
    commit_message: s.commit_message,
    valid: s.valid,
    errors: s.errors,
    date_created: s.date_created,
    date_updated: s.date_updated,
    url: ctx.url(`${flowPath(s.sid)}/Revisions/${s.revision}`),
  });
}

/** Studio v2 Flows: create/update (a definition object or string, draft|published, revisions), Validate, fetch, list, delete. */
export default defineResource({
  domain: 'studio',
  routes: {
    [`POST ${FLOWS_PATH}`](ctx) {
      const input = {friendly_name: friendlyName(ctx, true)!, status: status(ctx), definition: definitionParam(ctx, true), commit_message: field(ctx, 'CommitMessage') ?? null};
      const flow = ctx.tx((tx) => ops.createFlow(tx, input));
      return created(render(ctx, FLOWS, flow, FLOWS_PATH));
    },
    [`GET ${FLOWS_PATH}`](ctx) {
      return ok(list(ctx, FLOWS, FLOWS_PATH, 'flows'));
    },
    // the spec's FlowValidate: {valid: true}, or Twilio's 400 with the faults in details
    [`POST ${FLOWS_PATH}/Validate`](ctx) {
      // the same required parameters as create; [unverified] Validate judges a draft as strictly as a published flow
      friendlyName(ctx, true);
      status(ctx);
      const {validation} = ops.readDefinition(definitionParam(ctx, true));
      if (!validation.valid) throw ops.invalidDefinition(validation);
      return ok({valid: true});
    },
    [`GET ${FLOWS_PATH}/:Sid`](ctx) {
      return ok(render(ctx, FLOWS, flowOf(ctx), FLOWS_PATH));
    },
    [`POST ${FLOWS_PATH}/:Sid`](ctx) {
      const flow = flowOf(ctx);
      const input = {friendly_name: friendlyName(ctx, false), status: status(ctx), definition: definitionParam(ctx, false), commit_message: field(ctx, 'CommitMessage')};
      const next = ctx.tx((tx) => ops.updateFlow(tx, flow, input));
      return ok(render(ctx, FLOWS, next, FLOWS_PATH));
    },
    [`DELETE ${FLOWS_PATH}/:Sid`](ctx) {
      const flow = flowOf(ctx);
      ctx.tx((tx) => ops.deleteFlow(tx, flow));
      return noContent();
    },
    [`GET ${FLOWS_PATH}/:Sid/Revisions`](ctx) {
      const flow = flowOf(ctx);
      const rows = ctx.store.repo(FLOW_REVISIONS).all(ctx.accountSid, {}, flow.sid).sort((a, b) => b.revision - a.revision);
      return ok(positionPage(ctx.url(`${flowPath(flow.sid)}/Revisions`), 'revisions', rows.map((r) => revisionJson(ctx, r)), readPaging(ctx.query, 50), {}));
    },
    [`GET ${FLOWS_PATH}/:Sid/Revisions/:Revision`](ctx) {
      const flow = flowOf(ctx);
      const r = ops.revisionOf(new Tx(ctx.store, ctx.accountSid, ctx.clock.now()), flow, ctx.params.Revision);
      if (!r) throw errors.notFound(`${flowPath(flow.sid)}/Revisions/${ctx.params.Revision}`);
      return ok(new RawJson(revisionJson(ctx, r)));
    },
    [`GET ${FLOWS_PATH}/:Sid/TestUsers`]: notImplemented('Studio test users'),
    [`POST ${FLOWS_PATH}/:Sid/TestUsers`]: notImplemented('Studio test users'),
  },
});
