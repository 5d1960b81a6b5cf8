/**
 * Shapes every list/get/delete command shares, so each stays a few lines: list flags, confirm
 * flags, one paging collector (follows `next_page_url`, knows when it stopped early), one wire
 * mapper (SDK instance → the REST API's snake_case resource), column picking, SID checks.
 * Plain functions over the SDK's page objects and flag values; no I/O of its own.
 */
import * as Flags from '@oclif/core/flags';
import {usageError} from '../errors.js';
import {bodyProblem} from '../spec/conversations.js';
export {usageError};
import type {Column} from '../render/index.js';

// ---------------------------------------------------------------------------------------------
// Flags

/**
 * Flags of every command that prints a table (listFlags has them). The renderer reads
 * --no-truncate itself (from argv, like --no-color), so a command only declares it.
 */
export const tableFlags = {
  'no-truncate': Flags.boolean({summary: 'Show long cells whole: on a terminal, tables are cut with … to its width (pipes, files and --json never are).'}),
};

/**
 * --limit / --all / --page-size / --columns / --no-header for a list whose API page holds at most
 * `maxPageSize` records. `columns` names the keys --columns accepts (shown in its help).
 */
export function listFlags(maxPageSize: number, opts: {defaultLimit?: number} = {}) {
  return {
    limit: Flags.integer({min: 1, default: opts.defaultLimit ?? 50, exclusive: ['all'], summary: 'Stop after this many records.'}),
    all: Flags.boolean({exclusive: ['limit'], summary: 'Fetch every page, however many there are.'}),
    'page-size': Flags.integer({
      min: 1,
      max: maxPageSize,
      summary: `Records per request (1–${maxPageSize}; default: the smaller of --limit and ${maxPageSize}).`,
    }),
    columns: Flags.string({
      delimiter: ',',
      multiple: true,
      summary: 'Table columns to show, in order (comma-separated keys, see the description).',
    }),
    'no-header': Flags.boolean({summary: 'Table without the header line.'}),
    ...tableFlags,
  };
}

/** --yes / --dry-run for a destructive command. */
export const confirmFlags = {
  yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
  'dry-run': Flags.boolean({summary: 'Show what would change, change nothing.'}),
};

export interface ListFlagValues {
  limit?: number;
  all?: boolean;
  'page-size'?: number;
  columns?: string[];
  'no-header'?: boolean;
}

/** The paging options a flow takes, from the list flags. */
export function paging(flags: ListFlagValues): PageOptions {
  return {limit: flags.all ? undefined : flags.limit, pageSize: flags['page-size']};
}

// ---------------------------------------------------------------------------------------------
// Paging

export interface PageOptions {
  /** Stop after this many; undefined = every page. */
  limit?: number;
  /** Records per request; default min(limit, max). */
  pageSize?: number;
}

export interface Listed<T> {
  items: T[];
  /** True when the list stopped at `limit` and the API has more. */
  more: boolean;
}

/** What the SDK's `page()` resolves to (only what the collector uses). */
export interface SdkPage<I> {
  instances: I[];
  nextPageUrl?: string;
  nextPage(): Promise<SdkPage<I>> | undefined;
}

/** The PageSize to ask for: --page-size checked against the API's maximum, else min(limit, max). */
export function pageSizeFor(opts: PageOptions, max: number): number {
  const {limit, pageSize} = opts;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw usageError(`--limit must be a whole number ≥ 1, not ${limit}`);
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > max))
    throw usageError(`--page-size must be between 1 and ${max} (the API's maximum for this list), not ${pageSize}`);
  return pageSize ?? Math.min(limit ?? max, max);
}

/**
 * The one paging collector: asks `first(pageSize)` for the first page, follows `next_page_url`
 * until `limit` records (or the end), maps each instance with `map`, and says whether more exist.
 */
export async function collect<I, T>(
  first: (pageSize: number) => Promise<SdkPage<I>>,
  opts: PageOptions & {max: number},
  map: (i: I) => T,
): Promise<Listed<T>> {
  const {limit} = opts;
  const items: T[] = [];
  let page = await first(pageSizeFor(opts, opts.max));
  for (;;) {
    for (const inst of page.instances) {
      if (limit !== undefined && items.length >= limit) return {items, more: true};
      items.push(map(inst));
    }
    if (!page.nextPageUrl) return {items, more: false};
    if (limit !== undefined && items.length >= limit) return {items, more: true};
    const next = await page.nextPage();
    if (!next) return {items, more: false};
    page = next;
  }
}

// ---------------------------------------------------------------------------------------------
// Wire shape

/** `Date` → `2024-01-02T03:04:05Z` (Twilio writes dates without milliseconds). */
export const isoSeconds = (d: unknown): unknown => (d instanceof Date ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : d);

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * SDK instance → the resource as the REST API returned it: the SDK copies each wire field to a
 * camelCase property in the spec's order (nested objects untouched) and parses dates; this turns
 * the names back and writes dates as Twilio does. Private fields (`_version`, `_context`, …) and
 * methods are not data.
 */
export function wire<T = Record<string, unknown>>(instance: object): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(instance)) {
    if (k.startsWith('_') || typeof v === 'function' || v === undefined) continue;
    out[snake(k)] = isoSeconds(v);
  }
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// Columns and SIDs

/** Columns for --columns (by key, in the given order) out of `all`; unknown keys are a usage error. */
export function pickColumns<T>(keys: string[] | undefined, defaults: Column<T>[], extra: Column<T>[] = []): Column<T>[] {
  if (!keys?.length) return defaults;
  const all = [...defaults, ...extra];
  return keys.map((k) => {
    const key = k.trim();
    const c = all.find((x) => x.key === key);
    if (!c) throw usageError(`--columns: unknown column "${key}"`, [`available: ${all.map((x) => x.key).join(', ')}`]);
    return c;
  });
}

/** The keys of the columns a list offers, for its description. */
export const columnKeys = <T>(...sets: Column<T>[][]): string => sets.flat().map((c) => c.key).join(', ');

const SID_NAMES: Record<string, string> = {
  CH: 'Conversation',
  MB: 'Participant',
  IM: 'Message',
  WH: 'Conversation webhook',
  IS: 'Conversation Service',
  WD: 'webhook delivery',
  MG: 'Messaging Service',
  FW: 'Studio Flow',
  RL: 'Role',
  ME: 'Media',
  HX: 'Content template',
};

export const isSid = (prefix: string, v: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(v);

/**
 * A value that must be a SID with `prefix` (where the API takes nothing else): a usage error
 * naming what is wrong with it, before any request.
 */
export function requireSid(prefix: string, value: string, what = `the ${SID_NAMES[prefix] ?? prefix} SID`): string {
  if (isSid(prefix, value)) return value;
  const name = SID_NAMES[prefix] ?? prefix;
  const got = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  const why = value.toUpperCase().startsWith(prefix) ? `${value.length} characters long; a ${name} SID is ${prefix} + 32 hex characters (34)` : `not a ${name} SID (${prefix} + 32 hex characters)`;
  throw usageError(`${what} "${got}" is ${why}`);
}

/**
 * A value that is a SID with `prefix` or a name the API also accepts (a unique name, an
 * identity): only something that looks like a broken SID — the prefix then hex digits of the
 * wrong length — is refused before the request.
 */
export function sidOrName(prefix: string, value: string, what: string): string {
  if (value.trim() === '') throw usageError(`${what} must not be empty`);
  if (new RegExp(`^${prefix}[0-9a-fA-F]*$`).test(value) && !isSid(prefix, value)) requireSid(prefix, value, what);
  return value;
}

/** A JSON text given in a flag (--attributes): usage error when it does not parse. */
export function jsonText(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    JSON.parse(value);
  } catch (error) {
    throw usageError(`${flag} is not valid JSON: ${(error as Error).message}`, [`for example ${flag} '{"priority":"high"}'`]);
  }
  return value;
}

/** An ISO 8601 duration given in a flag (PT10M, P1D): usage error otherwise. */
export function durationText(flag: string, value: string | undefined, min?: {ms: number; text: string}): string | undefined {
  if (value === undefined || value === '') return value;
  const ms = parseDurationMs(value);
  if (!ms) throw usageError(`${flag} "${value}" is not an ISO 8601 duration`, ['for example PT10M (10 minutes), PT1H, P1D']);
  if (min && ms < min.ms) throw usageError(`${flag} ${value} is shorter than Twilio allows: at least ${min.text}`, [`for example ${flag} ${min.text}`]);
  return value;
}

/** A --body Twilio would refuse for its length: a usage error before any request. */
export function bodyText(flag: string, value: string | undefined): string | undefined {
  const problem = bodyProblem(value);
  if (problem) throw usageError(`${flag} ${problem}`, ['split it into several messages']);
  return value;
}

/** Twilio's shortest conversation timers [docs]: inactive PT1M, closed PT10M. */
export const TIMER_MIN = {inactive: {ms: 60_000, text: 'PT1M'}, closed: {ms: 600_000, text: 'PT10M'}} as const;

/** ms of an ISO 8601 duration (days, hours, minutes, seconds), or undefined. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  const ms = ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
  return ms > 0 ? ms : undefined;
}

/** An age for --older-than: an ISO 8601 duration or 30m / 2h / 7d. */
export function ageMs(flag: string, value: string): number {
  const short = /^(\d+)\s*([smhdw])$/i.exec(value);
  if (short) return Number(short[1]) * {s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5}[short[2].toLowerCase() as 's']!;
  const ms = parseDurationMs(value.toUpperCase());
  if (!ms) throw usageError(`${flag} "${value}" is not an age`, ['for example 2h, 7d, or an ISO 8601 duration such as PT30M']);
  return ms;
}
