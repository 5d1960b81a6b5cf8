import {existsSync, readFileSync} from 'node:fs';
import {DEFAULT_ACCOUNT, DEFAULT_HOST, DEFAULT_PORT} from '../emulator/defaults.js';
import {FlexconvError} from '../errors.js';
import {emulatorRecordFile} from './paths.js';
import {ProfileStore, readTwilioCliProfiles, SHAPE_HINTS, SHAPES, type Profile} from './profiles.js';
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
  /** The project config's TaskRouter workspace (WS… or friendly name), if it names one. */
  workspace?: string;
  /** The project config's `resources` (declarative provisioning), unchecked: plan/apply validate it. */
  resources?: Record<string, unknown>;
  /**
   * Set when the target is Twilio only because credentials were given as flags (no --target, and
   * no credentials anywhere else): every error says so, and suggests --target emulator.
   */
  twilioByFlags?: string;
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
  /** The same, leaving the flags out: would the default target be Twilio without them? */
  const withoutFlags: Partial<Record<Field, string>> = {};
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
    withoutFlags[field] = layers.find(([v, src]) => src.from !== 'flag' && v !== undefined && v !== '')?.[0];
  }
  const complete = (v: Partial<Record<Field, string>>) =>
    Boolean(v.accountSid && (v.authToken || (v.apiKey && v.apiSecret))) || Boolean(v.apiKey && v.apiSecret);
  const hasTwilioCreds = complete(values);
  const credentialFlags = CREDENTIAL_FIELDS.filter((f) => flags[FLAG[f]]).map((f) => `--${FLAG[f]}`);

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

  let twilioByFlags: string | undefined;
  let emulatorUrl: [string, Source] | undefined;
  if (!t && target === 'twilio' && credentialFlags.length && !complete(withoutFlags)) {
    // Credentials on the command line are the only reason for Twilio. An account of the emulator
    // (its test account, or one made with POST /_emulator/accounts) means the emulator.
    const owner = await emulatorWithAccount(values.accountSid, flags, env, config, filepath);
    if (owner) {
      target = 'emulator';
      emulatorUrl = owner.url;
      sources.target = {from: 'default', detail: `account ${values.accountSid} belongs to the emulator at ${owner.url[0]}`};
    } else {
      twilioByFlags = `the target is Twilio only because of ${credentialFlags.join(', ')} (no --target given, and no running emulator has account ${values.accountSid ?? '(none)'})`;
      sources.target = {from: 'default', detail: `Twilio credentials given as flags (${credentialFlags.join(', ')}); --target emulator to use the emulator`};
    }
  }

  if (target === 'emulator') {
    // Half a pair given as flags is a mistake on the emulator too (it would quietly use its default account).
    if (credentialFlags.length) {
      const given = Object.fromEntries(CREDENTIAL_FIELDS.map((f) => [f, flags[FLAG[f]] || undefined]));
      checkPairs(given, Object.fromEntries(CREDENTIAL_FIELDS.map((f) => [f, {from: 'flag', detail: `--${FLAG[f]}`}])));
    }
    return emulatorContext(flags, env, config, filepath, sources, emulatorUrl);
  }

  if (!hasTwilioCreds) {
    const keychain =
      profileSource === 'twilio-cli' && !profile?.apiSecret && !profile?.authToken
        ? [`twilio-cli keeps the secret of profile "${profileName}" in the system keychain, which flexconv can't read: set TWILIO_API_SECRET`]
        : [];
    if (!keychain.length && CREDENTIAL_FIELDS.some((f) => values[f])) checkPairs(values, sources);
    throw new FlexconvError('NO_CREDENTIALS', `No Twilio credentials found for target twilio (${sources.target?.from} ${sources.target?.detail})`, {
      hints: [
        ...keychain,
        'add a profile with `flexconv profiles add`',
        'or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET)',
        'or use the local emulator: --target emulator',
      ],
    });
  }
  checkPairs(values, sources);
  checkRegionEdge(values, sources);
  const accountSid = values.accountSid as string; // checkPairs: there is one
  // As the SDK builds hostnames: {domain}[.{edge}][.{region}].twilio.com, region us1 when only an edge is set.
  const labels = [values.edge, values.edge && !values.region ? 'us1' : values.region].filter(Boolean);
  const base = `https://{domain}${labels.map((l) => `.${l}`).join('')}.twilio.com`;
  return {
    target,
    accountSid,
    authToken: values.authToken,
    apiKey: values.apiKey,
    apiSecret: values.apiSecret,
    region: values.region,
    edge: values.edge,
    baseUrl: base,
    profile: profileName,
    configFile: filepath,
    ...(config.workspace ? {workspace: config.workspace} : {}),
    ...(config.resources ? {resources: config.resources} : {}),
    ...(twilioByFlags ? {twilioByFlags} : {}),
    sources,
  };
}

const CREDENTIAL_FIELDS: Field[] = ['accountSid', 'authToken', 'apiKey', 'apiSecret'];

/** "flag --api-key", "env TWILIO_ACCOUNT_SID", "profile prod": where a value came from, for messages. */
const origin = (s?: Source) => (s ? (s.from === 'flag' ? s.detail : `${s.from} ${s.detail}`) : 'nowhere');

/**
 * Half a credential pair is INCOMPLETE_CREDENTIALS naming the missing half and where the other
 * half came from, as `profiles add` does, instead of "no credentials".
 */
function checkPairs(v: Partial<Record<Field, string>>, s: ResolvedContext['sources']): void {
  const fail = (message: string, hint: string) =>
    new FlexconvError('INCOMPLETE_CREDENTIALS', message, {hints: [hint, 'see which credentials won with `flexconv whoami`']});
  if (v.apiKey && !v.apiSecret)
    throw fail(`API key ${v.apiKey} (${origin(s.apiKey)}) has no secret`, 'add --api-secret (or set TWILIO_API_SECRET)');
  if (v.apiSecret && !v.apiKey)
    throw fail(`An API secret (${origin(s.apiSecret)}) but no API key`, 'add --api-key SK… (or set TWILIO_API_KEY)');
  if (!v.accountSid && (v.authToken || v.apiKey))
    throw fail(
      `${v.apiKey ? `API key ${v.apiKey} (${origin(s.apiKey)})` : `An auth token (${origin(s.authToken)})`} but no Account SID`,
      'add --account-sid AC… (or set TWILIO_ACCOUNT_SID)',
    );
  if (v.accountSid && !v.authToken && !v.apiKey)
    throw fail(
      `Account SID ${v.accountSid} (${origin(s.accountSid)}) has no auth token or API key`,
      'add --auth-token, or --api-key with --api-secret (or set TWILIO_AUTH_TOKEN)',
    );
}

/** --region/--edge (wherever they came from) as `profiles add` checks them, before a request goes to a host that can't exist. */
function checkRegionEdge(v: Partial<Record<Field, string>>, s: ResolvedContext['sources']): void {
  const bad = (['region', 'edge'] as const).flatMap((f) =>
    v[f] !== undefined && !SHAPES[f].test(v[f]!)
      ? [`${s[f]?.from === 'flag' ? `--${f}` : f} "${v[f]!.slice(0, 40)}"${s[f]?.from === 'flag' ? '' : ` (${origin(s[f])})`}: ${SHAPE_HINTS[f]}`]
      : [],
  );
  if (bad.length)
    throw new FlexconvError('BAD_CREDENTIALS', `Invalid ${bad.length === 1 ? 'value' : 'values'}: ${bad.join('; ')}`, {
      hints: ['Twilio regions and edges: https://www.twilio.com/docs/global-infrastructure/edge-locations'],
    });
}

/**
 * The emulator that has account `sid`, if one is running: the emulator named by --emulator-url,
 * FLEXCONV_EMULATOR_URL or the project config, else the one `emulator start` recorded. Its own
 * record answers for its test account; otherwise its health endpoint lists every account (a
 * quick loopback request, made only when credential flags would otherwise select Twilio).
 */
async function emulatorWithAccount(
  sid: string | undefined,
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  config: ProjectConfig,
  filepath: string | undefined,
): Promise<{url: [string, Source]} | undefined> {
  if (!sid) return undefined;
  const record = readEmulatorRecord(env);
  const named: [string | undefined, Source][] = [
    [flags['emulator-url'], {from: 'flag', detail: '--emulator-url'}],
    [env.FLEXCONV_EMULATOR_URL, {from: 'env', detail: 'FLEXCONV_EMULATOR_URL'}],
    [config.emulatorUrl, {from: 'config', detail: filepath ?? 'project config'}],
    [record?.url, {from: 'emulator', detail: 'recorded by `flexconv emulator start`'}],
  ];
  const hit = named.find(([v]) => v);
  if (!hit) return undefined;
  const url = hit[0]!.replace(/\/+$/, '');
  if (record && record.url.replace(/\/+$/, '') === url && record.accountSid === sid) return {url: [url, hit[1]]};
  const accounts = await healthAccounts(url);
  return accounts?.includes(sid) ? {url: [url, hit[1]]} : undefined;
}

/** GET {url}/_emulator/health → its account SIDs; undefined when nothing (or no emulator) answers within a second. */
async function healthAccounts(url: string): Promise<string[] | undefined> {
  if (!/^http:\/\//.test(url)) return undefined;
  // getBuiltinModule, not import(): this also runs inside the start-up bundle (src/fast), where import() of a built-in is not available
  const {get} = process.getBuiltinModule('node:http');
  return new Promise((resolve) => {
    const req = get(`${url}/_emulator/health`, {timeout: 1000}, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d.length + body.length > 1e6 ? '' : d));
      res.on('end', () => {
        try {
          const accounts = (JSON.parse(body) as {accounts?: unknown}).accounts;
          resolve(res.statusCode === 200 && Array.isArray(accounts) ? accounts.filter((a): a is string => typeof a === 'string') : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
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
  known?: [string, Source],
): ResolvedContext {
  const record = readEmulatorRecord(env);
  const urlLayers: [string | undefined, Source][] = [
    ...(known ? [known] : []),
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
  // Each credential names its own source (the token is not "from --account-sid").
  const one = (src: Source): Record<'accountSid' | 'authToken' | 'apiKey' | 'apiSecret', Source> => ({accountSid: src, authToken: src, apiKey: src, apiSecret: src});
  let src = one({from: 'default', detail: 'emulator default test account'});
  if (flags['account-sid'] && (flags['auth-token'] || (flags['api-key'] && flags['api-secret']))) {
    accountSid = flags['account-sid'];
    authToken = flags['auth-token'];
    apiKey = flags['api-key'];
    apiSecret = flags['api-secret'];
    const flag = (f: keyof TargetFlags): Source => ({from: 'flag', detail: `--${f}`});
    src = {accountSid: flag('account-sid'), authToken: flag('auth-token'), apiKey: flag('api-key'), apiSecret: flag('api-secret')};
  } else if (env.FLEXCONV_EMULATOR_ACCOUNT_SID && env.FLEXCONV_EMULATOR_AUTH_TOKEN) {
    accountSid = env.FLEXCONV_EMULATOR_ACCOUNT_SID;
    authToken = env.FLEXCONV_EMULATOR_AUTH_TOKEN;
    src = {...one({from: 'env', detail: 'FLEXCONV_EMULATOR_ACCOUNT_SID'}), authToken: {from: 'env', detail: 'FLEXCONV_EMULATOR_AUTH_TOKEN'}};
  } else if (sameEmulator) {
    accountSid = sameEmulator.accountSid;
    authToken = sameEmulator.authToken;
    src = one({from: 'emulator', detail: 'recorded by `flexconv emulator start`'});
  }
  // Only what the emulator target uses is reported: TWILIO_*, profiles and region/edge don't apply here.
  const used: ResolvedContext['sources'] = {target: sources.target, baseUrl: urlSource, accountSid: src.accountSid};
  if (apiKey && apiSecret) {
    used.apiKey = src.apiKey;
    used.apiSecret = src.apiSecret;
  } else used.authToken = src.authToken;
  return {target: 'emulator', accountSid, authToken, apiKey, apiSecret, baseUrl, configFile: filepath, ...(config.workspace ? {workspace: config.workspace} : {}), ...(config.resources ? {resources: config.resources} : {}), sources: used};
}
