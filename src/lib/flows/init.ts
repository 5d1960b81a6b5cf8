/**
 * `flexconv init`: from nothing to a working profile, the account's Flex setup found and a first
 * Conversations address, by answering questions or by flags alone (CI).
 *
 * Three phases, so that stopping at any point leaves nothing half-done:
 *   1. ask  — every question (each has a flag), with read-only requests only: the credentials are
 *             checked, the Flex setup is listed. The one change made here is starting an emulator
 *             when none runs; it is stopped again if init does not finish.
 *   2. confirm — the plan, in plain words.
 *   3. apply — API key, profile, Studio flow, address, config file, each reported the moment it is
 *             done. A failure or Ctrl-C puts the local files back (profiles.json, the config) and
 *             names every remote change that stays, with how to undo it.
 */
import {isAbsolute, resolve as resolvePath} from 'node:path';
import {loadProjectConfig, type ProjectConfig} from '../config/project.js';
import {SHAPE_HINTS, SHAPES} from '../config/profiles.js';
import {FlexconvError, usageError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';
import type {Asker, Choice} from '../cli/prompts.js';
import {ADDRESS_TYPES, EXAMPLE_ADDRESS, createAddress, getAddress, validateAddress, type AddressConfiguration, type AddressType} from './addresses.js';
import {DEFAULT_PORT, emulatorStatus, isLoopback, startDetached, stopDetached} from './emulator.js';
import {
  POWER_TEXT,
  STARTER_FLOW_NAME,
  checkCredentials,
  conversationServices,
  createApiKey,
  deployStarterFlow,
  studioAvailable,
  studioFlow,
  studioFlows,
  taskChannels,
  workflows,
  workspaces,
  type CredentialCheck,
  type Named,
  type TaskChannel,
} from './flex-setup.js';
import {CONFIG_NAME, configPath, renderConfig, restoreConfig, snapshotConfig, writeConfig, type ConfigNotes} from './project-file.js';
import {ProfilesService} from './profiles.js';

export type AutoCreationChoice = 'studio' | 'webhook' | 'default';
export const AUTO_CREATION_CHOICES: AutoCreationChoice[] = ['studio', 'webhook', 'default'];
export const INIT_ADDRESS_TYPES = [...ADDRESS_TYPES, 'none'] as const;

/** Every answer, as the flags give it (undefined: not given). */
export interface InitOptions {
  /** The project directory (its flexconv.config.yaml is written). */
  dir: string;
  /** Questions may be asked (a terminal, and no --no-interactive). */
  interactive: boolean;
  /** Apply without the final question. */
  yes?: boolean;
  /** Replace a profile of the same name that the project does not use yet. */
  force?: boolean;
  target?: 'emulator' | 'twilio';
  accountSid?: string;
  authToken?: string;
  apiKey?: string;
  apiSecret?: string;
  region?: string;
  edge?: string;
  createApiKey?: boolean;
  profile?: string;
  emulatorUrl?: string;
  emulatorPort?: number;
  workspace?: string;
  workflow?: string;
  taskChannel?: string;
  chatService?: string;
  addressType?: AddressType | 'none';
  address?: string;
  autoCreationType?: AutoCreationChoice;
  webhookUrl?: string;
  /** FW… of an existing flow, or `new` to deploy the starter flow. */
  studioFlow?: string;
}

/** How to reach the target: turned into a bound client by the command (its usual resolution). */
export interface Connection {
  target: 'emulator' | 'twilio';
  accountSid?: string;
  authToken?: string;
  apiKey?: string;
  apiSecret?: string;
  region?: string;
  edge?: string;
  /** Use this saved profile's credentials. */
  profile?: string;
  emulatorUrl?: string;
}

export interface InitDeps {
  /** Undefined when nothing may be asked. */
  asker?: Asker;
  connect(c: Connection): Promise<TwilioClient>;
  env: NodeJS.ProcessEnv;
  /** A line for the person at the terminal (stderr). */
  note(message: string): void;
  /** A change just made, as it is made (`✔ …` on stderr; under --json the result's `changes` say it). */
  changed(message: string): void;
}

export interface InitResult {
  target: 'emulator' | 'twilio';
  account_sid: string;
  /** What the credentials may do. */
  credentials: string;
  profile: {name: string; file: string; action: 'added' | 'replaced' | 'kept'} | null;
  api_key_created: string | null;
  emulator: {url: string; pid: number; started: boolean} | null;
  flex: {
    configuration: boolean;
    workspace: Named | null;
    workflow: Named | null;
    task_channel: TaskChannel | null;
    chat_service: Named | null;
  };
  address: {sid: string; type: string; address: string; auto_creation: string; created: boolean} | null;
  studio_flow: {sid: string; friendly_name: string; deployed: boolean} | null;
  config_file: string;
  config_action: 'written' | 'unchanged';
  /** Each change made, in words. */
  changes: string[];
  cancelled?: true;
}

// ---------------------------------------------------------------------------------------------
// Missing flags (never asked): collected, then one usage error naming them all

class Missing {
  readonly flags: string[] = [];
  add(flag: string): void {
    if (!this.flags.includes(flag)) this.flags.push(flag);
  }
  check(example: string): void {
    if (!this.flags.length) return;
    throw usageError(`Missing ${this.flags.join(', ')}: not interactive (--no-interactive, or no terminal), so nothing can be asked`, [
      `for example: ${example}`,
      'or run `flexconv init` on a terminal and answer the questions',
    ]);
  }
}

const EXAMPLES = {
  emulator: 'flexconv init --no-interactive --target emulator',
  twilio: 'flexconv init --no-interactive --target twilio --account-sid AC… --auth-token … --create-api-key',
};

const credentialFlagsGiven = (o: InitOptions) => Boolean(o.accountSid || o.authToken || o.apiKey || o.apiSecret);

/** The flags a non-interactive run needs, knowable before any request. */
function staticMissing(o: InitOptions, existing: ProjectConfig, profileExists: (n: string) => boolean): Missing {
  const m = new Missing();
  const target = o.target ?? existing.target;
  if (!target) m.add('--target emulator|twilio');
  if (target === 'twilio') {
    const reuse = !credentialFlagsGiven(o) && ((o.profile && profileExists(o.profile)) || (existing.target === 'twilio' && existing.profile && profileExists(existing.profile)));
    if (!reuse) {
      if (!o.accountSid) m.add('--account-sid');
      if (o.apiKey && !o.apiSecret) m.add('--api-secret');
      else if (o.apiSecret && !o.apiKey) m.add('--api-key');
      else if (!o.authToken && !o.apiKey) m.add('--auth-token (or --api-key and --api-secret)');
    }
  }
  if (o.addressType && o.addressType !== 'none') {
    if (!o.address) m.add('--address');
    if (!o.autoCreationType) m.add('--auto-creation-type studio|webhook|default');
    if (o.autoCreationType === 'webhook' && !o.webhookUrl) m.add('--webhook-url');
    if (o.autoCreationType === 'studio' && !o.studioFlow) m.add('--studio-flow FW…|new');
  } else if (!o.addressType && (o.address || o.autoCreationType || o.webhookUrl || o.studioFlow)) m.add('--address-type');
  return m;
}

/** Cheap and certain checks of the values given as flags (usage errors, before any request). */
function checkFlagValues(o: InitOptions): void {
  const bad: string[] = [];
  if (o.accountSid && !SHAPES.accountSid.test(o.accountSid)) bad.push(`--account-sid "${o.accountSid}": ${SHAPE_HINTS.accountSid}`);
  if (o.apiKey && !SHAPES.apiKey.test(o.apiKey)) bad.push(`--api-key "${o.apiKey}": ${SHAPE_HINTS.apiKey}`);
  if (o.region && !SHAPES.region.test(o.region)) bad.push(`--region "${o.region}": ${SHAPE_HINTS.region}`);
  if (o.edge && !SHAPES.edge.test(o.edge)) bad.push(`--edge "${o.edge}": ${SHAPE_HINTS.edge}`);
  if (o.profile && !SHAPES.name.test(o.profile)) bad.push(`--profile "${o.profile}": use letters, digits, ".", "_" and "-" (up to 64)`);
  if (o.webhookUrl && !URL_RE.test(o.webhookUrl)) bad.push(`--webhook-url "${o.webhookUrl}": not an absolute http(s) URL`);
  if (o.studioFlow && o.studioFlow !== 'new' && !/^FW[0-9a-fA-F]{32}$/.test(o.studioFlow))
    bad.push(`--studio-flow "${o.studioFlow}": a Studio flow SID (FW + 32 hex characters) or "new"`);
  if (o.authToken && (o.apiKey || o.apiSecret)) bad.push('give either --auth-token or --api-key with --api-secret, not both');
  if (o.target === 'emulator' && (o.createApiKey || o.region || o.edge)) bad.push('--create-api-key, --region and --edge are for --target twilio');
  if (o.addressType && o.addressType !== 'none' && o.address) {
    try {
      validateAddress(o.addressType, o.address);
    } catch (error) {
      bad.push((error as Error).message);
    }
  }
  if (o.autoCreationType !== 'webhook' && o.webhookUrl) bad.push('--webhook-url goes with --auto-creation-type webhook');
  if (o.autoCreationType !== 'studio' && o.studioFlow) bad.push('--studio-flow goes with --auto-creation-type studio');
  if (bad.length) throw usageError(`Invalid ${bad.length === 1 ? 'value' : 'values'}: ${bad.join('; ')}`);
}

const URL_RE = /^https?:\/\/[^\s/?#]+\S*$/i;

// ---------------------------------------------------------------------------------------------
// The wizard

/** One run of init; state shared by its steps. */
class Wizard {
  readonly changes: string[] = [];
  /** Undo steps for what phase 1 started (the emulator). */
  private readonly cleanups: (() => Promise<string | undefined>)[] = [];
  private readonly profiles: ProfilesService;
  existing: ProjectConfig = {};
  file: string;

  constructor(
    readonly o: InitOptions,
    readonly d: InitDeps,
  ) {
    this.profiles = new ProfilesService(d.env);
    this.file = configPath(o.dir);
  }

  get ask(): Asker | undefined {
    return this.o.interactive ? this.d.asker : undefined;
  }

  profileExists = (name: string) => this.profiles.list().some((p) => p.name === name);

  async run(): Promise<InitResult> {
    this.existing = await readExisting(this.o.dir);
    checkFlagValues(this.o);
    if (!this.ask) staticMissing(this.o, this.existing, this.profileExists).check(EXAMPLES[this.o.target ?? this.existing.target ?? 'emulator']);
    try {
      const creds = await this.credentials();
      const setup = await this.flexSetup(creds);
      const address = await this.addressPlan(creds, setup);
      const plan: Plan = {creds, setup, address};
      const config = this.configFor(plan);
      if (!(await this.confirm(plan, config))) {
        await this.undoStarted();
        return {...this.result(plan, 'unchanged'), cancelled: true};
      }
      return await this.apply(plan, config);
    } catch (error) {
      const undone = await this.undoStarted();
      if (undone.length && error instanceof FlexconvError) error.hints.push(...undone);
      throw error;
    }
  }

  private async undoStarted(): Promise<string[]> {
    const out: string[] = [];
    for (const c of this.cleanups.splice(0).reverse()) {
      const said = await c().catch((e: Error) => `could not undo: ${e.message}`);
      if (said) out.push(said);
    }
    return out;
  }

  // ------------------------------------------------------------------ part 1: target and credentials

  private async credentials(): Promise<Creds> {
    const o = this.o;
    const ex = this.existing;
    let target = o.target;
    if (!target && ex.target) {
      const what = ex.target === 'emulator' ? `the emulator${ex.emulatorUrl ? ` at ${ex.emulatorUrl}` : ''}` : `Twilio${ex.profile ? `, profile ${ex.profile}` : ''}`;
      const keep = !this.ask || (await this.keep(`Target and credentials: ${what}`));
      target = keep ? ex.target : await this.askTarget();
      this.freshCredentials = !keep;
    } else if (!target) {
      target = await this.askTarget();
      this.freshCredentials = true;
    } else this.freshCredentials = target !== ex.target || credentialFlagsGiven(o) || Boolean(o.emulatorUrl && o.emulatorUrl !== ex.emulatorUrl);
    if (target === 'emulator') return this.emulatorCreds();
    const creds = await this.twilioCreds();
    await this.askKey(creds);
    await this.askProfileName(creds);
    return creds;
  }

  /** Set by keep(): the last keep-or-change answer. */
  private kept = true;
  private freshCredentials = false;

  private async keep(what: string): Promise<boolean> {
    this.kept = (await this.ask!.select(`${what}`, [
      {name: 'Keep it', value: 'keep'},
      {name: 'Change it', value: 'change'},
    ])) === 'keep';
    return this.kept;
  }

  private async askTarget(): Promise<'emulator' | 'twilio'> {
    if (!this.ask) throw usageError('Missing --target emulator|twilio');
    this.freshCredentials = true;
    return this.ask.select('Where should flexconv send requests?', [
      {name: 'The local emulator (no Twilio account needed)', value: 'emulator'},
      {name: 'Twilio (your account)', value: 'twilio'},
    ]);
  }

  private async emulatorCreds(): Promise<Creds> {
    const o = this.o;
    const url = o.emulatorUrl ?? (this.freshCredentials ? undefined : this.existing.emulatorUrl);
    // One answering at the default URL (started elsewhere, in the foreground) is used too, unless
    // --emulator-port asks for another port.
    const probeDefault = o.emulatorPort === undefined || o.emulatorPort === DEFAULT_PORT;
    let status = await emulatorStatus({url, env: this.d.env, probeDefault}).catch((e: FlexconvError) => {
      if (e.code === 'NOT_RUNNING') return undefined;
      throw e;
    });
    let started = false;
    if (!status) {
      const port = o.emulatorPort ?? (url ? Number(new URL(url).port || 80) : DEFAULT_PORT);
      if (url && !isLoopback(new URL(url).hostname))
        throw new FlexconvError('NOT_RUNNING', `No flexconv emulator answers at ${url}, and it is not on this machine`, {
          hints: ['start it there, or leave out --emulator-url to start one here'],
        });
      this.d.note(`Starting the emulator in the background on port ${port}…`);
      const info = await startDetached({port, host: '127.0.0.1', log: false, env: this.d.env});
      started = true;
      this.cleanups.push(async () => {
        await stopDetached(this.d.env);
        return `stopped the emulator init had started at ${info.url}`;
      });
      this.d.changed(`Started the emulator at ${info.url} (pid ${info.pid}); it stops again unless init finishes`);
      status = await emulatorStatus({url: info.url, env: this.d.env});
    } else this.d.note(`Using the emulator at ${status.url} (pid ${status.pid}, version ${status.version})`);
    const conn: Connection = {target: 'emulator', emulatorUrl: status.url, accountSid: status.account_sid, authToken: status.auth_token};
    const client = await this.d.connect(conn);
    const check = await checkCredentials(client, {target: 'emulator', accountSid: status.account_sid});
    return {target: 'emulator', conn, client, check, accountSid: status.account_sid, emulator: {url: status.url, pid: status.pid, started}};
  }

  private async twilioCreds(): Promise<Creds> {
    const o = this.o;
    const ex = this.existing;
    // An existing profile: named with --profile (and no credential flags), or the project's own on a re-run.
    if (!credentialFlagsGiven(o)) {
      const named = o.profile && this.profileExists(o.profile) ? o.profile : undefined;
      const projects = ex.target === 'twilio' && ex.profile && this.profileExists(ex.profile) ? ex.profile : undefined;
      const reuse = named ?? (this.freshCredentials ? undefined : projects);
      if (reuse) return this.reuseProfile(reuse);
    }
    const a = this.ask;
    let accountSid = o.accountSid ?? (await a!.input('Account SID (AC…)', {validate: (v) => SHAPES.accountSid.test(v) || SHAPE_HINTS.accountSid}));
    let authToken = o.authToken;
    let apiKey = o.apiKey;
    let apiSecret = o.apiSecret;
    for (let attempt = 1; ; attempt++) {
      if (!authToken && !apiKey) {
        const kind = await a!.select('Authenticate with', [
          {name: 'Auth Token (flexconv can then create an API key for you)', value: 'auth-token'},
          {name: 'API key and secret', value: 'api-key'},
        ]);
        if (kind === 'auth-token') authToken = await a!.password('Auth Token', {validate: secret});
      }
      if (!authToken) {
        apiKey ??= await a!.input('API key SID (SK…)', {validate: (v) => SHAPES.apiKey.test(v) || SHAPE_HINTS.apiKey});
        apiSecret ??= await a!.password('API key secret', {validate: secret});
      }
      const conn: Connection = {target: 'twilio', accountSid, authToken, apiKey, apiSecret, region: o.region, edge: o.edge};
      try {
        const client = await this.d.connect(conn);
        const check = await checkCredentials(client, {target: 'twilio', accountSid, apiKey});
        this.d.note(`Credentials accepted: ${POWER_TEXT[check.power]}`);
        return {target: 'twilio', conn, client, check, accountSid, fresh: true};
      } catch (error) {
        // On a terminal, a refused secret is asked again (twice more); the SID may be the wrong one too.
        if (!(error instanceof FlexconvError && error.code === 'AUTH_FAILED') || !a || attempt >= 3 || credentialFlagsGiven(o)) throw error;
        this.d.note(`✖ ${error.message}; try again`);
        accountSid = await a.input('Account SID (AC…)', {default: accountSid, validate: (v) => SHAPES.accountSid.test(v) || SHAPE_HINTS.accountSid});
        authToken = apiKey = apiSecret = undefined;
      }
    }
  }

  private async reuseProfile(name: string): Promise<Creds> {
    const view = this.profiles.find(name);
    const conn: Connection = {target: 'twilio', profile: name};
    const client = await this.d.connect(conn);
    const check = await checkCredentials(client, {target: 'twilio', accountSid: view.account_sid, apiKey: view.api_key});
    this.d.note(`Using profile ${name} (account ${view.account_sid}): ${POWER_TEXT[check.power]}`);
    return {target: 'twilio', conn, client, check, accountSid: view.account_sid, profile: name};
  }

  // ------------------------------------------------------------------ part 2: the Flex setup

  private async flexSetup(creds: Creds): Promise<Setup> {
    const {client, check} = creds;
    const flex = check.flex;
    if (!flex) this.d.note('This account has no Flex Configuration (Flex is not set up on it): pick the TaskRouter parts yourself, or skip them');
    const ex = this.existing;
    const sameAccount = !this.freshCredentials;
    const o = this.o;
    const flagsGiven = Boolean(o.workspace || o.workflow || o.taskChannel || o.chatService);
    const spaces = await workspaces(client);
    const services = await conversationServices(client);
    const missing = new Missing();

    // Keep what the project names when it all still exists (and nothing was asked to change).
    if (sameAccount && ex.workspace && !flagsGiven) {
      const kept = await this.keptSetup(client, spaces, services);
      if (kept && (!this.ask || (await this.keep(`Flex setup: ${describeSetup(kept)}`)))) return kept;
      if (!kept) this.d.note('The Flex setup in the project config does not all exist on this account any more: pick it again');
    }

    const ws = await this.pick('workspace', 'TaskRouter workspace', spaces, o.workspace, flex?.workspace_sid, missing);
    let flows: Named[] = [];
    let channels: TaskChannel[] = [];
    if (ws) [flows, channels] = await Promise.all([workflows(client, ws.sid), taskChannels(client, ws.sid)]);
    const wf = ws ? await this.pick('workflow', 'Workflow for conversation tasks', flows, o.workflow, flex?.workflow_sid, missing) : undefined;
    const tc = ws ? await this.pickChannel(channels) : undefined;
    const svc = await this.pick('chat-service', 'Conversation service of Flex', services, o.chatService, flex?.chat_service_sid ?? flex?.flex_service_sid, missing);
    missing.check(`flexconv init --no-interactive … ${missing.flags.map((f) => `${f} …`).join(' ')}`);
    return {flex: Boolean(flex), workspace: ws, workflow: wf, taskChannel: tc, chatService: svc};
  }

  private async keptSetup(client: TwilioClient, spaces: Named[], services: Named[]): Promise<Setup | undefined> {
    const ex = this.existing;
    const ws = findIn(spaces, ex.workspace);
    if (!ws) return undefined;
    const [flows, channels] = await Promise.all([workflows(client, ws.sid), taskChannels(client, ws.sid)]);
    const wf = ex.workflow ? findIn(flows, ex.workflow) : undefined;
    const tc = ex.taskChannel ? channels.find((c) => c.unique_name === ex.taskChannel || c.sid === ex.taskChannel) : undefined;
    const svc = ex.chatService ? findIn(services, ex.chatService) : undefined;
    if ((ex.workflow && !wf) || (ex.taskChannel && !tc) || (ex.chatService && !svc)) return undefined;
    return {flex: true, workspace: ws, workflow: wf, taskChannel: tc, chatService: svc};
  }

  /**
   * One of `items`: the flag's (SID or friendly name), else the only one, else asked (the default
   * first), else (not interactive) the default, else a missing flag.
   */
  private async pick(flag: string, what: string, items: Named[], given: string | undefined, preferred: string | null | undefined, missing: Missing): Promise<Named | undefined> {
    if (given) {
      const hit = findIn(items, given);
      if (!hit)
        throw new FlexconvError('NOT_FOUND', `--${flag} "${given}": no ${what.toLowerCase()} has that SID or name; there are: ${listNames(items)}`, {
          hints: ['leave the flag out to pick from a list on a terminal'],
        });
      return hit;
    }
    if (!items.length) {
      this.d.note(`No ${what.toLowerCase()} on this account: skipped`);
      return undefined;
    }
    const def = items.find((i) => i.sid === preferred);
    if (items.length === 1) return items[0];
    if (!this.ask) {
      if (def) return def;
      missing.add(`--${flag} (one of: ${listNames(items)})`);
      return undefined;
    }
    const choices: Choice<string>[] = items.map((i) => ({name: `${i.friendly_name} (${i.sid})${i === def ? '  ← Flex uses this one' : ''}`, value: i.sid}));
    const sid = await this.ask.select(`${what}:`, choices, {default: def?.sid});
    return items.find((i) => i.sid === sid);
  }

  private async pickChannel(channels: TaskChannel[]): Promise<TaskChannel | undefined> {
    const o = this.o;
    if (o.taskChannel) {
      const hit = channels.find((c) => c.unique_name === o.taskChannel || c.sid === o.taskChannel);
      if (!hit)
        throw new FlexconvError('NOT_FOUND', `--task-channel "${o.taskChannel}": no task channel has that unique name or SID; there are: ${channels.map((c) => c.unique_name).join(', ') || '(none)'}`);
      return hit;
    }
    if (channels.length <= 1) return channels[0];
    // Flex routes conversations (chat, SMS, WhatsApp) on the "chat" channel by default [unverified for SMS].
    const def = channels.find((c) => c.unique_name === 'chat') ?? channels.find((c) => c.unique_name === 'default') ?? channels[0];
    if (!this.ask) return def;
    const uname = await this.ask.select(
      'Task channel for conversation tasks:',
      channels.map((c) => ({name: `${c.unique_name} (${c.friendly_name})`, value: c.unique_name})),
      {default: def.unique_name},
    );
    return channels.find((c) => c.unique_name === uname);
  }

  // ------------------------------------------------------------------ part 3: a first address

  private async addressPlan(creds: Creds, setup: Setup): Promise<AddressPlan | undefined> {
    const o = this.o;
    const ex = this.existing;
    const given = Boolean(o.addressType || o.address || o.autoCreationType);
    if (ex.address && !given && !this.freshCredentials) {
      const current = await getAddress(creds.client, ex.address).catch(() => undefined);
      if (current && (!this.ask || (await this.keep(`Address: ${describeAddress(current)}`)))) return {kind: 'kept', current};
      if (!current) this.d.note(`The address ${ex.address} in the project config does not exist any more`);
    }
    let type: AddressType | 'none' | 'other' | undefined = o.addressType;
    if (!type && this.ask)
      type = await this.ask.select<AddressType | 'none' | 'other'>('Create a first Conversations address?', [
        ...(['sms', 'whatsapp', 'chat'] as const).map((t) => ({name: `Yes: ${t === 'sms' ? 'an SMS number' : t === 'whatsapp' ? 'a WhatsApp number' : 'a web chat address'}`, value: t})),
        {name: 'Yes, another type (messenger, email, …)', value: 'other'},
        {name: 'No, not now', value: 'none'},
      ]);
    if (type === 'other')
      type = await this.ask!.select('Address type:', ADDRESS_TYPES.filter((t) => !['sms', 'whatsapp', 'chat'].includes(t)).map((t) => ({name: t, value: t})));
    if (!type || type === 'none') return undefined;
    const addressType = type;
    const address =
      o.address ??
      (await this.ask!.input(`Address (${addressType === 'chat' ? 'any name for the web chat' : `e.g. ${EXAMPLE_ADDRESS[addressType]}`})`, {
        default: addressType === 'chat' ? 'web-chat' : undefined,
        validate: (v) => {
          try {
            validateAddress(addressType, v);
            return true;
          } catch (error) {
            return (error as Error).message.replace(/^--address "[^"]*" /, '');
          }
        },
      }));
    const auto = o.autoCreationType ?? (await this.askAutoCreation(creds, setup));
    const plan: AddressPlan = {kind: 'new', type: addressType, address: validateAddress(addressType, address), autoCreation: auto};
    if (auto === 'webhook')
      plan.webhookUrl = o.webhookUrl ?? (await this.ask!.input('Webhook URL (called when a conversation is created)', {validate: (v) => URL_RE.test(v) || 'an absolute http(s) URL'}));
    if (auto === 'studio') await this.studioPlan(creds, setup, plan);
    return plan;
  }

  private studio?: {ok: true} | {ok: false; why: string};

  private async askAutoCreation(creds: Creds, setup: Setup): Promise<AutoCreationChoice> {
    this.studio ??= await studioAvailable(creds.client);
    const studioOff = !this.studio.ok
      ? `${this.studio.why}`
      : !setup.workflow || !setup.taskChannel
        ? 'needs a workflow and a task channel'
        : undefined;
    if (studioOff && !this.studio.ok) this.d.note(`Studio SendToFlex is not available (${studioOff}); a webhook works instead`);
    return this.ask!.select('Who gets the conversations this address creates?', [
      {name: 'Studio: a flow with Send to Flex (deploys a starter flow, or uses one of yours)', value: 'studio', disabled: studioOff},
      {name: 'A webhook of yours (onConversationAdded, onMessageAdded, …)', value: 'webhook'},
      {name: 'Nothing: auto-create the conversation only', value: 'default'},
    ], {default: studioOff ? 'webhook' : 'studio'});
  }

  private async studioPlan(creds: Creds, setup: Setup, plan: AddressPlan): Promise<void> {
    this.studio ??= await studioAvailable(creds.client);
    if (!this.studio.ok)
      throw usageError(
        `Studio SendToFlex cannot be set up here: ${this.studio.why}`,
        ['use a webhook instead: --auto-creation-type webhook --webhook-url URL', 'or --auto-creation-type default (auto-creation without a handler)'],
      );
    const o = this.o;
    if (o.studioFlow && o.studioFlow !== 'new') {
      const flow = await studioFlow(creds.client, o.studioFlow);
      if (!flow) throw new FlexconvError('NOT_FOUND', `No Studio flow ${o.studioFlow} on this account`, {hints: ['or --studio-flow new deploys a starter flow']});
      if (!flow.send_to_flex) this.d.note(`! Studio flow ${flow.sid} ("${flow.friendly_name}") has no Send to Flex widget: conversations will not reach Flex`);
      plan.flow = flow;
      return;
    }
    if (!setup.workflow || !setup.taskChannel)
      throw usageError('The starter Studio flow needs a workflow and a task channel, and none was found or picked', [
        'give --workflow and --task-channel, or use --auto-creation-type webhook',
      ]);
    if (!o.studioFlow && this.ask) {
      const mine = (await studioFlows(creds.client)).filter((f) => f.send_to_flex);
      if (mine.length) {
        const sid = await this.ask.select('Studio flow:', [
          {name: `Deploy a new starter flow (Send to Flex → ${setup.workflow.friendly_name}, channel ${setup.taskChannel.unique_name})`, value: 'new'},
          ...mine.map((f) => ({name: `${f.friendly_name} (${f.sid})`, value: f.sid})),
        ]);
        plan.flow = mine.find((f) => f.sid === sid);
      }
    }
  }

  // ------------------------------------------------------------------ confirm and apply

  private configFor(plan: Plan): {config: ProjectConfig; notes: ConfigNotes} {
    const {creds, setup, address} = plan;
    // Credentials in the config would beat the profile (flags > env > config > profile): not kept.
    const {accountSid: _a, authToken: _t, apiKey: _k, apiSecret: _s, target: _g, profile: _p, emulatorUrl: _e, workspace: _w, workflow: _f, taskChannel: _c, chatService: _v, address: _d, ...others} = this.existing;
    const config: ProjectConfig = {
      target: creds.target,
      ...(creds.target === 'emulator' ? {emulatorUrl: creds.emulator!.url} : {profile: this.profileName(creds)}),
      ...(creds.target === 'twilio' ? others : {}),
      // declared resources (plan/apply) belong to the project whatever the target
      ...(others.resources ? {resources: others.resources} : {}),
      ...(setup.workspace ? {workspace: setup.workspace.sid} : {}),
      ...(setup.workflow ? {workflow: setup.workflow.sid} : {}),
      ...(setup.taskChannel ? {taskChannel: setup.taskChannel.unique_name} : {}),
      ...(setup.chatService ? {chatService: setup.chatService.sid} : {}),
      ...(address?.kind === 'kept' ? {address: address.current!.sid} : {}),
    };
    const notes: ConfigNotes = {
      accountSid: creds.accountSid,
      workspace: setup.workspace?.friendly_name,
      workflow: setup.workflow?.friendly_name,
      taskChannel: setup.taskChannel?.friendly_name,
      chatService: setup.chatService?.friendly_name,
      address: address?.kind === 'kept' ? describeAddress(address.current!) : undefined,
      profileFile: this.profiles.file,
    };
    return {config, notes};
  }

  private profileName(creds: Creds): string {
    return creds.profile ?? this.profileAnswer ?? this.o.profile ?? (this.existing.target === 'twilio' ? this.existing.profile : undefined) ?? 'default';
  }

  /** The plan in words; on a terminal, asked once (--yes skips it). */
  private async confirm(plan: Plan, config: {config: ProjectConfig}): Promise<boolean> {
    const steps = await this.planSteps(plan, config.config);
    if (!steps.length) {
      this.d.note('Everything is set up already; nothing to change');
      return true;
    }
    this.d.note(['', 'flexconv init will:', ...steps.map((s) => `  • ${s}`), ''].join('\n'));
    if (this.o.yes || !this.ask) return true;
    return this.ask.confirm('Go ahead?', {default: true});
  }

  private async planSteps(plan: Plan, config: ProjectConfig): Promise<string[]> {
    const {creds, setup, address} = plan;
    const steps: string[] = [];
    if (creds.fresh) {
      if (this.wantsKey(creds)) steps.push(`create a Standard API key on account ${creds.accountSid} (so the Auth Token is not stored)`);
      const name = this.profileName(creds);
      await this.checkProfileName(name);
      steps.push(`${this.profileExists(name) ? 'replace' : 'save'} profile ${name} (${this.profiles.file}, mode 0600)`);
    }
    if (address?.kind === 'new') {
      if (address.autoCreation === 'studio' && !address.flow)
        steps.push(`deploy the Studio flow "${STARTER_FLOW_NAME}" (Send to Flex → ${setup.workflow?.friendly_name}, channel ${setup.taskChannel?.unique_name})`);
      steps.push(`create the ${address.type} address ${address.address} (auto-creation: ${autoText(address)}${setup.chatService ? `, service ${setup.chatService.sid}` : ''})`);
    }
    if (this.configChanged(config) || address?.kind === 'new') steps.push(`${snapshotConfig(this.file) === undefined ? 'write' : 'rewrite'} ${this.file}`);
    return steps;
  }

  private wantsKey(creds: Creds): boolean {
    if (!creds.fresh || !creds.conn.authToken) return false;
    return this.createKeyAnswer ?? false;
  }

  private createKeyAnswer?: boolean;

  /** A profile name that exists already: replaced only when it is the project's, --force, or confirmed. */
  private async checkProfileName(name: string): Promise<void> {
    if (!this.profileExists(name) || this.profileNameChecked) return;
    const own = this.existing.target === 'twilio' && this.existing.profile === name;
    if (own || this.o.force) return;
    const view = this.profiles.find(name);
    if (view.source === 'twilio-cli')
      throw usageError(`"${name}" is a twilio-cli profile, which flexconv only reads`, ['pick another name with --profile NAME']);
    if (!this.ask)
      throw usageError(`A profile named "${name}" exists already (account ${view.account_sid})`, [
        `replace it with --force, or pick another name with --profile NAME`,
      ]);
    if (!(await this.ask.confirm(`Profile "${name}" exists already (account ${view.account_sid}). Replace it?`, {default: false})))
      throw new FlexconvError('CANCELLED', `Cancelled: profile "${name}" was left as it is`, {hints: ['run init again with --profile NAME for another name']});
    this.profileNameChecked = true;
  }

  private profileNameChecked = false;

  private configChanged(config: ProjectConfig): boolean {
    const before = this.existing;
    const keys = new Set([...Object.keys(before), ...Object.keys(config)]) as Set<keyof ProjectConfig>;
    return snapshotConfig(this.file) === undefined || [...keys].some((k) => before[k] !== config[k]);
  }

  private async apply(plan: Plan, cfg: {config: ProjectConfig; notes: ConfigNotes}): Promise<InitResult> {
    const {creds, setup, address} = plan;
    const journal = new Journal(this.d);
    const profilesBefore = this.profiles.snapshot();
    const configBefore = snapshotConfig(this.file);
    let interrupted = false;
    const onInt = () => {
      interrupted = true;
      this.d.note('Ctrl-C: stopping after the current step…');
    };
    process.on('SIGINT', onInt);
    const step = () => {
      if (interrupted) throw new FlexconvError('CANCELLED', 'Cancelled during setup');
    };
    let profile: InitResult['profile'] = creds.profile ? {name: creds.profile, file: this.profiles.file, action: 'kept'} : null;
    let apiKey: string | null = null;
    let flow: InitResult['studio_flow'] = address?.kind === 'new' && address.flow ? {sid: address.flow.sid, friendly_name: address.flow.friendly_name, deployed: false} : null;
    let made: AddressConfiguration | undefined;
    try {
      if (creds.fresh) {
        let conn = creds.conn;
        if (this.wantsKey(creds)) {
          const key = await createApiKey(creds.client, creds.accountSid, `flexconv init ${new Date().toISOString().slice(0, 10)}`);
          apiKey = key.sid;
          journal.remote(`created API key ${key.sid}`, `delete it in the Console (Account → API keys & tokens) or: curl -X DELETE https://api.twilio.com/2010-04-01/Accounts/${creds.accountSid}/Keys/${key.sid}.json -u ${creds.accountSid}:AUTH_TOKEN`);
          conn = {...conn, authToken: undefined, apiKey: key.sid, apiSecret: key.secret};
          step();
        }
        const name = this.profileName(creds);
        const change = await this.profiles.add({
          name,
          accountSid: conn.accountSid,
          authToken: conn.authToken,
          apiKey: conn.apiKey,
          apiSecret: conn.apiSecret,
          region: conn.region,
          edge: conn.edge,
          activate: false,
          force: true,
        });
        journal.local(`${change.action} profile ${name} in ${change.file}`);
        profile = {name, file: change.file, action: change.action === 'replaced' ? 'replaced' : 'added'};
        step();
      }
      if (address?.kind === 'new') {
        if (address.autoCreation === 'studio' && !address.flow) {
          const f = await deployStarterFlow(creds.client, setup.workflow!.sid, setup.taskChannel!.sid);
          flow = {sid: f.sid, friendly_name: f.friendly_name, deployed: true};
          journal.remote(`deployed Studio flow ${f.sid} ("${f.friendly_name}")`, `delete it in the Console (Studio → Flows), or: curl -X DELETE https://studio.twilio.com/v2/Flows/${f.sid}`);
          step();
        }
        made = await createAddress(creds.client, {
          type: address.type!,
          address: address.address!,
          friendlyName: 'flexconv init',
          autoCreation: {
            enabled: true,
            type: address.autoCreation,
            ...(setup.chatService ? {conversationServiceSid: setup.chatService.sid} : {}),
            ...(address.autoCreation === 'webhook' ? {webhookUrl: address.webhookUrl, webhookMethod: 'POST'} : {}),
            ...(address.autoCreation === 'studio' ? {studioFlowSid: flow!.sid} : {}),
          },
        });
        journal.remote(`created the ${made.type} address ${made.address} (${made.sid})`, `flexconv addresses delete ${made.sid}${creds.target === 'emulator' ? '' : ' --target twilio'}`);
        cfg.config.address = made.sid;
        cfg.notes.address = describeAddress(made);
        step();
      }
      let action: InitResult['config_action'] = 'unchanged';
      if (this.configChanged(cfg.config)) {
        writeConfig(this.file, renderConfig(cfg.config, cfg.notes));
        action = 'written';
        journal.local(`wrote ${this.file}`);
      }
      this.cleanups.length = 0; // the emulator stays: init finished
      this.changes.push(...journal.said);
      return {
        ...this.result(plan, action),
        profile,
        api_key_created: apiKey,
        studio_flow: flow,
        address: made ? addressView(made, true) : address?.kind === 'kept' ? addressView(address.current!, false) : null,
      };
    } catch (error) {
      this.profiles.restore(profilesBefore);
      restoreConfig(this.file, configBefore);
      throw journal.failure(error);
    } finally {
      process.off('SIGINT', onInt);
    }
  }

  private result(plan: Plan, action: InitResult['config_action']): InitResult {
    const {creds, setup, address} = plan;
    return {
      target: creds.target,
      account_sid: creds.accountSid,
      credentials: POWER_TEXT[creds.check.power],
      profile: creds.profile ? {name: creds.profile, file: this.profiles.file, action: 'kept'} : null,
      api_key_created: null,
      emulator: creds.emulator ?? null,
      flex: {
        configuration: Boolean(creds.check.flex),
        workspace: setup.workspace ?? null,
        workflow: setup.workflow ?? null,
        task_channel: setup.taskChannel ?? null,
        chat_service: setup.chatService ?? null,
      },
      address: address?.kind === 'kept' ? addressView(address.current!, false) : null,
      studio_flow: null,
      config_file: this.file,
      config_action: action,
      changes: this.changes,
    };
  }

  /** Asked in phase 1 (after the credentials check): create an API key with the Auth Token? */
  private async askKey(creds: Creds): Promise<void> {
    if (!creds.fresh || !creds.conn.authToken || creds.target !== 'twilio') return;
    if (this.o.createApiKey !== undefined) this.createKeyAnswer = this.o.createApiKey;
    else if (this.ask)
      this.createKeyAnswer = await this.ask.confirm('Create a Standard API key with the Auth Token, and save the key instead of the token?', {default: true});
    else this.createKeyAnswer = false;
    if (this.createKeyAnswer && creds.check.power !== 'auth-token') this.createKeyAnswer = false;
  }

  /** Asked on a terminal when --profile is not given: the name to save the new credentials under. */
  private async askProfileName(creds: Creds): Promise<void> {
    if (!creds.fresh || !this.ask || this.o.profile) return;
    this.profileAnswer = await this.ask.input('Save the credentials as profile', {
      default: this.profileName(creds),
      validate: (v) => SHAPES.name.test(v) || 'letters, digits, ".", "_" and "-" (up to 64)',
    });
  }

  private profileAnswer?: string;
}

/** What apply did so far: local changes (undone on failure) and remote ones (reported, with how to undo). */
class Journal {
  readonly said: string[] = [];
  private readonly remotes: {what: string; undo: string}[] = [];
  constructor(private readonly d: InitDeps) {}
  remote(what: string, undo: string): void {
    this.remotes.push({what, undo});
    this.said.push(what);
    this.d.changed(what[0].toUpperCase() + what.slice(1));
  }
  local(what: string): void {
    this.said.push(what);
    this.d.changed(what[0].toUpperCase() + what.slice(1));
  }
  failure(error: unknown): unknown {
    const e = error instanceof FlexconvError ? error : undefined;
    if (!this.remotes.length) {
      if (e) e.hints.push('nothing was saved: profiles.json and the project config are as they were');
      return error;
    }
    const lines = this.remotes.map((r) => `${r.what} — it stays; to undo: ${r.undo}`);
    if (e) {
      e.hints.push('profiles.json and the project config are as they were; these changes on the target stay:', ...lines);
      return e;
    }
    return error;
  }
}

interface Creds {
  target: 'emulator' | 'twilio';
  conn: Connection;
  client: TwilioClient;
  check: CredentialCheck;
  accountSid: string;
  /** New credentials (to save as a profile). */
  fresh?: boolean;
  /** An existing profile in use. */
  profile?: string;
  emulator?: {url: string; pid: number; started: boolean};
}

interface Setup {
  flex: boolean;
  workspace?: Named;
  workflow?: Named;
  taskChannel?: TaskChannel;
  chatService?: Named;
}

interface AddressPlan {
  kind: 'new' | 'kept';
  current?: AddressConfiguration;
  type?: AddressType;
  address?: string;
  autoCreation?: AutoCreationChoice;
  webhookUrl?: string;
  flow?: {sid: string; friendly_name: string};
}

interface Plan {
  creds: Creds;
  setup: Setup;
  address?: AddressPlan;
}

const secret = (v: string) => (v !== '' && !/\s/.test(v)) || 'must be non-empty, without spaces';

const findIn = (items: Named[], key: string | undefined) =>
  key ? (items.find((i) => i.sid === key) ?? items.find((i) => i.friendly_name === key) ?? items.find((i) => i.friendly_name.toLowerCase() === key.toLowerCase())) : undefined;

const listNames = (items: Named[]) => items.map((i) => `${i.friendly_name} (${i.sid})`).join(', ') || '(none)';

function describeSetup(s: Setup): string {
  return [
    s.workspace && `workspace ${s.workspace.friendly_name}`,
    s.workflow && `workflow ${s.workflow.friendly_name}`,
    s.taskChannel && `channel ${s.taskChannel.unique_name}`,
    s.chatService && `service ${s.chatService.friendly_name}`,
  ]
    .filter(Boolean)
    .join(', ');
}

function autoText(a: AddressPlan): string {
  if (a.autoCreation === 'webhook') return `webhook ${a.webhookUrl}`;
  if (a.autoCreation === 'studio') return a.flow ? `Studio flow ${a.flow.sid}` : 'the starter Studio flow';
  return 'default, no handler';
}

function describeAddress(a: AddressConfiguration): string {
  const ac = a.auto_creation;
  const how = !ac?.enabled ? 'auto-creation off' : ac.type === 'studio' ? `Studio ${ac.studio_flow_sid}` : ac.type === 'webhook' ? `webhook ${ac.webhook_url}` : 'auto-creation';
  return `${a.type} ${a.address} (${a.sid}, ${how})`;
}

function addressView(a: AddressConfiguration, created: boolean): NonNullable<InitResult['address']> {
  return {sid: a.sid, type: a.type, address: a.address, auto_creation: a.auto_creation?.type ?? 'none', created};
}

/** The project's config in `dir`, if init wrote one there (another config file there is a usage error). */
async function readExisting(dir: string): Promise<ProjectConfig> {
  const {config, filepath} = await loadProjectConfig(dir);
  if (!filepath) return {};
  const here = resolvePath(dir);
  const inDir = resolvePath(filepath, '..') === here;
  if (!inDir) return {};
  if (!/flexconv\.config\.ya?ml$/.test(filepath))
    throw usageError(`${filepath} is this project's config; flexconv init writes ${CONFIG_NAME}, which would not be read`, [
      `move ${filepath} away (or merge it into ${CONFIG_NAME} after init)`,
    ]);
  return config;
}

/** Run the wizard (see the top of this file). */
export async function runInit(o: InitOptions, d: InitDeps): Promise<InitResult> {
  return new Wizard({...o, dir: isAbsolute(o.dir) ? o.dir : resolvePath(o.dir)}, d).run();
}
