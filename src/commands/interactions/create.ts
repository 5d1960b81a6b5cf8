import {Flags} from '../../lib/command.js';
import {attributesFlag, waitFlags} from '../../lib/cli/interactions.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {CHANNEL_TYPES, createInteraction, parseAttributes, waitForInteraction, type ChannelType, type CreatedInteraction} from '../../lib/flows/interactions.js';

export default class InteractionsCreate extends ResourceCommand<CreatedInteraction> {
  static override summary = 'Create a Flex interaction: a task for a conversation (inbound), or a new conversation with a customer';
  static override description = `Three kinds, as Flex has them:
  --conversation CH…           inbound: the customer's existing conversation gets a task (initiated_by customer)
  --to --from [--channel]      api-initiated: Flex creates the conversation, adds the customer, routes a task
  --to --from --worker         agent-initiated: the task goes to that worker and is accepted at once, as Flex UI does

Routing defaults to the Flex Configuration's workspace and workflow (and its target queue for --worker). The interaction is set up asynchronously on Twilio: --wait polls until the channel is active and the task exists, then prints the KD/UO/WT SIDs.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --conversation CH0123456789abcdef0123456789abcdef --wait',
    '<%= config.bin %> <%= command.id %> --to +15551234567 --from +15005550006 --channel sms --attributes language=en --json',
    '<%= config.bin %> <%= command.id %> --to +15551234567 --from +15005550006 --worker alice --wait --json',
  ];

  static override flags = {
    conversation: Flags.string({summary: 'Inbound: the conversation (CH…) the customer writes in.', exclusive: ['to', 'from']}),
    to: Flags.string({summary: 'The customer\'s address (+E164, whatsapp:+E164, a chat identity).'}),
    from: Flags.string({summary: 'Your address Flex writes from (the proxy address).'}),
    channel: Flags.string({options: [...CHANNEL_TYPES], summary: 'Channel type (default: sms; for --conversation, its customer\'s binding type).'}),
    worker: Flags.string({summary: 'Agent-initiated: the worker (name or WK…) who gets the task.'}),
    workflow: Flags.string({summary: 'Workflow (name or WW…; default: the Flex Configuration\'s).'}),
    queue: Flags.string({summary: 'TaskQueue (name or WQ…; default for --worker: the Flex Configuration\'s).'}),
    'task-channel': Flags.string({summary: 'Task channel unique name (default: from the channel type: sms, chat, whatsapp, …).'}),
    priority: Flags.integer({min: 0, summary: 'Task priority.'}),
    'task-timeout': Flags.integer({min: 1, summary: 'Seconds the task may wait before TaskRouter cancels it.'}),
    'friendly-name': Flags.string({summary: 'Name of the conversation Flex creates (--to/--from).'}),
    ...attributesFlag,
    ...waitFlags,
  };

  async run(): Promise<CreatedInteraction> {
    const {flags} = await this.parse(InteractionsCreate);
    const attributes = parseAttributes(flags.attributes);
    const client = await this.client(flags);
    let out = await createInteraction(client, {
      conversation: flags.conversation,
      to: flags.to,
      from: flags.from,
      channel: flags.channel as ChannelType | undefined,
      worker: flags.worker,
      workflow: flags.workflow,
      queue: flags.queue,
      taskChannel: flags['task-channel'],
      priority: flags.priority,
      timeout: flags['task-timeout'],
      name: flags['friendly-name'],
      attributes,
    });
    if (flags.wait)
      out = await this.render.spin(`Waiting for interaction ${out.interaction_sid} to be set up`, (update) =>
        waitForInteraction(client, out, {timeoutMs: flags.timeout * 1000, onState: (s) => update(`Waiting for interaction ${out.interaction_sid}: channel ${s}`)}),
      );
    if (!this.render.json) {
      this.render.success(`Created interaction ${out.interaction_sid} (${out.initiated_by}-initiated)${this.where()}`);
      this.render.record(out, [
        {key: 'interaction_sid', header: 'Interaction'},
        {key: 'channel_sid', header: 'Channel'},
        {key: 'channel_status', header: 'Channel status', get: (o) => o.channel_status ?? '(not waited for)'},
        {key: 'task_sid', header: 'Task'},
        {key: 'conversation_sid', header: 'Conversation'},
      ]);
    }
    return out;
  }
}
