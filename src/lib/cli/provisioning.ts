/**
 * What `flexconv export`, `plan` and `apply` share: their flags, the command base that loads the
 * resources file (before any request) and plans it, the plan as text (field-level diffs,
 * coloured on a terminal) and as JSON, and apply's progress — a listr2 task list per kind on a
 * terminal, one plain line per change otherwise (CI logs).
 */
import * as Flags from '@oclif/core/flags';
import type {ListrTaskWrapper} from 'listr2';
import type {FlexconvError} from '../errors.js';
import type {Renderer} from '../render/index.js';
import type {TwilioClient} from '../twilio/client.js';
import {counts, kindOf, loadResources, planResources, type ApplyEvent, type Change, type Plan, type ResourceFile} from '../flows/provisioning/index.js';
import type {TargetFlags} from '../config/resolve.js';
import {ResourceCommand} from './resource.js';

export const fileFlag = {
  file: Flags.string({char: 'f', summary: 'Resources file (YAML or JSON; default: flexconv.yaml here, else `resources:` in the project config).'}),
};
export const provisionWorkspaceFlag = {
  workspace: Flags.string({
    char: 'w',
    summary: "TaskRouter workspace SID (WS…) or friendly name (env FLEXCONV_WORKSPACE; default: the file's `workspace`, the project config's, else the only one).",
    env: 'FLEXCONV_WORKSPACE',
  }),
};
export const pruneFlag = {
  prune: Flags.boolean({summary: 'Also delete what the target has and the file does not declare (only kinds the file has a section for).'}),
};

/** A command that plans a resources file against the target. */
export abstract class ProvisionCommand<T = unknown> extends ResourceCommand<T> {
  protected async planFile(flags: TargetFlags & {file?: string; workspace?: string; prune?: boolean}): Promise<{client: TwilioClient; file: ResourceFile; plan: Plan; state: Awaited<ReturnType<typeof planResources>>['state']}> {
    // resolving reads config files only; the resources file is checked before any request
    const client = await this.client(flags);
    const file = await loadResources({file: flags.file, config: {resources: this.context?.resources, filepath: this.context?.configFile}});
    const {plan, state} = await planResources(client, file, {prune: flags.prune, workspace: flags.workspace, configWorkspace: this.context?.workspace});
    for (const w of plan.warnings) this.render.warn(w);
    return {client, file, plan, state};
  }

  protected target(): string {
    return this.where().replace(/^ on /, '') || 'the target';
  }
}

// ---------------------------------------------------------------------------------------------
// The plan as text and JSON

const SIGN = {create: '+', update: '~', delete: '-'} as const;
const COLOR = {create: 'green', update: 'yellow', delete: 'red'} as const;

/** A value in one line; long ones (a flow definition) cut on a terminal. */
function show(v: unknown, max?: number): string {
  const text = v === undefined ? '(not set)' : JSON.stringify(v);
  return max && text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function changeTitle(c: Change): string {
  const kind = kindOf(c.kind);
  return kind.singleton ? `the ${kind.label}` : `${kind.label} "${c.key}"${c.sid ? ` (${c.sid})` : ''}`;
}

/** The plan as readable lines: one per change, one per field under it. */
export function planLines(plan: Plan, render: Renderer, opts: {max?: number} = {}): string[] {
  const lines: string[] = [];
  for (const c of plan.changes) {
    lines.push(render.style(COLOR[c.action], `${SIGN[c.action]} ${c.action} ${changeTitle(c)}`));
    for (const f of c.fields)
      lines.push(
        c.action === 'create'
          ? `    ${f.field}: ${render.style('green', show(f.after, opts.max))}`
          : `    ${f.field}: ${render.style('red', show(f.before, opts.max))} → ${render.style('green', show(f.after, opts.max))}`,
      );
  }
  return lines;
}

export function planSummary(plan: Plan): string {
  const n = counts(plan);
  return `${n.create} to create, ${n.update} to update, ${n.delete} to delete; ${plan.unchanged} unchanged`;
}

/** Show the plan (stdout) with its summary and what is left alone (stderr). */
export function showPlan(plan: Plan, render: Renderer, target: string): void {
  if (render.json) return;
  if (!plan.changes.length) {
    render.success(`No changes: ${target} matches ${plan.source} (${plan.unchanged} resource${plan.unchanged === 1 ? '' : 's'})`);
  } else {
    render.info(`Plan for ${plan.source} on ${target}:`);
    const tty = Boolean(process.stdout.isTTY);
    for (const l of planLines(plan, render, {max: tty ? 160 : undefined})) render.line(l);
    render.info(planSummary(plan));
  }
  if (plan.unmanaged.length)
    render.info(`${plan.unmanaged.length} resource${plan.unmanaged.length === 1 ? '' : 's'} on the target ${plan.unmanaged.length === 1 ? 'is' : 'are'} not in the file and left alone (--prune deletes them)`);
}

/** The plan for --json: every change with its field diffs and dependencies, without the raw resources. */
export function planJson(plan: Plan, target: string) {
  return {
    source: plan.source,
    target,
    summary: {...counts(plan), unchanged: plan.unchanged},
    changes: plan.changes.map((c) => ({action: c.action, kind: c.kind, key: c.key, ...(c.sid ? {sid: c.sid} : {}), fields: c.fields, after: c.after})),
    unmanaged: plan.unmanaged,
    warnings: plan.warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Apply's progress

export interface Progress {
  onEvent(e: ApplyEvent): void;
  finish(): Promise<void>;
}

const PAST = {create: 'created', update: 'updated', delete: 'deleted'} as const;

/** One line per finished change on stderr (not under --json: the JSON says it all). */
export function plainProgress(render: Renderer): Progress {
  return {
    onEvent(e) {
      if (e.type === 'done') render.info(`${render.style(COLOR[e.change.action], SIGN[e.change.action])} ${PAST[e.change.action]} ${changeTitle({...e.change, sid: e.sid ?? e.change.sid})}`);
      else if (e.type === 'failed') render.info(`${render.style('red', '✖')} ${e.change.action} ${changeTitle(e.change)} failed: ${e.error.code}${e.error.twilio ? ` (twilio ${e.error.twilio.code})` : ''}: ${e.error.message}`);
      else if (e.type === 'skipped') render.info(`${render.style('dim', '·')} skipped ${e.change.action} ${changeTitle(e.change)}: ${e.because}`);
    },
    finish: async () => {},
  };
}

interface Group {
  label: string;
  total: number;
  done: number;
  failed: FlexconvError[];
  skipped: number;
  task?: ListrTaskWrapper<unknown, never, never>;
  settle: () => void;
  settled: Promise<void>;
}

/** A listr2 task list on stderr: one line per kind, counting its changes as they finish. */
export async function listrProgress(changes: Change[]): Promise<Progress> {
  const {Listr, ProcessOutput} = await import('listr2');
  // listr2 wraps its lines to stdout's width: a terminal that reports none (0, as under `script`) would get one character a line
  const out = process.stdout as NodeJS.WriteStream;
  if (out.isTTY && !out.columns) out.columns = Number(process.env.COLUMNS) || 80;
  const groups = new Map<string, Group>();
  for (const c of changes) {
    let g = groups.get(c.kind);
    if (!g) {
      let settle!: () => void;
      const settled = new Promise<void>((r) => (settle = r));
      g = {label: kindOf(c.kind).label, total: 0, done: 0, failed: [], skipped: 0, settle, settled};
      groups.set(c.kind, g);
    }
    g.total++;
  }
  const title = (g: Group) =>
    `${g.label}: ${g.done}/${g.total}${g.failed.length ? `, ${g.failed.length} failed` : ''}${g.skipped ? `, ${g.skipped} skipped` : ''}`;
  const list = new Listr(
    [...groups.values()].map((g) => ({
      title: title(g),
      task: async (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
        g.task = task;
        await g.settled;
        task.title = title(g);
        if (g.failed.length) throw new Error(`${title(g)}: ${g.failed[0].message}`);
        if (g.skipped) task.skip(title(g));
      },
    })),
    {concurrent: true, exitOnError: false, rendererOptions: {processOutput: new ProcessOutput(process.stderr, process.stderr)}} as never,
  );
  const running = list.run().catch(() => undefined);
  const check = (g: Group) => {
    if (g.task) g.task.title = title(g);
    if (g.done + g.failed.length + g.skipped >= g.total) g.settle();
  };
  return {
    onEvent(e) {
      const g = groups.get(e.change.kind);
      if (!g || e.type === 'start') return;
      if (e.type === 'done') g.done++;
      else if (e.type === 'failed') g.failed.push(e.error);
      else g.skipped++;
      check(g);
    },
    async finish() {
      for (const g of groups.values()) g.settle();
      await running;
    },
  };
}
