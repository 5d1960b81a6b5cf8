import {Flags} from '../../lib/command.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {WORKSPACE_FIELDS} from '../../lib/cli/taskrouter.js';
import {createWorkspace, type Workspace} from '../../lib/flows/taskrouter.js';

export default class WorkspacesCreate extends ResourceCommand<Workspace> {
  static override summary = 'Create a workspace (with the default activities and task channels)';
  static override description = 'A new workspace has the activities Offline, Available and Unavailable, and the usual task channels. --template FIFO also creates a queue and a workflow that assign every task to anyone.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --friendly-name "Flex Task Assignment"',
    '<%= config.bin %> <%= command.id %> --friendly-name Support --template FIFO --event-callback-url https://example.com/events --json',
  ];

  static override flags = {
    'friendly-name': Flags.string({required: true, summary: 'Name of the workspace.'}),
    'event-callback-url': Flags.string({summary: 'URL that receives every TaskRouter event of the workspace.'}),
    'events-filter': Flags.string({summary: 'Only these event types go to the callback (comma-separated, e.g. task.created,reservation.accepted).'}),
    'multi-task': Flags.boolean({allowNo: true, summary: 'Multitasking (per-channel capacity); on unless --no-multi-task.'}),
    template: Flags.string({options: ['FIFO', 'NONE'], summary: 'FIFO: also a queue and a workflow that assign tasks to anyone.'}),
    'prioritize-queue-order': Flags.string({options: ['FIFO', 'LIFO'], summary: 'Which queue\'s task a worker of several queues gets first.'}),
  };

  async run(): Promise<Workspace> {
    const {flags} = await this.parse(WorkspacesCreate);
    const workspace = await createWorkspace(await this.client(flags), {
      friendlyName: flags['friendly-name'],
      eventCallbackUrl: flags['event-callback-url'],
      eventsFilter: flags['events-filter'],
      multiTaskEnabled: flags['multi-task'],
      template: flags.template as 'FIFO' | 'NONE' | undefined,
      prioritizeQueueOrder: flags['prioritize-queue-order'] as 'FIFO' | 'LIFO' | undefined,
    });
    if (!this.render.json) this.render.success(`Created workspace ${workspace.sid}${this.where()}`);
    this.render.record(workspace, WORKSPACE_FIELDS);
    return workspace;
  }
}
