import {Flags} from '../lib/command.js';
import {fileFlag, planJson, ProvisionCommand, provisionWorkspaceFlag, pruneFlag, showPlan} from '../lib/cli/provisioning.js';

type PlanView = ReturnType<typeof planJson>;

export default class Plan extends ProvisionCommand<PlanView> {
  static override summary = 'Show what `flexconv apply` would change to make the target match a resources file';
  static override description = `Reads flexconv.yaml (or -f FILE, or \`resources:\` in the project config), checks it against its schema before any request (errors name the file, line and field), reads the target's state and prints the changes: create, update (field by field, before → after) and, with --prune, delete. Resources are matched by natural key — an address by its address; a flow, activity, queue, workflow or worker by its friendly name; a task channel by its unique name — never by SID, so one file serves every account. Only the fields an entry declares are compared. Changes nothing.

With --detailed-exitcode the exit code says what the plan found: 0 no changes, 2 changes, 1 any error — usage and file errors included (their JSON body keeps its own exit), so 2 always means changes. Start a file from an existing account with \`flexconv export --out flexconv.yaml\`.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -f provisioning/flexconv.yaml --prune',
    '<%= config.bin %> <%= command.id %> --detailed-exitcode --json',
  ];

  static override flags = {
    ...fileFlag,
    ...provisionWorkspaceFlag,
    ...pruneFlag,
    'detailed-exitcode': Flags.boolean({summary: 'Exit 0 when there is nothing to change, 2 when there are changes, 1 on errors.'}),
  };

  /** Set when exit 2 means "changes" (--detailed-exitcode), not a usage error. */
  private changes = false;

  /** Under --detailed-exitcode, 2 means changes only: every error exits 1. */
  override exit(code = 0): never {
    const detailed = this.argv.includes('--detailed-exitcode');
    return super.exit(detailed && code === 2 && !this.changes ? 1 : code);
  }

  async run(): Promise<PlanView> {
    const {flags} = await this.parse(Plan);
    const {plan} = await this.planFile(flags);
    showPlan(plan, this.render, this.target());
    const view = planJson(plan, this.target());
    if (flags['detailed-exitcode'] && plan.changes.length) {
      // exit 2 is not an error here: the plan is the output, as it is without the flag
      if (this.render.json) this.logJson(view);
      this.changes = true;
      this.exit(2);
    }
    return view;
  }
}
