import {ApiCommand, CANCELLED_MESSAGE, Flags} from '../lib/command.js';
import {inquirerAsker} from '../lib/cli/prompts.js';
import {AUTO_CREATION_CHOICES, INIT_ADDRESS_TYPES, runInit, type InitOptions, type InitResult} from '../lib/flows/init.js';

export default class Init extends ApiCommand<InitResult> {
  static override summary = 'Set up flexconv: target and credentials, the Flex setup, a first address, flexconv.config.yaml';
  static override description = `On a terminal, asks step by step: the emulator or Twilio; for Twilio the Account SID and an Auth Token (and offers to create a Standard API key with it, so the token is not stored) or an API key. The credentials are checked against the API before anything is saved. It then finds the account's Flex setup (the Flex Configuration names the TaskRouter workspace, its workflow and the conversation service; task channels are listed) and lets you pick where there is a choice, offers to create a first Conversations address (auto-creation through a Studio flow with Send to Flex — it can deploy a starter flow — or a webhook), and writes a commented flexconv.config.yaml in the project directory. For the emulator it starts one in the background when none runs.

Nothing is changed until you confirm the plan at the end; Ctrl-C before that leaves nothing behind (an emulator it started is stopped again). If a step fails or Ctrl-C comes while the plan is applied, the profile and the config file are put back as they were, and every change already made on the target is named with how to undo it.

Run again on a configured project, it offers to keep or change each part. Every answer has a flag: with --no-interactive (or without a terminal) nothing is asked, and missing flags are named in one usage error (exit 2), so CI can run the same setup in one command.`;

  static override examples = [
    {description: 'Answer the questions', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'CI, on the emulator, with an SMS address whose conversations go to a webhook',
      command:
        '<%= config.bin %> <%= command.id %> --no-interactive --target emulator --address-type sms --address +15551230001 --auto-creation-type webhook --webhook-url https://example.com/hook --json',
    },
    {
      description: 'CI, on Twilio: swap the Auth Token for a new API key, deploy the starter Studio flow',
      command:
        '<%= config.bin %> <%= command.id %> --no-interactive --target twilio --account-sid "$TWILIO_ACCOUNT_SID" --auth-token "$TWILIO_AUTH_TOKEN" --create-api-key --profile prod --address-type whatsapp --address whatsapp:+15551230001 --auto-creation-type studio --studio-flow new',
    },
  ];

  static override flags = {
    interactive: Flags.boolean({
      allowNo: true,
      summary: 'Ask for what the flags leave out (default: when stdin and stderr are a terminal); --no-interactive never asks.',
    }),
    yes: Flags.boolean({char: 'y', summary: 'Apply the plan without asking "Go ahead?".'}),
    dir: Flags.string({summary: 'Project directory: flexconv.config.yaml is written there (default: the current directory).'}),
    profile: Flags.string({
      char: 'p',
      summary: 'Profile to save the credentials in (default: "default", or the project\'s); an existing one is used as it is when no credential flags are given.',
    }),
    force: Flags.boolean({summary: 'Replace a profile of the same name that this project does not use yet.'}),
    'create-api-key': Flags.boolean({
      allowNo: true,
      summary: 'With an Auth Token: create a Standard API key and save it instead of the token (asked on a terminal; default without one: no).',
    }),
    'emulator-port': Flags.integer({min: 0, max: 65535, summary: 'Port of the emulator init starts when none runs (default 4010).'}),
    workspace: Flags.string({summary: 'TaskRouter workspace (WS… or friendly name; default: the Flex Configuration\'s).', helpGroup: 'FLEX SETUP'}),
    workflow: Flags.string({summary: 'Workflow for conversation tasks (WW… or friendly name; default: the Flex Configuration\'s).', helpGroup: 'FLEX SETUP'}),
    'task-channel': Flags.string({summary: 'Task channel (unique name or TC…; default: chat).', helpGroup: 'FLEX SETUP'}),
    'chat-service': Flags.string({summary: 'Conversation service of Flex (IS… or friendly name; default: the Flex Configuration\'s).', helpGroup: 'FLEX SETUP'}),
    'address-type': Flags.string({options: [...INIT_ADDRESS_TYPES], summary: 'Create a first address of this type ("none": no address).', helpGroup: 'ADDRESS'}),
    address: Flags.string({summary: 'The address: E.164 for sms, whatsapp:+E164, any name for chat, …', helpGroup: 'ADDRESS'}),
    'auto-creation-type': Flags.string({
      options: AUTO_CREATION_CHOICES,
      summary: 'Who gets new conversations: studio (a flow with Send to Flex), webhook, or default (none).',
      helpGroup: 'ADDRESS',
    }),
    'webhook-url': Flags.string({summary: 'Webhook of --auto-creation-type webhook.', helpGroup: 'ADDRESS'}),
    'studio-flow': Flags.string({summary: 'Studio flow of --auto-creation-type studio: FW…, or "new" to deploy the starter flow.', helpGroup: 'ADDRESS'}),
  };

  async run(): Promise<InitResult> {
    const {flags} = await this.parse(Init);
    const terminal = Boolean(process.stdin.isTTY && process.stderr.isTTY);
    const interactive = (flags.interactive ?? true) && terminal;
    const result = await runInit(
      {
        dir: flags.dir ?? process.cwd(),
        interactive,
        yes: flags.yes,
        force: flags.force,
        target: flags.target as 'emulator' | 'twilio' | undefined,
        accountSid: flags['account-sid'],
        authToken: flags['auth-token'],
        apiKey: flags['api-key'],
        apiSecret: flags['api-secret'],
        region: flags.region,
        edge: flags.edge,
        createApiKey: flags['create-api-key'],
        profile: flags.profile,
        emulatorUrl: flags['emulator-url'],
        emulatorPort: flags['emulator-port'],
        workspace: flags.workspace,
        workflow: flags.workflow,
        taskChannel: flags['task-channel'],
        chatService: flags['chat-service'],
        addressType: flags['address-type'] as InitOptions['addressType'],
        address: flags.address,
        autoCreationType: flags['auto-creation-type'] as 'studio' | 'webhook' | 'default' | undefined,
        webhookUrl: flags['webhook-url'],
        studioFlow: flags['studio-flow'],
      },
      {
        asker: interactive ? inquirerAsker() : undefined,
        connect: (c) =>
          this.client({
            target: c.target,
            profile: c.profile,
            'emulator-url': c.emulatorUrl,
            'account-sid': c.accountSid,
            'auth-token': c.authToken,
            'api-key': c.apiKey,
            'api-secret': c.apiSecret,
            region: c.region,
            edge: c.edge,
          }),
        env: process.env,
        note: (m) => this.render.info(m),
        // Under --json the result's `changes` (or the error's hints) say it: stderr keeps to warnings.
        changed: (m) => this.render.success(m),
      },
    );
    if (result.cancelled) {
      this.render.progress(CANCELLED_MESSAGE);
      return result;
    }
    this.show(result);
    return result;
  }

  private show(r: InitResult): void {
    const named = (n: {sid: string; friendly_name: string} | null) => (n ? `${n.friendly_name} (${n.sid})` : '-');
    this.render.record(r, [
      {key: 'target', header: 'Target', get: () => (r.emulator ? `emulator at ${r.emulator.url}` : 'Twilio')},
      {key: 'account_sid', header: 'Account'},
      {key: 'credentials', header: 'Credentials'},
      {key: 'profile', header: 'Profile', get: () => (r.profile ? `${r.profile.name} (${r.profile.action}, ${r.profile.file})` : '-')},
      {key: 'workspace', header: 'Workspace', get: () => named(r.flex.workspace)},
      {key: 'workflow', header: 'Workflow', get: () => named(r.flex.workflow)},
      {key: 'task_channel', header: 'Task channel', get: () => (r.flex.task_channel ? r.flex.task_channel.unique_name : '-')},
      {key: 'chat_service', header: 'Chat service', get: () => named(r.flex.chat_service)},
      {key: 'address', header: 'Address', get: () => (r.address ? `${r.address.type} ${r.address.address} (${r.address.sid}, ${r.address.auto_creation})` : '-')},
      ...(r.studio_flow ? [{key: 'studio_flow', header: 'Studio flow', get: () => `${r.studio_flow!.friendly_name} (${r.studio_flow!.sid})`}] : []),
      {key: 'config_file', header: 'Config file', get: () => `${r.config_file}${r.config_action === 'unchanged' ? ' (unchanged)' : ''}`},
    ]);
    this.render.success(`flexconv is set up; check it any time with \`${this.config.bin} doctor\``);
    if (r.address && r.emulator)
      this.render.info(`Try it: \`${this.config.bin} simulate inbound --from +15550001111 --to ${r.address.address} --body "Hello"\``);
  }
}
