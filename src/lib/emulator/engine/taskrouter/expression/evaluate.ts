/**
 * Expressions compiled to closures (evaluated per worker per task: no tree walk at run time).
 *
 * Semantics [docs: expression-syntax], with the emulator's choices where the docs are silent:
 * - a missing key is NULL; `x == null` is true for it, `x != 'a'` is true for it [unverified];
 * - scalar operators (== != > >= < <= CONTAINS) applied to an array are false, array operators
 *   (HAS, IN) given the wrong shapes are false, and so are their NOT forms [docs: "false"];
 * - cross-type comparisons are false (no coercion: `1 == '1'` is false) [unverified];
 * - > >= < <= compare two numbers, or two strings by code point;
 * - CONTAINS: the left string contains the right one as a substring [docs]; HAS: the left array
 *   holds the right value; IN: the left value is one of the right array's.
 */
import {parse, parseOperand, type Node, type Operand, type Scalar} from './parser.js';

/**
 * What keys resolve against: `bare` for unprefixed keys, and the documents named by a prefix
 * (`worker.`, `task.`, `workers.`) when given. A prefix whose document is absent is an ordinary
 * key of `bare` (`task.x` in a filter expression reads the task's attribute `task`, then `x` —
 * unless `task` is given too, as the engine does, so both spellings work).
 */
export interface Env {
  bare?: unknown;
  worker?: unknown;
  task?: unknown;
  workers?: unknown;
}

export type Predicate = (env: Env) => boolean;
export type ValueFn = (env: Env) => unknown;

const PREFIXES = new Set(['worker', 'task', 'workers']);

function compilePath(path: (string | number)[]): ValueFn {
  const head = path[0] as string;
  const prefixed = path.length > 1 && PREFIXES.has(head);
  const rest = prefixed ? path.slice(1) : path;
  const walk = (start: unknown): unknown => {
    let v = start;
    for (let i = 0; i < rest.length; i++) {
      if (v === null || typeof v !== 'object') return null;
      const k = rest[i];
      if (typeof k === 'number') {
        if (!Array.isArray(v)) return null;
        v = v[k];
      } else {
        if (Array.isArray(v)) return null;
        v = (v as Record<string, unknown>)[k];
      }
      if (v === undefined) return null;
    }
    return v === undefined ? null : v;
  };
  if (!prefixed) return (env) => walk(env.bare);
  return (env) => {
    const doc = (env as Record<string, unknown>)[head];
    if (doc !== undefined) return walk(doc);
    // not given: an ordinary key of the bare document
    let v = env.bare;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    v = (v as Record<string, unknown>)[head];
    return v === undefined ? null : walk(v);
  };
}

function compileOperand(o: Operand): ValueFn {
  if (o.kind === 'literal') {
    const v = o.value;
    return () => v;
  }
  return compilePath(o.path);
}

const isScalar = (v: unknown): v is Scalar => v === null || typeof v !== 'object';

function equal(a: unknown, b: unknown): boolean {
  if (!isScalar(a) || !isScalar(b)) return false;
  return a === b;
}

function order(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

const holds = (arr: unknown[], v: unknown) => isScalar(v) && arr.some((x) => x === v);

function compileNode(n: Node): Predicate {
  switch (n.kind) {
    case 'or': {
      const l = compileNode(n.left);
      const r = compileNode(n.right);
      return (e) => l(e) || r(e);
    }
    case 'and': {
      const l = compileNode(n.left);
      const r = compileNode(n.right);
      return (e) => l(e) && r(e);
    }
    case 'not': {
      const o = compileNode(n.operand);
      return (e) => !o(e);
    }
    case 'truth': {
      const v = compileOperand(n.operand);
      return (e) => v(e) === true;
    }
    case 'cmp': {
      const l = compileOperand(n.left);
      const r = compileOperand(n.right);
      // constant comparisons (1==1, the default target_workers) fold to a constant
      const constant = n.left.kind === 'literal' && n.right.kind === 'literal';
      const f = comparator(n.op, l, r);
      if (constant) {
        const v = f({});
        return () => v;
      }
      return f;
    }
  }
}

function comparator(op: string, l: ValueFn, r: ValueFn): Predicate {
  switch (op) {
    case '==':
      return (e) => equal(l(e), r(e));
    case '!=':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return isScalar(a) && isScalar(b) && a !== b;
      };
    case '>':
      return (e) => {
        const c = order(l(e), r(e));
        return c !== undefined && c > 0;
      };
    case '>=':
      return (e) => {
        const c = order(l(e), r(e));
        return c !== undefined && c >= 0;
      };
    case '<':
      return (e) => {
        const c = order(l(e), r(e));
        return c !== undefined && c < 0;
      };
    case '<=':
      return (e) => {
        const c = order(l(e), r(e));
        return c !== undefined && c <= 0;
      };
    case 'CONTAINS':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'string' && typeof b === 'string' && a.includes(b);
      };
    case 'NOT CONTAINS':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'string' && typeof b === 'string' && !a.includes(b);
      };
    case 'HAS':
      return (e) => {
        const a = l(e);
        return Array.isArray(a) && holds(a, r(e));
      };
    case 'NOT HAS':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return Array.isArray(a) && isScalar(b) && !holds(a, b);
      };
    case 'IN':
      return (e) => {
        const b = r(e);
        return Array.isArray(b) && holds(b, l(e));
      };
    case 'NOT IN':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return Array.isArray(b) && isScalar(a) && !holds(b, a);
      };
  }
  throw new Error(`unknown operator ${op}`);
}

/** The compiled expression, cached by its text (parsed once, whoever asks). */
const predicates = new Map<string, Predicate>();
const values = new Map<string, ValueFn>();
const CACHE_MAX = 10_000;

function remember<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let f = cache.get(key);
  if (f === undefined) {
    f = make();
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, f);
  }
  return f;
}

/** Compile (or take from the cache) a boolean expression; throws ExpressionError on bad syntax. */
export function compile(expression: string): Predicate {
  return remember(predicates, expression, () => compileNode(parse(expression)));
}

/** Compile a value expression (known_worker_sid: `task.agent_sid`). */
export function compileValue(expression: string): ValueFn {
  return remember(values, expression, () => compileOperand(parseOperand(expression)));
}

/** Whether a compiled expression holds for this document (the common case: one bare document). */
export function evaluate(expression: string, env: Env): boolean {
  return compile(expression)(env);
}

/** Is it the always-true default (`1==1`) — the engine skips evaluating it per worker. */
export function alwaysTrue(expression: string): boolean {
  const n = parse(expression);
  return n.kind === 'cmp' && n.left.kind === 'literal' && n.right.kind === 'literal' && compileNode(n)({});
}
