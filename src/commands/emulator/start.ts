import {FlexconvCommand, Flags} from '../../lib/command.js';
import {DEFAULT_HOST, DEFAULT_PORT, implementedSummary, rateLimitFlag, runForeground, startDetached, type EmulatorInfo} from '../../lib/flows/emulator.js';

export default class EmulatorStart extends FlexconvCommand<EmulatorInfo> {
  static override summary = 'Start the local Twilio emulator (foreground, or --detach to run it in the background)';
  static override description = `Serves Twilio's REST APIs on ${DEFAULT_HOST}:${DEFAULT_PORT} (https://{domain}.twilio.com/{path} is http://${DEFAULT_HOST}:${DEFAULT_PORT}/{domain}/{path}), with data in one SQLite file in your state directory (so it survives a stop and start), and prints the URL and the test account to use.

${implementedSummary()}

In the foreground it runs until Ctrl+C (SIGINT) or SIGTERM, then drains connections and checkpoints the database. With --detach it starts a background process, returns once that answers, and records it so that other commands, \`flexconv emulator status\` and \`flexconv emulator stop\` find it.

The emulator has no real security: it listens on loopback unless --host says otherwise.`;

  static override examples = [
    {description: 'Run in the foreground, one line per request:', command: '<%= config.bin %> <%= command.id %> --log'},
    {description: 'Run in the background and get the URL and credentials as JSON:', command: '<%= config.bin %> <%= command.id %> --detach --json'},
    {description: 'A throwaway emulator on another port:', command: '<%= config.bin %> <%= command.id %> --port 4020 --db :memory:'},
    {description: 'Test your backoff: 429 (20429) past 5 requests a second:', command: '<%= config.bin %> <%= command.id %> --rate-limit 5/s --db :memory:'},
    {description: 'Your own test account:', command: '<%= config.bin %> <%= command.id %> --detach --account-sid AC00000000000000000000000000000042 --auth-token secret42'},
  ];

  static override flags = {
    port: Flags.integer({
      summary: `TCP port to listen on (0 picks a free one).`,
      default: DEFAULT_PORT,
      min: 0,
      max: 65535,
    }),
    host: Flags.string({
      summary: 'Interface to listen on. Anything but loopback exposes the emulator (a warning is printed).',
      default: DEFAULT_HOST,
    }),
    db: Flags.string({
      summary: 'SQLite database file, or :memory: for a throwaway one (default: emulator.db in the state dir).',
      helpValue: 'PATH|:memory:',
    }),
    detach: Flags.boolean({
      char: 'd',
      summary: 'Run in the background; return once it answers. Stop it with `flexconv emulator stop`.',
    }),
    bare: Flags.boolean({
      summary: 'Start accounts without the Flex set-up (no Flex Chat Service, Flex Task Assignment workspace or Flex Configuration).',
    }),
    log: Flags.boolean({
      summary: 'Print one line per request (to the log file in the state dir with --detach).',
    }),
    'rate-limit': Flags.custom<number>({
      helpValue: 'N/s',
      summary: "Answer Twilio's 429 (code 20429, with Retry-After) past N requests per second per account, to test a client's backoff (N/s, N/m or N).",
      parse: async (input) => rateLimitFlag(input),
    })(),
    'account-sid': Flags.string({
      summary: 'Account SID of the test account (AC + 32 hex; env FLEXCONV_EMULATOR_ACCOUNT_SID).',
      helpGroup: 'TEST ACCOUNT',
    }),
    'auth-token': Flags.string({
      summary: 'Auth token of the test account (env FLEXCONV_EMULATOR_AUTH_TOKEN).',
      helpGroup: 'TEST ACCOUNT',
    }),
  };

  private printedJson = false;

  async run(): Promise<EmulatorInfo> {
    const {flags} = await this.parse(EmulatorStart);
    const opts = {
      port: flags.port,
      host: flags.host,
      db: flags.db,
      accountSid: flags['account-sid'],
      authToken: flags['auth-token'],
      log: flags.log,
      bare: flags.bare,
      rateLimit: flags['rate-limit'],
    };

    if (flags.detach) {
      const info = await startDetached(opts);
      for (const w of info.warnings) this.render.warn(w);
      this.render.success(`Emulator running in the background at ${info.url} (pid ${info.pid})`);
      this.showInfo(info);
      this.render.line();
      this.render.line(`Commands use it automatically (target emulator). Stop it with \`${this.config.bin} emulator stop\`.`);
      if (flags['rate-limit']) this.render.line(rateLimitNote(flags['rate-limit']));
      if (flags.log) this.render.line(`Request log: ${info.log_file}`);
      return info;
    }

    const result = await runForeground(opts, {
      ready: (info) => {
        for (const w of info.warnings) this.render.warn(w);
        if (this.jsonEnabled()) {
          // A long-running command: the result is printed when it is ready, not when it ends.
          this.logJson(this.toSuccessJson(info));
          this.printedJson = true;
          return;
        }
        this.render.success(`Emulator listening at ${info.url}`);
        this.showInfo(info);
        this.render.line();
        this.render.line(`Use it from another terminal with --emulator-url ${info.url} (or FLEXCONV_EMULATOR_URL=${info.url}).`);
        if (flags['rate-limit']) this.render.line(rateLimitNote(flags['rate-limit']));
        this.render.line(flags.log ? 'Logging one line per request. Ctrl+C to stop.' : 'Ctrl+C to stop (--log prints one line per request).');
      },
      log: (line) => (this.jsonEnabled() ? this.render.progress(line) : this.render.line(line)),
      stopping: (signal) => this.render.progress(`${signal}: stopping the emulator (draining, checkpointing the database)…`),
      error: (e) => this.render.warn(`request failed with an internal error: ${(e as Error)?.message ?? String(e)}`),
    });
    this.render.success('Emulator stopped');
    return result;
  }

  override logJson(json: unknown): void {
    if (this.printedJson) return;
    super.logJson(json);
  }

  private showInfo(info: EmulatorInfo): void {
    this.render.record(info, [
      {key: 'url', header: 'URL'},
      {key: 'account_sid', header: 'Account SID'},
      {key: 'auth_token', header: 'Auth token'},
      {key: 'api_key', header: 'API key'},
      {key: 'api_secret', header: 'API secret'},
      {key: 'db', header: 'Database', get: (i) => (i.db === ':memory:' ? ':memory: (gone when it stops)' : i.db)},
      ...(info.detached
        ? [
            {key: 'pid', header: 'PID'},
            {key: 'log_file', header: 'Log'},
          ]
        : []),
    ]);
  }
}

const rateLimitNote = (perSecond: number) =>
  `Rate limit: ${+perSecond.toFixed(3)} requests a second per account; past it, Twilio's 429 (code 20429) with Retry-After.`;
