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
 * them per 1,000 interactions of bench/interactions put its p99 there). So past `walLimit` the
 * main thread does not restart it: at the next pause in the writes (`quietMs` without a commit)
 * the worker checkpoints again, and a checkpoint that copied the whole WAL (nothing was written
 * meanwhile) lets SQLite itself start the WAL over at the next write, with no stall. Only when
 * that checkpoint could not copy everything, or past `walHardLimit` (8 × walLimit: writes that
 * never pause), does the main thread restart it; and first, while more than a few commits came
 * in during the worker's checkpoint, the worker copies again (up to MAX_PASSES times), so that the
 * RESTART has little left to copy: it stalled requests 20–29 ms after one long checkpoint.
 *
 * The limits are small on purpose. A WAL that grows writes each frame into new blocks of its file
 * and a WAL that starts over writes over old ones, and growing costs several times as much
 * (measured: a 20-page COMMIT took 160–360 µs while the WAL grew past 100 MiB, 53 µs once it was
 * being reused). So the WAL starts over every WAL_LIMIT bytes at a pause in the writes (at no
 * cost, see above), or every WAL_HARD_LIMIT bytes under writes that never pause (a stall, kept
 * rare: 8 × WAL_LIMIT), and its file is kept at up to WAL_HARD_LIMIT (journal_size_limit) so
 * that the next round writes over the same blocks.
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
      /** Past this, the WAL is restarted at once, pause or not (default 8 × walLimit). */
      walHardLimit?: number;
      /** How long the writes must pause for a due restart (default 200 ms). */
      quietMs?: number;
      /** Told the WAL bytes in use after each checkpoint of the worker, and whether it copied them all. */
      onCheckpoint?: (walBytes: number, copiedAll: boolean) => void;
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

  /** A checkpoint of everything at the next pause of `quietMs` in the commits (checked when that long has passed). */
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
      // a checkpoint still running reports first (and is judged then)
      if (this.busy) {
        this.quietTimer = setTimeout(check, quiet);
        this.quietTimer.unref();
        return;
      }
      this.restartDue = false;
      // the worker copies the whole WAL (nothing is being written); SQLite starts it over at the next write
      this.quietRun = true;
      if (!this.run(true)) this.restartSoon();
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

  /** Ask the worker for a checkpoint (`force`: even with no commit since the last one); whether one started. */
  private run(force = false): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.busy || this.failed || (this.commits === 0 && !force)) return false;
    this.commits = 0;
    this.busy = true;
    clearTimeout(this.retireTimer);
    try {
      this.start().postMessage('checkpoint');
    } catch {
      this.fail();
      return false;
    }
    return true;
  }

  /** The running checkpoint was asked for in a pause of the writes (restartWhenQuiet). */
  private quietRun = false;
  /** Worker checkpoints run back to back before a restart (see the message handler). */
  private passes = 0;

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {path: this.path, driver: createRequire(import.meta.url).resolve('better-sqlite3')},
      // a checkpointer needs little: keep its heap small (it counts in the emulator's RSS)
      resourceLimits: {maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16},
    });
    worker.unref();
    worker.on('message', (m: {wal: number; all: boolean} | string) => {
      this.busy = false;
      const quiet = this.quietRun;
      this.quietRun = false;
      // the WAL bytes in use after the checkpoint and whether it copied them all, or what went wrong
      if (typeof m !== 'object') return this.fail();
      this.options.onCheckpoint?.(m.wal, m.all);
      const limit = this.options.walLimit ?? WAL_LIMIT;
      const written = this.commits; // commits while it ran: their frames are still to copy
      // copied all, nothing written since: SQLite starts the WAL over at the next write
      if ((m.all && written === 0) || m.wal <= limit) this.passes = 0;
      else if (m.wal > (this.options.walHardLimit ?? HARD_FACTOR * limit) || quiet) {
        // restart now. The main thread's RESTART copies what was written while the worker ran,
        // then fsyncs: cheap when that is a few commits, so while it is more the worker copies
        // again first (each pass shorter than the one before)
        if (written <= RESTART_AFTER_COMMITS || this.passes >= MAX_PASSES) {
          this.passes = 0;
          this.restartSoon();
        } else {
          this.passes++;
          this.quietRun = quiet;
          this.run(true);
        }
      } else this.restartWhenQuiet();
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

/** walHardLimit, unless given: this many times walLimit. */
const HARD_FACTOR = 8;
/** A restart goes ahead when at most this many commits came in while the worker's checkpoint ran. */
const RESTART_AFTER_COMMITS = 8;
/** Worker checkpoints run back to back at most before a restart goes ahead anyway. */
const MAX_PASSES = 4;

/** WAL bytes in use past which the main thread restarts it at the next pause in the writes (see the class comment). */
export const WAL_LIMIT = 16 * 1024 * 1024;
/** WAL bytes in use past which it is restarted at once; also the size its file is cut back to (journal_size_limit). */
export const WAL_HARD_LIMIT = HARD_FACTOR * WAL_LIMIT;

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
    const [{log, checkpointed}] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({wal: log * (db.pragma('page_size', {simple: true}) + 24), all: checkpointed >= log});
  } catch (error) {
    parentPort.postMessage(String(error && error.message || error));
  }
});
`;
