import {Flags} from '../../lib/command.js';
import {attributesFlag} from '../../lib/cli/interactions.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {CHANNEL_TYPES, parseAttributes, type ChannelType} from '../../lib/flows/interactions.js';
import {outboundAgent, type OutboundResult} from '../../lib/flows/outbound.js';

export default class OutboundAgent extends ResourceCommand<OutboundResult> {
  static override summary = 'An agent writes first: an agent-initiated interaction to a customer, and its first message';
  static override description = `First checks whether the customer (--to) and your sender (--from) are already bound to a conversation that is not closed — then Twilio would refuse the new participant (50416) or reuse the old conversation (80102). If so it stops (BINDING_IN_USE, exit 1) and names the exact command that closes it; --close-existing closes it here (through its interaction channel when it has one).

Then it creates the agent-initiated interaction (the task goes to --worker and is accepted at once, as Flex UI does), waits until the channel is active, and with --body sends the first message as the agent.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --worker alice --to +15551234567 --from +15005550006 --body "Hi, this is Alice from support"',
    '<%= config.bin %> <%= command.id %> --worker alice --to +15551234567 --from +15005550006 --channel whatsapp --close-existing --json',
  ];

  static override flags = {
    worker: Flags.string({required: true, summary: 'The agent (worker name or WK…).'}),
    to: Flags.string({required: true, summary: 'The customer\'s address (+E164; whatsapp:+E164).'}),
    from: Flags.string({required: true, summary: 'Your address the customer sees (the proxy address).'}),
    channel: Flags.string({options: [...CHANNEL_TYPES], default: 'sms', summary: 'Channel type.'}),
    body: Flags.string({char: 'b', summary: 'The first message, sent as the agent.'}),
    queue: Flags.string({summary: 'TaskQueue for the task (name or WQ…; default: the Flex Configuration\'s).'}),
    workflow: Flags.string({summary: 'Workflow (name or WW…; default: the Flex Configuration\'s).'}),
    'close-existing': Flags.boolean({summary: 'Close a conversation that holds this customer + sender pair first.'}),
    timeout: Flags.integer({min: 1, default: 30, summary: 'Seconds to wait for the channel to be active.'}),
    ...attributesFlag,
  };

  async run(): Promise<OutboundResult> {
    const {flags} = await this.parse(OutboundAgent);
    const attributes = parseAttributes(flags.attributes);
    const client = await this.client(flags);
    const out = await outboundAgent(client, {
        worker: flags.worker,
        to: flags.to,
        from: flags.from,
        channel: flags.channel as ChannelType,
        body: flags.body,
        queue: flags.queue,
        workflow: flags.workflow,
        attributes,
        closeExisting: flags['close-existing'],
        waitMs: flags.timeout * 1000,
        aroundWait: (work) => this.render.spin(`Waiting for the outbound ${flags.channel} interaction of ${flags.worker} to be set up`, work),
      });
    for (const b of out.closed_existing) this.render.warn(`closed conversation ${b.conversation_sid}${b.interaction_sid ? ` (interaction ${b.interaction_sid})` : ''}, which held ${b.address} + ${b.proxy_address ?? flags.from}`);
    if (!this.render.json) {
      this.render.success(`Outbound interaction ${out.interaction_sid} for ${flags.worker}${out.message ? `: message ${out.message.sid} sent` : ''}${this.where()}`);
      this.render.record(out, [
        {key: 'interaction_sid', header: 'Interaction'},
        {key: 'channel_sid', header: 'Channel'},
        {key: 'task_sid', header: 'Task'},
        {key: 'conversation_sid', header: 'Conversation'},
      ]);
    }
    return out;
  }
}
