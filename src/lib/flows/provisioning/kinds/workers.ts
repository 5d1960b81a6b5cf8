/**
 * TaskRouter workers (WK…), optional in a file, keyed by friendly name. `activity` is what an
 * agent changes all day: export leaves it out, and it is compared only when the file sets it.
 * Attributes are an object in the file (JSON text on the wire).
 */
import {createWorker, listWorkers, updateWorker} from '../../taskrouter.js';
import type {Entry, Kind, KindContext, Raw, Ref} from '../types.js';
import {compact, nonEmpty, parseJson} from './util.js';

const workerInput = (ctx: KindContext, e: Entry) =>
  compact({
    friendlyName: e.friendly_name as string,
    attributes: e.attributes === undefined ? undefined : JSON.stringify(e.attributes),
    activity: e.activity === undefined ? undefined : ctx.index.need('activities', String(e.activity), 'WA'),
  });

export const workers: Kind = {
  name: 'workers',
  label: 'worker',
  taskrouter: true,
  schema: {
    type: 'object',
    required: ['friendly_name'],
    additionalProperties: false,
    properties: {friendly_name: nonEmpty, attributes: {type: 'object'}, activity: nonEmpty},
  },
  key: (e) => String(e.friendly_name),
  keyOf: (r) => String(r.friendly_name),
  read: async (ctx) => (await listWorkers(ctx.client, ctx.ws!, {})).items as Raw[],
  toEntry: (r, index) => compact({friendly_name: r.friendly_name, attributes: parseJson(r.attributes), activity: index.name('activities', r.activity_sid as string)}),
  runtime: ['activity'],
  fields: (e) => {
    const {friendly_name: _, ...rest} = e;
    return rest;
  },
  refs: (e) => (typeof e.activity === 'string' ? [{kind: 'activities', key: e.activity, field: 'activity'} as Ref] : []),
  create: async (ctx, e) => (await createWorker(ctx.client, ctx.ws!, workerInput(ctx, e) as ReturnType<typeof workerInput> & {friendlyName: string})) as Raw,
  async update(ctx, current, e) {
    const {friendlyName: _, ...rest} = workerInput(ctx, e);
    return (await updateWorker(ctx.client, ctx.ws!, String(current.sid), rest)) as Raw;
  },
  async remove(ctx, current) {
    await ctx.client.taskrouter.v1.workspaces(ctx.ws!).workers(String(current.sid)).remove();
  },
};
