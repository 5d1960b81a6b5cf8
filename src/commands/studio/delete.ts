import {confirmFlags} from '../../lib/cli/index.js';
import {flowArg} from '../../lib/cli/studio.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {deleteFlow, getFlow, type Flow} from '../../lib/flows/studio.js';

export default class StudioDelete extends ResourceCommand<Flow> {
  static override summary = 'Delete a Studio flow (by SID or friendly name)';
  static override description =
    'Its executions go with it, and addresses or conversations that still name it stop reaching Studio. Asks for confirmation on a terminal; pass --yes in scripts, --dry-run to see what would go.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Messaging Flow"',
    '<%= config.bin %> <%= command.id %> FW0123456789abcdef0123456789abcdef --yes --json',
    '<%= config.bin %> <%= command.id %> "Messaging Flow" --dry-run',
  ];

  static override args = {flow: flowArg};
  static override flags = {...confirmFlags};

  async run(): Promise<Flow & {dry_run?: true}> {
    const {args, flags} = await this.parse(StudioDelete);
    const client = await this.client(flags);
    const flow = await getFlow(client, args.flow);
    return this.destructive(flow, `Studio flow ${flow.sid} (${flow.friendly_name}, revision ${flow.revision})`, flags, () => deleteFlow(client, flow.sid));
  }
}
