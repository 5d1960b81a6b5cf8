import {Flags} from '../../lib/command.js';
import {fileArg, readFlowFile} from '../../lib/cli/studio.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {validateFlowRemotely} from '../../lib/flows/studio.js';

interface Validated {
  file: string;
  name: string;
  valid: true;
  widgets: number;
  checked_by: ('flexconv' | 'api')[];
}

export default class StudioValidate extends ResourceCommand<Validated> {
  static override summary = 'Check a flow definition file without deploying it';
  static override description =
    'The same checks as `studio deploy` (JSON syntax with file:line:column, the definition with each fault named by widget, Liquid templates), then the API\'s own (POST /v2/Flows/Validate) unless --offline. A file with faults is a usage error (exit 2) listing them all.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> flows/send-to-flex.json',
    '<%= config.bin %> <%= command.id %> flow.json --offline --json',
  ];

  static override args = {file: fileArg};
  static override flags = {
    offline: Flags.boolean({summary: 'Check locally only; send nothing.'}),
  };

  async run(): Promise<Validated> {
    const {args, flags} = await this.parse(StudioValidate);
    const file = await readFlowFile(args.file);
    const checked: Validated['checked_by'] = ['flexconv'];
    if (!flags.offline) {
      await validateFlowRemotely(await this.client(flags), {name: file.name, definition: file.definition, source: args.file});
      checked.push('api');
    }
    const widgets = (file.definition.states as unknown[]).length;
    if (!this.render.json)
      this.render.success(`${args.file} is a valid Studio flow (${widgets} widget${widgets === 1 ? '' : 's'}; checked by ${checked.includes('api') ? `flexconv and the API${this.where()}` : 'flexconv, offline'})`);
    return {file: args.file, name: file.name, valid: true, widgets, checked_by: checked};
  }
}
