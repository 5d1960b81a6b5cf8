import * as ops from '../../engine/conversations/ops.js';
import {errors} from '../../errors.js';
import {Tx} from '../../store/tx.js';
import {
  CONVERSATIONS,
  PARTICIPANTS,
  ROLES,
  USERS,
  type ConversationDoc,
  type ParticipantDoc,
  type RoleDoc,
  type UserDoc,
} from '../../model/conversations.js';
import {created, defineResource, noContent, ok, type Ctx} from '../../router.js';
import {dateParam, derivedList, jsonParam, list, MOUNTS, origin, reader, render, scope, serviceSid} from './common.js';

/** Roles and users are service-scoped (the spec's /v1/Roles and /v1/Users act on the default service). */
function roleOf(ctx: Ctx): RoleDoc {
  const r = ctx.store.repo(ROLES).get(ctx.accountSid, ctx.params.Sid, serviceSid(ctx));
  if (!r) throw errors.notFound(`${scope(ctx)}/Roles/${ctx.params.Sid}`);
  return r;
}

function userOf(ctx: Ctx, key = ctx.params.UserSid ?? ctx.params.Sid): UserDoc {
  const service = serviceSid(ctx);
  const repo = ctx.store.repo(USERS);
  const u = /^US[0-9a-fA-F]{32}$/.test(key) ? repo.get(ctx.accountSid, key, service) : repo.findBy(ctx.accountSid, {identity: key}, service);
  if (!u) throw errors.notFound(`${scope(ctx)}/Users/${key}`);
  return u;
}

/** A user's conversations: those where a participant has the user's identity. */
function memberships(ctx: Ctx, user: UserDoc): {p: ParticipantDoc; c: ConversationDoc}[] {
  const out: {p: ParticipantDoc; c: ConversationDoc}[] = [];
  for (const p of ctx.store.repo(PARTICIPANTS).all(ctx.accountSid, {identity: user.identity})) {
    if (p.chat_service_sid !== user.chat_service_sid) continue;
    const c = ctx.store.repo(CONVERSATIONS).get(ctx.accountSid, p.conversation_sid, user.chat_service_sid);
    if (c) out.push({p, c});
  }
  return out;
}

function renderUserConversation(ctx: Ctx, user: UserDoc, p: ParticipantDoc, c: ConversationDoc) {
  const convUrl = ctx.url(`${scope(ctx)}/Conversations/${c.sid}`);
  const last = ops.nextIndex(new Tx(ctx.store, ctx.accountSid, ctx.clock.now()), c) - 1;
  return {
    account_sid: ctx.accountSid,
    chat_service_sid: c.chat_service_sid,
    conversation_sid: c.sid,
    unread_messages_count: p.last_read_message_index === null ? null : Math.max(0, last - p.last_read_message_index),
    last_read_message_index: p.last_read_message_index,
    participant_sid: p.sid,
    user_sid: user.sid,
    friendly_name: c.friendly_name,
    conversation_state: c.state === 'initializing' ? 'active' : c.state,
    timers: c.timers,
    attributes: c.attributes,
    date_created: c.date_created,
    date_updated: c.date_updated,
    created_by: null,
    notification_level: p._.notification_level ?? 'default',
    unique_name: c.unique_name,
    url: ctx.url(`${scope(ctx)}/Users/${user.sid}/Conversations/${c.sid}`),
    links: {participant: `${convUrl}/Participants/${p.sid}`, conversation: convUrl},
  };
}

function membershipOf(ctx: Ctx, user: UserDoc) {
  const key = ctx.params.ConversationSid;
  const m = memberships(ctx, user).find(({c}) => c.sid === key || c.unique_name === key);
  if (!m) throw errors.notFound(`${scope(ctx)}/Users/${user.sid}/Conversations/${key}`);
  return m;
}

export default defineResource({
  domain: 'conversations',
  mounts: MOUNTS,
  routes: {
    'GET /Roles': (ctx) => ok(list(ctx, ROLES, {collection: `${scope(ctx)}/Roles`, key: 'roles', max: 50, parent: serviceSid(ctx)})),

    'POST /Roles'(ctx) {
      const service = serviceSid(ctx);
      const f = ctx.form;
      const friendly_name = f.str('FriendlyName', {required: true, max: 64});
      const type = f.enum('Type', ['conversation', 'service'] as const, {required: true});
      const permissions = f.list('Permission');
      if (!permissions?.length) throw errors.missing('Permission');
      const role = ctx.tx((tx) => ops.createRole(tx, service, {friendly_name, type, permissions}));
      return created(render(ctx, ROLES, role, `${scope(ctx)}/Roles`));
    },

    'GET /Roles/:Sid': (ctx) => ok(render(ctx, ROLES, roleOf(ctx), `${scope(ctx)}/Roles`)),

    'POST /Roles/:Sid'(ctx) {
      const role = roleOf(ctx);
      const permissions = ctx.form.list('Permission');
      if (!permissions?.length) throw errors.missing('Permission');
      const next = ctx.tx((tx) => ops.updateRole(tx, role, permissions));
      return ok(render(ctx, ROLES, next, `${scope(ctx)}/Roles`));
    },

    'DELETE /Roles/:Sid'(ctx) {
      const role = roleOf(ctx);
      ctx.tx((tx) => ops.deleteRole(tx, role));
      return noContent();
    },

    'GET /Users': (ctx) => ok(list(ctx, USERS, {collection: `${scope(ctx)}/Users`, key: 'users', max: 50, parent: serviceSid(ctx)})),

    'POST /Users'(ctx) {
      const service = serviceSid(ctx);
      const f = ctx.form;
      const identity = f.str('Identity', {required: true, max: 256});
      if (/^US[0-9a-fA-F]{32}$/.test(identity))
        throw errors.invalid('Identity', 'must not look like a User SID (US followed by 32 hex characters) [docs: error 50206]');
      const input: ops.UserInput = {identity, friendly_name: f.str('FriendlyName', {max: 256}) ?? null, attributes: jsonParam(f, 'Attributes'), role_sid: f.sid('RoleSid', 'RL')};
      const user = ctx.tx((tx) => ops.createUser(tx, service, input, origin(ctx)));
      return created(render(ctx, USERS, user, `${scope(ctx)}/Users`));
    },

    'GET /Users/:Sid': (ctx) => ok(render(ctx, USERS, userOf(ctx), `${scope(ctx)}/Users`)),

    'POST /Users/:Sid'(ctx) {
      const user = userOf(ctx);
      const f = ctx.form;
      const input: Partial<ops.UserInput> = {attributes: jsonParam(f, 'Attributes'), role_sid: f.sid('RoleSid', 'RL')};
      if (f.has('FriendlyName')) input.friendly_name = f.str('FriendlyName', {max: 256}) || null;
      const next = ctx.tx((tx) => ops.updateUser(tx, user, input, origin(ctx)));
      return ok(render(ctx, USERS, next, `${scope(ctx)}/Users`));
    },

    'DELETE /Users/:Sid'(ctx) {
      const user = userOf(ctx);
      ctx.tx((tx) => ops.deleteUser(tx, user));
      return noContent();
    },

    'GET /Users/:UserSid/Conversations'(ctx) {
      const user = userOf(ctx);
      const items = memberships(ctx, user).map(({p, c}) => renderUserConversation(ctx, user, p, c));
      return ok(derivedList(ctx, items, {collection: `${scope(ctx)}/Users/${user.sid}/Conversations`, key: 'conversations', max: 50}));
    },

    'GET /Users/:UserSid/Conversations/:ConversationSid'(ctx) {
      const user = userOf(ctx);
      const {p, c} = membershipOf(ctx, user);
      return ok(renderUserConversation(ctx, user, p, c));
    },

    'POST /Users/:UserSid/Conversations/:ConversationSid'(ctx) {
      const user = userOf(ctx);
      const {p, c} = membershipOf(ctx, user);
      const f = ctx.form;
      const input: ops.ParticipantUpdate = {
        notification_level: f.enum('NotificationLevel', ['default', 'muted'] as const),
      };
      if (f.has('LastReadMessageIndex')) input.last_read_message_index = f.str('LastReadMessageIndex') === '' ? null : f.int('LastReadMessageIndex', {min: 0})!;
      if (f.has('LastReadTimestamp')) input.last_read_timestamp = dateParam(f, 'LastReadTimestamp') ?? null;
      const next = ctx.tx((tx) => ops.updateParticipant(tx, c, p, input, origin(ctx)));
      return ok(renderUserConversation(ctx, user, next, ops.fresh(reader(ctx), c)));
    },

    /** Leave the conversation (removes the user's participant). */
    'DELETE /Users/:UserSid/Conversations/:ConversationSid'(ctx) {
      const user = userOf(ctx);
      const {p, c} = membershipOf(ctx, user);
      ctx.tx((tx) => ops.removeParticipant(tx, c, p, origin(ctx)));
      return noContent();
    },

    /** The conversations a participant (by chat Identity or by Address) is in. */
    'GET /ParticipantConversations'(ctx) {
      const service = serviceSid(ctx);
      const identity = ctx.query.str('Identity') || undefined;
      const address = ctx.query.str('Address') || undefined;
      if (!identity && !address) throw errors.missing('Identity or Address', 'query');
      const where: Record<string, string> = identity ? {identity} : {address: address!};
      const items = [];
      const user = identity ? ctx.store.repo(USERS).findBy(ctx.accountSid, {identity}, service) : undefined;
      for (const p of ctx.store.repo(PARTICIPANTS).all(ctx.accountSid, where)) {
        if (p.chat_service_sid !== service) continue;
        const c = ctx.store.repo(CONVERSATIONS).get(ctx.accountSid, p.conversation_sid, service);
        if (!c) continue;
        const convUrl = ctx.url(`${scope(ctx)}/Conversations/${c.sid}`);
        items.push({
          account_sid: ctx.accountSid,
          chat_service_sid: service,
          participant_sid: p.sid,
          participant_user_sid: user?.sid ?? null,
          participant_identity: p.identity,
          participant_messaging_binding: p.messaging_binding,
          conversation_sid: c.sid,
          conversation_unique_name: c.unique_name,
          conversation_friendly_name: c.friendly_name,
          conversation_attributes: c.attributes,
          conversation_date_created: c.date_created,
          conversation_date_updated: c.date_updated,
          conversation_created_by: null,
          conversation_state: c.state === 'initializing' ? 'active' : c.state,
          conversation_timers: c.timers,
          links: {participant: `${convUrl}/Participants/${p.sid}`, conversation: convUrl},
        });
      }
      const filters: Record<string, string> = identity ? {Identity: identity} : {Address: address!};
      return ok(derivedList(ctx, items, {collection: `${scope(ctx)}/ParticipantConversations`, key: 'conversations', max: 50, filters}));
    },
  },
});
