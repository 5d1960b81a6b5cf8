import * as ops from '../../engine/conversations/ops.js';
import {errors, TwilioApiError} from '../../errors.js';
import {CONVERSATIONS, type ConversationState} from '../../model/conversations.js';
import type {Params} from '../../params.js';
import {created, defineResource, noContent, ok, type Ctx} from '../../router.js';
import {
  conversationOf,
  dateParam,
  durationParam,
  jsonParam,
  list,
  MIN_CLOSED_MS,
  MIN_INACTIVE_MS,
  MOUNTS,
  origin,
  render,
  scope,
  serviceSid,
} from './common.js';

const STATES = ['initializing', 'inactive', 'active', 'closed'] as const;
/** The spec's maximum PageSize of the conversations list. */
const MAX_PAGE = 100;

function readConversation(form: Params): ops.ConversationInput {
  const input: ops.ConversationInput = {};
  if (form.has('FriendlyName')) input.friendly_name = form.str('FriendlyName', {max: 256}) || null;
  if (form.has('UniqueName')) input.unique_name = form.str('UniqueName', {max: 256}) || null;
  const attributes = jsonParam(form, 'Attributes');
  if (attributes !== undefined) input.attributes = attributes;
  const mg = form.sid('MessagingServiceSid', 'MG');
  if (mg) input.messaging_service_sid = mg;
  const state = form.enum('State', STATES);
  if (state) input.state = state as ConversationState;
  const dc = dateParam(form, 'DateCreated');
  if (dc) input.date_created = dc;
  const du = dateParam(form, 'DateUpdated');
  if (du) input.date_updated = du;
  const inactive = durationParam(form, 'Timers.Inactive', MIN_INACTIVE_MS);
  if (inactive !== undefined) input.inactive_ms = inactive;
  const closed = durationParam(form, 'Timers.Closed', MIN_CLOSED_MS);
  if (closed !== undefined) input.closed_ms = closed;
  const email = form.str('Bindings.Email.Address');
  if (email !== undefined) input.bindings = {email: {address: email, name: form.str('Bindings.Email.Name') ?? null}};
  return input;
}

/** `StartDate` / `EndDate` (ISO 8601 date or date-time): a range of date_created; a bare EndDate day is inclusive. */
function dateBound(ctx: Ctx, name: 'StartDate' | 'EndDate'): string | undefined {
  const v = ctx.query.str(name);
  if (!v) return undefined;
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || !Number.isFinite(ms)) throw errors.invalid(name, `'${v}' is not an ISO 8601 date`);
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const at = name === 'EndDate' && dayOnly ? ms + 86_400_000 - 1000 : ms;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One Participant of ConversationWithParticipants: a JSON string {identity} or {messaging_binding: {address, proxy_address}}. */
function readWithParticipant(text: string): ops.ParticipantInput {
  let p: Record<string, any>;
  try {
    p = JSON.parse(text);
  } catch {
    throw errors.invalid('Participant', `'${text.slice(0, 80)}' is not a JSON object`);
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw errors.invalid('Participant', `'${text.slice(0, 80)}' is not a JSON object`);
  const b = p.messaging_binding ?? p.messagingBinding ?? {};
  const out: ops.ParticipantInput = {};
  if (typeof p.identity === 'string') out.identity = p.identity;
  if (typeof b.address === 'string') out.address = b.address;
  if (typeof (b.proxy_address ?? b.proxyAddress) === 'string') out.proxy_address = b.proxy_address ?? b.proxyAddress;
  if (typeof (b.projected_address ?? b.projectedAddress) === 'string') out.projected_address = b.projected_address ?? b.projectedAddress;
  if (p.attributes !== undefined) out.attributes = typeof p.attributes === 'string' ? p.attributes : JSON.stringify(p.attributes);
  if (typeof (p.role_sid ?? p.roleSid) === 'string') out.role_sid = p.role_sid ?? p.roleSid;
  if (out.identity === undefined && out.address === undefined && out.projected_address === undefined)
    throw errors.invalid('Participant', `'${text.slice(0, 80)}' names no identity and no messaging_binding.address`);
  return out;
}

export default defineResource({
  domain: 'conversations',
  mounts: MOUNTS,
  routes: {
    'GET /Conversations'(ctx) {
      const service = serviceSid(ctx);
      // the spec's conversation_enum_state has initializing too (no conversation is in it here)
      const state = ctx.query.enum('State', ['initializing', 'active', 'inactive', 'closed'] as const);
      const start = dateBound(ctx, 'StartDate');
      const end = dateBound(ctx, 'EndDate');
      const where: Record<string, any> = {};
      const filters: Record<string, string> = {};
      if (state) (where.state = state), (filters.State = state);
      if (start || end) where.date_created = {...(start ? {gte: start} : {}), ...(end ? {lte: end} : {})};
      if (start) filters.StartDate = ctx.query.str('StartDate')!;
      if (end) filters.EndDate = ctx.query.str('EndDate')!;
      // [OAI] StartDate/EndDate: "the returned list is sorted by latest conversation creation date in descending order"
      const query = start || end ? {where, orderBy: 'date_created', order: 'desc' as const} : {where};
      return ok(list(ctx, CONVERSATIONS, {collection: `${scope(ctx)}/Conversations`, key: 'conversations', max: MAX_PAGE, parent: service, query, filters}));
    },

    'POST /Conversations'(ctx) {
      const service = serviceSid(ctx);
      const input = readConversation(ctx.form);
      const conv = ctx.tx((tx) => ops.createConversation(tx, service, input, origin(ctx)));
      return created(render(ctx, CONVERSATIONS, conv, `${scope(ctx)}/Conversations`));
    },

    'GET /Conversations/:Sid'(ctx) {
      return ok(render(ctx, CONVERSATIONS, conversationOf(ctx), `${scope(ctx)}/Conversations`));
    },

    'POST /Conversations/:Sid'(ctx) {
      const conv = conversationOf(ctx);
      const input = readConversation(ctx.form);
      const next = ctx.tx((tx) => ops.updateConversation(tx, conv, input, origin(ctx)));
      return ok(render(ctx, CONVERSATIONS, next, `${scope(ctx)}/Conversations`));
    },

    'DELETE /Conversations/:Sid'(ctx) {
      const conv = conversationOf(ctx);
      ctx.tx((tx) => ops.deleteConversation(tx, conv, origin(ctx)));
      return noContent();
    },

    /** A conversation and up to ten participants in one call (201; all or nothing). */
    'POST /ConversationWithParticipants'(ctx) {
      const service = serviceSid(ctx);
      const input = readConversation(ctx.form);
      const participants = (ctx.form.list('Participant') ?? []).map(readWithParticipant);
      if (participants.length > 10) throw errors.invalid('Participant', `at most 10 participants (got ${participants.length})`);
      const conv = ctx.tx((tx) => {
        const o = origin(ctx);
        const c = ops.createConversation(tx, service, input, o);
        for (const p of participants) {
          try {
            ops.addParticipant(tx, c, p, o);
          } catch (error) {
            if (error instanceof TwilioApiError && error.code === 50416)
              throw new TwilioApiError(409, ops.CODES.PAIRS_IN_USE, `Participant and proxy address pairs for one or more participants already in use: ${error.message}`);
            throw error;
          }
        }
        return ops.fresh(tx, c);
      });
      return created(render(ctx, CONVERSATIONS, conv, `${scope(ctx)}/Conversations`));
    },
  },
});
