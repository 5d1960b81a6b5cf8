import {homedir} from 'node:os';
import {join} from 'node:path';

type Env = NodeJS.ProcessEnv;

/** User config dir (profiles): $FLEXCONV_CONFIG_DIR, else $XDG_CONFIG_HOME/flexconv, else ~/.config/flexconv. */
export function configDir(env: Env = process.env): string {
  if (env.FLEXCONV_CONFIG_DIR) return env.FLEXCONV_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'flexconv');
}

/** User state dir (emulator db, daemon record): $FLEXCONV_STATE_DIR, else $XDG_STATE_HOME/flexconv, else ~/.local/state/flexconv. */
export function stateDir(env: Env = process.env): string {
  if (env.FLEXCONV_STATE_DIR) return env.FLEXCONV_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'flexconv');
}

export const profilesFile = (env: Env = process.env) => join(configDir(env), 'profiles.json');

/** Written by `flexconv emulator start --detach`: {pid, url, port, host, db, accountSid, authToken, startedAt}. */
export const emulatorRecordFile = (env: Env = process.env) => join(stateDir(env), 'emulator.json');

/** twilio-cli's config (read-only): $TWILIO_CLI_CONFIG_DIR/config.json or ~/.twilio-cli/config.json. */
export const twilioCliConfigFile = (env: Env = process.env) =>
  join(env.TWILIO_CLI_CONFIG_DIR || join(homedir(), '.twilio-cli'), 'config.json');
