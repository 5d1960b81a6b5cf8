/**
 * Declarative provisioning (issue 13): a resources file (flexconv.yaml) of Conversations
 * addresses, Studio flows, TaskRouter activities, task channels, queues, workflows, workers and
 * the Conversations configuration and webhooks, identified by natural keys; `export` writes one
 * from an account, `plan` diffs it against a target, `apply` makes the changes. A flow like the
 * others: it takes a bound client and plain options (the loader alone reads the files it is
 * pointed at, with their lines for errors).
 */
import type {TwilioClient} from '../../twilio/client.js';
import {applyPlan, type ApplyEvent, type ApplyResult} from './apply.js';
import {exportDocument, toYaml, type Exported} from './export.js';
import {kindsToRead, makePlan} from './plan.js';
import {KIND_NAMES} from './registry.js';
import {readState, type State} from './state.js';
import type {Plan, ResourceFile} from './types.js';

export {DEFAULT_CONCURRENCY, type ApplyEvent, type ApplyResult} from './apply.js';
export {loadResources, parseResources, fileSchema, DEFAULT_FILES} from './load.js';
export {counts, stable} from './plan.js';
export {KINDS, KIND_NAMES, kindOf} from './registry.js';
export type {Change, FieldChange, KindName, Plan, ResourceFile} from './types.js';

export interface TargetOptions {
  /** --workspace (beats the file's `workspace` and the project config's). */
  workspace?: string;
  configWorkspace?: string;
}

export async function planResources(client: TwilioClient, file: ResourceFile, opts: TargetOptions & {prune?: boolean}): Promise<{plan: Plan; state: State}> {
  const state = await readState(client, {kinds: kindsToRead(file), workspace: opts.workspace ?? file.workspace, configWorkspace: opts.configWorkspace});
  return {plan: makePlan(file, state, {prune: opts.prune}), state};
}

export async function applyResources(state: State, plan: Plan, opts: {concurrency?: number; onEvent?: (e: ApplyEvent) => void}): Promise<ApplyResult> {
  return applyPlan(state.ctx, plan, opts);
}

export async function exportResources(client: TwilioClient, opts: TargetOptions & {header: string[]}): Promise<Exported & {yaml: string}> {
  const state = await readState(client, {kinds: [...KIND_NAMES], workspace: opts.workspace, configWorkspace: opts.configWorkspace, lenient: true});
  const exported = exportDocument(state);
  return {...exported, yaml: await toYaml(exported.document, opts.header)};
}
