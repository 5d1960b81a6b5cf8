import {EXECUTION_FIELDS, executionArg, flowArg} from '../../../lib/cli/studio.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {flowSid, getExecution, type Execution} from '../../../lib/flows/studio.js';

export default class StudioExecutionsGet extends ResourceCommand<Execution> {
  static override summary = 'Show one execution of a Studio flow, with its context';
  static override description = 'The context is what the trigger and each widget that ran left behind (trigger.conversation.Body, widgets.NAME…, flow.variables); `studio executions steps` shows the path through the widgets.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Messaging Flow" FN0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> FW0123456789abcdef0123456789abcdef FN0123456789abcdef0123456789abcdef --json | jq .context.trigger',
  ];

  static override args = {flow: flowArg, execution: executionArg};

  async run(): Promise<Execution> {
    const {args, flags} = await this.parse(StudioExecutionsGet);
    const client = await this.client(flags);
    const execution = await getExecution(client, await flowSid(client, args.flow), args.execution);
    this.render.record(execution, EXECUTION_FIELDS);
    return execution;
  }
}
