import {table} from '../store/table.js';
import type {FlowStatus, StudioFault} from '../../spec/studio.js';

/**
 * Documents and tables of Studio v2 (studio.twilio.com): Flows (FW) with their Revisions,
 * Executions (FN) and their Steps (FT). The API shape is the spec's; what the executor keeps
 * about a running execution (where it waits, for what) lives under `_`, so an execution waiting
 * for a reply survives a restart with the rest of the database.
 */

export interface FlowDoc {
  sid: string;
  account_sid: string;
  author_sid: string;
  friendly_name: string;
  definition: unknown;
  status: FlowStatus;
  revision: number;
  commit_message: string | null;
  valid: boolean;
  errors: StudioFault[];
  warnings: StudioFault[];
  date_created: string;
  date_updated: string | null;
  webhook_url: string;
  _: {
    /** The revision executions run: the newest published one (null until the flow is first published). */
    published_revision: number | null;
  };
}

export const FLOWS = table<FlowDoc>({
  name: 'studio_flows',
  links: {test_users: 'TestUsers', revisions: 'Revisions', executions: 'Executions'},
  internal: '_',
});

/** One revision of a flow, as it was saved (sid = `<flow sid>:<revision>`; rendered by hand, its url ends in the number). */
export interface FlowRevisionDoc {
  sid: string;
  flow_sid: string;
  revision: number;
  snapshot: Omit<FlowDoc, '_' | 'webhook_url'>;
}

export const FLOW_REVISIONS = table<FlowRevisionDoc>({
  name: 'studio_flow_revisions',
  parent: FLOWS,
  keys: {revision: {get: (r) => r.revision, type: 'int'}},
});

export type ExecutionStatus = 'active' | 'ended';

/** What a waiting execution waits for. */
export type Waiting =
  | {kind: 'reply'; widget: string; timer: string}
  | {kind: 'http'; widget: string; request: HttpRequestSpec};

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  url: string;
  content_type: string;
  body: string;
}

export interface ExecutionInternal {
  /** The revision of the definition this execution runs (it keeps it if the flow changes). */
  revision: number;
  /** The conversation an Incoming Conversation trigger started it for. */
  conversation_sid: string | null;
  chat_service_sid: string | null;
  /** The step that brought the execution where it is (parent of the next). */
  last_step_sid: string | null;
  waiting: Waiting | null;
  /** Why it ended as failed, when it did (also a step of its own). */
  failure: string | null;
}

export interface ExecutionDoc {
  sid: string;
  account_sid: string;
  flow_sid: string;
  contact_channel_address: string;
  contact_sid: string;
  flow_version: number;
  context: Record<string, unknown>;
  status: ExecutionStatus;
  date_created: string;
  date_updated: string | null;
  initiated_by: string;
  _: ExecutionInternal;
}

export const EXECUTIONS = table<ExecutionDoc>({
  name: 'studio_executions',
  parent: FLOWS,
  keys: {
    status: {get: (e) => e.status},
    date_created: {get: (e) => e.date_created},
    // the active execution of a conversation: found across the account's flows
    conversation_sid: {get: (e) => (e.status === 'active' ? e._.conversation_sid : null), indexed: 'account'},
  },
  links: {steps: 'Steps', execution_context: 'Context'},
  internal: '_',
});

export interface StepDoc {
  sid: string;
  account_sid: string;
  flow_sid: string;
  execution_sid: string;
  parent_step_sid: string | null;
  name: string;
  context: Record<string, unknown>;
  transitioned_from: string;
  transitioned_to: string;
  type: string;
  date_created: string;
  date_updated: string | null;
}

export const STEPS = table<StepDoc>({name: 'studio_steps', parent: EXECUTIONS, links: {step_context: 'Context'}});

export const STUDIO_TABLES = [FLOWS, FLOW_REVISIONS, EXECUTIONS, STEPS];
