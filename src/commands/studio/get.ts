import {Flags} from '../../lib/command.js';
import {flowArg, FLOW_FIELDS} from '../../lib/cli/studio.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {getFlow, type Flow} from '../../lib/flows/studio.js';

export default class StudioGet extends ResourceCommand<Flow> {
  static override summary = 'Show one Studio flow (by SID or friendly name)';
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Messaging Flow"',
    '<%= config.bin %> <%= command.id %> FW0123456789abcdef0123456789abcdef --json | jq .definition',
    '<%= config.bin %> <%= command.id %> "Messaging Flow" --definition > flow.json',
  ];

  static override args = {flow: flowArg};
  static override flags = {
    definition: Flags.boolean({summary: 'Print only the definition, as JSON (a file `studio deploy` takes back).'}),
  };

  async run(): Promise<Flow> {
    const {args, flags} = await this.parse(StudioGet);
    const flow = await getFlow(await this.client(flags), args.flow);
    if (flags.definition) this.render.line(JSON.stringify(flow.definition, null, 2));
    else this.render.record(flow, FLOW_FIELDS);
    return flow;
  }
}
