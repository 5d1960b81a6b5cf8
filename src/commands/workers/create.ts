import {Flags} from '../../lib/command.js';
import {TaskRouterCommand, WORKER_FIELDS, workspaceFlag} from '../../lib/cli/taskrouter.js';
import {createWorker, type Worker} from '../../lib/flows/taskrouter.js';

export default class WorkersCreate extends TaskRouterCommand<Worker> {
  static override summary = 'Create a worker (an agent) in a workspace';
  static override description = 'Its attributes decide which queues it belongs to (each queue\'s target workers expression); its activity whether it gets tasks.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --friendly-name alice --attributes \'{"skills":["support"]}\' --activity Available',
    '<%= config.bin %> <%= command.id %> --friendly-name bob --json',
  ];

  static override flags = {
    ...workspaceFlag,
    'friendly-name': Flags.string({required: true, summary: 'The worker\'s name (up to 64 characters), e.g. the agent\'s identity.'}),
    activity: Flags.string({summary: 'Initial activity, by name or WA… SID (default: the workspace\'s default activity).'}),
    attributes: Flags.string({summary: 'JSON object of attributes, e.g. \'{"skills":["support"],"languages":["en"]}\'.'}),
  };

  async run(): Promise<Worker> {
    const {flags} = await this.parse(WorkersCreate);
    const {client, ws} = await this.workspace(flags);
    const worker = await createWorker(client, ws, {friendlyName: flags['friendly-name'], activity: flags.activity, attributes: flags.attributes});
    if (!this.render.json) this.render.success(`Created worker ${worker.sid} (${worker.friendly_name}, ${worker.activity_name})${this.where()}`);
    this.render.record(worker, WORKER_FIELDS);
    return worker;
  }
}
