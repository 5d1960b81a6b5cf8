import {TaskRouterCommand, WORKFLOW_FIELDS, workflowArg, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {getWorkflow, type Workflow} from '../../lib/flows/taskrouter.js';

export default class WorkflowsGet extends TaskRouterCommand<Workflow> {
  static override summary = 'Show one workflow with its configuration';
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Assign to Anyone"',
    '<%= config.bin %> <%= command.id %> WW0123456789abcdef0123456789abcdef --json | jq -r .configuration',
  ];

  static override args = {workflow: workflowArg};
  static override flags = {...workspaceFlag};

  async run(): Promise<Workflow> {
    const {args, flags} = await this.parse(WorkflowsGet);
    const {client, ws} = await this.workspace(flags);
    const workflow = await getWorkflow(client, ws, args.workflow);
    this.render.record(workflow, WORKFLOW_FIELDS);
    return workflow;
  }
}
