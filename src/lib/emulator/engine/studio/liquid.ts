import {createRequire} from 'node:module';
import type {Liquid as LiquidEngine, Template} from 'liquidjs';

/**
 * Studio's templates are Liquid [docs: Studio "Liquid template language"]: `{{trigger.conversation.Body}}`,
 * `{{widgets.NAME.inbound.Body}}`, `{{flow.variables.x | upcase}}`. Objects print as JSON (so
 * `{{trigger.conversation.ChannelAttributes}}` is usable in a JSON attribute) [unverified: Studio's
 * exact printing of objects]; unknown filters are errors, caught when a flow is saved.
 */
let engine: LiquidEngine | undefined;
/**
 * The engine, loaded on first use: most emulators never run a flow, and liquidjs loaded at
 * start-up cost ~6 MiB of idle RSS (bench/emulator's idle target). Synchronous, as the executor
 * runs inside a transaction.
 */
function liquidEngine(): LiquidEngine {
  if (engine) return engine;
  const {Liquid} = createRequire(import.meta.url)('liquidjs') as typeof import('liquidjs');
  engine = new Liquid(OPTIONS);
  return engine;
}

const OPTIONS = {
  strictFilters: true,
  // a template is a widget's field, not a program: bounded, so one cannot stall the emulator
  parseLimit: 100_000,
  renderLimit: 200,
  memoryLimit: 10_000_000,
  outputEscape: (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v === undefined || v === null ? '' : String(v)),
};

/** Parsed templates, by text (flows are few; executions render the same texts again and again). */
const parsed = new Map<string, Template[]>();
const MAX_CACHED = 5000;

function parse(text: string): Template[] {
  let t = parsed.get(text);
  if (!t) {
    t = liquidEngine().parse(text);
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(text, t);
  }
  return t;
}

/** Why a text does not parse as a template, or undefined when it does (the validator's check). */
export function templateProblem(text: string): string | undefined {
  try {
    parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

/** Render a widget property against an execution's context; a text without braces is itself. */
export function render(text: unknown, context: Record<string, unknown>): string {
  if (text === undefined || text === null) return '';
  const s = typeof text === 'string' ? text : String(text);
  if (!s.includes('{')) return s;
  return String(liquidEngine().renderSync(parse(s), context));
}
