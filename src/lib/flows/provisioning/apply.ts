/**
 * Making a plan's changes: a dependency graph run with bounded concurrency (default 8). A change
 * starts once everything it comes after has succeeded; independent ones run side by side. A
 * failure stops what depends on it (reported as skipped, with the reason) and nothing else, so
 * running apply again plans only what is left and finishes the job. Retries of 429/5xx are the
 * client's (src/lib/twilio/client.ts), not repeated here.
 */
import {toFlexconvError, type FlexconvError} from '../../errors.js';
import {kindOf} from './registry.js';
import type {Change, KindContext, Plan} from './types.js';

export const DEFAULT_CONCURRENCY = 8;

export type ApplyEvent =
  | {type: 'start'; change: Change}
  | {type: 'done'; change: Change; sid?: string}
  | {type: 'failed'; change: Change; error: FlexconvError}
  | {type: 'skipped'; change: Change; because: string};

interface Outcome {
  id: string;
  kind: string;
  key: string;
  action: Change['action'];
  sid?: string;
}

export interface ApplyResult {
  done: Outcome[];
  failed: (Outcome & {error: ReturnType<FlexconvError['toJSON']>})[];
  skipped: (Outcome & {because: string})[];
}

const outcome = (c: Change, sid?: string): Outcome => ({id: c.id, kind: c.kind, key: c.key, action: c.action, ...(sid ?? c.sid ? {sid: sid ?? c.sid} : {})});

async function make(ctx: KindContext, c: Change): Promise<string | undefined> {
  const kind = kindOf(c.kind);
  if (c.action === 'create') {
    const made = await kind.create!(ctx, c.entry!);
    if (made.sid) ctx.index.set(c.kind, c.key, String(made.sid));
    return made.sid ? String(made.sid) : undefined;
  }
  if (c.action === 'update') {
    await kind.update(ctx, c.current!, c.entry!);
    return c.sid;
  }
  await kind.remove!(ctx, c.current!);
  return c.sid;
}

export async function applyPlan(ctx: KindContext, plan: Plan, opts: {concurrency?: number; onEvent?: (e: ApplyEvent) => void} = {}): Promise<ApplyResult> {
  const limit = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const emit = opts.onEvent ?? (() => {});
  const result: ApplyResult = {done: [], failed: [], skipped: []};
  const byId = new Map(plan.changes.map((c) => [c.id, c]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const c of plan.changes) {
    const deps = c.after.filter((d) => byId.has(d));
    waiting.set(c.id, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), c.id]);
  }
  const settled = new Set<string>();
  const ready = plan.changes.filter((c) => waiting.get(c.id) === 0);
  let running = 0;

  /** Everything that (transitively) depends on `id` will not run. */
  const skipAfter = (id: string, because: string) => {
    for (const d of dependents.get(id) ?? []) {
      if (settled.has(d)) continue;
      settled.add(d);
      const c = byId.get(d)!;
      result.skipped.push({...outcome(c), because});
      emit({type: 'skipped', change: c, because});
      skipAfter(d, `it comes after ${kindOf(c.kind).label} "${c.key}", which was skipped`);
    }
  };

  // --dry-run: the request layer stops the first change's request (DryRunStop); that ends the
  // whole apply, shown by the command as the request that would have been sent
  let stopped: unknown;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (!stopped && running < limit && ready.length) {
        const c = ready.shift()!;
        if (settled.has(c.id)) continue;
        running++;
        emit({type: 'start', change: c});
        make(ctx, c).then(
          (sid) => {
            settled.add(c.id);
            result.done.push(outcome(c, sid));
            emit({type: 'done', change: c, sid});
            for (const d of dependents.get(c.id) ?? []) {
              const left = waiting.get(d)! - 1;
              waiting.set(d, left);
              if (left === 0 && !settled.has(d)) ready.push(byId.get(d)!);
            }
          },
          (error: unknown) => {
            settled.add(c.id);
            if (error instanceof Error && error.name === 'DryRunStop') {
              stopped ??= error;
              return;
            }
            const e = toFlexconvError(error);
            result.failed.push({...outcome(c), error: e.toJSON()});
            emit({type: 'failed', change: c, error: e});
            skipAfter(c.id, `it comes after ${kindOf(c.kind).label} "${c.key}", which failed`);
          },
        ).finally(() => {
          running--;
          pump();
        });
      }
      if (running === 0 && (stopped || !ready.length)) resolve();
    };
    pump();
  });
  if (stopped) throw stopped;
  // a cycle would leave changes waiting forever: none can be built from a file, but never hang on one
  for (const c of plan.changes)
    if (!settled.has(c.id)) {
      result.skipped.push({...outcome(c), because: 'it waits on a change that never ran (a dependency cycle)'});
      emit({type: 'skipped', change: c, because: 'dependency cycle'});
    }
  return result;
}
