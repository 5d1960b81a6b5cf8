import {Args} from '../../../lib/command.js';
import {confirmFlags} from '../../../lib/cli/index.js';
import {conversationArg, webhooksFlag} from '../../../lib/cli/conversations.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {getParticipant, participantWho, removeParticipant, type Participant} from '../../../lib/flows/conversations.js';

export default class ParticipantsRemove extends ResourceCommand<Participant> {
  static override summary = 'Remove a participant from a conversation';
  static override description = 'Their messages stay. Asks for confirmation on a terminal; pass --yes in scripts, --dry-run to see who would go.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef MB0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> support-case-42 alice --yes --json',
  ];

  static override args = {
    conversation: conversationArg,
    participant: Args.string({required: true, description: 'Participant SID (MB…) or chat identity'}),
  };
  static override flags = {...confirmFlags, ...webhooksFlag};

  async run(): Promise<Participant & {dry_run?: true}> {
    const {args, flags} = await this.parse(ParticipantsRemove);
    const client = await this.client(flags);
    const p = await getParticipant(client, args.conversation, args.participant);
    const what = `participant ${p.sid} (${participantWho(p)}) from ${p.conversation_sid}`;
    return this.destructive(p, what, flags, () => removeParticipant(client, p.conversation_sid, p.sid, {webhooks: flags.webhooks}), ['Remove', 'Removed']);
  }
}
