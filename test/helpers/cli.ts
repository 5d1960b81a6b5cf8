/**
 * Run flexconv the way a user does, and collect {exitCode, signal, stdout, stderr}.
 *
 *   const box = sandbox();                               // temp config/state/twilio-cli dirs, HOME, cwd
 *   const r = await runCli(['whoami', '--json'], {env: box.env, cwd: box.cwd});
 *   expect(r.exitCode, r.stderr).to.equal(0);
 *   r.json();                                            // stdout parsed (throws with the output if not JSON)
 *
 * - runCli: the BUILT CLI (`node bin/run.js`, i.e. dist/ from `npm run build`) as a child process.
 *   Its environment is cleanEnv(opts.env): nothing of the caller's TWILIO_* / FLEXCONV_* / XDG_* /
 *   DEBUG / colour / NODE_OPTIONS settings leaks in, only what `env` adds (an `undefined` value
 *   removes a variable). cwd is an empty temp directory unless given (no project config is found
 *   from it). stdin is a pipe, never a TTY: closed at once, or after `input` is written. A run that
 *   outlives `timeout` is killed and rejected; a non-zero exit never rejects.
 * - spawnCli: a long-running command (e.g. `emulator start` in the foreground), resolved once its
 *   stdout matches `ready`.
 * - runCliInPty: the CLI in a real pseudo-terminal (util-linux `script`), answering prompts.
 * - runInProcess: the CLI inside this process (oclif Config.load + runCommand), so nock sees its HTTP.
 *
 * FLEXCONV_CLI_ROOT points all of these at another checkout/build of the package (default: this repo).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {constants, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

/** The package whose bin/run.js runs: this checkout, or FLEXCONV_CLI_ROOT (e.g. a private build). */
export const ROOT = resolve(process.env.FLEXCONV_CLI_ROOT || fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = join(ROOT, 'bin', 'run.js');

/** Throws a clear error when the CLI hasn't been built (the tests run dist/, not the sources). */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'commands')))
    throw new Error(`${join(ROOT, 'dist')} is missing: run \`npm run build\` first (\`npm test\` does)`);
}

export interface CliResult {
  /** The exit code; 128 + the signal number when the process was killed by a signal. */
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws with the output when it is not JSON). */
  json(): any;
}

/** Variables added to the clean environment; `undefined` removes one. */
export type EnvExtra = Record<string, string | undefined>;

export interface CliOptions {
  env?: EnvExtra;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Default: an empty temp directory (one per test process). */
  cwd?: string;
  /** ms; default 20 s. */
  timeout?: number;
}

/** What would change flexconv's behaviour if the test runner's shell set it. */
const STRIP = /^(TWILIO_|FLEXCONV_|XDG_|DEBUG$|NO_COLOR$|FORCE_COLOR$|NODE_OPTIONS$)/;

/** `env` minus everything STRIP names, with NO_COLOR=1, plus `extra` (`undefined` deletes). */
function applyClean(env: NodeJS.ProcessEnv, extra: EnvExtra): void {
  for (const k of Object.keys(env)) if (STRIP.test(k)) delete env[k];
  env.NO_COLOR = '1';
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
}

/** process.env without anything that would change the CLI's behaviour, with NO_COLOR=1, plus `extra`. */
export function cleanEnv(extra: EnvExtra = {}): NodeJS.ProcessEnv {
  const env = {...process.env};
  applyClean(env, extra);
  return env;
}

let scratch: string | undefined;
/** One empty directory per test process: no project config (flexconv.config.*) is found from it. */
function emptyCwd(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'flexconv-cwd-'));
  return scratch;
}
process.once('exit', () => scratch && rmSync(scratch, {recursive: true, force: true}));

const describeRun = (args: string[], stdout: string, stderr: string) =>
  `flexconv ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`;

function result(args: string[], exitCode: number, signal: NodeJS.Signals | null, out: {stdout: string; stderr: string}): CliResult {
  const {stdout, stderr} = out;
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    json() {
      try {
        return JSON.parse(stdout);
      } catch {
        throw new Error(`stdout is not JSON: ${describeRun(args, stdout, stderr)}`);
      }
    },
  };
}

function startChild(args: string[], opts: CliOptions, stdin: 'pipe' | 'ignore') {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? emptyCwd(),
    env: cleanEnv(opts.env),
    stdio: [stdin, 'pipe', 'pipe'],
  });
  const out = {stdout: '', stderr: ''};
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return {child, out};
}

/** `node bin/run.js ...args` as a child process. Never rejects on a non-zero exit. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const {child, out} = startChild(args, opts, 'pipe');
    const timeout = opts.timeout ?? 20_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not finish within ${timeout} ms: ${describeRun(args, out.stdout, out.stderr)}`));
    }, timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise(result(args, code ?? (signal ? 128 + constants.signals[signal] : -1), signal, out));
    });
    child.stdin!.on('error', () => {}); // the CLI may exit before reading its input
    child.stdin!.end(opts.input ?? '');
  });
}

/**
 * Start a long-running CLI command (e.g. `emulator start` in the foreground) and resolve once
 * its stdout matches `ready` (rejects if it exits first or takes longer than `timeout`, default 15 s).
 */
export function spawnCli(
  args: string[],
  opts: Omit<CliOptions, 'input'> & {ready: RegExp},
): Promise<{child: ChildProcess; output: () => {stdout: string; stderr: string}; exited: Promise<number | null>}> {
  const {child, out} = startChild(args, opts, 'ignore');
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const output = () => ({...out});
  const timeout = opts.timeout ?? 15_000;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready within ${timeout} ms: ${describeRun(args, out.stdout, out.stderr)}`));
    }, timeout);
    child.stdout!.on('data', () => {
      if (opts.ready.test(out.stdout)) {
        clearTimeout(timer);
        resolvePromise({child, output, exited});
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before it was ready: ${describeRun(args, out.stdout, out.stderr)}`));
    });
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
 * holds both streams (ANSI stripped). `timeout` is per step (default 15 s). Rejects when a step's
 * prompt doesn't show up in time.
 */
export function runCliInPty(
  args: string[],
  steps: PtyStep[],
  opts: Omit<CliOptions, 'input'> & {stdoutTo?: string} = {},
): Promise<{exitCode: number | null; output: string}> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // stdoutTo: redirect the CLI's stdout to a file (stdin and stderr stay the terminal), to tell
  // what went to stdout apart from the prompts.
  const command = [process.execPath, BIN, ...args].map(quote).join(' ') + (opts.stdoutTo ? ` > ${quote(opts.stdoutTo)}` : '');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: opts.cwd ?? emptyCwd(),
      env: cleanEnv({...opts.env, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40'}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let raw = '';
    let seen = 0; // output before this offset belongs to earlier steps
    let step = 0;
    const stepTimeout = opts.timeout ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      if (step < steps.length)
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`PTY: no ${steps[step].expect} within ${stepTimeout} ms; output so far:\n${stripAnsi(raw)}`));
        }, stepTimeout);
    };
    const advance = () => {
      while (step < steps.length) {
        const text = stripAnsi(raw.slice(seen));
        if (!steps[step].expect.test(text)) return;
        seen = raw.length;
        // A short pause: the prompt library switches the terminal to raw mode after drawing.
        const send = steps[step].send;
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
      if (step < steps.length)
        reject(new Error(`PTY: exited (${exitCode}) before ${steps[step].expect}; output:\n${stripAnsi(raw)}`));
      else resolvePromise({exitCode, output: stripAnsi(raw)});
    });
    arm();
  });
}

/** The `debug` instance @oclif/core logs through (a dependency of it, not of this package), if it resolves. */
async function loadDebug(): Promise<{disable(): string; enable(namespaces: string): void} | undefined> {
  try {
    const {createRequire} = await import('node:module');
    const fromOclif = createRequire(createRequire(join(ROOT, 'package.json')).resolve('@oclif/core'));
    return fromOclif('debug');
  } catch {
    return undefined;
  }
}

/**
 * Run a command inside this process (oclif Config.load + runCommand on the built CLI), with the
 * same clean environment as runCli (applied to process.env for the duration, then restored), cwd
 * an empty directory, and stdout/stderr captured. `args` starts with the command's words:
 * ['addresses', 'get', 'IG…']. An exception that is not an oclif exit is reported on stderr as
 * `[uncaught] message`, with exit code 1.
 */
export async function runInProcess(args: string[], opts: {env?: EnvExtra} = {}): Promise<CliResult> {
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

  const savedEnv = {...process.env};
  applyClean(process.env, opts.env ?? {});
  // The `debug` package (oclif's logger) read DEBUG when it loaded: switch it off for the run.
  const debug = await loadDebug();
  const debugNamespaces = debug?.disable();
  const cwd = process.cwd();
  process.chdir(emptyCwd());

  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = (append: (s: string) => void) =>
    ((chunk: string | Uint8Array) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
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
    if (debugNamespaces) debug?.enable(debugNamespaces);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  }
  return result(args, exitCode, null, {stdout, stderr});
}

/** A TCP port nobody listens on right now (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address() as {port: number};
      srv.close(() => resolvePromise(port));
    });
  });
}

export interface Sandbox {
  root: string;
  /** FLEXCONV_CONFIG_DIR (not created: the CLI creates it when it writes). */
  configDir: string;
  /** FLEXCONV_STATE_DIR (not created). */
  stateDir: string;
  /** TWILIO_CLI_CONFIG_DIR (created, empty: no twilio-cli profiles). */
  twilioCliDir: string;
  /** An empty working directory (no project config) inside root. */
  cwd: string;
  /** HOME and the three dirs pointed into root: pass as `env` (runCli adds it to the clean env). */
  env: EnvExtra;
  cleanup(): void;
}

/** Temp FLEXCONV_CONFIG_DIR / FLEXCONV_STATE_DIR / TWILIO_CLI_CONFIG_DIR / HOME and a cwd, so a test never touches the real home. */
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
    env: {
      HOME: root,
      FLEXCONV_CONFIG_DIR: box.configDir,
      FLEXCONV_STATE_DIR: box.stateDir,
      TWILIO_CLI_CONFIG_DIR: box.twilioCliDir,
    },
    cleanup: () => rmSync(root, {recursive: true, force: true}),
  };
}

/**
 * Mocha hooks for the suite this is called in (at a file's top level: the root suite, so every
 * test of the run): assertBuilt() once, a fresh sandbox() before each test, handed to `use`, and
 * removed after the test.
 */
export function useSandbox(use: (box: Sandbox) => void, prefix?: string): void {
  let box: Sandbox | undefined;
  before(() => assertBuilt());
  beforeEach(() => {
    box = sandbox(prefix);
    use(box);
  });
  afterEach(() => box?.cleanup());
}

/** Is `pid` alive (and not a zombie)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Kill `pid` (SIGKILL) if it still runs; for after() hooks. */
export function killIfAlive(pid: number | undefined): void {
  if (!pid || !alive(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}
