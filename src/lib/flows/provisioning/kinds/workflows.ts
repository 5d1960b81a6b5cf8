/**
 * TaskRouter workflows (WW…), keyed by friendly name. The configuration (inline, or from a JSON
 * or YAML file read by the loader) names its queues by friendly name; they become SIDs here, and
 * the SIDs in what the API returns become names again, so the file stays account-independent.
 */
import {createWorkflow, listWorkflows, updateWorkflow, type WorkflowInput} from '../../taskrouter.js';
import type {Entry, Kind, KindContext, Raw, Ref, SidIndex} from '../types.js';
import {compact, nonEmpty, parseJson, str, url} from './util.js';

type Routing = {task_routing?: {filters?: {targets?: {queue?: unknown}[]}[]; default_filter?: {queue?: unknown}}};

/** Every `queue` slot of a configuration (the targets of each filter, the default filter). */
function queueSlots(config: unknown): {queue?: unknown}[] {
  const tr = (config as Routing | undefined)?.task_routing;
  if (!tr || typeof tr !== 'object') return [];
  const filters = Array.isArray(tr.filters) ? tr.filters : [];
  return [...filters.flatMap((f) => (Array.isArray(f?.targets) ? f.targets : [])), ...(tr.default_filter ? [tr.default_filter] : [])].filter((s) => s && typeof s === 'object');
}

/** A copy with each queue slot mapped. */
function mapQueues(config: unknown, map: (q: string) => string): unknown {
  const copy = structuredClone(config);
  for (const s of queueSlots(copy)) if (typeof s.queue === 'string') s.queue = map(s.queue);
  return copy;
}

function workflowInput(ctx: KindContext, e: Entry): WorkflowInput {
  return compact({
    friendlyName: e.friendly_name as string,
    configuration: e.configuration === undefined ? undefined : (mapQueues(e.configuration, (q) => ctx.index.need('task_queues', q, 'WQ')) as WorkflowInput['configuration']),
    taskReservationTimeout: e.task_reservation_timeout as number | undefined,
    assignmentCallbackUrl: e.assignment_callback_url as string | undefined,
    fallbackAssignmentCallbackUrl: e.fallback_assignment_callback_url as string | undefined,
  });
}

export const workflows: Kind = {
  name: 'workflows',
  label: 'workflow',
  taskrouter: true,
  schema: {
    type: 'object',
    required: ['friendly_name'],
    additionalProperties: false,
    properties: {
      friendly_name: nonEmpty,
      configuration: {
        type: 'object',
        required: ['task_routing'],
        additionalProperties: false,
        properties: {
          task_routing: {
            type: 'object',
            additionalProperties: false,
            properties: {
              filters: {type: 'array', items: {type: 'object', required: ['targets'], properties: {expression: str, filter_friendly_name: str, targets: {type: 'array', minItems: 1, items: {type: 'object', properties: {queue: nonEmpty}}}}}},
              default_filter: {type: 'object', required: ['queue'], properties: {queue: nonEmpty}},
            },
          },
        },
      },
      configuration_file: nonEmpty,
      task_reservation_timeout: {type: 'integer', minimum: 1, maximum: 86400},
      assignment_callback_url: url,
      fallback_assignment_callback_url: url,
    },
    oneOf: [{required: ['configuration']}, {required: ['configuration_file']}],
  },
  key: (e) => String(e.friendly_name),
  keyOf: (r) => String(r.friendly_name),
  read: async (ctx) => (await listWorkflows(ctx.client, ctx.ws!, {})).items as Raw[],
  toEntry: (r, index: SidIndex) =>
    compact({
      friendly_name: r.friendly_name,
      configuration: mapQueues(parseJson(r.configuration), (q) => index.name('task_queues', q) ?? q),
      task_reservation_timeout: r.task_reservation_timeout,
      assignment_callback_url: r.assignment_callback_url || undefined,
      fallback_assignment_callback_url: r.fallback_assignment_callback_url || undefined,
    }),
  fields: (e) => {
    const {friendly_name: _, ...rest} = e;
    return rest;
  },
  refs: (e) =>
    queueSlots(e.configuration)
      .filter((s) => typeof s.queue === 'string' && !/^WQ[0-9a-fA-F]{32}$/.test(s.queue))
      .map((s): Ref => ({kind: 'task_queues', key: String(s.queue), field: 'configuration'})),
  create: async (ctx, e) => (await createWorkflow(ctx.client, ctx.ws!, workflowInput(ctx, e) as Parameters<typeof createWorkflow>[2])) as Raw,
  async update(ctx, current, e) {
    const {friendlyName: _, ...rest} = workflowInput(ctx, e);
    return (await updateWorkflow(ctx.client, ctx.ws!, String(current.sid), rest)) as Raw;
  },
  async remove(ctx, current) {
    await ctx.client.taskrouter.v1.workspaces(ctx.ws!).workflows(String(current.sid)).remove();
  },
};
