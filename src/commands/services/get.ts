import {Args} from '../../lib/command.js';
import {requireSid} from '../../lib/cli/index.js';
import {SERVICE_FIELDS} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {getService, type Service} from '../../lib/flows/conversations.js';

export default class ServicesGet extends ResourceCommand<Service> {
  static override summary = 'Show one Conversation Service';
  static override examples = [
    '<%= config.bin %> <%= command.id %> IS0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> IS0123456789abcdef0123456789abcdef --json | jq .links',
  ];
  static override args = {service: Args.string({required: true, description: 'Conversation Service SID (IS…)'})};

  async run(): Promise<Service> {
    const {args, flags} = await this.parse(ServicesGet);
    const service = await getService(await this.client(flags), requireSid('IS', args.service, 'the service'));
    this.render.record(service, SERVICE_FIELDS);
    return service;
  }
}
