import {columnKeys, listFlags, paging, pickColumns} from '../../../lib/cli/index.js';
import {conversationArg, PARTICIPANT_COLUMNS, PARTICIPANT_EXTRA} from '../../../lib/cli/conversations.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {listParticipants, MAX_PAGE, type Participant} from '../../../lib/flows/conversations.js';

export default class ParticipantsList extends ResourceCommand<Participant[]> {
  static override summary = 'List the participants of a conversation';
  static override description = `Table columns (--columns): ${columnKeys(PARTICIPANT_COLUMNS, PARTICIPANT_EXTRA)}.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 --json | jq -r \'.[].messaging_binding.address\'',
  ];

  static override args = {conversation: conversationArg};
  static override flags = listFlags(MAX_PAGE.participants);

  async run(): Promise<Participant[]> {
    const {args, flags} = await this.parse(ParticipantsList);
    const columns = pickColumns(flags.columns, PARTICIPANT_COLUMNS, PARTICIPANT_EXTRA);
    const listed = await listParticipants(await this.client(flags), args.conversation, paging(flags));
    return this.showList(listed, columns, flags, `No participants. Add one with \`flexconv conversations participants add ${args.conversation} --identity alice\``);
  }
}
