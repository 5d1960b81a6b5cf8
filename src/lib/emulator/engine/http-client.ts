import {connect, type Socket} from 'node:net';

/**
 * A small HTTP/1.1 client for plain-http webhooks: keep-alive sockets per host, each request
 * written with one write, the response parsed here. node's http.request costs ~80 µs a request
 * in ClientRequest, its agent and stream plumbing (profiles of bench/inbound: a quarter of an
 * inbound message into an existing conversation); this costs a fraction of that. https targets
 * still go through node's https.
 *
 * It understands what a webhook receiver may answer: Content-Length, chunked bodies (trailers
 * skipped), a body ended by the server closing, interim 1xx answers, `Connection: close` and
 * HTTP/1.0. A reused idle socket the server closed before answering is retried once on a new one
 * (the request never reached a handler); any other failure is reported, never retried here.
 */

export interface RawResult {
  status?: number;
  body?: string;
  error?: string;
}

/** Largest response head accepted. */
const MAX_HEAD = 64 * 1024;
/** Idle sockets kept per host:port. */
const MAX_IDLE = 64;
/** An idle socket is closed after this long unused. */
const IDLE_MS = 30_000;

interface Job {
  data: string;
  keep: number;
  timer: NodeJS.Timeout;
  resolve: (r: RawResult) => void;
  /** A retry on a fresh socket was already made. */
  retried: boolean;
  key: string;
  host: string;
  port: number;
  /** The socket it is on now. */
  conn?: Conn;
}

const enum Phase {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailer,
  UntilClose,
}

class Conn {
  readonly socket: Socket;
  job?: Job;
  /** The socket served a request before this one (a server may have closed it meanwhile). */
  reused = false;
  private buf: Buffer = Buffer.alloc(0);
  private got = 0;
  private phase = Phase.Head;
  private status = 0;
  private remaining = 0;
  private keepAlive = true;
  private kept: Buffer[] = [];
  private keptBytes = 0;
  dead = false;

  constructor(
    readonly client: HttpClient,
    readonly key: string,
    host: string,
    port: number,
  ) {
    this.socket = connect({host, port});
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (e: NodeJS.ErrnoException) => this.onGone(e.code ? `${e.code}: ${e.message}` : e.message));
    this.socket.on('close', () => this.onGone('ECONNRESET: socket hang up'));
  }

  /** When it last went back to the idle pool (performance.now()). */
  idleSince = 0;

  start(job: Job): void {
    this.job = job;
    job.conn = this;
    this.buf = Buffer.alloc(0);
    this.got = 0;
    this.phase = Phase.Head;
    this.kept = [];
    this.keptBytes = 0;
    this.socket.ref();
    this.socket.write(job.data);
  }

  destroy(): void {
    if (this.dead) return;
    this.dead = true;
    this.client.forget(this);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.job) return this.destroy(); // bytes nobody asked for: the socket can't be trusted
    this.got += chunk.length;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      this.parse();
    } catch (error) {
      this.fail((error as Error).message);
    }
  }

  private keepBody(part: Buffer): void {
    if (this.keptBytes >= (this.job?.keep ?? 0)) return;
    this.kept.push(part);
    this.keptBytes += part.length;
  }

  /** Body bytes of a known length (a Content-Length body, one chunk): whether all of them came. */
  private take(): boolean {
    const n = Math.min(this.remaining, this.buf.length);
    if (n > 0) this.keepBody(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    this.remaining -= n;
    return this.remaining === 0;
  }

  private parse(): void {
    for (;;) {
      switch (this.phase) {
        case Phase.Head: {
          const end = this.buf.indexOf('\r\n\r\n');
          if (end < 0) {
            if (this.buf.length > MAX_HEAD) throw new Error('the response head is larger than 64 KiB');
            return;
          }
          const head = this.buf.toString('latin1', 0, end);
          this.buf = this.buf.subarray(end + 4);
          this.head(head);
          break;
        }
        case Phase.Length:
          if (this.take()) this.complete();
          return;
        case Phase.ChunkSize: {
          const eol = this.buf.indexOf('\r\n');
          if (eol < 0) {
            if (this.buf.length > 4096) throw new Error('malformed chunked response');
            return;
          }
          const line = this.buf.toString('latin1', 0, eol);
          this.buf = this.buf.subarray(eol + 2);
          const hex = line.split(';', 1)[0].trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new Error('malformed chunked response');
          this.remaining = Number.parseInt(hex, 16);
          this.phase = this.remaining === 0 ? Phase.Trailer : Phase.ChunkData;
          break;
        }
        case Phase.ChunkData:
          if (!this.take()) return;
          this.phase = Phase.ChunkEnd;
          break;
        case Phase.ChunkEnd: {
          if (this.buf.length < 2) return;
          if (this.buf[0] !== 13 || this.buf[1] !== 10) throw new Error('malformed chunked response');
          this.buf = this.buf.subarray(2);
          this.phase = Phase.ChunkSize;
          break;
        }
        case Phase.Trailer: {
          const eol = this.buf.indexOf('\r\n');
          if (eol < 0) {
            if (this.buf.length > MAX_HEAD) throw new Error('malformed chunked response');
            return;
          }
          this.buf = this.buf.subarray(eol + 2);
          if (eol === 0) return this.complete();
          break;
        }
        case Phase.UntilClose:
          if (this.buf.length) this.keepBody(this.buf);
          this.buf = Buffer.alloc(0);
          return;
      }
    }
  }

  private head(text: string): void {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0]);
    if (!m) throw new Error('malformed response: not HTTP/1.x');
    const status = Number(m[2]);
    let length: number | undefined;
    let chunked = false;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error('malformed response header');
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name === 'content-length') {
        const v = line.slice(colon + 1).trim();
        if (!/^\d{1,15}$/.test(v) || (length !== undefined && length !== Number(v))) throw new Error('malformed response: bad Content-Length');
        length = Number(v);
      } else if (name === 'transfer-encoding') {
        chunked = /(?:^|,)\s*chunked\s*$/i.test(line.slice(colon + 1));
      } else if (name === 'connection') connection += line.slice(colon + 1).toLowerCase();
    }
    if (status < 200) {
      if (status === 101) throw new Error('the webhook answered 101 Switching Protocols');
      return; // interim answer (100 Continue, 103 Early Hints): the real one follows
    }
    this.status = status;
    this.keepAlive = m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    if (status === 204 || status === 304) {
      this.phase = Phase.Length;
      this.remaining = 0;
    } else if (chunked) this.phase = Phase.ChunkSize;
    else if (length !== undefined) {
      this.phase = Phase.Length;
      this.remaining = length;
    } else {
      this.phase = Phase.UntilClose;
      this.keepAlive = false;
    }
  }

  private complete(): void {
    const job = this.job!;
    this.job = undefined;
    // bytes after the answer (nothing was pipelined): the socket's state is unknown, don't reuse it
    const reusable = this.keepAlive && this.buf.length === 0 && !this.dead;
    const result: RawResult = {status: this.status, body: Buffer.concat(this.kept).toString('utf8')};
    this.kept = [];
    if (reusable) this.client.release(this);
    else this.destroy();
    clearTimeout(job.timer);
    job.resolve(result);
  }

  private fail(error: string): void {
    const job = this.job;
    this.job = undefined;
    this.destroy();
    if (!job) return;
    clearTimeout(job.timer);
    job.resolve({error});
  }

  private onEnd(): void {
    if (this.job && this.phase === Phase.UntilClose) return this.complete();
    this.onGone('ECONNRESET: socket hang up');
  }

  private onGone(error: string): void {
    const job = this.job;
    if (job && this.reused && this.got === 0 && !job.retried) {
      // an idle keep-alive socket the server had closed: the request never reached it
      this.job = undefined;
      this.destroy();
      job.retried = true;
      this.client.run(job, true);
      return;
    }
    if (job) this.fail(error);
    else this.destroy();
  }
}

export class HttpClient {
  private readonly idle = new Map<string, Conn[]>();
  private readonly all = new Set<Conn>();
  private stopped = false;

  constructor(private readonly opts: {idleMs?: number} = {}) {}

  /**
   * Send one request (`head` without its final blank line, then `body`) to host:port. Resolves
   * with the status and up to `keep` bytes of the body, or an error; never rejects.
   */
  request(host: string, port: number, head: string, body: string, timeoutMs: number, keep: number): Promise<RawResult> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve({error: 'the emulator is stopping'});
      const key = `${host}:${port}`;
      const job: Job = {
        data: `${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
        keep,
        resolve,
        retried: false,
        key,
        host,
        port,
        timer: setTimeout(() => {
          const conn = job.conn;
          if (conn?.job === job) {
            conn.job = undefined;
            conn.destroy();
          }
          job.resolve({error: `timed out after ${timeoutMs} ms`});
        }, timeoutMs),
      };
      job.timer.unref();
      this.run(job, false);
    });
  }

  /** @internal Start a job on an idle socket of its host, or a new one (`fresh`: always new). */
  run(job: Job, fresh: boolean): void {
    if (this.stopped) {
      clearTimeout(job.timer);
      return job.resolve({error: 'the emulator is stopping'});
    }
    const pool = fresh ? undefined : this.idle.get(job.key);
    let conn = pool?.pop();
    if (conn) conn.reused = true;
    else {
      conn = new Conn(this, job.key, job.host, job.port);
      this.all.add(conn);
    }
    conn.start(job);
  }

  /** @internal An answered socket goes back to its host's idle pool. */
  release(conn: Conn): void {
    let pool = this.idle.get(conn.key);
    if (!pool) this.idle.set(conn.key, (pool = []));
    if (this.stopped || pool.length >= MAX_IDLE) return conn.destroy();
    conn.socket.unref();
    conn.idleSince = performance.now();
    pool.push(conn);
    // idle sockets are closed by one sweep, not a timer each (set and cleared per request)
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), (this.opts.idleMs ?? IDLE_MS) / 2);
      this.sweeper.unref();
    }
  }

  private sweeper?: NodeJS.Timeout;

  /** Close the sockets idle for IDLE_MS or more. */
  private sweep(): void {
    const old = performance.now() - (this.opts.idleMs ?? IDLE_MS);
    for (const pool of [...this.idle.values()]) for (const conn of pool.filter((c) => c.idleSince <= old)) conn.destroy();
    if (this.idle.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** @internal A socket that is gone. */
  forget(conn: Conn): void {
    this.all.delete(conn);
    const pool = this.idle.get(conn.key);
    const i = pool ? pool.indexOf(conn) : -1;
    if (i >= 0) pool!.splice(i, 1);
    if (pool && pool.length === 0) this.idle.delete(conn.key);
  }

  /** Sockets open now (idle or busy). */
  get sockets(): number {
    return this.all.size;
  }

  /** Abort requests in flight (they resolve with an error) and close every socket. */
  destroy(): void {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const conn of [...this.all]) {
      const job = conn.job;
      conn.job = undefined;
      conn.destroy();
      if (job) {
        clearTimeout(job.timer);
        job.resolve({error: 'aborted: the emulator is stopping'});
      }
    }
    this.idle.clear();
  }
}
