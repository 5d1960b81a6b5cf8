import {Flags} from '../../lib/command.js';
import {confirmFlags} from '../../lib/cli/index.js';
import {channelArg, channelAndParticipant, interactionArg} from '../../lib/cli/interactions.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {pickChannel, setChannelStatus, type InteractionChannel} from '../../lib/flows/interactions.js';

export default class InteractionsClose extends ResourceCommand<InteractionChannel & {dry_run?: true}> {
  static override summary = 'Close an interaction\'s channel (the conversation closes, tasks wrap up), or park it';
  static override description = `What Flex UI does when the agent ends the chat: the channel closes, so does the conversation, and the open tasks go to wrapping (--complete: completed). --park (Status inactive with Routing {"status":"closed"}) completes the tasks, takes the agents out and keeps the conversation open for the customer; a new message then needs a new interaction (\`flexconv interactions create --conversation CH…\`).

Closing a closed channel changes nothing (a warning says so).`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef --yes',
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef --park --yes --json',
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef UO0123456789abcdef0123456789abcdef --complete --dry-run',
  ];

  static override args = {interaction: interactionArg, channel: channelArg};
  static override flags = {
    park: Flags.boolean({summary: 'Park instead: tasks completed, conversation kept open for the customer.', exclusive: ['complete']}),
    complete: Flags.boolean({summary: 'Complete the tasks instead of leaving them in wrap-up.'}),
    ...confirmFlags,
  };

  async run(): Promise<InteractionChannel & {dry_run?: true}> {
    const {args, flags} = await this.parse(InteractionsClose);
    const {channel} = channelAndParticipant(args.channel);
    const client = await this.client(flags);
    const ch = await pickChannel(client, args.interaction, channel);
    if (ch.status === 'closed') {
      this.render.warn(`Channel ${ch.sid} of interaction ${args.interaction} is closed already; nothing changed`);
      return ch;
    }
    let next = ch;
    const what = `channel ${ch.sid} of interaction ${args.interaction} (${ch.type}, ${ch.status})`;
    const verb: [string, string] = flags.park ? ['Park', 'Parked'] : ['Close', 'Closed'];
    const done = await this.destructive(ch, what, flags, async () => {
      next = await setChannelStatus(client, args.interaction, ch.sid, {park: flags.park, complete: flags.complete});
    }, verb);
    return done.dry_run ? done : next;
  }
}
