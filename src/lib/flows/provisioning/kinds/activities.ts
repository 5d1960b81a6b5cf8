/**
 * TaskRouter activities (WA…), keyed by friendly name. Whether an activity counts as available
 * is fixed when it is created (Twilio's update takes only the name), so a difference there is
 * reported and not applied. The taskrouter flow lists them; create and delete are SDK calls here.
 */
import {wire} from '../../../cli/index.js';
import {listActivities} from '../../taskrouter.js';
import type {Kind, Raw} from '../types.js';
import {compact, nonEmpty} from './util.js';

export const activities: Kind = {
  name: 'activities',
  label: 'activity',
  taskrouter: true,
  schema: {type: 'object', required: ['friendly_name'], additionalProperties: false, properties: {friendly_name: nonEmpty, available: {type: 'boolean'}}},
  key: (e) => String(e.friendly_name),
  keyOf: (r) => String(r.friendly_name),
  read: async (ctx) => (await listActivities(ctx.client, ctx.ws!, {})).items as Raw[],
  toEntry: (r) => compact({friendly_name: r.friendly_name, available: r.available}),
  fields: (e) => compact({available: e.available}),
  createOnly: ['available'],
  async create(ctx, e) {
    return wire<Raw>(await ctx.client.taskrouter.v1.workspaces(ctx.ws!).activities.create(compact({friendlyName: String(e.friendly_name), available: e.available as boolean | undefined})));
  },
  // nothing but `available` is compared, and it cannot change: never called with a difference to make
  update: async (_ctx, current) => current,
  async remove(ctx, current) {
    await ctx.client.taskrouter.v1.workspaces(ctx.ws!).activities(String(current.sid)).remove();
  },
};
