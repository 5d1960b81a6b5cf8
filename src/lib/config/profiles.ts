import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {dirname} from 'node:path';
import {FlexconvError} from '../errors.js';
import {readJsonFile} from './json.js';
import {profilesFile, twilioCliConfigFile} from './paths.js';

export interface Profile {
  accountSid: string;
  authToken?: string;
  apiKey?: string;
  apiSecret?: string;
  region?: string;
  edge?: string;
}

export interface ProfilesFile {
  /** The active profile: one of `profiles`, or the name of a twilio-cli profile. */
  active?: string;
  profiles: Record<string, Profile>;
}

export interface ListedProfile extends Profile {
  name: string;
  active: boolean;
  source: 'flexconv' | 'twilio-cli';
}

/** Where warnings of the config layer go: the command base points it at its renderer (stderr, `! …`, --json too). */
let warnSink: (message: string) => void = (m) => process.stderr.write(`! ${m}\n`);
export function onConfigWarning(sink: (message: string) => void): void {
  warnSink = sink;
}
const warned = new Set<string>();

/**
 * profiles.json holds secrets: when group or others may read (or write) it, warn — once per file
 * and run, as ssh does for a private key — with the chmod that fixes it. Not on Windows (no modes).
 */
function checkMode(path: string): void {
  if (process.platform === 'win32' || warned.has(path)) return;
  const mode = statSync(path, {throwIfNoEntry: false})?.mode;
  if (mode === undefined || (mode & 0o077) === 0) return;
  warned.add(path);
  warnSink(
    `Permissions ${(mode & 0o777).toString(8).padStart(4, '0')} for ${path} are too open: it holds credentials, and other users can read it. Fix it with \`chmod 600 ${path}\``,
  );
}

const PROFILE_KEYS: (keyof Profile)[] = ['accountSid', 'authToken', 'apiKey', 'apiSecret', 'region', 'edge'];

/** flexconv's own profiles, in the user config dir, written with mode 0600. */
export class ProfileStore {
  readonly path: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.path = profilesFile(env);
  }

  load(): ProfilesFile {
    if (!existsSync(this.path)) return {profiles: {}};
    checkMode(this.path);
    const data = readJsonFile(this.path);
    const invalid = (what: string) =>
      new FlexconvError('CONFIG_INVALID', `${this.path}: ${what}`, {
        hints: [`fix ${this.path}, or move it away and add profiles again with \`flexconv profiles add\``],
      });
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid('must hold an object');
    const {active, profiles = {}} = data as {active?: unknown; profiles?: unknown};
    if (active !== undefined && active !== null && typeof active !== 'string') throw invalid('"active" must be a profile name');
    if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles))
      throw invalid('"profiles" must be an object of name → profile');
    for (const [name, p] of Object.entries(profiles as Record<string, unknown>)) {
      if (typeof p !== 'object' || p === null || Array.isArray(p)) throw invalid(`profile "${name}" must be an object`);
      for (const k of PROFILE_KEYS) {
        const v = (p as Record<string, unknown>)[k];
        if (v !== undefined && typeof v !== 'string') throw invalid(`profile "${name}": "${k}" must be a string`);
      }
    }
    return {active: (active as string | null) ?? undefined, profiles: profiles as Record<string, Profile>};
  }

  /** Atomic replace (temp file + rename); the file is 0600 and its directory 0700 when created. */
  save(data: ProfilesFile): void {
    mkdirSync(dirname(this.path), {recursive: true, mode: 0o700});
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', {mode: 0o600});
      chmodSync(tmp, 0o600);
      renameSync(tmp, this.path);
    } catch (error) {
      rmSync(tmp, {force: true});
      throw error;
    }
  }
}

/**
 * twilio-cli's profiles (read-only), from its config.json: `profiles` {name: {accountSid, apiKey,
 * apiSecret, region, edge}} and `activeProject`, plus the legacy `projects` [{id, accountSid,
 * region}] whose secrets twilio-cli kept in the system keychain (listed, but without a secret).
 * A top-level `edge` applies to profiles that don't set one. An unreadable file counts as empty:
 * it belongs to another tool.
 */
export function readTwilioCliProfiles(env: NodeJS.ProcessEnv = process.env): {
  active?: string;
  profiles: Record<string, Profile>;
  path: string;
} {
  const path = twilioCliConfigFile(env);
  if (!existsSync(path)) return {profiles: {}, path};
  let data: {
    activeProject?: unknown;
    edge?: unknown;
    profiles?: Record<string, Record<string, unknown>>;
    projects?: {id?: unknown; accountSid?: unknown; region?: unknown}[];
  };
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {profiles: {}, path};
  }
  if (typeof data !== 'object' || data === null) return {profiles: {}, path};
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const edge = str(data.edge);
  const profiles: Record<string, Profile> = {};
  if (Array.isArray(data.projects))
    for (const p of data.projects) {
      const id = str(p?.id);
      const accountSid = str(p?.accountSid);
      if (id && accountSid) profiles[id] = clean({accountSid, region: str(p.region), edge});
    }
  if (data.profiles && typeof data.profiles === 'object' && !Array.isArray(data.profiles))
    for (const [id, p] of Object.entries(data.profiles)) {
      const accountSid = str(p?.accountSid);
      if (!accountSid) continue;
      profiles[id] = clean({
        accountSid,
        apiKey: str(p.apiKey),
        apiSecret: str(p.apiSecret),
        region: str(p.region),
        edge: str(p.edge) ?? edge,
      });
    }
  return {active: str(data.activeProject), profiles, path};
}

function clean(p: Profile): Profile {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as unknown as Profile;
}

/** flexconv's profiles, then twilio-cli's (a flexconv profile of the same name hides the twilio-cli one). */
export function listProfiles(env: NodeJS.ProcessEnv = process.env): ListedProfile[] {
  const own = new ProfileStore(env).load();
  const cli = readTwilioCliProfiles(env);
  const out: ListedProfile[] = Object.entries(own.profiles).map(([name, p]) => ({
    ...p,
    name,
    active: own.active === name,
    source: 'flexconv',
  }));
  for (const [name, p] of Object.entries(cli.profiles))
    if (!own.profiles[name]) out.push({...p, name, active: own.active === name, source: 'twilio-cli'});
  return out;
}

/** Shapes checked when a profile is added. */
export const SHAPES = {
  name: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  accountSid: /^AC[0-9a-fA-F]{32}$/,
  apiKey: /^SK[0-9a-fA-F]{32}$/,
  region: /^[a-z]{2}[0-9]$/,
  edge: /^[a-z][a-z0-9-]{1,30}$/,
} as const;

/** What a value of each shape looks like, for messages (`profiles add` and every API command). */
export const SHAPE_HINTS = {
  accountSid: 'an Account SID is AC followed by 32 hex characters',
  apiKey: 'an API key SID is SK followed by 32 hex characters',
  region: 'a region is like us1, ie1 or au1',
  edge: 'an edge is like ashburn, dublin or sydney',
} as const;
