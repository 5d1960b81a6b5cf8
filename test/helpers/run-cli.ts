/**
 * Run flexconv the way a user does, and collect {exitCode, stdout, stderr}.
 *
 *   runCli(['addresses', 'list', '--json'], {env: {FLEXCONV_EMULATOR_URL: emu.url}})
 *     → the built CLI (`node bin/run.js`, i.e. dist/) as a child process, in an empty temp cwd,
 *       with a clean environment (no TWILIO_* / FLEXCONV_* from the caller's shell).
 *   runInProcess(['addresses', 'list', '--target', 'twilio'], {env: {...}})
 *     → the same CLI inside this process (so nock sees its HTTP), stdout/stderr captured.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';


export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'run.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to the clean environment. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, then closed (default: stdin closed at once, so it is not a TTY). */
  input?: string;
  cwd?: string;
  /** Kill the child after this many ms (default 20 s). */
  timeout?: number;
}

/** The caller's environment minus everything that would change how flexconv resolves its target. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TWILIO_|FLEXCONV_|DEBUG$|NO_COLOR$|FORCE_COLOR$|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  else env[k] = v;
  return env;
}

let scratch: string | undefined;
/** One empty directory per test process: no project config (flexconv.config.*) is found from it. */
function emptyCwd(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'flexconv-cwd-'));
  return scratch;
}
process.once('exit', () => scratch && rmSync(scratch, {recursive: true, force: true}));

/** `node bin/run.js ...args` as a child process. Never rejects on a non-zero exit. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? emptyCwd(),
      env: cleanEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({exitCode: code ?? (signal ? 128 : 1), stdout, stderr});
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Run a command inside this process (oclif Config.load + runCommand on the built CLI), with
 * `env` applied to process.env for the duration (and restored), cwd an empty directory, and
 * stdout/stderr captured. `args` starts with the command's words: ['addresses', 'get', 'IG…'].
 */
export async function runInProcess(args: string[], opts: {env?: Record<string, string | undefined>} = {}): Promise<CliResult> {
  const {Config} = await import('@oclif/core');
  const config = await Config.load(ROOT);
  // Longest prefix of the words that names a command: ['addresses', 'get', 'IG1'] → 'addresses:get'.
  let id = '';
  let rest = args;
  for (let n = args.length; n > 0; n--) {
    const candidate = args.slice(0, n).join(':');
    if (config.findCommand(candidate)) {
      id = candidate;
      rest = args.slice(n);
      break;
    }
  }
  if (!id) throw new Error(`no command in ${args.join(' ')}`);

  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(process.env)) if (/^(TWILIO_|FLEXCONV_)/.test(k)) saved[k] = process.env[k];
  for (const k of Object.keys(saved)) delete process.env[k];
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (!(k in saved)) saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const cwd = process.cwd();
  process.chdir(emptyCwd());

  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  let exitCode = 0;
  try {
    await config.runCommand(id, rest);
  } catch (error) {
    const e = error as {oclif?: {exit?: number}; message?: string};
    exitCode = e.oclif?.exit ?? 1;
    if (e.oclif?.exit === undefined) stderr += `[uncaught] ${e.message ?? String(error)}\n`;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.chdir(cwd);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return {exitCode, stdout, stderr};
}
