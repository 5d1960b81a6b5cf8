/**
 * Run the BUILT CLI (`node bin/run.js ...`, i.e. dist/ from `npm run build`) as a child process,
 * the way a user or a script does, and collect its exit code and output.
 *
 *   const r = await runCli(['emulator', 'status', '--json'], {env: {FLEXCONV_STATE_DIR: dir}});
 *   expect(r.exitCode).to.equal(0);
 *   JSON.parse(r.stdout);
 *
 * The child never inherits the caller's Twilio or flexconv settings (TWILIO_*, FLEXCONV_*, DEBUG,
 * colour variables): only what `env` passes. stdin is a pipe (not a TTY), closed at once unless
 * `input` is given. A run that outlives `timeout` is killed and rejected.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';


/** The package whose bin/run.js runs: this checkout, or FLEXCONV_CLI_ROOT (e.g. a private build). */
export const ROOT = process.env.FLEXCONV_CLI_ROOT || fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'run.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws with the output when it is not JSON). */
  json(): any;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  /** ms; default 20 s. */
  timeout?: number;
  cwd?: string;
}

const STRIP = /^(TWILIO_|FLEXCONV_|DEBUG$|NO_COLOR$|FORCE_COLOR$|XDG_STATE_HOME$|XDG_CONFIG_HOME$|NODE_OPTIONS$)/;

/** process.env without anything that would change the CLI's behaviour, plus `extra`. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!STRIP.test(k)) env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: cleanEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    const timeout = opts.timeout ?? 20_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`flexconv ${args.join(' ')} did not finish within ${timeout} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode: code ?? (signal ? 128 : -1),
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`stdout of \`flexconv ${args.join(' ')}\` is not JSON:\n${stdout}\nstderr: ${stderr}`);
          }
        },
      });
    });
  });
}

/**
 * Start a long-running CLI command (e.g. `emulator start` in the foreground) and resolve once
 * its stdout matches `ready` (rejects if it exits first or takes longer than `timeout`).
 */
export function spawnCli(
  args: string[],
  opts: CliOptions & {ready: RegExp},
): Promise<{child: ChildProcess; output: () => {stdout: string; stderr: string}; exited: Promise<number | null>}> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: cleanEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const output = () => ({stdout, stderr});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`flexconv ${args.join(' ')} not ready within ${opts.timeout ?? 15_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeout ?? 15_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (opts.ready.test(stdout)) {
        clearTimeout(timer);
        resolve({child, output, exited});
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`flexconv ${args.join(' ')} exited (${code}) before it was ready\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** A TCP port nobody listens on right now (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address() as {port: number};
      srv.close(() => resolve(port));
    });
  });
}

/** Fresh state and config dirs (so a test never touches the real home); `cleanup()` removes them. */
export function tempDirs(prefix = 'flexconv-test-'): {state: string; config: string; root: string; cleanup(): void} {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const state = join(root, 'state');
  const config = join(root, 'config');
  return {state, config, root, cleanup: () => rmSync(root, {recursive: true, force: true})};
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
