/**
 * Raw loopback HTTP on sockets, and the emulator daemon as a child process, for the hardening
 * tests (a client that stalls or goes away, kill and SIGTERM, descriptor counts).
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {connect} from 'node:net';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RawResult {
  /** Everything the server sent before it closed the connection. */
  text: string;
  /** ms from connecting until the server closed the connection. */
  ms: number;
}

/**
 * Connect, write `bytes` (then half-close when `end`), resolve with what came back once the
 * server closes the connection. Rejects if it is still open after `withinMs` (the bug: a hang).
 */
export function rawExchange(port: number, bytes: string, opts: {end?: boolean; withinMs?: number} = {}): Promise<RawResult> {
  const within = opts.withinMs ?? 5000;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const sock = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the server still holds the connection open after ${within} ms; got ${JSON.stringify(text.slice(0, 200))}`));
    }, within);
    sock.on('data', (d) => (text += d.toString()));
    sock.on('error', () => {}); // a reset after the answer is a close too
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({text, ms: Date.now() - started});
    });
    sock.on('connect', () => {
      sock.write(bytes);
      if (opts.end) sock.end();
    });
  });
}

export interface Daemon {
  child: ChildProcess;
  url: string;
  port: number;
  pid: number;
  stdout: () => string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
}

/** `node daemon.ts --port 0 --db DB` (as the CLI's --detach runs it), under `ulimit -n` when given. */
export async function startDaemon(db: string, opts: {fdLimit?: number; uid?: number; gid?: number} = {}): Promise<Daemon> {
  const entry = join(ROOT, 'src/lib/emulator/daemon.ts');
  const node = [process.execPath, '--import', 'tsx', entry, '--port', '0', '--db', db];
  const child = opts.fdLimit
    ? spawn('sh', ['-c', `ulimit -n ${opts.fdLimit} && exec "$@"`, 'sh', ...node], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], uid: opts.uid, gid: opts.gid})
    : spawn(node[0], node.slice(1), {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], uid: opts.uid, gid: opts.gid});
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.once('exit', (code, signal) => resolve({code, signal})),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({code, signal}) => reject(new Error(`daemon exited (${code ?? signal}) before listening: ${out}${err}`)));
  });
  return {child, url, port: Number(new URL(url).port), pid: child.pid!, stdout: () => out + err, exited};
}

