import {errors} from '../../errors.js';
import {EVENTS, type EventDoc} from '../../model/taskrouter.js';
import {defineResource, ok} from '../../router.js';
import type {Cond} from '../../store/repository.js';
import {dateParam, docOf, echo, list, render, workspaceOf, WS, wsPath} from './common.js';

/** The window of an Events list that names none. */
export const DEFAULT_MINUTES = 15;

export default defineResource({
  domain: 'taskrouter',
  routes: {
    [`GET ${WS}/Events`](ctx) {
      const ws = workspaceOf(ctx);
      const q = ctx.query;
      // Events are paged by token only: Page is not supported [docs]
      const where: Record<string, Cond> = {};
      const type = q.str('EventType');
      if (type) where.event_type = type;
      for (const [param, col] of [
        ['TaskSid', 'task_sid'],
        ['WorkerSid', 'worker_sid'],
        ['ReservationSid', 'reservation_sid'],
        ['TaskQueueSid', 'task_queue_sid'],
        ['WorkflowSid', 'workflow_sid'],
        ['TaskChannel', 'task_channel'],
      ] as const) {
        const v = q.str(param);
        if (v) where[col] = v;
      }
      const start = dateParam(q, 'StartDate');
      const end = dateParam(q, 'EndDate');
      const minutes = q.int('Minutes', {min: 1});
      const range: {gte?: number; lte?: number} = {};
      if (start) range.gte = Date.parse(start);
      // without StartDate or Minutes, the last 15 minutes [OAI: Minutes "The default is 15 minutes"]
      const window = minutes ?? (start ? undefined : DEFAULT_MINUTES);
      if (window !== undefined) range.gte = Math.max(range.gte ?? 0, ctx.clock.now().getTime() - window * 60_000);
      if (end) range.lte = Date.parse(end);
      if (range.gte !== undefined || range.lte !== undefined) where.date_ms = range;
      const sid = q.str('Sid');
      const filter = sid ? (e: EventDoc) => e.sid === sid : undefined;
      return ok(list(ctx, EVENTS, {
        collection: `${wsPath(ws.sid)}/Events`,
        key: 'events',
        parent: ws.sid,
        query: {where, filter},
        filters: echo(q, ['EndDate', 'EventType', 'Minutes', 'ReservationSid', 'StartDate', 'TaskQueueSid', 'TaskSid', 'WorkerSid', 'WorkflowSid', 'TaskChannel', 'Sid']),
      }));
    },
    [`GET ${WS}/Events/:Sid`](ctx) {
      const e = docOf(ctx, EVENTS, 'Events');
      return ok(render(ctx, EVENTS, e, `${wsPath(e.workspace_sid)}/Events`));
    },
  },
});
export {errors};
