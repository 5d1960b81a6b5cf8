import {Flags} from '../lib/command.js';
import {FlexconvError} from '../lib/errors.js';
import {fileFlag, listrProgress, plainProgress, planJson, ProvisionCommand, provisionWorkspaceFlag, pruneFlag, showPlan} from '../lib/cli/provisioning.js';
import {applyResources, counts, DEFAULT_CONCURRENCY, type ApplyResult} from '../lib/flows/provisioning/index.js';

type ApplyView = ReturnType<typeof planJson> & {applied: ApplyResult};

export default class Apply extends ProvisionCommand<ApplyView> {
  static override summary = 'Make the target match a resources file (create, update in place and, with --prune, delete)';
  static override description = `Plans like \`flexconv plan\` (the file is checked before any request), prints the plan, then makes the changes: independent ones concurrently (--concurrency, default ${DEFAULT_CONCURRENCY}), dependent ones in order — a Studio flow before the address that names it, activities before the queues and workers that name them, queues before the workflow that routes to them. Updates keep the SID. A second apply finds nothing to change and says so.

Resources the file does not declare are left alone; with --prune those of the kinds the file has a section for are deleted, after the plan is shown and confirmed (--yes in scripts). A failed change stops only what depends on it: apply reports what was done, what failed and what was skipped, exits 1 (APPLY_INCOMPLETE), and running it again finishes the job. Progress is a task list on a terminal and one line per change otherwise.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -f flexconv.yaml --prune --yes',
    '<%= config.bin %> <%= command.id %> --concurrency 4 --json',
  ];

  static override flags = {
    ...fileFlag,
    ...provisionWorkspaceFlag,
    ...pruneFlag,
    yes: Flags.boolean({char: 'y', summary: 'Do not ask before deleting (--prune).'}),
    concurrency: Flags.integer({min: 1, max: 64, default: DEFAULT_CONCURRENCY, summary: 'Changes made at the same time.'}),
  };

  async run(): Promise<ApplyView> {
    const {flags} = await this.parse(Apply);
    const {plan, state} = await this.planFile(flags);
    const target = this.target();
    const view = planJson(plan, target);
    showPlan(plan, this.render, target);
    const empty: ApplyResult = {done: [], failed: [], skipped: []};
    if (!plan.changes.length) return {...view, applied: empty};
    const deletes = counts(plan).delete;
    if (deletes) await this.confirm(`Delete ${deletes} resource${deletes === 1 ? '' : 's'} that ${plan.source} does not declare, on ${target}?`, flags.yes, {result: {...view, applied: empty}});
    const tty = !this.render.json && Boolean(process.stderr.isTTY);
    const progress = tty ? await listrProgress(plan.changes) : plainProgress(this.render);
    const applied = await applyResources(state, plan, {concurrency: flags.concurrency, onEvent: (e) => progress.onEvent(e)});
    await progress.finish();
    const result = {...view, applied};
    const by = (a: string) => applied.done.filter((d) => d.action === a).length;
    const made = `${by('create')} created, ${by('update')} updated, ${by('delete')} deleted`;
    if (!applied.failed.length && !applied.skipped.length) {
      this.render.success(`Applied ${plan.source} on ${target}: ${made}`);
      return result;
    }
    const e = new FlexconvError(
      'APPLY_INCOMPLETE',
      `${applied.failed.length} change${applied.failed.length === 1 ? '' : 's'} failed and ${applied.skipped.length} ${applied.skipped.length === 1 ? 'was' : 'were'} skipped; done: ${made}`,
      {hints: [...applied.failed.slice(0, 3).map((f) => `${f.kind} "${f.key}": ${f.error.message}`), `fix the cause, then run \`flexconv apply${flags.file ? ` -f ${flags.file}` : ''}\` again: it plans only what is left`]},
    );
    if (this.render.json) this.logJson({status: e.exitCode, error: e.toJSON(), result, warnings: this.render.warnings});
    else this.render.error(e);
    this.exit(e.exitCode);
    return result;
  }
}
