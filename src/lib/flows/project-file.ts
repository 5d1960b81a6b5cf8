/**
 * The project config `flexconv init` writes: flexconv.config.yaml, commented, written whole or
 * not at all (a temp file renamed over the old one), and put back as it was when init stops.
 */
import {existsSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createRequire} from 'node:module';
import type {ProjectConfig} from '../config/project.js';

export const CONFIG_NAME = 'flexconv.config.yaml';

export const configPath = (dir: string) => join(dir, CONFIG_NAME);

/** What the file says about each setting, beside its value. */
export interface ConfigNotes {
  accountSid?: string;
  workspace?: string;
  workflow?: string;
  taskChannel?: string;
  chatService?: string;
  address?: string;
  profileFile?: string;
}

/** A YAML scalar: plain when that reads back as the same string, else double-quoted. */
function scalar(v: string): string {
  return /^[A-Za-z0-9_./:+@-][A-Za-z0-9_./:+@ -]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~|[-+]?\d[\d._]*)$/i.test(v) && !/ $/.test(v) && !/: /.test(v)
    ? v
    : JSON.stringify(v);
}

/** The commented YAML text of `config` (keys in a fixed order; unset ones left out). */
export function renderConfig(config: ProjectConfig, notes: ConfigNotes, now = new Date()): string {
  const lines: string[] = [
    `# flexconv project config, written by \`flexconv init\` on ${now.toISOString().slice(0, 10)}.`,
    '# Every flexconv command run in this directory (or below it) reads it; flags and environment',
    '# variables (TWILIO_*, FLEXCONV_*) override it. Check it with `flexconv doctor`; change it by',
    '# running `flexconv init` again or by editing it. Never put secrets here: they live in profiles.',
    '',
  ];
  const put = (comment: string | string[], key: Exclude<keyof ProjectConfig, 'resources'>) => {
    const v = config[key];
    if (v === undefined) return;
    for (const c of [comment].flat()) lines.push(`# ${c}`);
    lines.push(`${key}: ${scalar(v)}`, '');
  };
  put('Where requests go: emulator (the local one) or twilio.', 'target');
  put('The local emulator (started with `flexconv emulator start --detach`).', 'emulatorUrl');
  put(
    [
      `Credentials: this profile${notes.accountSid ? ` (account ${notes.accountSid})` : ''}, saved with mode 0600 in`,
      `${notes.profileFile ?? 'profiles.json in the flexconv config directory'}; see \`flexconv profiles list\`.`,
    ],
    'profile',
  );
  if (config.workspace || config.workflow || config.taskChannel || config.chatService)
    lines.push('# The Flex setup: where conversations become TaskRouter tasks.', '');
  put(`TaskRouter workspace${notes.workspace ? ` "${notes.workspace}"` : ''} (commands use it when --workspace is not given).`, 'workspace');
  put(`Workflow that routes the tasks${notes.workflow ? ` ("${notes.workflow}")` : ''}.`, 'workflow');
  put(`Task channel of conversation tasks${notes.taskChannel ? ` ("${notes.taskChannel}")` : ''}.`, 'taskChannel');
  put(`Conversation service Flex uses${notes.chatService ? ` ("${notes.chatService}")` : ''}.`, 'chatService');
  put(`First Conversations address${notes.address ? `: ${notes.address}` : ''} (see \`flexconv addresses get\`).`, 'address');
  // declared resources (flexconv plan/apply) are kept as they were, after the settings
  if (config.resources) lines.push('# Declared resources: `flexconv plan` / `flexconv apply` read them.', yamlText({resources: config.resources}), '');
  return lines.join('\n').replace(/\n+$/, '\n');
}

/** The file's text now (undefined: there is none), to put back with restoreConfig. */
export function snapshotConfig(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Write `text` to `file` whole: a temp file beside it, renamed over it. */
export function writeConfig(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, {mode: 0o644});
  try {
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, {force: true});
    throw error;
  }
}

/** Put the file back as `before` had it (remove it when there was none). */
export function restoreConfig(file: string, before: string | undefined): void {
  if (before === undefined) rmSync(file, {force: true});
  else writeConfig(file, before);
}

/** YAML of a value, loaded only when there are resources to keep (yaml stays out of the start-up bundle). */
function yamlText(value: unknown): string {
  const {stringify} = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return stringify(value).trimEnd();
}
