import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {dirname} from 'node:path';
import {FlexconvError} from '../errors.js';
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
  active?: string;
  profiles: Record<string, Profile>;
}

export interface ListedProfile extends Profile {
  name: string;
  active: boolean;
  source: 'flexconv' | 'twilio-cli';
}

function readJson(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FlexconvError('CONFIG_INVALID', `${path} is not valid JSON: ${(error as Error).message}`, {
      hints: [`fix or remove ${path}`],
      cause: error,
    });
  }
}

/** flexconv's own profiles, in the user config dir, written with mode 0600. */
export class ProfileStore {
  readonly path: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.path = profilesFile(env);
  }

  load(): ProfilesFile {
    if (!existsSync(this.path)) return {profiles: {}};
    const data = readJson(this.path) as Partial<ProfilesFile>;
    return {active: data.active, profiles: data.profiles ?? {}};
  }

  save(data: ProfilesFile): void {
    mkdirSync(dirname(this.path), {recursive: true, mode: 0o700});
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', {mode: 0o600});
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}

/** twilio-cli's profiles (read-only): {profiles: {name: {accountSid, apiKey, apiSecret?, region?, edge?}}, activeProject}. */
export function readTwilioCliProfiles(env: NodeJS.ProcessEnv = process.env): {active?: string; profiles: Record<string, Profile>} {
  const path = twilioCliConfigFile(env);
  if (!existsSync(path)) return {profiles: {}};
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as {
      activeProject?: string;
      profiles?: Record<string, Profile>;
    };
    return {active: data.activeProject, profiles: data.profiles ?? {}};
  } catch {
    return {profiles: {}};
  }
}

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
    if (!own.profiles[name]) out.push({...p, name, active: false, source: 'twilio-cli'});
  return out;
}
