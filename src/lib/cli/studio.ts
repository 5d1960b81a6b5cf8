/**
 * What the Studio, reminder and webchat commands share: reading a flow definition file (JSON,
 * with file:line:column for a syntax error) and checking it with the shared validator (the
 * emulator's too) including its Liquid templates, the flow/execution arguments and columns.
 */
import {readFileSync} from 'node:fs';
import {basename} from 'node:path';
import * as Args from '@oclif/core/args';
import {findJsonSyntaxError} from '../config/json.js';
import {usageError} from '../errors.js';
import type {Column} from '../render/index.js';
import {validateFlowDefinition, type StudioValidation} from '../spec/studio.js';
import {invalidFlowError, type Execution, type Flow} from '../flows/studio.js';

export const flowArg = Args.string({name: 'flow', required: true, description: 'Studio flow SID (FW…) or friendly name'});
export const executionArg = Args.string({name: 'execution', required: true, description: 'Execution SID (FN…)'});
export const fileArg = Args.string({name: 'file', required: true, description: 'Flow definition: a JSON file (as Studio exports it)'});

export interface FlowFile {
  file: string;
  definition: Record<string, unknown>;
  /** --name, else the definition's description, else the file name without .json. */
  name: string;
  validation: StudioValidation;
}

/** Liquid's parse error for a template, or undefined (liquidjs is loaded only when a file has templates). */
async function templateChecker(): Promise<(text: string) => string | undefined> {
  const {Liquid} = await import('liquidjs');
  const engine = new Liquid();
  return (text) => {
    try {
      engine.parse(text);
      return undefined;
    } catch (error) {
      return (error as Error).message.split('\n')[0];
    }
  };
}

/**
 * Read and check a flow definition file. Not JSON (with line:column), or faults of the shared
 * validator (each named by widget and property): one usage error, before any request.
 */
export async function readFlowFile(file: string, name?: string): Promise<FlowFile> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const bad = findJsonSyntaxError(text);
  if (bad) throw usageError(`${file}:${bad.line}:${bad.column}: not valid JSON: ${bad.reason}`, ['a flow definition is {"initial_state": "Trigger", "states": [{"name": "Trigger", "type": "trigger", "transitions": [...], "properties": {}}]}']);
  const definition = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  const validation = validateFlowDefinition(definition, text.includes('{{') || text.includes('{%') ? await templateChecker() : undefined);
  if (!validation.valid) throw invalidFlowError(file, definition, validation.errors);
  const def = definition as Record<string, unknown>;
  const fromFile = typeof def.description === 'string' && def.description.trim() ? def.description : basename(file).replace(/\.json$/i, '');
  return {file, definition: def, name: name ?? fromFile, validation};
}

// ---------------------------------------------------------------------------------------------
// Columns

const widgets = (f: Flow) => (Array.isArray((f.definition as {states?: unknown[]})?.states) ? (f.definition as {states: unknown[]}).states.length : '');

export const FLOW_COLUMNS: Column<Flow>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'FRIENDLY NAME'},
  {key: 'status', header: 'STATUS'},
  {key: 'revision', header: 'REVISION'},
  {key: 'date_updated', header: 'UPDATED'},
];
export const FLOW_EXTRA: Column<Flow>[] = [
  {key: 'widgets', header: 'WIDGETS', get: widgets},
  {key: 'valid', header: 'VALID'},
  {key: 'commit_message', header: 'COMMIT MESSAGE'},
  {key: 'date_created', header: 'CREATED'},
  {key: 'webhook_url', header: 'WEBHOOK URL'},
];
export const FLOW_FIELDS: Column<Flow>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'friendly_name', header: 'Friendly name'},
  {key: 'status', header: 'Status'},
  {key: 'revision', header: 'Revision'},
  {key: 'commit_message', header: 'Commit message'},
  {key: 'widgets', header: 'Widgets', get: (f) => ((f.definition as {states?: {name: string; type: string}[]})?.states ?? []).map((s) => `${s.name} (${s.type})`).join(', ')},
  {key: 'valid', header: 'Valid'},
  {key: 'webhook_url', header: 'Webhook URL'},
  {key: 'date_created', header: 'Created'},
  {key: 'date_updated', header: 'Updated'},
];

export const EXECUTION_COLUMNS: Column<Execution>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'status', header: 'STATUS'},
  {key: 'contact_channel_address', header: 'CONTACT'},
  {key: 'date_created', header: 'STARTED'},
  {key: 'date_updated', header: 'UPDATED'},
];
export const EXECUTION_EXTRA: Column<Execution>[] = [
  {key: 'contact_sid', header: 'CONTACT SID'},
  {key: 'flow_sid', header: 'FLOW'},
  {key: 'initiated_by', header: 'INITIATED BY'},
];
export const EXECUTION_FIELDS: Column<Execution>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'flow_sid', header: 'Flow'},
  {key: 'status', header: 'Status'},
  {key: 'contact_channel_address', header: 'Contact'},
  {key: 'contact_sid', header: 'Contact SID'},
  {key: 'date_created', header: 'Started'},
  {key: 'date_updated', header: 'Updated'},
  {key: 'context', header: 'Context'},
];
