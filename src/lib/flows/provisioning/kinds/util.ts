/** Small helpers the kinds share: entries without empty values, flattened fields, JSON text as objects. */
import type {Entry} from '../types.js';

/** The object without undefined and null values (the file leaves out what Twilio has nothing for). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out as T;
}

/** A list that is a set (webhook filters): compared sorted. */
export const asSet = (v: unknown): unknown => (Array.isArray(v) ? [...v].map(String).sort() : v);

/** `{a: 1, b: {c: 2}}` → `{a: 1, 'b.c': 2}` for the keys named in `nested`; other values stay whole. */
export function flatten(entry: Entry, nested: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (nested.includes(k) && v && typeof v === 'object' && !Array.isArray(v))
      for (const [k2, v2] of Object.entries(v as Entry)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}

/** A JSON text the API keeps as a string (attributes, a workflow's configuration) as an object; unparsable text stays text. */
export function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const SID_PATTERN = (prefix: string) => `^${prefix}[0-9a-fA-F]{32}$`;
export const str = {type: 'string'} as const;
export const nonEmpty = {type: 'string', minLength: 1} as const;
export const url = {type: 'string', pattern: '^(https?://\\S+)?$'} as const;
