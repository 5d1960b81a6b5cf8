import {existsSync, readFileSync} from 'node:fs';
import {DEFAULT_ACCOUNT, DEFAULT_HOST, DEFAULT_PORT} from '../emulator/defaults.js';
import {FlexconvError} from '../errors.js';
import {emulatorRecordFile} from './paths.js';
import {ProfileStore, readTwilioCliProfiles, type Profile} from './profiles.js';
import {loadProjectConfig, type ProjectConfig} from './project.js';

export type Target = 'emulator' | 'twilio';

/**
 * Where a setting came from, for `whoami` and DEBUG output. whoami shows it as one phrase:
 * "flag --account-sid", "env TWILIO_AUTH_TOKEN", "config <file>", "profile prod",
 * "twilio-cli prod", "default: <why>", and for `emulator` the detail alone ("recorded by …").
 */
export interface Source {
  from: 'flag' | 'env' | 'config' | 'profile' | 'twilio-cli' | 'emulator' | 'default';
  /** The flag, variable, file or profile name; for `default`, why; for `emulator`, a phrase on its own. */
  detail: string;
}

export interface TargetFlags {
  target?: string;
  profile?: string;
  'emulator-url'?: string;
  'account-sid'?: string;
  'auth-token'?: string;
  'api-key'?: string;
  'api-secret'?: string;
  region?: string;
  edge?: string;
}

export interface ResolvedContext {
  target: Target;
  accountSid: string;
  authToken?: string;
  apiKey?: string;
  apiSecret?: string;
  region?: string;
  edge?: string;
  /** Emulator base URL, or Twilio's URL pattern. */
  baseUrl: string;
  profile?: string;
  configFile?: string;
  sources: Partial<Record<'target' | 'accountSid' | 'authToken' | 'apiKey' | 'apiSecret' | 'region' | 'edge' | 'baseUrl', Source>>;
}

export interface EmulatorRecord {
  pid: number;
  url: string;
  port: number;
  host: string;
  db: string;
  accountSid: string;
  authToken: string;
  apiKey?: string;
  apiSecret?: string;
  startedAt: string;
}

export function readEmulatorRecord(env: NodeJS.ProcessEnv = process.env): EmulatorRecord | undefined {
  const file = emulatorRecordFile(env);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as EmulatorRecord;
  } catch {
    return undefined;
  }
}

type Field = 'accountSid' | 'authToken' | 'apiKey' | 'apiSecret' | 'region' | 'edge';
const FLAG: Record<Field, keyof TargetFlags> = {
  accountSid: 'account-sid',
  authToken: 'auth-token',
  apiKey: 'api-key',
  apiSecret: 'api-secret',
  region: 'region',
  edge: 'edge',
};
const ENV: Record<Field, string> = {
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  apiKey: 'TWILIO_API_KEY',
  apiSecret: 'TWILIO_API_SECRET',
  region: 'TWILIO_REGION',
  edge: 'TWILIO_EDGE',
};

/**
 * Resolve target and credentials in one place. Precedence: flags > environment > project
 * config > profile (--profile / FLEXCONV_PROFILE / config "profile" / the active profile).
 * The target defaults to `emulator` when no Twilio credentials are found.
 */
export async function resolveContext(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<ResolvedContext> {
  const {config, filepath} = await loadProjectConfig(cwd);
  const {profile, profileName, profileSource} = pickProfile(flags, env, config);

  const sources: ResolvedContext['sources'] = {};
  const values: Partial<Record<Field, string>> = {};
  for (const field of Object.keys(FLAG) as Field[]) {
    const fromProfile: [string | undefined, Source] = [
      profile?.[field],
      {from: profileSource === 'twilio-cli' ? 'twilio-cli' : 'profile', detail: profileName ?? ''},
    ];
    // A profile named with --profile is a flag: it beats the environment and the project config.
    const layers: [string | undefined, Source][] = [
      [flags[FLAG[field]], {from: 'flag', detail: `--${FLAG[field]}`}],
      ...(flags.profile ? [fromProfile] : []),
      [env[ENV[field]], {from: 'env', detail: ENV[field]}],
      [config[field], {from: 'config', detail: filepath ?? 'project config'}],
      ...(flags.profile ? [] : [fromProfile]),
    ];
    const hit = layers.find(([v]) => v !== undefined && v !== '');
    if (hit) {
      values[field] = hit[0];
      sources[field] = hit[1];
    }
  }
  const hasTwilioCreds = Boolean(values.accountSid && (values.authToken || (values.apiKey && values.apiSecret))) ||
    Boolean(values.apiKey && values.apiSecret);

  let target: Target;
  const targetLayers: [string | undefined, Source][] = [
    [flags.target, {from: 'flag', detail: '--target'}],
    [env.FLEXCONV_TARGET, {from: 'env', detail: 'FLEXCONV_TARGET'}],
    [config.target, {from: 'config', detail: filepath ?? 'project config'}],
  ];
  const t = targetLayers.find(([v]) => v);
  if (t) {
    if (t[0] !== 'emulator' && t[0] !== 'twilio')
      throw new FlexconvError('USAGE', `${t[1].detail}: target must be emulator or twilio, not "${t[0]}"`);
    target = t[0];
    sources.target = t[1];
  } else {
    target = hasTwilioCreds ? 'twilio' : 'emulator';
    sources.target = {from: 'default', detail: hasTwilioCreds ? 'Twilio credentials found' : 'no Twilio credentials found'};
  }

  if (target === 'emulator') return emulatorContext(flags, env, config, filepath, sources);

  if (!hasTwilioCreds) {
    const keychain =
      profileSource === 'twilio-cli' && !profile?.apiSecret && !profile?.authToken
        ? [`twilio-cli keeps the secret of profile "${profileName}" in the system keychain, which flexconv can't read: set TWILIO_API_SECRET`]
        : [];
    throw new FlexconvError('NO_CREDENTIALS', `No Twilio credentials found for target twilio (${sources.target?.from} ${sources.target?.detail})`, {
      hints: [
        ...keychain,
        'add a profile with `flexconv profiles add`',
        'or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET)',
        'or use the local emulator: --target emulator',
      ],
    });
  }
  if (!values.accountSid) {
    throw new FlexconvError('NO_CREDENTIALS', 'An API key needs an Account SID too', {
      hints: ['set TWILIO_ACCOUNT_SID, --account-sid, or accountSid in the profile'],
    });
  }
  // As the SDK builds hostnames: {domain}[.{edge}][.{region}].twilio.com, region us1 when only an edge is set.
  const labels = [values.edge, values.edge && !values.region ? 'us1' : values.region].filter(Boolean);
  const base = `https://{domain}${labels.map((l) => `.${l}`).join('')}.twilio.com`;
  return {
    target,
    accountSid: values.accountSid,
    authToken: values.authToken,
    apiKey: values.apiKey,
    apiSecret: values.apiSecret,
    region: values.region,
    edge: values.edge,
    baseUrl: base,
    profile: profileName,
    configFile: filepath,
    sources,
  };
}

function pickProfile(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  config: ProjectConfig,
): {profile?: Profile; profileName?: string; profileSource?: 'flexconv' | 'twilio-cli'} {
  const own = new ProfileStore(env).load();
  // Empty values (FLEXCONV_PROFILE= in a CI file) count as unset.
  const named = flags.profile || env.FLEXCONV_PROFILE || config.profile;
  const find = (name: string) => {
    if (own.profiles[name]) return {profile: own.profiles[name], profileName: name, profileSource: 'flexconv' as const};
    const cli = readTwilioCliProfiles(env);
    if (cli.profiles[name]) return {profile: cli.profiles[name], profileName: name, profileSource: 'twilio-cli' as const};
    return undefined;
  };
  if (named) {
    const hit = find(named);
    if (hit) return hit;
    const known = [...new Set(Object.keys(own.profiles).concat(Object.keys(readTwilioCliProfiles(env).profiles)))];
    const via = flags.profile ? '--profile' : env.FLEXCONV_PROFILE ? 'FLEXCONV_PROFILE' : 'the project config "profile"';
    throw new FlexconvError('PROFILE_NOT_FOUND', `No profile named "${named}" (from ${via})`, {
      hints: known.length ? [`known profiles: ${known.join(', ')}`] : ['add one with `flexconv profiles add NAME`'],
    });
  }
  // The active profile: a flexconv profile, or a twilio-cli one chosen with `flexconv profiles use`.
  // One that has gone away since is ignored, as if none were active.
  return (own.active && find(own.active)) || {};
}

function emulatorContext(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  config: ProjectConfig,
  filepath: string | undefined,
  sources: ResolvedContext['sources'],
): ResolvedContext {
  const record = readEmulatorRecord(env);
  const urlLayers: [string | undefined, Source][] = [
    [flags['emulator-url'], {from: 'flag', detail: '--emulator-url'}],
    [env.FLEXCONV_EMULATOR_URL, {from: 'env', detail: 'FLEXCONV_EMULATOR_URL'}],
    [config.emulatorUrl, {from: 'config', detail: filepath ?? 'project config'}],
    [record?.url, {from: 'emulator', detail: 'recorded by `flexconv emulator start`'}],
    [`http://${DEFAULT_HOST}:${DEFAULT_PORT}`, {from: 'default', detail: 'no emulator URL given or recorded'}],
  ];
  const [url, urlSource] = urlLayers.find(([v]) => v) as [string, Source];
  const baseUrl = url.replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl))
    throw new FlexconvError('USAGE', `${urlSource.detail}: "${url}" is not an http(s) URL`);

  // Emulator accounts: explicit flags, FLEXCONV_EMULATOR_* env, the running emulator's record, the default.
  const sameEmulator = record && record.url.replace(/\/+$/, '') === baseUrl ? record : undefined;
  let accountSid = DEFAULT_ACCOUNT.accountSid;
  let authToken: string | undefined = DEFAULT_ACCOUNT.authToken;
  let apiKey: string | undefined;
  let apiSecret: string | undefined;
  let src: Source = {from: 'default', detail: 'emulator default test account'};
  if (flags['account-sid'] && (flags['auth-token'] || (flags['api-key'] && flags['api-secret']))) {
    accountSid = flags['account-sid'];
    authToken = flags['auth-token'];
    apiKey = flags['api-key'];
    apiSecret = flags['api-secret'];
    src = {from: 'flag', detail: '--account-sid'};
  } else if (env.FLEXCONV_EMULATOR_ACCOUNT_SID && env.FLEXCONV_EMULATOR_AUTH_TOKEN) {
    accountSid = env.FLEXCONV_EMULATOR_ACCOUNT_SID;
    authToken = env.FLEXCONV_EMULATOR_AUTH_TOKEN;
    src = {from: 'env', detail: 'FLEXCONV_EMULATOR_ACCOUNT_SID'};
  } else if (sameEmulator) {
    accountSid = sameEmulator.accountSid;
    authToken = sameEmulator.authToken;
    src = {from: 'emulator', detail: 'recorded by `flexconv emulator start`'};
  }
  // Only what the emulator target uses is reported: TWILIO_*, profiles and region/edge don't apply here.
  const used: ResolvedContext['sources'] = {target: sources.target, baseUrl: urlSource, accountSid: src};
  if (apiKey && apiSecret) {
    used.apiKey = src;
    used.apiSecret = src;
  } else used.authToken = src;
  return {target: 'emulator', accountSid, authToken, apiKey, apiSecret, baseUrl, configFile: filepath, sources: used};
}
