import {existsSync, readFileSync} from 'node:fs';
import {dirname, join, resolve as resolvePath} from 'node:path';
import {FlexconvError} from '../errors.js';
import {closest} from '../suggest.js';
import {findJsonSyntaxError} from './json.js';

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
  /** The TaskRouter workspace (WS… SID or friendly name) commands use when none is given. */
  workspace?: string;
  /** Declarative resources (what flexconv.yaml holds), for `flexconv plan` / `apply`; checked by them, not here. */
  resources?: Record<string, unknown>;
  /** The Flex setup `flexconv init` found (written there; `flexconv doctor` checks it exists). */
  workflow?: string;
  taskChannel?: string;
  chatService?: string;
  /** The first Conversations address `flexconv init` created (IG… SID). */
  address?: string;
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
  'workspace',
  'resources',
  'workflow',
  'taskChannel',
  'chatService',
  'address',
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
  // Most runs have no project config: find that out with a few stat calls, and load cosmiconfig
  // (a noticeable share of every command's start-up) only when there is something to read.
  if (!mayHaveConfig(cwd)) return {config: {}, filepath: undefined};
  const {cosmiconfig} = await import('cosmiconfig');
  let result;
  try {
    // Inside the try: cosmiconfig reads package.json files already while being constructed.
    const explorer = cosmiconfig('flexconv', {searchPlaces: SEARCH_PLACES, searchStrategy: 'project'});
    result = await explorer.search(cwd);
  } catch (error) {
    throw syntaxError(error);
  }
  if (!result || result.isEmpty) return {config: {}, filepath: result?.filepath};
  const raw = result.config as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new FlexconvError('CONFIG_INVALID', `${result.filepath} must hold an object of settings`);
  const unknown = Object.keys(raw).filter((k) => !(KEYS as string[]).includes(k));
  if (unknown.length) {
    const hints = unknown.flatMap((k) => {
      const s = closest(k, KEYS);
      return s.length ? [`"${k}": did you mean "${s[0]}"?`] : [];
    });
    throw new FlexconvError('CONFIG_INVALID', `${result.filepath}: unknown setting ${unknown.map((k) => `"${k}"`).join(', ')}`, {
      hints: [...hints, `known settings: ${KEYS.join(', ')}`],
    });
  }
  for (const [k, v] of Object.entries(raw))
    if (k === 'resources') {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        throw new FlexconvError('CONFIG_INVALID', `${result.filepath}: "resources" must be an object of resource sections (what flexconv.yaml holds)`);
    } else if (typeof v !== 'string')
      throw new FlexconvError('CONFIG_INVALID', `${result.filepath}: "${k}" must be a string, not ${JSON.stringify(v)}`);
  if (raw.target !== undefined && raw.target !== 'emulator' && raw.target !== 'twilio')
    throw new FlexconvError('CONFIG_INVALID', `${result.filepath}: "target" must be emulator or twilio, not "${String(raw.target)}"`, {
      hints: [`set target: emulator or target: twilio in ${result.filepath}`],
    });
  return {config: raw as ProjectConfig, filepath: result.filepath};
}

/**
 * A parse error from cosmiconfig as CONFIG_INVALID: the file, the line and column where the parser
 * knows them (js-yaml's `mark`; for JSON, which cosmiconfig reports without a position, the file is
 * scanned again), and the parser's reason without cosmiconfig's "X Error in file:" preamble.
 */
function syntaxError(error: unknown): FlexconvError {
  const e = error as Error & {filepath?: string; reason?: string; mark?: {line: number; column: number}};
  const message = String(e?.message ?? error);
  const file = e.filepath ?? /(\S+\.(?:ya?ml|json|js|mjs|cjs)|\S*\.flexconvrc)/.exec(message)?.[1] ?? 'the project config file';
  // cosmiconfig prefixes "YAML Error in <file>:\n" / "JSON Error in <file>:\n"; js-yaml appends a code frame.
  let reason = (e.reason ?? message.replace(/^\w+ Error in [^\n]*:\n/, '').split('\n')[0]).trim();
  let pos: {line: number; column: number} | undefined = e.mark ? {line: e.mark.line + 1, column: e.mark.column + 1} : undefined;
  if (!pos && e.filepath && (e.name === 'JSONError' || /JSON Error in/.test(message))) {
    try {
      const found = findJsonSyntaxError(readFileSync(e.filepath, 'utf8'));
      if (found) {
        pos = found;
        reason = found.reason;
      }
    } catch {
      // unreadable now: report what cosmiconfig said
    }
  }
  reason = reason.replace(/\s*\(\d+:\d+\)$/, '');
  return new FlexconvError(
    'CONFIG_INVALID',
    `Cannot read ${file}${pos ? ` (line ${pos.line}, column ${pos.column})` : ''}: ${reason || 'syntax error'}`,
    {hints: [`fix the syntax in ${file}, or move it away`], cause: error},
  );
}

/**
 * Is there anything cosmiconfig would read, from cwd up to the first directory holding a
 * package.json? A package.json counts when it mentions "flexconv" or isn't valid JSON (so its
 * syntax error is still reported).
 */
function mayHaveConfig(cwd: string): boolean {
  let dir = resolvePath(cwd);
  for (;;) {
    for (const place of SEARCH_PLACES) if (place !== 'package.json' && existsSync(join(dir, place))) return true;
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const text = readFileSync(pkg, 'utf8');
        JSON.parse(text);
        return text.includes('"flexconv"');
      } catch {
        return true;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}
