import {statSync} from 'node:fs';
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
 * has been copied, so under sustained writes it would grow without bound. Every `every` commits
 * the WAL's size is checked, and past `walLimit` the main thread truncates it (`truncate`: commit
 * what is pending, then a TRUNCATE checkpoint) — a short pause, once per `walLimit` of writes.
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
  private sinceSizeCheck = 0;
  private truncating = false;

  constructor(
    private readonly path: string,
    private readonly fallback: () => void,
    private readonly truncate: () => void,
    private readonly options: {every?: number; idleMs?: number; retireMs?: number; walLimit?: number} = {},
  ) {}

  private get every(): number {
    return this.options.every ?? 256;
  }

  /** Whether a worker thread is alive now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Called after each committed write transaction. */
  committed(): void {
    if (this.failed) return;
    this.commits++;
    if (++this.sinceSizeCheck >= this.every) {
      this.sinceSizeCheck = 0;
      if (!this.truncating && walSize(this.path) > (this.options.walLimit ?? 64 * 1024 * 1024)) {
        this.truncating = true;
        setImmediate(() => {
          this.truncating = false;
          if (!this.failed) this.truncate();
        });
      }
    }
    if (this.commits >= this.every) this.run();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.run(), this.options.idleMs ?? 2000);
      this.timer.unref();
    }
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
    worker.on('message', (m: string) => {
      this.busy = false;
      if (m !== 'ok') return this.fail();
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

function walSize(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

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
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage('ok');
  } catch (error) {
    parentPort.postMessage(String(error && error.message || error));
  }
});
`;
