import {Flags} from '../../../lib/command.js';
import {columnKeys, listFlags, paging, pickColumns} from '../../../lib/cli/index.js';
import {EXECUTION_COLUMNS, EXECUTION_EXTRA, flowArg} from '../../../lib/cli/studio.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {EXECUTION_STATUSES, flowSid, listExecutions, MAX_PAGE, type Execution, type ExecutionStatus} from '../../../lib/flows/studio.js';

export default class StudioExecutionsList extends ResourceCommand<Execution[]> {
  static override summary = 'List the executions of a Studio flow';
  static override description = `One execution per contact that entered the flow (an incoming conversation message, a REST trigger, …).

Table columns (--columns): ${columnKeys(EXECUTION_COLUMNS, EXECUTION_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Messaging Flow" --status active',
    '<%= config.bin %> <%= command.id %> FW0123456789abcdef0123456789abcdef --from 2024-01-31T00:00:00Z --json',
  ];

  static override args = {flow: flowArg};
  static override flags = {
    status: Flags.string({options: [...EXECUTION_STATUSES], summary: 'Only executions in this status.'}),
    from: Flags.string({summary: 'Only those started on or after this ISO 8601 date-time.'}),
    to: Flags.string({summary: 'Only those started before this ISO 8601 date-time.'}),
    ...listFlags(MAX_PAGE.executions),
  };

  async run(): Promise<Execution[]> {
    const {args, flags} = await this.parse(StudioExecutionsList);
    const columns = pickColumns(flags.columns, EXECUTION_COLUMNS, EXECUTION_EXTRA);
    const client = await this.client(flags);
    const fw = await flowSid(client, args.flow);
    const listed = await listExecutions(client, fw, {status: flags.status as ExecutionStatus | undefined, from: flags.from, to: flags.to, ...paging(flags)});
    return this.showList(listed, columns, flags, `No executions of ${fw} yet: a contact starts one (an incoming message on an address or conversation bound to the flow)`);
  }
}
