import {createRequire} from 'node:module';
import {Worker} from 'node:worker_threads';

/**
 * Copies the WAL back into the database file from a worker thread, so requests never wait for
 * it. SQLite's automatic checkpoint runs inside the commit that crosses its threshold and
 * fsyncs twice: measured, it tripled the time of a create. The main connection turns the
 * automatic one off; this worker, with its own connection, runs PASSIVE checkpoints (they never
 * block the writer) after every `every` commits or `idleMs` after the last one.
 *
 * A writer that never pauses starves PASSIVE checkpoints: the WAL only starts over once all of it
 * has been copied, so under sustained writes it would grow without bound. Each checkpoint of the
 * worker reports how much of the WAL is in use; past `walLimit`, the main thread restarts it
 * (`restart`: commit what is pending, then a RESTART checkpoint) once only the frames written since
 * the worker's checkpoint remain to copy. The next write then starts the WAL over at its beginning
 * (and journal_size_limit keeps the file near the limit).
 *
 * That RESTART runs on the event loop and ends with an fsync of the database file: measured 29 ms
 * on an idle disk, and 864 ms once on a shared one — a stall of every request in flight (one of
 * them per 1,000 interactions of bench/interactions put its p99 there). So past `walLimit` it
 * waits for a pause in the writes (`quietMs` without a commit) and runs then; only a WAL past
 * `walHardLimit` (4 × walLimit: writes that never pause) is restarted at once, as before.
 *
 * The limits are small on purpose. A WAL that grows writes each frame into new blocks of its file
 * and a WAL that starts over writes over old ones, and growing costs several times as much
 * (measured: a 20-page COMMIT took 160–360 µs while the WAL grew past 100 MiB, 53 µs once it was
 * being reused). So the WAL is restarted every WAL_LIMIT (quiet) or WAL_HARD_LIMIT (busy) bytes,
 * and its file is kept at up to WAL_HARD_LIMIT (journal_size_limit) so that the next round writes
 * over the same blocks. A restart right after a worker checkpoint copies only the frames written
 * since, measured at 2–3 ms.
 *
 * The worker starts with the first checkpoint and ends after `retireMs` without one (an idle
 * emulator doesn't keep a second V8 isolate, ~9 MiB, resident). If it cannot start or fails, the
 * main connection gets its automatic checkpoint back: slower, never unbounded.
 */
export class Checkpointer {
  private worker?: Worker;
  private failed = false;
  private busy = false;
  private commits = 0;
  private timer?: NodeJS.Timeout;
  private retireTimer?: NodeJS.Timeout;
  private restarting = false;
  /** The WAL is past walLimit: restart it at the next pause in the writes. */
  private restartDue = false;
  private quietTimer?: NodeJS.Timeout;
  private lastCommitMs = 0;

  constructor(
    private readonly path: string,
    private readonly fallback: () => void,
    private readonly restart: () => void,
    private readonly options: {
      every?: number;
      idleMs?: number;
      retireMs?: number;
      walLimit?: number;
      /** Past this, the WAL is restarted at once, pause or not (default 4 × walLimit). */
      walHardLimit?: number;
      /** How long the writes must pause for a due restart (default 200 ms). */
      quietMs?: number;
      /** Told the WAL bytes in use after each checkpoint of the worker. */
      onCheckpoint?: (walBytes: number) => void;
    } = {},
  ) {}

  private get every(): number {
    return this.options.every ?? 128;
  }

  /** Whether a worker thread is alive now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Called after each committed write transaction. */
  committed(): void {
    if (this.failed) return;
    if (this.restartDue) this.lastCommitMs = performance.now();
    this.commits++;
    if (this.commits >= this.every) this.run();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.run(), this.options.idleMs ?? 2000);
      this.timer.unref();
    }
  }

  /** A restart at the next pause of `quietMs` in the commits (checked when that long has passed). */
  private restartWhenQuiet(): void {
    if (this.restartDue) return;
    this.restartDue = true;
    this.lastCommitMs = performance.now();
    const quiet = this.options.quietMs ?? 200;
    const check = () => {
      const waited = performance.now() - this.lastCommitMs;
      if (waited < quiet) {
        this.quietTimer = setTimeout(check, quiet - waited);
        this.quietTimer.unref();
        return;
      }
      this.quietTimer = undefined;
      this.restartSoon();
    };
    this.quietTimer = setTimeout(check, quiet);
    this.quietTimer.unref();
  }

  /** The main thread's RESTART, after the current event-loop turn (responses of the batch first). */
  private restartSoon(): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
    this.restartDue = false;
    if (this.restarting) return;
    this.restarting = true;
    setImmediate(() => {
      this.restarting = false;
      if (!this.failed) this.restart();
    });
  }

  private run(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.busy || this.failed || this.commits === 0) return;
    this.commits = 0;
    this.busy = true;
    clearTimeout(this.retireTimer);
    try {
      this.start().postMessage('checkpoint');
    } catch {
      this.fail();
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {path: this.path, driver: createRequire(import.meta.url).resolve('better-sqlite3')},
      // a checkpointer needs little: keep its heap small (it counts in the emulator's RSS)
      resourceLimits: {maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16},
    });
    worker.unref();
    worker.on('message', (m: number | string) => {
      this.busy = false;
      // the WAL bytes in use after the checkpoint, or what went wrong
      if (typeof m !== 'number') return this.fail();
      this.options.onCheckpoint?.(m);
      const limit = this.options.walLimit ?? WAL_LIMIT;
      if (m > (this.options.walHardLimit ?? (this.options.walLimit ? 4 * limit : WAL_HARD_LIMIT))) this.restartSoon();
      else if (m > limit) this.restartWhenQuiet();
      this.retireTimer = setTimeout(() => this.retire(worker), this.options.retireMs ?? 10_000);
      this.retireTimer.unref();
    });
    worker.on('error', () => this.fail());
    worker.on('exit', () => {
      if (this.worker !== worker) return; // retired or stopped on purpose
      this.worker = undefined;
      if (this.busy) this.fail(); // died in the middle of a checkpoint
    });
    this.worker = worker;
    return worker;
  }

  /** End an idle worker; the next checkpoint starts a new one. */
  private retire(worker: Worker): void {
    if (this.worker !== worker || this.busy) return;
    this.worker = undefined;
    worker.postMessage('close');
  }

  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    void this.worker?.terminate();
    this.fallback();
  }

  /** Let a running checkpoint finish, close the worker's connection and end it. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearTimeout(this.quietTimer);
    clearTimeout(this.retireTimer);
    this.failed = true;
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => void worker.terminate(), 2000);
      worker.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      worker.postMessage('close');
    });
  }
}

/** WAL bytes in use past which the main thread restarts it at the next pause in the writes (see the class comment). */
export const WAL_LIMIT = 16 * 1024 * 1024;
/** WAL bytes in use past which it is restarted at once; also the size its file is cut back to (journal_size_limit). */
export const WAL_HARD_LIMIT = 4 * WAL_LIMIT;

const WORKER_SOURCE = `
const {parentPort, workerData} = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
parentPort.on('message', (m) => {
  if (m === 'close') {
    try { db?.close(); } finally { parentPort.close(); }
    return;
  }
  try {
    db ??= new Database(workerData.path, {fileMustExist: true});
    db.pragma('busy_timeout = 1000');
    const [{log}] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage(log * (db.pragma('page_size', {simple: true}) + 24));
  } catch (error) {
    parentPort.postMessage(String(error && error.message || error));
  }
});
`;
