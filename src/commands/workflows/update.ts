import {Flags} from '../../lib/command.js';
import {readWorkflowConfig, TaskRouterCommand, WORKFLOW_FIELDS, workflowArg, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {updateWorkflow, type Workflow} from '../../lib/flows/taskrouter.js';

export default class WorkflowsUpdate extends TaskRouterCommand<Workflow> {
  static override summary = 'Change a workflow: configuration, name, timeouts, callbacks';
  static override description = "Only the given fields change. --config is a JSON or YAML file holding {task_routing: {filters: [...], default_filter: {...}}}; it is checked before anything is sent (JSON syntax and the task_routing shape, with file:line:column), and queue names in targets (\"queue\": \"Support\") become SIDs. Expressions are checked by the API: a malformed one is its 400, in one line. --re-evaluate-tasks routes the pending tasks again under the new configuration.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Assign to Anyone" --config workflow.yaml --re-evaluate-tasks',
    '<%= config.bin %> <%= command.id %> WW0123456789abcdef0123456789abcdef --task-reservation-timeout 60 --json',
  ];

  static override args = {workflow: workflowArg};
  static override flags = {
    ...workspaceFlag,
    'friendly-name': Flags.string({summary: 'New name.'}),
    config: Flags.file({exists: true, summary: 'New configuration: a JSON or YAML file with task_routing.'}),
    'assignment-callback-url': Flags.string({summary: 'URL called for each reservation (it may answer {"instruction":"accept"}); "" clears it.'}),
    'fallback-assignment-callback-url': Flags.string({summary: 'URL called when the assignment callback fails; "" clears it.'}),
    'task-reservation-timeout': Flags.integer({min: 1, max: 86400, summary: 'Seconds a worker has to accept an offer (default 120).'}),
    're-evaluate-tasks': Flags.boolean({summary: 'Route the pending tasks again under the new configuration.'}),
  };

  async run(): Promise<Workflow> {
    const {args, flags} = await this.parse(WorkflowsUpdate);
    const configuration = flags.config === undefined ? undefined : await readWorkflowConfig(flags.config);
    const {client, ws} = await this.workspace(flags);
    const workflow = await updateWorkflow(client, ws, args.workflow, {
      friendlyName: flags['friendly-name'],
      configuration,
      assignmentCallbackUrl: flags['assignment-callback-url'],
      fallbackAssignmentCallbackUrl: flags['fallback-assignment-callback-url'],
      taskReservationTimeout: flags['task-reservation-timeout'],
      reEvaluateTasks: flags['re-evaluate-tasks'] || undefined,
    });
    if (!this.render.json) this.render.success(`Updated workflow ${workflow.sid} (${workflow.friendly_name})${this.where()}`);
    this.render.record(workflow, WORKFLOW_FIELDS);
    return workflow;
  }
}
