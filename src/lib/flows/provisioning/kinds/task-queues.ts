/**
 * TaskRouter task queues (WQ…), keyed by friendly name; the reservation and assignment
 * activities by name. Created and changed through the taskrouter flow.
 */
import {createQueue, listQueues, updateQueue, type QueueInput} from '../../taskrouter.js';
import type {Entry, Kind, KindContext, Raw, Ref} from '../types.js';
import {compact, nonEmpty} from './util.js';

const ACTIVITY_FIELDS = ['reservation_activity', 'assignment_activity'] as const;

function queueInput(ctx: KindContext, e: Entry): QueueInput {
  const act = (v: unknown) => (v === undefined ? undefined : ctx.index.need('activities', String(v), 'WA'));
  return compact({
    friendlyName: e.friendly_name as string,
    targetWorkers: e.target_workers as string | undefined,
    maxReservedWorkers: e.max_reserved_workers as number | undefined,
    taskOrder: e.task_order as 'FIFO' | 'LIFO' | undefined,
    reservationActivity: act(e.reservation_activity),
    assignmentActivity: act(e.assignment_activity),
  });
}

export const taskQueues: Kind = {
  name: 'task_queues',
  label: 'task queue',
  taskrouter: true,
  schema: {
    type: 'object',
    required: ['friendly_name'],
    additionalProperties: false,
    properties: {
      friendly_name: nonEmpty,
      target_workers: nonEmpty,
      max_reserved_workers: {type: 'integer', minimum: 1, maximum: 50},
      task_order: {enum: ['FIFO', 'LIFO']},
      reservation_activity: nonEmpty,
      assignment_activity: nonEmpty,
    },
  },
  key: (e) => String(e.friendly_name),
  keyOf: (r) => String(r.friendly_name),
  read: async (ctx) => (await listQueues(ctx.client, ctx.ws!, {})).items as Raw[],
  toEntry: (r, index) =>
    compact({
      friendly_name: r.friendly_name,
      target_workers: r.target_workers,
      max_reserved_workers: r.max_reserved_workers,
      task_order: r.task_order,
      reservation_activity: index.name('activities', r.reservation_activity_sid as string | null),
      assignment_activity: index.name('activities', r.assignment_activity_sid as string | null),
    }),
  fields: (e) => {
    const {friendly_name: _, ...rest} = e;
    return rest;
  },
  refs: (e) => ACTIVITY_FIELDS.filter((f) => typeof e[f] === 'string').map((f): Ref => ({kind: 'activities', key: String(e[f]), field: f})),
  create: async (ctx, e) => (await createQueue(ctx.client, ctx.ws!, queueInput(ctx, e) as QueueInput & {friendlyName: string})) as Raw,
  async update(ctx, current, e) {
    const {friendlyName: _, ...rest} = queueInput(ctx, e);
    return (await updateQueue(ctx.client, ctx.ws!, String(current.sid), rest)) as Raw;
  },
  async remove(ctx, current) {
    await ctx.client.taskrouter.v1.workspaces(ctx.ws!).taskQueues(String(current.sid)).remove();
  },
};
