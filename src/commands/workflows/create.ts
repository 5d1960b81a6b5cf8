import {Flags} from '../../lib/command.js';
import {readWorkflowConfig, TaskRouterCommand, WORKFLOW_FIELDS, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {createWorkflow, type Workflow} from '../../lib/flows/taskrouter.js';

export default class WorkflowsCreate extends TaskRouterCommand<Workflow> {
  static override summary = 'Create a workflow from a configuration file';
  static override description = "--config is a JSON or YAML file holding {task_routing: {filters: [...], default_filter: {...}}}; it is checked before anything is sent (JSON syntax and the task_routing shape, with file:line:column), and queue names in targets (\"queue\": \"Support\") become SIDs. Expressions are checked by the API: a malformed one is its 400, in one line.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> --friendly-name "Assign to Anyone" --config workflow.yaml',
    '<%= config.bin %> <%= command.id %> --friendly-name Support --config support.json --task-reservation-timeout 30 --json',
  ];

  static override flags = {
    ...workspaceFlag,
    'friendly-name': Flags.string({required: true, summary: 'Name of the workflow (up to 64 characters).'}),
    config: Flags.file({required: true, exists: true, summary: 'Workflow configuration: a JSON or YAML file with task_routing.'}),
    'assignment-callback-url': Flags.string({summary: 'URL called for each reservation (it may answer {"instruction":"accept"}); "" clears it.'}),
    'fallback-assignment-callback-url': Flags.string({summary: 'URL called when the assignment callback fails; "" clears it.'}),
    'task-reservation-timeout': Flags.integer({min: 1, max: 86400, summary: 'Seconds a worker has to accept an offer (default 120).'}),
  };

  async run(): Promise<Workflow> {
    const {flags} = await this.parse(WorkflowsCreate);
    const configuration = await readWorkflowConfig(flags.config);
    const {client, ws} = await this.workspace(flags);
    const workflow = await createWorkflow(client, ws, {
      friendlyName: flags['friendly-name'],
      configuration,
      assignmentCallbackUrl: flags['assignment-callback-url'],
      fallbackAssignmentCallbackUrl: flags['fallback-assignment-callback-url'],
      taskReservationTimeout: flags['task-reservation-timeout'],
    });
    if (!this.render.json) this.render.success(`Created workflow ${workflow.sid} (${workflow.friendly_name})${this.where()}`);
    this.render.record(workflow, WORKFLOW_FIELDS);
    return workflow;
  }
}
