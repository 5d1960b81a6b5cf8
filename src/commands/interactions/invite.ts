import {Flags} from '../../lib/command.js';
import {attributesFlag, channelArg, channelAndParticipant, interactionArg} from '../../lib/cli/interactions.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {inviteToInteraction, parseAttributes, type InviteResult} from '../../lib/flows/interactions.js';

export default class InteractionsInvite extends ResourceCommand<InviteResult> {
  static override summary = 'Invite a second agent (or a queue) into an interaction: a new task for the same conversation';
  static override description =
    'On accept the worker joins the same conversation. Refused (REFUSED, exit 1, with the reason) when that worker is in the conversation already or an invite is still pending — unless --force. An invite to one worker who declines cancels its task and leaves the conversation as it was: if no agent is in it, that is the orphan `flexconv conversations orphans` finds.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef --worker bob',
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef --queue Everyone --attributes reason=escalation --json',
  ];

  static override args = {interaction: interactionArg, channel: channelArg};
  static override flags = {
    worker: Flags.string({summary: 'The worker to invite (name or WK…).', exclusive: ['queue']}),
    queue: Flags.string({summary: 'A queue to route the invite to (name or WQ…).'}),
    workflow: Flags.string({summary: 'Workflow (name or WW…; default: the Flex Configuration\'s).'}),
    force: Flags.boolean({summary: 'Invite even when that worker is in already or an invite is pending.'}),
    ...attributesFlag,
  };

  async run(): Promise<InviteResult> {
    const {args, flags} = await this.parse(InteractionsInvite);
    const {channel} = channelAndParticipant(args.channel);
    const attributes = parseAttributes(flags.attributes);
    const out = await inviteToInteraction(await this.client(flags), args.interaction, {channel, worker: flags.worker, queue: flags.queue, workflow: flags.workflow, attributes, force: flags.force});
    if (!this.render.json) this.render.success(`Invite ${out.invite.sid}: task ${out.task_sid ?? '?'} for ${out.worker_sid ? `worker ${out.worker_sid}` : `queue ${out.queue_sid ?? '(the workflow\'s)'}`}${this.where()}`);
    return out;
  }
}
