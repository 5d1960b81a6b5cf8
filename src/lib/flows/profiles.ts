import {existsSync, readFileSync, rmSync} from 'node:fs';
import {resolveContext, type ResolvedContext} from '../config/resolve.js';
import {ProfileStore, SHAPE_HINTS, SHAPES, listProfiles, type ListedProfile, type Profile} from '../config/profiles.js';
import {FlexconvError, usageError} from '../errors.js';
import {mask} from '../render/index.js';

/** A profile as shown to users (`profiles list --json` and the other commands): secrets masked. */
export interface ProfileView {
  name: string;
  account_sid: string;
  auth_kind: 'auth-token' | 'api-key' | 'none';
  api_key?: string;
  /** The auth token or API secret, all but the last 4 characters masked; "" when the file holds none. */
  secret: string;
  region?: string;
  edge?: string;
  active: boolean;
  source: 'flexconv' | 'twilio-cli';
}

export interface ProfileChange {
  action: 'added' | 'replaced' | 'activated' | 'removed' | 'would-remove' | 'kept';
  profile: ProfileView;
  /** The active profile afterwards (null when none is). */
  active_profile: string | null;
  file: string;
}

/** `profiles use --none`: no profile is active any more. */
export interface ProfileDeactivation {
  action: 'deactivated';
  /** The profile that was active until now (null when none was). */
  profile: ProfileView | null;
  active_profile: null;
  file: string;
}

export interface AddProfileOptions {
  name: string;
  accountSid?: string;
  authToken?: string;
  apiKey?: string;
  apiSecret?: string;
  region?: string;
  edge?: string;
  /** true/false from --activate/--no-activate; undefined: activate when it is the first profile. */
  activate?: boolean;
  force?: boolean;
}

/** Asks for missing values on a terminal. `inquirerPrompter()` is the real one; tests pass their own. */
export interface Prompter {
  input(message: string, validate: (v: string) => true | string): Promise<string>;
  password(message: string, validate: (v: string) => true | string): Promise<string>;
  select<V extends string>(message: string, choices: {name: string; value: V}[]): Promise<V>;
}

export function toProfileView(p: ListedProfile): ProfileView {
  const kind = p.apiKey ? 'api-key' : p.authToken ? 'auth-token' : 'none';
  return {
    name: p.name,
    account_sid: p.accountSid,
    auth_kind: kind,
    ...(p.apiKey ? {api_key: p.apiKey} : {}),
    secret: mask(kind === 'api-key' ? p.apiSecret : p.authToken),
    ...(p.region ? {region: p.region} : {}),
    ...(p.edge ? {edge: p.edge} : {}),
    active: p.active,
    source: p.source,
  };
}

const shapeCheck = {
  accountSid: (v: string) => SHAPES.accountSid.test(v) || SHAPE_HINTS.accountSid,
  apiKey: (v: string) => SHAPES.apiKey.test(v) || SHAPE_HINTS.apiKey,
  secret: (v: string) => (v !== '' && !/\s/.test(v)) || 'must be non-empty, without spaces',
  region: (v: string) => SHAPES.region.test(v) || SHAPE_HINTS.region,
  edge: (v: string) => SHAPES.edge.test(v) || SHAPE_HINTS.edge,
};

/**
 * Credential profiles: flexconv's own file (read-write, mode 0600) and twilio-cli's (read-only).
 * Takes the environment to find the files (FLEXCONV_CONFIG_DIR, TWILIO_CLI_CONFIG_DIR); reads no
 * flags and writes no output.
 */
export class ProfilesService {
  private readonly store: ProfileStore;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    this.store = new ProfileStore(env);
  }

  get file(): string {
    return this.store.path;
  }

  list(): ProfileView[] {
    return listProfiles(this.env).map(toProfileView);
  }

  /**
   * Add (or with `force` replace) a profile. Missing values are asked through `prompter` when one
   * is given (a terminal); without one they are a usage error naming the missing flags.
   */
  async add(opts: AddProfileOptions, prompter?: Prompter): Promise<ProfileChange> {
    const name = opts.name.trim();
    if (!SHAPES.name.test(name))
      throw usageError(`Invalid profile name "${opts.name}": use letters, digits, ".", "_" and "-" (up to 64)`);
    const data = this.store.load();
    const exists = Boolean(data.profiles[name]);
    if (exists && !opts.force)
      throw usageError(`A profile named "${name}" already exists`, [
        `replace it with \`flexconv profiles add ${name} --force\``,
        `or pick another name; see \`flexconv profiles list\``,
      ]);

    const v = {
      accountSid: opts.accountSid?.trim() || undefined,
      authToken: opts.authToken?.trim() || undefined,
      apiKey: opts.apiKey?.trim() || undefined,
      apiSecret: opts.apiSecret?.trim() || undefined,
      region: opts.region?.trim() || undefined,
      edge: opts.edge?.trim() || undefined,
    };
    if (v.authToken && (v.apiKey || v.apiSecret))
      throw usageError('Give either --auth-token or --api-key with --api-secret, not both', [
        'API keys are the recommended way to authenticate: https://www.twilio.com/docs/iam/api-keys',
      ]);

    if (prompter) await this.ask(v, prompter);
    const missing: string[] = [];
    if (!v.accountSid) missing.push('--account-sid');
    if (v.apiKey && !v.apiSecret) missing.push('--api-secret');
    else if (v.apiSecret && !v.apiKey) missing.push('--api-key');
    else if (!v.authToken && !v.apiKey) missing.push('--auth-token (or --api-key and --api-secret)');
    if (missing.length)
      throw usageError(`Missing ${missing.join(', ')}: stdin is not a terminal, so nothing can be asked`, [
        `flexconv profiles add ${name} --account-sid AC… --api-key SK… --api-secret …`,
        `or: flexconv profiles add ${name} --account-sid AC… --auth-token …`,
      ]);

    const bad: string[] = [];
    const check = (flag: string, value: string | undefined, fn: (v: string) => true | string, secret = false) => {
      if (value === undefined) return;
      const r = fn(value);
      if (r !== true) bad.push(`--${flag}${secret ? '' : ` "${value.slice(0, 40)}"`}: ${r}`);
    };
    check('account-sid', v.accountSid, shapeCheck.accountSid);
    check('api-key', v.apiKey, shapeCheck.apiKey);
    check('auth-token', v.authToken, shapeCheck.secret, true);
    check('api-secret', v.apiSecret, shapeCheck.secret, true);
    check('region', v.region, shapeCheck.region);
    check('edge', v.edge, shapeCheck.edge);
    if (bad.length) throw usageError(`Invalid ${bad.length === 1 ? 'value' : 'values'}: ${bad.join('; ')}`);

    const profile = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as unknown as Profile;
    const first = Object.keys(data.profiles).filter((n) => n !== name).length === 0 && !data.active;
    const activate = opts.activate ?? (first || data.active === name);
    data.profiles[name] = profile;
    if (activate) data.active = name;
    else if (data.active === name) data.active = undefined;
    this.store.save(data);
    return this.change(exists ? 'replaced' : 'added', name, data.active);
  }

  /** Make NAME (a flexconv or twilio-cli profile) the active one. */
  use(nameArg: string): ProfileChange {
    const name = nameArg.trim();
    const found = this.find(name);
    const data = this.store.load();
    data.active = found.name;
    this.store.save(data);
    return this.change('activated', name, name);
  }

  /**
   * No active profile (`profiles use --none`): commands then take credentials only from flags,
   * env and the project config, and default to the emulator without them. Idempotent.
   */
  deactivate(): ProfileDeactivation {
    const data = this.store.load();
    const was = data.active ? this.list().find((p) => p.name === data.active) : undefined;
    if (data.active !== undefined) {
      data.active = undefined;
      this.store.save(data);
    }
    return {action: 'deactivated', profile: was ? {...was, active: false} : null, active_profile: null, file: this.file};
  }

  /** The file as it is now (undefined: there is none), for restore(): a wizard that stops puts it back. */
  snapshot(): string | undefined {
    return existsSync(this.file) ? readFileSync(this.file, 'utf8') : undefined;
  }

  /** Put profiles.json back as snapshot() read it (remove it when there was none). */
  restore(before: string | undefined): void {
    if (before === undefined) rmSync(this.file, {force: true});
    else this.store.save(JSON.parse(before));
  }

  /** Look NAME up for `remove`: unknown → PROFILE_NOT_FOUND, twilio-cli's → PROFILE_READ_ONLY. */
  removable(nameArg: string): ProfileView {
    const found = this.find(nameArg.trim());
    if (found.source === 'twilio-cli')
      throw new FlexconvError('PROFILE_READ_ONLY', `"${found.name}" is a twilio-cli profile; flexconv only reads those`, {
        hints: [`remove it with twilio-cli: \`twilio profiles:remove ${found.name}\``],
      });
    return found;
  }

  remove(nameArg: string, opts: {dryRun?: boolean} = {}): ProfileChange {
    const view = this.removable(nameArg);
    const data = this.store.load();
    if (opts.dryRun) return {action: 'would-remove', profile: view, active_profile: data.active ?? null, file: this.file};
    delete data.profiles[view.name];
    if (data.active === view.name) data.active = undefined;
    this.store.save(data);
    return {action: 'removed', profile: {...view, active: false}, active_profile: data.active ?? null, file: this.file};
  }

  /** The answer when a removal was declined: nothing changed. */
  kept(view: ProfileView): ProfileChange {
    return {action: 'kept', profile: view, active_profile: this.store.load().active ?? null, file: this.file};
  }

  /** A profile by name (flexconv's first), or PROFILE_NOT_FOUND with the known names as a hint. */
  find(name: string): ProfileView {
    const all = this.list();
    const hit = all.find((p) => p.name === name);
    if (hit) return hit;
    const known = all.map((p) => (p.source === 'twilio-cli' ? `${p.name} (twilio-cli)` : p.name));
    throw new FlexconvError('PROFILE_NOT_FOUND', `No profile named "${name}"`, {
      hints: known.length ? [`known profiles: ${known.join(', ')}`] : ['add one with `flexconv profiles add NAME`'],
    });
  }

  private change(action: ProfileChange['action'], name: string, active: string | undefined): ProfileChange {
    return {action, profile: this.find(name), active_profile: active ?? null, file: this.file};
  }

  private async ask(
    v: {accountSid?: string; authToken?: string; apiKey?: string; apiSecret?: string},
    p: Prompter,
  ): Promise<void> {
    v.accountSid ??= (await p.input('Account SID (AC…)', shapeCheck.accountSid)).trim();
    if (!v.authToken && !v.apiKey && !v.apiSecret) {
      const kind = await p.select('Authenticate with', [
        {name: 'API key and secret (recommended)', value: 'api-key'},
        {name: 'Auth Token', value: 'auth-token'},
      ]);
      if (kind === 'auth-token') v.authToken = (await p.password('Auth Token', shapeCheck.secret)).trim();
    }
    if (!v.authToken) {
      v.apiKey ??= (await p.input('API key SID (SK…)', shapeCheck.apiKey)).trim();
      v.apiSecret ??= (await p.password('API key secret', shapeCheck.secret)).trim();
    }
  }
}

/**
 * Where a command without --target/--profile flags would go now (after a profile change), or
 * undefined when that can't be resolved (e.g. a broken project config: the next command says so).
 */
export async function defaultTarget(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<ResolvedContext | undefined> {
  try {
    return await resolveContext({}, env, cwd);
  } catch {
    return undefined;
  }
}

/**
 * The terminal prompter: @inquirer/prompts, loaded only when something must be asked, writing to
 * stderr so stdout stays clean. Ctrl-C becomes a CANCELLED error instead of a stack trace.
 */
export function inquirerPrompter(output: NodeJS.WritableStream = process.stderr): Prompter {
  const ctx = {output};
  const cancelled = (error: unknown): never => {
    if ((error as Error)?.name === 'ExitPromptError' || (error as Error)?.name === 'AbortPromptError')
      throw new FlexconvError('CANCELLED', 'Cancelled; nothing was saved', {cause: error});
    throw error;
  };
  return {
    async input(message, validate) {
      const {input} = await import('@inquirer/prompts');
      return input({message, validate: (s) => validate(s.trim())}, ctx).catch(cancelled);
    },
    async password(message, validate) {
      const {password} = await import('@inquirer/prompts');
      return password({message, mask: '*', validate: (s) => validate(s.trim())}, ctx).catch(cancelled);
    },
    async select(message, choices) {
      const {select} = await import('@inquirer/prompts');
      return select({message, choices}, ctx).catch(cancelled);
    },
  };
}

