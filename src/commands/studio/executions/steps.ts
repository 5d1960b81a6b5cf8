import {executionArg, flowArg} from '../../../lib/cli/studio.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {flowSid, listSteps, stepLines, type Step} from '../../../lib/flows/studio.js';

export default class StudioExecutionsSteps extends ResourceCommand<Step[]> {
  static override summary = 'Trace an execution: which widgets ran, in order, with what';
  static override description =
    'One line per step — the widget, its type, the transition it took (from → to) — and under it what the step\'s context holds (the message it sent, the reply it got, the interaction SendToFlex created, the reason a widget failed). --json prints the steps as the API returns them, in the order they ran.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Messaging Flow" FN0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> FW0123456789abcdef0123456789abcdef FN0123456789abcdef0123456789abcdef --json',
  ];

  static override args = {flow: flowArg, execution: executionArg};

  async run(): Promise<Step[]> {
    const {args, flags} = await this.parse(StudioExecutionsSteps);
    const client = await this.client(flags);
    const fw = await flowSid(client, args.flow);
    const steps = await listSteps(client, fw, args.execution);
    if (!steps.length) this.render.info(`Execution ${args.execution} has no steps yet`);
    for (const line of stepLines(steps)) this.render.line(line);
    // a failed widget leaves its reason in its step: say it where it can't be missed
    const failed = steps.find((s) => typeof s.context?.error === 'string');
    if (failed) this.render.warn(`the execution failed at ${failed.transitioned_from} (${failed.type}): ${String(failed.context!.error)}`);
    return steps;
  }
}
