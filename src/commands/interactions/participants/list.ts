import {columnKeys, pickColumns} from '../../../lib/cli/index.js';
import {channelArg, channelAndParticipant, interactionArg, PARTICIPANT_COLUMNS, PARTICIPANT_EXTRA} from '../../../lib/cli/interactions.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {Flags} from '../../../lib/command.js';
import {channelView, pickChannel, type ParticipantRow} from '../../../lib/flows/interactions.js';

export default class InteractionsParticipantsList extends ResourceCommand<ParticipantRow[]> {
  static override summary = 'List the participants of an interaction channel (customer, agents) with their status';
  static override description = `The channel is the interaction's only open one unless a UO… is given. The API shows no status: an agent's is its task's (assigned → active, wrapping → wrapup, ended → closed).

Table columns (--columns): ${columnKeys(PARTICIPANT_COLUMNS, PARTICIPANT_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef UO0123456789abcdef0123456789abcdef --json',
  ];

  static override args = {interaction: interactionArg, channel: channelArg};
  static override flags = {
    columns: Flags.string({delimiter: ',', multiple: true, summary: 'Table columns to show, in order (comma-separated keys, see the description).'}),
    'no-header': Flags.boolean({summary: 'Table without the header line.'}),
  };

  async run(): Promise<ParticipantRow[]> {
    const {args, flags} = await this.parse(InteractionsParticipantsList);
    const columns = pickColumns(flags.columns, PARTICIPANT_COLUMNS, PARTICIPANT_EXTRA);
    const {channel} = channelAndParticipant(args.channel);
    const client = await this.client(flags);
    const view = await channelView(client, args.interaction, await pickChannel(client, args.interaction, channel));
    return this.showList({items: view.participants, more: false}, columns, flags, `No participants in channel ${view.sid}`);
  }
}
