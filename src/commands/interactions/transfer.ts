import {Flags} from '../../lib/command.js';
import {attributesFlag, channelArg, channelAndParticipant, interactionArg, participantArg} from '../../lib/cli/interactions.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {usageError} from '../../lib/cli/index.js';
import {finishTransfer, parseAttributes, startTransfer, type TransferStarted} from '../../lib/flows/interactions.js';

export default class InteractionsTransfer extends ResourceCommand<TransferStarted> {
  static override summary = 'Transfer an interaction to another worker or a queue, cold or warm';
  static override description = `Flex's recipe, the same on Twilio and the emulator: an invite for the target (its task carries transferType, transferTo, transferFrom), then — when the target accepts — the transferring agent's participant is closed (--cold: their task completes) or left in (--warm: both stay until one leaves). The command waits for the answer (--timeout); a declined or unanswered transfer leaves the first agent in place (TRANSFER_FAILED / TIMEOUT, exit 1). --no-wait only sends the invite and prints how to finish.

The transferring agent is the channel's only active agent unless a UT… is given.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef --to-worker bob --cold',
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef --to-queue Everyone --warm --no-wait --json',
  ];

  static override args = {interaction: interactionArg, channel: channelArg, participant: participantArg};
  static override flags = {
    'to-worker': Flags.string({summary: 'The worker who takes over (name or WK…).', exclusive: ['to-queue']}),
    'to-queue': Flags.string({summary: 'The queue that takes over (name or WQ…).'}),
    cold: Flags.boolean({summary: 'The transferring agent leaves when the target accepts.', exclusive: ['warm']}),
    warm: Flags.boolean({summary: 'Both agents stay until one leaves.'}),
    'no-wait': Flags.boolean({summary: 'Send the invite and return; finish a cold transfer yourself once accepted.'}),
    timeout: Flags.integer({min: 1, default: 120, summary: 'Seconds to wait for the target to accept.'}),
    ...attributesFlag,
  };

  async run(): Promise<TransferStarted> {
    const {args, flags} = await this.parse(InteractionsTransfer);
    if (!flags.cold && !flags.warm) throw usageError('Give --cold (you leave when they accept) or --warm (you both stay)');
    const {channel, participant} = channelAndParticipant(args.channel, args.participant);
    const attributes = parseAttributes(flags.attributes);
    const client = await this.client(flags);
    const type = flags.cold ? 'cold' : 'warm';
    const started = await startTransfer(client, args.interaction, {channel, from: participant, toWorker: flags['to-worker'], toQueue: flags['to-queue'], type, attributes});
    if (flags['no-wait']) {
      if (!this.render.json) {
        this.render.success(`Transfer started: invite ${started.invite_sid}, task ${started.task_sid} for ${started.to}${this.where()}`);
        if (type === 'cold') this.render.info(`When ${started.to} accepts, close your side: flexconv interactions participants close ${started.interaction_sid} ${started.channel_sid} ${started.from} --yes`);
      }
      return started;
    }
    const done = await this.render.spin(`Waiting for ${started.to} to accept the ${type} transfer (task ${started.task_sid})`, () => finishTransfer(client, started, {timeoutMs: flags.timeout * 1000}));
    if (!this.render.json)
      this.render.success(`${type === 'cold' ? 'Cold' : 'Warm'} transfer done: ${done.worker_sid ?? done.to} accepted${type === 'cold' ? `, participant ${done.from} closed` : `, participant ${done.from} stays`}${this.where()}`);
    return done;
  }
}
