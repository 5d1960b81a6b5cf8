import {ALL_EVENTS} from '../../engine/conversations/hooks.js';
import * as ops from '../../engine/conversations/ops.js';
import {errors} from '../../errors.js';
import {SERVICES, type AccountConfigDoc, type ServiceConfigDoc, type WebhookSettings} from '../../model/conversations.js';
import type {Params} from '../../params.js';
import {created, defineResource, noContent, ok, type Ctx} from '../../router.js';
import {durationParam, list, MIN_CLOSED_MS, MIN_INACTIVE_MS, notImplemented, reader, render} from './common.js';


function serviceOf(ctx: Ctx, sid = ctx.params.Sid ?? ctx.params.ChatServiceSid) {
  const s = ctx.store.repo(SERVICES).get(ctx.accountSid, sid);
  if (!s) throw errors.notFound(`/v1/Services/${sid}`);
  return s;
}

/** Method, Filters, PreWebhookUrl, PostWebhookUrl (and Target at account level) over the current settings. */
function readWebhooks(form: Params, current: WebhookSettings, withTarget: boolean): WebhookSettings {
  const next = {...current};
  const method = form.enum('Method', ['GET', 'POST'] as const, {ignoreCase: true});
  if (method) next.method = method;
  const filters = form.list('Filters');
  if (filters) {
    for (const f of filters) if (!ALL_EVENTS.includes(f)) throw errors.invalid('Filters', `'${f}' is not one of ${ALL_EVENTS.join(', ')}`);
    next.filters = filters;
  }
  for (const [param, key] of [['PreWebhookUrl', 'pre_webhook_url'], ['PostWebhookUrl', 'post_webhook_url']] as const) {
    if (!form.has(param)) continue;
    const url = form.str(param)!.trim();
    if (url !== '' && !/^https?:\/\/\S+$/i.test(url)) throw errors.invalid(param, `'${url}' is not an absolute http(s) URL`);
    next[key] = url || null;
  }
  if (withTarget) {
    const target = form.enum('Target', ['webhook', 'flex'] as const);
    if (target) next.target = target;
  }
  return next;
}

function renderConfig(ctx: Ctx, c: AccountConfigDoc) {
  return {
    account_sid: ctx.accountSid,
    default_chat_service_sid: c.default_chat_service_sid,
    default_messaging_service_sid: c.default_messaging_service_sid,
    default_inactive_timer: c.default_inactive_timer,
    default_closed_timer: c.default_closed_timer,
    url: ctx.url('/v1/Configuration'),
    links: {
      service: ctx.url(`/v1/Services/${c.default_chat_service_sid}/Configuration`),
      webhooks: ctx.url('/v1/Configuration/Webhooks'),
    },
  };
}

function renderAccountWebhooks(ctx: Ctx, w: WebhookSettings) {
  return {
    account_sid: ctx.accountSid,
    method: w.method,
    filters: w.filters,
    pre_webhook_url: w.pre_webhook_url,
    post_webhook_url: w.post_webhook_url,
    target: w.target ?? 'webhook',
    url: ctx.url('/v1/Configuration/Webhooks'),
  };
}

function renderServiceConfig(ctx: Ctx, c: ServiceConfigDoc) {
  const base = `/v1/Services/${c.sid}/Configuration`;
  return {
    chat_service_sid: c.sid,
    default_conversation_creator_role_sid: c.default_conversation_creator_role_sid,
    default_conversation_role_sid: c.default_conversation_role_sid,
    default_chat_service_role_sid: c.default_chat_service_role_sid,
    url: ctx.url(base),
    links: {notifications: ctx.url(`${base}/Notifications`), webhooks: ctx.url(`${base}/Webhooks`)},
    reachability_enabled: c.reachability_enabled,
  };
}

function renderServiceWebhooks(ctx: Ctx, c: ServiceConfigDoc) {
  return {
    account_sid: ctx.accountSid,
    chat_service_sid: c.sid,
    pre_webhook_url: c.webhooks.pre_webhook_url,
    post_webhook_url: c.webhooks.post_webhook_url,
    filters: c.webhooks.filters,
    method: c.webhooks.method,
    url: ctx.url(`/v1/Services/${c.sid}/Configuration/Webhooks`),
  };
}

export default defineResource({
  domain: 'conversations',
  routes: {
    'GET /v1/Configuration': (ctx) => ok(renderConfig(ctx, ops.accountConfig(reader(ctx)))),

    'POST /v1/Configuration'(ctx) {
      const f = ctx.form;
      const changes: Partial<AccountConfigDoc> = {};
      const service = f.sid('DefaultChatServiceSid', 'IS');
      if (service) changes.default_chat_service_sid = service;
      const mg = f.sid('DefaultMessagingServiceSid', 'MG');
      if (mg) changes.default_messaging_service_sid = mg;
      const inactive = durationParam(f, 'DefaultInactiveTimer', MIN_INACTIVE_MS);
      if (inactive !== undefined) changes.default_inactive_timer = inactive === null ? null : f.str('DefaultInactiveTimer')!;
      const closed = durationParam(f, 'DefaultClosedTimer', MIN_CLOSED_MS);
      if (closed !== undefined) changes.default_closed_timer = closed === null ? null : f.str('DefaultClosedTimer')!;
      const c = ctx.tx((tx) => ops.updateAccountConfig(tx, changes));
      return ok(renderConfig(ctx, c));
    },

    'GET /v1/Configuration/Webhooks': (ctx) => ok(renderAccountWebhooks(ctx, ops.accountConfig(reader(ctx)).webhooks)),

    'POST /v1/Configuration/Webhooks'(ctx) {
      const c = ctx.tx((tx) => {
        const current = ops.accountConfig(tx);
        return ops.updateAccountConfig(tx, {webhooks: readWebhooks(ctx.form, current.webhooks, true)});
      });
      return ok(renderAccountWebhooks(ctx, c.webhooks));
    },

    'GET /v1/Services': (ctx) => ok(list(ctx, SERVICES, {collection: '/v1/Services', key: 'services', max: 100})),

    'POST /v1/Services'(ctx) {
      const name = ctx.form.str('FriendlyName', {required: true, max: 256});
      const s = ctx.tx((tx) => ops.createService(tx, name));
      return created(render(ctx, SERVICES, s, '/v1/Services'));
    },

    'GET /v1/Services/:Sid': (ctx) => ok(render(ctx, SERVICES, serviceOf(ctx), '/v1/Services')),

    'DELETE /v1/Services/:Sid'(ctx) {
      const s = serviceOf(ctx);
      ctx.tx((tx) => ops.deleteService(tx, s));
      return noContent();
    },

    'GET /v1/Services/:ChatServiceSid/Configuration': (ctx) =>
      ok(renderServiceConfig(ctx, ops.serviceConfig(reader(ctx), serviceOf(ctx).sid))),

    'POST /v1/Services/:ChatServiceSid/Configuration'(ctx) {
      const s = serviceOf(ctx);
      const f = ctx.form;
      const c = ctx.tx((tx) => {
        const current = ops.serviceConfig(tx, s.sid);
        const next: ServiceConfigDoc = {
          ...current,
          default_conversation_creator_role_sid: ops.roleOf(tx, s.sid, f.sid('DefaultConversationCreatorRoleSid', 'RL'), 'conversation', 'DefaultConversationCreatorRoleSid') ?? current.default_conversation_creator_role_sid,
          default_conversation_role_sid: ops.roleOf(tx, s.sid, f.sid('DefaultConversationRoleSid', 'RL'), 'conversation', 'DefaultConversationRoleSid') ?? current.default_conversation_role_sid,
          default_chat_service_role_sid: ops.roleOf(tx, s.sid, f.sid('DefaultChatServiceRoleSid', 'RL'), 'service', 'DefaultChatServiceRoleSid') ?? current.default_chat_service_role_sid,
          reachability_enabled: f.bool('ReachabilityEnabled') ?? current.reachability_enabled,
        };
        return ops.updateServiceConfig(tx, next);
      });
      return ok(renderServiceConfig(ctx, c));
    },

    'GET /v1/Services/:ChatServiceSid/Configuration/Webhooks': (ctx) =>
      ok(renderServiceWebhooks(ctx, ops.serviceConfig(reader(ctx), serviceOf(ctx).sid))),

    'POST /v1/Services/:ChatServiceSid/Configuration/Webhooks'(ctx) {
      const s = serviceOf(ctx);
      const c = ctx.tx((tx) => {
        const current = ops.serviceConfig(tx, s.sid);
        return ops.updateServiceConfig(tx, {...current, webhooks: readWebhooks(ctx.form, current.webhooks, false)});
      });
      return ok(renderServiceWebhooks(ctx, c));
    },

    // out of scope (push notifications): Twilio-shaped 501s
    'GET /v1/Services/:ChatServiceSid/Configuration/Notifications': notImplemented('push notification configuration'),
    'POST /v1/Services/:ChatServiceSid/Configuration/Notifications': notImplemented('push notification configuration'),
    'GET /v1/Services/:ChatServiceSid/Bindings': notImplemented('push bindings'),
    'GET /v1/Services/:ChatServiceSid/Bindings/:Sid': notImplemented('push bindings'),
    'DELETE /v1/Services/:ChatServiceSid/Bindings/:Sid': notImplemented('push bindings'),
    'GET /v1/Credentials': notImplemented('push credentials'),
    'POST /v1/Credentials': notImplemented('push credentials'),
    'GET /v1/Credentials/:Sid': notImplemented('push credentials'),
    'POST /v1/Credentials/:Sid': notImplemented('push credentials'),
    'DELETE /v1/Credentials/:Sid': notImplemented('push credentials'),
  },
});
