/**
 * Workflow configuration [docs: taskrouter/workflow-configuration]: validated on create/update
 * (a 400 naming the fault and where it is), compiled once per configuration text.
 */
import {TwilioApiError, CODES} from '../../errors.js';
import {compile, compileValue, ExpressionError, parseOrderBy, type Predicate, type ValueFn} from './expression/index.js';

export interface Target {
  queue: string;
  /** Per-worker expression (worker. / task.); undefined = every worker of the queue. */
  expression?: Predicate;
  priority?: number;
  /** Seconds in this target before the next (cumulative from the workflow entry). */
  timeout?: number;
  orderBy?: {value: ValueFn; desc: boolean}[];
  skipIf?: Predicate;
  knownWorkerSid?: ValueFn;
  knownWorkerName?: ValueFn;
}

export interface Filter {
  name: string;
  matches: Predicate;
  targets: Target[];
}

export interface CompiledWorkflow {
  filters: Filter[];
  /** default_filter: one target (its queue) [docs]. */
  defaultTargets?: Target[];
  /** Every queue the configuration names. */
  queues: Set<string>;
}

const cache = new Map<string, CompiledWorkflow>();

function fault(where: string, why: string): TwilioApiError {
  return new TwilioApiError(400, CODES.INVALID_PARAMETER, `Invalid Configuration: ${where}: ${why}`);
}

function expr(where: string, text: unknown, kind: 'bool' | 'value'): Predicate | ValueFn {
  if (typeof text !== 'string') throw fault(where, 'must be a string');
  try {
    return kind === 'bool' ? compile(text) : compileValue(text);
  } catch (e) {
    if (e instanceof ExpressionError) throw fault(where, `${e.why} at position ${e.position} of '${text}'`);
    throw e;
  }
}

function target(where: string, raw: unknown, previousQueue: string | undefined): Target {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fault(where, 'must be an object');
  const t = raw as Record<string, unknown>;
  for (const k of Object.keys(t))
    if (!['queue', 'expression', 'priority', 'timeout', 'order_by', 'skip_if', 'known_worker_sid', 'known_worker_friendly_name'].includes(k))
      throw fault(`${where}.${k}`, 'is not a target property');
  const queue = t.queue ?? previousQueue;
  if (typeof queue !== 'string' || !/^WQ[0-9a-fA-F]{32}$/.test(queue)) throw fault(`${where}.queue`, `'${String(queue)}' is not a TaskQueue SID`);
  const out: Target = {queue};
  if (t.expression !== undefined && t.expression !== '') out.expression = expr(`${where}.expression`, t.expression, 'bool') as Predicate;
  for (const k of ['priority', 'timeout'] as const)
    if (t[k] !== undefined) {
      if (typeof t[k] !== 'number' || !Number.isInteger(t[k]) || (t[k] as number) < 0) throw fault(`${where}.${k}`, 'must be a non-negative integer');
      out[k] = t[k] as number;
    }
  if (t.order_by !== undefined) {
    if (typeof t.order_by !== 'string') throw fault(`${where}.order_by`, 'must be a string');
    try {
      out.orderBy = parseOrderBy(t.order_by).map((o) => ({
        value: compileValue(o.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('')),
        desc: o.desc,
      }));
    } catch (e) {
      if (e instanceof ExpressionError) throw fault(`${where}.order_by`, `${e.why} at position ${e.position} of '${t.order_by}'`);
      throw e;
    }
  }
  if (t.skip_if !== undefined) out.skipIf = expr(`${where}.skip_if`, t.skip_if, 'bool') as Predicate;
  if (t.known_worker_sid !== undefined) out.knownWorkerSid = expr(`${where}.known_worker_sid`, t.known_worker_sid, 'value') as ValueFn;
  if (t.known_worker_friendly_name !== undefined)
    out.knownWorkerName = expr(`${where}.known_worker_friendly_name`, t.known_worker_friendly_name, 'value') as ValueFn;
  return out;
}

/** Parse and validate a configuration (400 on the first fault); cached by its text. */
export function compileWorkflow(text: string): CompiledWorkflow {
  const seen = cache.get(text);
  if (seen) return seen;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    throw fault('Configuration', `is not valid JSON${m ? ` (at position ${m[1]})` : ''}: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw fault('Configuration', 'must be a JSON object');
  const tr = (json as Record<string, unknown>).task_routing;
  if (!tr || typeof tr !== 'object' || Array.isArray(tr)) throw fault('task_routing', 'is missing (the configuration is {"task_routing": {"filters": [...], "default_filter": {...}}})');
  const {filters = [], default_filter: def} = tr as Record<string, unknown>;
  if (!Array.isArray(filters)) throw fault('task_routing.filters', 'must be an array');
  const queues = new Set<string>();
  const out: CompiledWorkflow = {filters: [], queues};
  filters.forEach((raw, i) => {
    const where = `task_routing.filters[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fault(where, 'must be an object');
    const f = raw as Record<string, unknown>;
    const name = f.filter_friendly_name ?? f.friendly_name ?? `filter ${i}`;
    if (typeof name !== 'string') throw fault(`${where}.filter_friendly_name`, 'must be a string');
    const matches = expr(`${where}.expression`, f.expression ?? '1==1', 'bool') as Predicate;
    if (!Array.isArray(f.targets) || f.targets.length === 0) throw fault(`${where}.targets`, 'must be a non-empty array');
    let previous: string | undefined;
    const targets = f.targets.map((t, j) => {
      const c = target(`${where}.targets[${j}]`, t, previous);
      previous = c.queue;
      queues.add(c.queue);
      return c;
    });
    out.filters.push({name, matches, targets});
  });
  if (def !== undefined && def !== null) {
    const d = target('task_routing.default_filter', def, undefined);
    queues.add(d.queue);
    out.defaultTargets = [d];
  }
  if (cache.size > 1000) cache.clear();
  cache.set(text, out);
  return out;
}
