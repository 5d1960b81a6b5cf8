/**
 * Studio flows (FW…), keyed by friendly name; the definition inline or from a JSON file (read
 * by the loader). No flow module of the CLI exists yet, so the SDK is called here. A flow that
 * Studio refuses (an invalid definition) fails its change and stops the addresses that name it.
 */
import {wire} from '../../../cli/index.js';
import type {Kind, Raw} from '../types.js';
import {compact, nonEmpty, str} from './util.js';

const flowParams = (e: Record<string, unknown>) =>
  compact({
    friendlyName: e.friendly_name as string,
    status: (e.status ?? 'published') as 'draft' | 'published',
    definition: e.definition,
    commitMessage: e.commit_message as string | undefined,
  });

export const studioFlows: Kind = {
  name: 'studio_flows',
  label: 'Studio flow',
  studio: true,
  schema: {
    type: 'object',
    required: ['friendly_name'],
    additionalProperties: false,
    properties: {
      friendly_name: nonEmpty,
      status: {enum: ['draft', 'published']},
      definition: {type: 'object', required: ['states'], properties: {states: {type: 'array'}}},
      definition_file: nonEmpty,
      commit_message: str,
    },
    // exactly one of them (the loader replaces definition_file by the file's content)
    oneOf: [{required: ['definition']}, {required: ['definition_file']}],
  },
  key: (e) => String(e.friendly_name),
  keyOf: (r) => String(r.friendly_name),
  async read(ctx) {
    const flows = ctx.client.studio.v2.flows;
    const listed = await flows.list({pageSize: 50});
    // a listed flow may come without its definition: fetch each one
    return Promise.all(listed.map(async (f) => wire<Raw>(f.definition ? f : await flows(f.sid).fetch())));
  },
  toEntry: (r) => compact({friendly_name: r.friendly_name, status: r.status, definition: r.definition}),
  fields: (e) => compact({status: e.status ?? 'published', definition: e.definition}),
  async create(ctx, e) {
    const p = flowParams(e);
    return wire<Raw>(await ctx.client.studio.v2.flows.create(p as typeof p & {friendlyName: string; status: 'published'}));
  },
  async update(ctx, current, e) {
    const p = flowParams(e);
    return wire<Raw>(await ctx.client.studio.v2.flows(String(current.sid)).update(p as typeof p & {status: 'published'}));
  },
  async remove(ctx, current) {
    await ctx.client.studio.v2.flows(String(current.sid)).remove();
  },
};
