/**
 * Entry point of the detached emulator process that `flexconv emulator start --detach` spawns:
 *
 *   node dist/lib/emulator/daemon.js --port 4010 --host 127.0.0.1 --db PATH [--log] [--bare] [--rate-limit N] [--record FILE]
 *
 * Credentials come from the environment (FLEXCONV_EMULATOR_ACCOUNT_SID / _AUTH_TOKEN / _API_KEY /
 * _API_SECRET), so they never appear in `ps`. stdout/stderr go to the log file the parent opened.
 * Over the IPC channel (when there is one) it sends exactly one message: {type: 'ready', ...} once
 * listening, or {type: 'error', code, name, message} before exiting 1. SIGTERM/SIGINT stop it
 * gracefully (drain, WAL checkpoint); on the way out it removes the record file if it is its own.
 */
import {readFileSync, rmSync} from 'node:fs';
import {parseArgs} from 'node:util';
import {startEmulator, type Emulator} from './index.js';

const stamp = () => new Date().toISOString();
const say = (line: string) => process.stdout.write(`${stamp()} ${line}\n`);

function send(message: Record<string, unknown>, thenDisconnect = false): void {
  if (!process.send || !process.connected) return;
  process.send(message, undefined, {}, () => {
    if (thenDisconnect && process.connected) process.disconnect();
  });
}

function removeOwnRecord(file: string | undefined): void {
  if (!file) return;
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as {pid?: number};
    if (rec.pid === process.pid) rmSync(file, {force: true});
  } catch {
    // no record, or not readable: nothing of ours to remove
  }
}

async function main(): Promise<void> {
  const {values} = parseArgs({
    options: {
      port: {type: 'string', default: '4010'},
      host: {type: 'string', default: '127.0.0.1'},
      db: {type: 'string'},
      log: {type: 'boolean', default: false},
      bare: {type: 'boolean', default: false},
      'rate-limit': {type: 'string'},
      record: {type: 'string'},
    },
    strict: true,
  });
  if (!values.db) throw Object.assign(new Error('--db is required'), {code: 'USAGE'});
  const port = Number(values.port);

  let emu: Emulator;
  try {
    emu = await startEmulator({
      port,
      host: values.host,
      db: values.db,
      bare: values.bare,
      rateLimit: values['rate-limit'],
      log: values.log ? (line) => say(line) : undefined,
      onError: (error) => say(`error: ${(error as Error)?.stack ?? String(error)}`),
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    say(`failed to start: ${e.message}`);
    send({type: 'error', code: e.code, name: e.name, message: e.message}, true);
    process.exitCode = 1;
    return;
  }

  // handlers first: whoever reads 'listening' may send SIGTERM at once
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping (draining connections, checkpointing the database)`);
    const force = setTimeout(() => {
      say('did not stop within 8s; exiting');
      removeOwnRecord(values.record);
      process.exit(1);
    }, 8_000);
    force.unref();
    try {
      await emu.stop();
      say('stopped');
    } catch (error) {
      say(`error while stopping: ${(error as Error).message}`);
      process.exitCode = 1;
    } finally {
      clearTimeout(force);
      removeOwnRecord(values.record);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  say(`listening on ${emu.url} (pid ${process.pid}, db ${emu.db})`);
  send({type: 'ready', url: emu.url, port: emu.port, host: emu.host, db: emu.db, pid: process.pid});
  // The parent disconnects once it has checked health; nothing more to say to it.
  process.on('disconnect', () => {});
  // Detached into its own session, but be explicit: a closing terminal does not stop it.
  process.on('SIGHUP', () => say('SIGHUP ignored (stop with `flexconv emulator stop`)'));
}

process.on('uncaughtException', (error) => {
  say(`uncaught exception: ${error.stack ?? error.message}`);
  send({type: 'error', name: error.name, message: error.message});
  process.exit(1);
});

main().catch((error: Error) => {
  say(`failed: ${error.message}`);
  send({type: 'error', code: (error as NodeJS.ErrnoException).code, name: error.name, message: error.message}, true);
  process.exitCode = 1;
});
