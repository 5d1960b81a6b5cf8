import {createServer as createHttpServer} from 'node:http';
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net';
import {expect} from 'chai';
import {HttpClient} from '../../src/lib/emulator/engine/http-client.js';

/**
 * The webhook client speaks HTTP/1.1 to whatever a user runs as a receiver. These receivers are
 * raw sockets answering exact bytes, so every way a server may frame its answer is covered.
 */
interface Raw {
  port: number;
  /** Requests received (raw text), in order. */
  got: string[];
  /** Connections accepted. */
  accepted: number;
  close(): Promise<void>;
}

/** A TCP server that answers each complete request (head + Content-Length body) with answer(n). */
async function raw(answer: (n: number, socket: Socket) => string | Buffer | undefined): Promise<Raw> {
  const got: string[] = [];
  const sockets = new Set<Socket>();
  const r: Raw = {port: 0, got, accepted: 0, close: async () => undefined};
  const server: Server = createServer((socket) => {
    r.accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    socket.on('data', (c) => {
      buf += c.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        got.push(buf.slice(0, end + 4 + length));
        buf = buf.slice(end + 4 + length);
        const out = answer(got.length, socket);
        if (out !== undefined) socket.write(out);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.port = (server.address() as AddressInfo).port;
  r.close = () =>
    new Promise<void>((ok) => {
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    });
  return r;
}

const HEAD = (path = '/hook') => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n`;

describe('webhook HTTP client (engine/http-client)', () => {
  let client: HttpClient;
  beforeEach(() => (client = new HttpClient()));
  afterEach(() => client.destroy());

  it('sends one well-formed request and reuses the socket for the next (keep-alive)', async () => {
    const s = await raw(() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    try {
      for (let i = 0; i < 3; i++) {
        const r = await client.request('127.0.0.1', s.port, HEAD(), `A=${i}&B=%20`, 2000, 4096);
        expect(r).to.deep.equal({status: 200, body: 'ok'});
      }
      expect(s.accepted).to.equal(1);
      expect(s.got[0]).to.match(/^POST \/hook HTTP\/1\.1\r\n/);
      expect(s.got[0]).to.include('Content-Length: 9\r\nConnection: keep-alive\r\n\r\nA=0&B=%20');
      // the same works through node's own server (its parser is strict)
      const node = createHttpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => res.end(`${req.method} ${req.url} ${Buffer.concat(chunks)}`));
      });
      await new Promise<void>((ok) => node.listen(0, '127.0.0.1', ok));
      const port = (node.address() as AddressInfo).port;
      expect(await client.request('127.0.0.1', port, HEAD('/x?y=1'), 'k=v', 2000, 4096)).to.deep.equal({status: 200, body: 'POST /x?y=1 k=v'});
      client.destroy();
      node.close();
    } finally {
      await s.close();
    }
  });

  it('closes a socket left idle for idleMs (one sweep for all of them, no timer per request)', async () => {
    const s = await raw(() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const idle = new HttpClient({idleMs: 60});
    try {
      expect(await idle.request('127.0.0.1', s.port, HEAD(), 'a=1', 2000, 4096)).to.deep.equal({status: 200, body: 'ok'});
      expect(idle.sockets).to.equal(1);
      // reused within idleMs: the same socket
      expect(await idle.request('127.0.0.1', s.port, HEAD(), 'a=2', 2000, 4096)).to.deep.equal({status: 200, body: 'ok'});
      expect(s.accepted).to.equal(1);
      for (let i = 0; i < 40 && idle.sockets > 0; i++) await new Promise((ok) => setTimeout(ok, 10));
      expect(idle.sockets, 'closed after idleMs').to.equal(0);
      // the next request opens a new one
      expect(await idle.request('127.0.0.1', s.port, HEAD(), 'a=3', 2000, 4096)).to.deep.equal({status: 200, body: 'ok'});
      expect(s.accepted).to.equal(2);
    } finally {
      idle.destroy();
      await s.close();
    }
  });

  it('reads chunked bodies (with extensions and trailers), close-delimited bodies, 204, and skips 1xx', async () => {
    const answers = [
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{"a"\r\n3\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n',
      'HTTP/1.1 204 No Content\r\n\r\n',
      'HTTP/1.0 500 Oops\r\n\r\npartial then close',
    ];
    const s = await raw((n, socket) => {
      const a = answers[n - 1];
      if (n === 3) {
        socket.end(a);
        return undefined;
      }
      // split the answer across writes: the parser must not depend on packet boundaries
      for (const part of a.match(/[\s\S]{1,5}/g)!) socket.write(part);
      return undefined;
    });
    try {
      expect(await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096)).to.deep.equal({status: 201, body: '{"a":1}'});
      expect(await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096)).to.deep.equal({status: 204, body: ''});
      expect(await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096)).to.deep.equal({status: 500, body: 'partial then close'});
      expect(client.sockets).to.equal(0); // a close-delimited answer can't be followed by another
    } finally {
      await s.close();
    }
  });

  it('does not reuse a socket answered with Connection: close, and keeps only `keep` bytes of a body', async () => {
    const big = 'x'.repeat(100_000);
    const s = await raw((n) => (n === 1 ? 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n1' : `HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`));
    try {
      expect((await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096)).body).to.equal('1');
      const r = await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096);
      expect(r.status).to.equal(200);
      expect(r.body!.length).to.be.at.least(4096).and.below(big.length);
      expect(s.accepted).to.equal(2);
    } finally {
      await s.close();
    }
  });

  it('retries once, on a new socket, a request whose reused keep-alive socket closes before any answer', async () => {
    const s = await raw((n, socket) => {
      if (n === 2) {
        socket.destroy(); // the server had dropped the idle connection: no byte of an answer
        return undefined;
      }
      return `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n${n}!`;
    });
    try {
      expect(await client.request('127.0.0.1', s.port, HEAD(), 'a=1', 2000, 4096)).to.deep.equal({status: 200, body: '1!'});
      expect(await client.request('127.0.0.1', s.port, HEAD(), 'a=2', 2000, 4096)).to.deep.equal({status: 200, body: '3!'});
      expect(s.accepted).to.equal(2);
      expect(s.got[2]).to.include('a=2'); // the same request, sent again
    } finally {
      await s.close();
    }
  });

  it('a hang times out, a malformed answer or a reset is an error, a refused connection says so', async () => {
    const s = await raw((n, socket) => {
      if (n === 1) return undefined; // never answers
      if (n === 2) return 'SMTP ready\r\n\r\n';
      if (n === 3) return 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n';
      if (n === 4) return 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n';
      socket.destroy(); // reset mid-request
      return undefined;
    });
    try {
      const started = performance.now();
      expect(await client.request('127.0.0.1', s.port, HEAD(), '', 150, 4096)).to.deep.equal({error: 'timed out after 150 ms'});
      expect(performance.now() - started).to.be.below(1500);
      expect((await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096)).error).to.match(/not HTTP/);
      expect((await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096)).error).to.match(/malformed chunked/);
      expect((await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096)).error).to.match(/Content-Length/);
      expect((await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096)).error).to.match(/ECONNRESET|socket hang up/);
      expect(client.sockets).to.equal(0);
    } finally {
      await s.close();
    }
    const port = s.port; // closed now
    expect((await client.request('127.0.0.1', port, HEAD(), '', 2000, 4096)).error).to.match(/^ECONNREFUSED: /);
  });

  it('destroy() ends requests in flight with an error and closes every socket', async () => {
    const s = await raw(() => undefined);
    try {
      const pending = client.request('127.0.0.1', s.port, HEAD(), '', 60_000, 4096);
      while (s.got.length === 0) await new Promise((ok) => setTimeout(ok, 5));
      client.destroy();
      expect((await pending).error).to.match(/stopping/);
      expect(client.sockets).to.equal(0);
      expect((await client.request('127.0.0.1', s.port, HEAD(), '', 2000, 4096)).error).to.match(/stopping/);
    } finally {
      await s.close();
    }
  });
});
