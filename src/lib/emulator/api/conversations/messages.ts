import {bodyProblem} from '../../../spec/conversations.js';
import * as ops from '../../engine/conversations/ops.js';
import {errors} from '../../errors.js';
import {MESSAGES, RECEIPTS, type ConversationDoc, type MessageDoc} from '../../model/conversations.js';
import {created, defineResource, noContent, ok, type Ctx} from '../../router.js';
import {conversationOf, dateParam, jsonParam, list, MOUNTS, origin, render, scope} from './common.js';

const MAX_PAGE = 100;
const BASE = '/Conversations/:ConversationSid/Messages';
const collection = (ctx: Ctx, conv: ConversationDoc) => `${scope(ctx)}/Conversations/${conv.sid}/Messages`;

function messageOf(ctx: Ctx, conv: ConversationDoc, key = ctx.params.Sid): MessageDoc {
  const m = /^IM[0-9a-fA-F]{32}$/.test(key) ? ctx.store.repo(MESSAGES).get(ctx.accountSid, key, conv.sid) : undefined;
  if (!m) throw errors.notFound(`${collection(ctx, conv)}/${key}`);
  return m;
}

function readBody(ctx: Ctx): string | undefined {
  const body = ctx.form.str('Body');
  const problem = bodyProblem(body);
  if (problem) throw errors.invalid('Body', problem);
  return body;
}

export default defineResource({
  domain: 'conversations',
  mounts: MOUNTS,
  routes: {
    [`GET ${BASE}`](ctx) {
      const conv = conversationOf(ctx);
      const order = ctx.query.enum('Order', ['asc', 'desc'] as const, {ignoreCase: true});
      return ok(
        list(ctx, MESSAGES, {
          collection: collection(ctx, conv),
          key: 'messages',
          max: MAX_PAGE,
          parent: conv.sid,
          query: order === 'desc' ? {order: 'desc'} : {},
          filters: order ? {Order: order} : {},
        }),
      );
    },

    [`POST ${BASE}`](ctx) {
      const conv = conversationOf(ctx);
      const f = ctx.form;
      const body = readBody(ctx);
      const mediaSid = f.sid('MediaSid', 'ME');
      const contentSid = f.sid('ContentSid', 'HX');
      // [unverified: Twilio's code] a message needs a body, media or a content template
      if (!body && !mediaSid && !contentSid) throw errors.missing('Body (or MediaSid or ContentSid)');
      const input: ops.MessageInput = {
        author: f.str('Author', {max: 256}) || undefined,
        body: body ?? null,
        attributes: jsonParam(f, 'Attributes'),
        // media placeholders: the emulator stores no media content
        media: mediaSid ? [{sid: mediaSid, content_type: 'application/octet-stream', filename: null, size: 0}] : null,
        content_sid: contentSid ?? null,
        date_created: dateParam(f, 'DateCreated'),
        date_updated: dateParam(f, 'DateUpdated'),
      };
      const msg = ctx.tx((tx) => ops.addMessage(tx, conv, input, origin(ctx)));
      return created(render(ctx, MESSAGES, msg, collection(ctx, conv)));
    },

    [`GET ${BASE}/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      return ok(render(ctx, MESSAGES, messageOf(ctx, conv), collection(ctx, conv)));
    },

    [`POST ${BASE}/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      const msg = messageOf(ctx, conv);
      const f = ctx.form;
      const input: ops.MessageInput = {
        author: f.str('Author', {max: 256}) || undefined,
        body: readBody(ctx),
        attributes: jsonParam(f, 'Attributes'),
        date_created: dateParam(f, 'DateCreated'),
        date_updated: dateParam(f, 'DateUpdated'),
      };
      const next = ctx.tx((tx) => ops.updateMessage(tx, conv, msg, input, origin(ctx)));
      return ok(render(ctx, MESSAGES, next, collection(ctx, conv)));
    },

    [`DELETE ${BASE}/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      const msg = messageOf(ctx, conv);
      ctx.tx((tx) => ops.removeMessage(tx, conv, msg, origin(ctx)));
      return noContent();
    },

    [`GET ${BASE}/:MessageSid/Receipts`](ctx) {
      const conv = conversationOf(ctx);
      const msg = messageOf(ctx, conv, ctx.params.MessageSid);
      return ok(
        list(ctx, RECEIPTS, {collection: `${collection(ctx, conv)}/${msg.sid}/Receipts`, key: 'delivery_receipts', max: 50, parent: msg.sid}),
      );
    },

    [`GET ${BASE}/:MessageSid/Receipts/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      const msg = messageOf(ctx, conv, ctx.params.MessageSid);
      const r = ctx.store.repo(RECEIPTS).get(ctx.accountSid, ctx.params.Sid, msg.sid);
      const base = `${collection(ctx, conv)}/${msg.sid}/Receipts`;
      if (!r) throw errors.notFound(`${base}/${ctx.params.Sid}`);
      return ok(render(ctx, RECEIPTS, r, base));
    },
  },
});
