import {FlexconvError} from '../errors.js';

/** The project config file (flexconv.config.{yaml,json,js}, .flexconvrc*, "flexconv" in package.json). */
export interface ProjectConfig {
  target?: 'emulator' | 'twilio';
  profile?: string;
  emulatorUrl?: string;
  accountSid?: string;
  authToken?: string;
  apiKey?: string;
  apiSecret?: string;
  region?: string;
  edge?: string;
}

const KEYS: (keyof ProjectConfig)[] = [
  'target',
  'profile',
  'emulatorUrl',
  'accountSid',
  'authToken',
  'apiKey',
  'apiSecret',
  'region',
  'edge',
];

export interface LoadedProjectConfig {
  config: ProjectConfig;
  filepath?: string;
}

const SEARCH_PLACES = [
  'package.json',
  'flexconv.config.yaml',
  'flexconv.config.yml',
  'flexconv.config.json',
  'flexconv.config.js',
  'flexconv.config.mjs',
  'flexconv.config.cjs',
  '.flexconvrc',
  '.flexconvrc.json',
  '.flexconvrc.yaml',
  '.flexconvrc.yml',
  '.flexconvrc.js',
];

/**
 * Find and read the project config from cwd upwards (stopping at the directory holding package.json). A file
 * that can't be parsed is an error that names the file and, where the parser knows it, the line.
 */
export async function loadProjectConfig(cwd = process.cwd()): Promise<LoadedProjectConfig> {
  const {cosmiconfig} = await import('cosmiconfig');
  const explorer = cosmiconfig('flexconv', {searchPlaces: SEARCH_PLACES, searchStrategy: 'project'});
  let result;
  try {
    result = await explorer.search(cwd);
  } catch (error) {
    const e = error as Error & {filepath?: string; mark?: {line: number}; linePos?: {line: number}[]};
    const file = e.filepath ?? /(\S+\.(?:ya?ml|json|js|mjs|cjs)|\S*\.flexconvrc)/.exec(e.message)?.[1] ?? 'the project config file';
    const line = e.mark?.line !== undefined ? e.mark.line + 1 : e.linePos?.[0]?.line;
    throw new FlexconvError(
      'CONFIG_INVALID',
      `Cannot read ${file}${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0]}`,
      {hints: [`fix the syntax in ${file}, or move it away`], cause: error},
    );
  }
  if (!result || result.isEmpty) return {config: {}, filepath: result?.filepath};
  const raw = result.config as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new FlexconvError('CONFIG_INVALID', `${result.filepath} must hold an object of settings`);
  const unknown = Object.keys(raw).filter((k) => !(KEYS as string[]).includes(k));
  if (unknown.length)
    throw new FlexconvError('CONFIG_INVALID', `${result.filepath}: unknown setting ${unknown.map((k) => `"${k}"`).join(', ')}`, {
      hints: [`known settings: ${KEYS.join(', ')}`],
    });
  for (const [k, v] of Object.entries(raw))
    if (typeof v !== 'string')
      throw new FlexconvError('CONFIG_INVALID', `${result.filepath}: "${k}" must be a string`);
  if (raw.target !== undefined && raw.target !== 'emulator' && raw.target !== 'twilio')
    throw new FlexconvError('CONFIG_INVALID', `${result.filepath}: "target" must be emulator or twilio, not "${String(raw.target)}"`);
  return {config: raw as ProjectConfig, filepath: result.filepath};
}
