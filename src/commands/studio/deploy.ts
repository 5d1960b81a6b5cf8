import {Flags} from '../../lib/command.js';
import {fileArg, FLOW_FIELDS, readFlowFile} from '../../lib/cli/studio.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {deployFlow, type Deployed} from '../../lib/flows/studio.js';

export default class StudioDeploy extends ResourceCommand<Deployed> {
  static override summary = 'Create or update a Studio flow from a definition file';
  static override description =
    'The flow is found by its friendly name (--name, else the definition\'s "description", else the file name without .json): an existing one gets a new revision, else it is created. The file is checked first, before anything is sent: JSON syntax (file:line:column), then the definition — a widget without a name, a transition to a missing widget, a SendToFlex without workflow or channel, an event the widget has not, a Liquid template that does not parse — each fault on its own line, named by widget. Draft unless --publish.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> flows/send-to-flex.json --publish',
    '<%= config.bin %> <%= command.id %> flow.json --name "Messaging Flow" --commit-message "route to sales" --json',
  ];

  static override args = {file: fileArg};
  static override flags = {
    name: Flags.string({summary: 'Friendly name of the flow (default: the definition\'s description, else the file name).'}),
    publish: Flags.boolean({summary: 'Publish this revision (default: save it as a draft).'}),
    'commit-message': Flags.string({summary: 'Description of the change, kept with the revision.'}),
  };

  async run(): Promise<Deployed> {
    const {args, flags} = await this.parse(StudioDeploy);
    const file = await readFlowFile(args.file, flags.name);
    const deployed = await deployFlow(await this.client(flags), {
      name: file.name,
      definition: file.definition,
      publish: flags.publish,
      commitMessage: flags['commit-message'],
      source: args.file,
    });
    const f = deployed.flow;
    if (!this.render.json)
      this.render.success(`${deployed.action === 'created' ? 'Created' : 'Updated'} Studio flow ${f.sid} (${f.friendly_name}), revision ${f.revision}, ${f.status}${this.where()}`);
    this.render.record(f, FLOW_FIELDS);
    return deployed;
  }
}
