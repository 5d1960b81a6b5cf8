/** TaskRouter task channels (TC…), keyed by unique name. No flow of the CLI handles them yet: SDK calls here. */
import {collect, wire} from '../../../cli/index.js';
import {MAX_PAGE} from '../../taskrouter.js';
import type {Kind, Raw} from '../types.js';
import {compact, nonEmpty} from './util.js';

export const taskChannels: Kind = {
  name: 'task_channels',
  label: 'task channel',
  taskrouter: true,
  schema: {
    type: 'object',
    required: ['unique_name'],
    additionalProperties: false,
    properties: {unique_name: nonEmpty, friendly_name: nonEmpty, channel_optimized_routing: {type: 'boolean'}},
  },
  key: (e) => String(e.unique_name),
  keyOf: (r) => String(r.unique_name),
  async read(ctx) {
    const list = ctx.client.taskrouter.v1.workspaces(ctx.ws!).taskChannels;
    return (await collect((pageSize) => list.page({pageSize}), {max: MAX_PAGE}, (i) => wire<Raw>(i))).items;
  },
  toEntry: (r) => compact({unique_name: r.unique_name, friendly_name: r.friendly_name, channel_optimized_routing: r.channel_optimized_routing}),
  fields: (e) => compact({friendly_name: e.friendly_name, channel_optimized_routing: e.channel_optimized_routing}),
  async create(ctx, e) {
    return wire<Raw>(
      await ctx.client.taskrouter.v1.workspaces(ctx.ws!).taskChannels.create({
        uniqueName: String(e.unique_name),
        friendlyName: String(e.friendly_name ?? e.unique_name),
        ...compact({channelOptimizedRouting: e.channel_optimized_routing as boolean | undefined}),
      }),
    );
  },
  async update(ctx, current, e) {
    const p = compact({friendlyName: e.friendly_name as string | undefined, channelOptimizedRouting: e.channel_optimized_routing as boolean | undefined});
    return wire<Raw>(await ctx.client.taskrouter.v1.workspaces(ctx.ws!).taskChannels(String(current.sid)).update(p));
  },
  async remove(ctx, current) {
    await ctx.client.taskrouter.v1.workspaces(ctx.ws!).taskChannels(String(current.sid)).remove();
  },
};
