import {Args} from '../../lib/command.js';
import {TaskRouterCommand, WORKSPACE_FIELDS} from '../../lib/cli/taskrouter.js';
import {getWorkspace, type Workspace} from '../../lib/flows/taskrouter.js';

export default class WorkspacesGet extends TaskRouterCommand<Workspace> {
  static override summary = 'Show a workspace (default: the one commands use)';
  static override description = 'Without an argument: the project config\'s `workspace`, else the only workspace there is.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> "Flex Task Assignment" --json | jq .default_activity_name',
  ];

  static override args = {workspace: Args.string({description: 'Workspace SID (WS…) or friendly name'})};

  async run(): Promise<Workspace> {
    const {args, flags} = await this.parse(WorkspacesGet);
    const {client, ws} = await this.workspace({...flags, workspace: args.workspace});
    const workspace = await getWorkspace(client, ws);
    this.render.record(workspace, WORKSPACE_FIELDS);
    return workspace;
  }
}
