import * as ops from '../../engine/conversations/ops.js';
import {errors, TwilioApiError} from '../../errors.js';
import {PARTICIPANTS, type ParticipantDoc, type ConversationDoc} from '../../model/conversations.js';
import {created, defineResource, noContent, ok, type Ctx} from '../../router.js';
import {conversationOf, dateParam, jsonParam, list, MOUNTS, origin, reader, render, scope} from './common.js';

const MAX_PAGE = 100;
const BASE = '/Conversations/:ConversationSid/Participants';
const collection = (ctx: Ctx, conv: ConversationDoc) => `${scope(ctx)}/Conversations/${conv.sid}/Participants`;

function participantOf(ctx: Ctx, conv: ConversationDoc): ParticipantDoc {
  const p = ops.findParticipant(reader(ctx), conv, ctx.params.Sid);
  if (!p) throw errors.notFound(`${collection(ctx, conv)}/${ctx.params.Sid}`);
  return p;
}

export default defineResource({
  domain: 'conversations',
  mounts: MOUNTS,
  routes: {
    [`GET ${BASE}`](ctx) {
      const conv = conversationOf(ctx);
      return ok(list(ctx, PARTICIPANTS, {collection: collection(ctx, conv), key: 'participants', max: MAX_PAGE, parent: conv.sid}));
    },

    [`POST ${BASE}`](ctx) {
      const conv = conversationOf(ctx);
      const f = ctx.form;
      const input: ops.ParticipantInput = {};
      const identity = f.str('Identity', {max: 256});
      if (identity) input.identity = identity;
      if (f.has('MessagingBinding.Address')) {
        const address = f.str('MessagingBinding.Address')!.trim();
        // [docs: error 50411] an empty address
        if (address === '') throw new TwilioApiError(400, 50411, 'MessagingBinding.Address is empty: give the participant\'s address (for example +15551234567)');
        input.address = address;
      }
      const proxy = f.str('MessagingBinding.ProxyAddress')?.trim();
      if (proxy) input.proxy_address = proxy;
      const projected = f.str('MessagingBinding.ProjectedAddress')?.trim();
      if (projected) input.projected_address = projected;
      if (input.identity === undefined && input.address === undefined && input.projected_address === undefined)
        throw errors.missing('Identity or MessagingBinding.Address');
      const attributes = jsonParam(f, 'Attributes');
      if (attributes !== undefined) input.attributes = attributes;
      const role = f.sid('RoleSid', 'RL');
      if (role) input.role_sid = role;
      input.date_created = dateParam(f, 'DateCreated');
      input.date_updated = dateParam(f, 'DateUpdated');
      const p = ctx.tx((tx) => ops.addParticipant(tx, conv, input, origin(ctx)));
      return created(render(ctx, PARTICIPANTS, p, collection(ctx, conv)));
    },

    [`GET ${BASE}/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      return ok(render(ctx, PARTICIPANTS, participantOf(ctx, conv), collection(ctx, conv)));
    },

    [`POST ${BASE}/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      const p = participantOf(ctx, conv);
      const f = ctx.form;
      const input: ops.ParticipantUpdate = {
        attributes: jsonParam(f, 'Attributes'),
        role_sid: f.sid('RoleSid', 'RL'),
        proxy_address: f.str('MessagingBinding.ProxyAddress') || undefined,
        projected_address: f.str('MessagingBinding.ProjectedAddress') || undefined,
        identity: f.str('Identity', {max: 256}) || undefined,
        date_created: dateParam(f, 'DateCreated'),
        date_updated: dateParam(f, 'DateUpdated'),
      };
      if (f.has('LastReadMessageIndex')) input.last_read_message_index = f.str('LastReadMessageIndex') === '' ? null : f.int('LastReadMessageIndex', {min: 0})!;
      if (f.has('LastReadTimestamp')) input.last_read_timestamp = dateParam(f, 'LastReadTimestamp') ?? null;
      const next = ctx.tx((tx) => ops.updateParticipant(tx, conv, p, input, origin(ctx)));
      return ok(render(ctx, PARTICIPANTS, next, collection(ctx, conv)));
    },

    [`DELETE ${BASE}/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      const p = participantOf(ctx, conv);
      ctx.tx((tx) => ops.removeParticipant(tx, conv, p, origin(ctx)));
      return noContent();
    },
  },
});
