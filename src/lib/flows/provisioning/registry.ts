/**
 * Every resource kind a file can declare, in the order a file (and an export) lists them. A new
 * kind is one module in ./kinds plus one line here; the schema, the diff, the plan, apply's
 * dependency graph and export all take it from this list.
 */
import {activities} from './kinds/activities.js';
import {addresses} from './kinds/addresses.js';
import {conversationsConfiguration} from './kinds/conversations-configuration.js';
import {conversationsWebhooks} from './kinds/conversations-webhooks.js';
import {studioFlows} from './kinds/studio-flows.js';
import {taskChannels} from './kinds/task-channels.js';
import {taskQueues} from './kinds/task-queues.js';
import {workers} from './kinds/workers.js';
import {workflows} from './kinds/workflows.js';
import type {Kind, KindName} from './types.js';

export const KINDS: readonly Kind[] = [
  conversationsConfiguration,
  conversationsWebhooks,
  studioFlows,
  addresses,
  activities,
  taskChannels,
  taskQueues,
  workflows,
  workers,
];

export const KIND_NAMES = KINDS.map((k) => k.name);

export function kindOf(name: KindName): Kind {
  const k = KINDS.find((x) => x.name === name);
  if (!k) throw new Error(`unknown kind ${name}`);
  return k;
}
