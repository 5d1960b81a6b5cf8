import {Flags} from '../../../lib/command.js';
import {confirmFlags} from '../../../lib/cli/index.js';
import {channelArg, channelAndParticipant, interactionArg, participantArg} from '../../../lib/cli/interactions.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {pickParticipant, setParticipantStatus, type ChannelParticipant, type ParticipantRow} from '../../../lib/flows/interactions.js';

export default class InteractionsParticipantsClose extends ResourceCommand<(ParticipantRow | ChannelParticipant) & {dry_run?: true}> {
  static override summary = 'Close an agent\'s participant (out of the conversation, task completed), or put it in wrap-up';
  static override description = `Status closed: the agent leaves the conversation and their task completes (capacity is freed); the conversation stays open for the others. --wrapup: their task goes to wrapping and they stay until they close. The participant is the channel's only active agent (then the only one wrapping up) unless a UT… is given; the channel its only open one unless a UO… is given.

Closing a closed participant changes nothing (a warning says so).`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef --wrapup --yes',
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef UT0123456789abcdef0123456789abcdef --yes --json',
  ];

  static override args = {interaction: interactionArg, channel: channelArg, participant: participantArg};
  static override flags = {
    wrapup: Flags.boolean({summary: 'Wrap up (task → wrapping) instead of closing.'}),
    ...confirmFlags,
  };

  async run(): Promise<(ParticipantRow | ChannelParticipant) & {dry_run?: true}> {
    const {args, flags} = await this.parse(InteractionsParticipantsClose);
    const ids = channelAndParticipant(args.channel, args.participant);
    const client = await this.client(flags);
    const {channel, participant} = await pickParticipant(client, args.interaction, ids);
    const status = flags.wrapup ? 'wrapup' : 'closed';
    if (participant.status === 'closed' || participant.status === status) {
      this.render.warn(`Participant ${participant.sid} is ${participant.status} already; nothing changed`);
      return participant;
    }
    let next: ParticipantRow | ChannelParticipant = participant;
    const what = `${participant.type} participant ${participant.sid}${participant.worker_sid ? ` (worker ${participant.worker_sid})` : ''} of channel ${channel.sid}`;
    const verb: [string, string] = flags.wrapup ? ['Wrap up', 'Wrapping up'] : ['Close', 'Closed'];
    const done = await this.destructive(participant, what, flags, async () => {
      next = {...participant, ...(await setParticipantStatus(client, args.interaction, channel.sid, participant.sid, status)), status};
    }, verb);
    return done.dry_run ? done : next;
  }
}
