import * as ops from '../../engine/taskrouter/ops.js';
import {ACTIVITIES, TASK_CHANNELS, WORKSPACES} from '../../model/taskrouter.js';
import {created, defineResource, noContent, ok} from '../../router.js';
import {docOf, echo, list, reader, render, urlParam, workspaceOf, WS, wsPath} from './common.js';

const ORDER = ['FIFO', 'LIFO'] as const;

export default defineResource({
  domain: 'taskrouter',
  routes: {
    'GET /v1/Workspaces'(ctx) {
      const name = ctx.query.str('FriendlyName');
      return ok(list(ctx, WORKSPACES, {collection: '/v1/Workspaces', key: 'workspaces', parent: '', query: name ? {where: {friendly_name: name}} : {}, filters: echo(ctx.query, ['FriendlyName'])}));
    },
    'POST /v1/Workspaces'(ctx) {
      const f = ctx.form;
      const ws = ctx.tx((tx) =>
        ops.createWorkspace(tx, {
          friendly_name: f.str('FriendlyName', {required: true, max: 64}),
          event_callback_url: urlParam(f, 'EventCallbackUrl'),
          events_filter: f.str('EventsFilter') || null,
          multi_task_enabled: f.bool('MultiTaskEnabled'),
          template: f.enum('Template', ['NONE', 'FIFO'] as const),
          prioritize_queue_order: f.enum('PrioritizeQueueOrder', ORDER),
        }),
      );
      return created(render(ctx, WORKSPACES, ws, '/v1/Workspaces'));
    },
    'GET /v1/Workspaces/:Sid'(ctx) {
      return ok(render(ctx, WORKSPACES, workspaceOf(ctx, ctx.params.Sid), '/v1/Workspaces'));
    },
    'POST /v1/Workspaces/:Sid'(ctx) {
      const current = workspaceOf(ctx, ctx.params.Sid);
      const f = ctx.form;
      const ws = ctx.tx((tx) =>
        ops.updateWorkspace(tx, current, {
          friendly_name: f.str('FriendlyName', {max: 64}),
          event_callback_url: urlParam(f, 'EventCallbackUrl'),
          events_filter: f.str('EventsFilter'),
          multi_task_enabled: f.bool('MultiTaskEnabled'),
          prioritize_queue_order: f.enum('PrioritizeQueueOrder', ORDER),
          default_activity_sid: f.sid('DefaultActivitySid', 'WA'),
          timeout_activity_sid: f.sid('TimeoutActivitySid', 'WA'),
        }),
      );
      return ok(render(ctx, WORKSPACES, ws, '/v1/Workspaces'));
    },
    'DELETE /v1/Workspaces/:Sid'(ctx) {
      const ws = workspaceOf(ctx, ctx.params.Sid);
      ctx.tx((tx) => ops.deleteWorkspace(tx, ws));
      return noContent();
    },

    // Activities
    [`GET ${WS}/Activities`](ctx) {
      const ws = workspaceOf(ctx);
      const name = ctx.query.str('FriendlyName');
      const available = ctx.query.bool('Available');
      const where: Record<string, string | number> = {};
      if (name) where.friendly_name = name;
      if (available !== undefined) where.available = available ? 1 : 0;
      return ok(list(ctx, ACTIVITIES, {collection: `${wsPath(ws.sid)}/Activities`, key: 'activities', parent: ws.sid, query: {where}, filters: echo(ctx.query, ['FriendlyName', 'Available'])}));
    },
    [`POST ${WS}/Activities`](ctx) {
      const ws = workspaceOf(ctx);
      const name = ctx.form.str('FriendlyName', {required: true, max: 64});
      const available = ctx.form.bool('Available') ?? true;
      const a = ctx.tx((tx) => ops.createActivity(tx, ws.sid, name, available));
      return created(render(ctx, ACTIVITIES, a, `${wsPath(ws.sid)}/Activities`));
    },
    [`GET ${WS}/Activities/:Sid`](ctx) {
      const a = docOf(ctx, ACTIVITIES, 'Activities');
      return ok(render(ctx, ACTIVITIES, a, `${wsPath(a.workspace_sid)}/Activities`));
    },
    [`POST ${WS}/Activities/:Sid`](ctx) {
      const a = docOf(ctx, ACTIVITIES, 'Activities');
      const name = ctx.form.str('FriendlyName', {max: 64});
      const next = ctx.tx((tx) => ops.updateActivity(tx, a.workspace_sid, a, name));
      return ok(render(ctx, ACTIVITIES, next, `${wsPath(a.workspace_sid)}/Activities`));
    },
    [`DELETE ${WS}/Activities/:Sid`](ctx) {
      const a = docOf(ctx, ACTIVITIES, 'Activities');
      ctx.tx((tx) => ops.deleteActivity(tx, a.workspace_sid, a));
      return noContent();
    },

    // Task channels
    [`GET ${WS}/TaskChannels`](ctx) {
      const ws = workspaceOf(ctx);
      return ok(list(ctx, TASK_CHANNELS, {collection: `${wsPath(ws.sid)}/TaskChannels`, key: 'channels', parent: ws.sid}));
    },
    [`POST ${WS}/TaskChannels`](ctx) {
      const ws = workspaceOf(ctx);
      const f = ctx.form;
      const friendly = f.str('FriendlyName', {required: true, max: 64});
      const unique = f.str('UniqueName', {required: true, max: 64});
      const optimized = f.bool('ChannelOptimizedRouting');
      const c = ctx.tx((tx) => ops.createTaskChannel(tx, ws.sid, friendly, unique, optimized));
      return created(render(ctx, TASK_CHANNELS, c, `${wsPath(ws.sid)}/TaskChannels`));
    },
    [`GET ${WS}/TaskChannels/:Sid`](ctx) {
      const ws = workspaceOf(ctx);
      const ix = ops.index(reader(ctx), ws.sid);
      const c = ix.channels.get(ctx.params.Sid) ?? ix.channelByName(ctx.params.Sid);
      if (!c) return docOf(ctx, TASK_CHANNELS, 'TaskChannels') as never;
      return ok(render(ctx, TASK_CHANNELS, c, `${wsPath(ws.sid)}/TaskChannels`));
    },
    [`POST ${WS}/TaskChannels/:Sid`](ctx) {
      const c = docOf(ctx, TASK_CHANNELS, 'TaskChannels');
      const input = {friendly_name: ctx.form.str('FriendlyName', {max: 64}), channel_optimized_routing: ctx.form.bool('ChannelOptimizedRouting')};
      const next = ctx.tx((tx) => ops.updateTaskChannel(tx, c.workspace_sid, c, input));
      return ok(render(ctx, TASK_CHANNELS, next, `${wsPath(c.workspace_sid)}/TaskChannels`));
    },
    [`DELETE ${WS}/TaskChannels/:Sid`](ctx) {
      const c = docOf(ctx, TASK_CHANNELS, 'TaskChannels');
      ctx.tx((tx) => ops.deleteTaskChannel(tx, c.workspace_sid, c));
      return noContent();
    },
  },
});
