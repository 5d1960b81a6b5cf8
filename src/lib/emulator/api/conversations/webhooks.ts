import {POST_EVENTS} from '../../engine/conversations/hooks.js';
import * as ops from '../../engine/conversations/ops.js';
import {errors} from '../../errors.js';
import {SCOPED_WEBHOOKS, type ConversationDoc, type ScopedWebhookDoc} from '../../model/conversations.js';
import type {Params} from '../../params.js';
import {created, defineResource, noContent, ok, type Ctx} from '../../router.js';
import {conversationOf, list, MOUNTS, render, scope} from './common.js';

const BASE = '/Conversations/:ConversationSid/Webhooks';
const TARGETS = ['webhook', 'trigger', 'studio'] as const;
const collection = (ctx: Ctx, conv: ConversationDoc) => `${scope(ctx)}/Conversations/${conv.sid}/Webhooks`;

/**
 * Configuration.* over the current configuration (update) or nothing (create); only the keys of
 * the target are kept. Methods are echoed lower-case, as Twilio does for scoped webhooks.
 */
function readConfiguration(form: Params, target: ScopedWebhookDoc['target'], previous: ScopedWebhookDoc['configuration'] = {}) {
  const c: ScopedWebhookDoc['configuration'] = {};
  const filters = form.list('Configuration.Filters') ?? previous.filters;
  for (const x of filters ?? [])
    if (!POST_EVENTS.includes(x)) throw errors.invalid('Configuration.Filters', `'${x}' is not a post-event webhook name (${POST_EVENTS.join(', ')})`);
  if (target === 'studio') {
    const flow = form.sid('Configuration.FlowSid', 'FW') ?? previous.flow_sid;
    if (!flow) throw errors.missing('Configuration.FlowSid');
    c.flow_sid = flow;
    if (filters) c.filters = filters;
  } else {
    const url = form.str('Configuration.Url') || previous.url;
    if (!url) throw errors.missing('Configuration.Url');
    if (!/^https?:\/\/\S+$/i.test(url)) throw errors.invalid('Configuration.Url', `'${url}' is not an absolute http(s) URL`);
    c.url = url;
    c.method = (form.enum('Configuration.Method', ['get', 'post'] as const, {ignoreCase: true}) ?? previous.method ?? 'post').toLowerCase();
    c.filters = filters ?? [];
    if (target === 'trigger') {
      const triggers = form.list('Configuration.Triggers') ?? previous.triggers;
      if (!triggers?.length) throw errors.missing('Configuration.Triggers');
      c.triggers = triggers;
    }
  }
  const replay = form.int('Configuration.ReplayAfter', {min: 0}) ?? previous.replay_after;
  if (replay !== undefined) c.replay_after = replay;
  return c;
}

function webhookOf(ctx: Ctx, conv: ConversationDoc): ScopedWebhookDoc {
  const w = ctx.store.repo(SCOPED_WEBHOOKS).get(ctx.accountSid, ctx.params.Sid, conv.sid);
  if (!w) throw errors.notFound(`${collection(ctx, conv)}/${ctx.params.Sid}`);
  return w;
}

export default defineResource({
  domain: 'conversations',
  mounts: MOUNTS,
  routes: {
    [`GET ${BASE}`](ctx) {
      const conv = conversationOf(ctx);
      return ok(list(ctx, SCOPED_WEBHOOKS, {collection: collection(ctx, conv), key: 'webhooks', max: ops.MAX_SCOPED_WEBHOOKS, parent: conv.sid}));
    },

    [`POST ${BASE}`](ctx) {
      const conv = conversationOf(ctx);
      const target = ctx.form.enum('Target', TARGETS, {required: true, ignoreCase: true});
      const configuration = readConfiguration(ctx.form, target);
      const w = ctx.tx((tx) => ops.addScopedWebhook(tx, conv, {target, configuration}));
      return created(render(ctx, SCOPED_WEBHOOKS, w, collection(ctx, conv)));
    },

    [`GET ${BASE}/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      return ok(render(ctx, SCOPED_WEBHOOKS, webhookOf(ctx, conv), collection(ctx, conv)));
    },

    [`POST ${BASE}/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      const w = webhookOf(ctx, conv);
      const configuration = readConfiguration(ctx.form, w.target, w.configuration);
      const next = ctx.tx((tx) => ops.updateScopedWebhook(tx, w, configuration));
      return ok(render(ctx, SCOPED_WEBHOOKS, next, collection(ctx, conv)));
    },

    [`DELETE ${BASE}/:Sid`](ctx) {
      const conv = conversationOf(ctx);
      const w = webhookOf(ctx, conv);
      ctx.tx((tx) => ops.removeScopedWebhook(tx, w));
      return noContent();
    },
  },
});
