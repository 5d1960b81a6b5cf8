/**
 * Run the built CLI (`node bin/run.js`, i.e. dist/ from `npm run build`) as a child process with a
 * given env and cwd, and collect {exitCode, stdout, stderr}. Nothing of the test runner's own
 * TWILIO_* / FLEXCONV_* environment leaks in: every run gets a clean env plus what the test sets.
 *
 *   const box = await sandbox();                       // temp config/state/twilio-cli dirs + cwd
 *   const r = await execCli(['whoami', '--json'], {env: box.env, cwd: box.cwd});
 *   expect(r.exitCode).to.equal(0);
 *
 * FLEXCONV_CLI_ROOT points the helper at another checkout/build of the package (default: this repo).
 */
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to the child's stdin, which is then closed (stdin is a pipe, never a TTY). */
  input?: string;
  timeoutMs?: number;
}

export const CLI_ROOT = resolve(process.env.FLEXCONV_CLI_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
export const RUN_JS = join(CLI_ROOT, 'bin', 'run.js');

/** Throws a clear error when the CLI hasn't been built (the tests run dist/, not the sources). */
export function assertBuilt(): void {
  if (!existsSync(join(CLI_ROOT, 'dist', 'commands')))
    throw new Error(`${join(CLI_ROOT, 'dist')} is missing: run \`npm run build\` first (\`npm test\` does)`);
}

/**
 * The parent's env without anything that changes flexconv's behaviour (TWILIO_*, FLEXCONV_*,
 * DEBUG, XDG dirs, colour forcing), with NO_COLOR set, plus `extra`.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TWILIO_|FLEXCONV_|XDG_|DEBUG$|FORCE_COLOR$|NO_COLOR$|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  return {...env, NO_COLOR: '1', ...extra};
}

export interface Sandbox {
  root: string;
  configDir: string;
  stateDir: string;
  twilioCliDir: string;
  /** An empty working directory (no project config) inside root. */
  cwd: string;
  /** cleanEnv() with HOME and the three dirs pointed into root. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** Temp FLEXCONV_CONFIG_DIR / FLEXCONV_STATE_DIR / TWILIO_CLI_CONFIG_DIR / HOME and a cwd. */
export function sandbox(prefix = 'flexconv-test-'): Sandbox {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const box = {
    root,
    configDir: join(root, 'config'),
    stateDir: join(root, 'state'),
    twilioCliDir: join(root, 'twilio-cli'),
    cwd: join(root, 'project'),
  };
  mkdirSync(box.cwd, {recursive: true});
  mkdirSync(box.twilioCliDir, {recursive: true});
  return {
    ...box,
    env: cleanEnv({
      HOME: root,
      FLEXCONV_CONFIG_DIR: box.configDir,
      FLEXCONV_STATE_DIR: box.stateDir,
      TWILIO_CLI_CONFIG_DIR: box.twilioCliDir,
    }),
    cleanup: () => rmSync(root, {recursive: true, force: true}),
  };
}

/** Run `node bin/run.js ...args`; never rejects on a non-zero exit (the result says how it ended). */
export function execCli(args: string[], opts: ExecOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [RUN_JS, ...args], {
      cwd: opts.cwd ?? CLI_ROOT,
      env: opts.env ?? cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolvePromise({exitCode, signal, stdout, stderr});
    });
    child.stdin.on('error', () => {}); // the CLI may exit before reading
    child.stdin.end(opts.input ?? '');
  });
}

/** util-linux `script` (runs a command in a pseudo-terminal), or why it can't be used here. */
export function ptyRunner(): {ok: true} | {ok: false; reason: string} {
  if (process.platform === 'win32') return {ok: false, reason: 'no pseudo-terminals on Windows'};
  const r = spawnSync('script', ['--version'], {encoding: 'utf8'});
  if (r.error) return {ok: false, reason: '`script` (util-linux) is not installed'};
  if (!/util-linux/.test(`${r.stdout}${r.stderr}`))
    return {ok: false, reason: '`script` is not the util-linux one (BSD/macOS script takes other options)'};
  return {ok: true};
}

export interface PtyStep {
  /** Wait until the terminal output (ANSI codes stripped) since the previous step matches this. */
  expect: RegExp;
  /** Then type this (use \r for Enter, \x1b[B for arrow down, \x03 for Ctrl-C). */
  send: string;
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\r/g, '');

/**
 * Run the CLI in a real pseudo-terminal (`script -qefc`), answering prompts step by step. stdin,
 * stdout and stderr of the CLI are all the terminal (unless `stdoutTo` is given), so `output`
 * holds both streams (ANSI stripped). Rejects when a step's prompt doesn't show up in time.
 */
export function execCliInPty(
  args: string[],
  steps: PtyStep[],
  opts: {env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; stdoutTo?: string} = {},
): Promise<{exitCode: number | null; output: string}> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // stdoutTo: redirect the CLI's stdout to a file (stdin and stderr stay the terminal), to tell
  // what went to stdout apart from the prompts.
  const command = [process.execPath, RUN_JS, ...args].map(quote).join(' ') + (opts.stdoutTo ? ` > ${quote(opts.stdoutTo)}` : '');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: opts.cwd ?? CLI_ROOT,
      env: {...(opts.env ?? cleanEnv()), TERM: 'xterm-256color', COLUMNS: '120', LINES: '40'},
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let raw = '';
    let seen = 0; // output before this offset belongs to earlier steps
    let step = 0;
    const pending = [...steps];
    const stepTimeout = opts.timeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      if (step < pending.length)
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`PTY: no ${pending[step].expect} within ${stepTimeout} ms; output so far:\n${stripAnsi(raw)}`));
        }, stepTimeout);
    };
    const advance = () => {
      while (step < pending.length) {
        const text = stripAnsi(raw.slice(seen));
        if (!pending[step].expect.test(text)) return;
        seen = raw.length;
        // A short pause: the prompt library switches the terminal to raw mode after drawing.
        const send = pending[step].send;
        setTimeout(() => child.stdin.write(send), 150);
        step++;
        arm();
      }
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      raw += d;
      advance();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (raw += d));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      if (step < pending.length)
        reject(new Error(`PTY: exited (${exitCode}) before ${pending[step].expect}; output:\n${stripAnsi(raw)}`));
      else resolvePromise({exitCode, output: stripAnsi(raw)});
    });
    arm();
  });
}
