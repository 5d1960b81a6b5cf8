/**
 * How the server orders work: reads are answered before the writes that arrived in the same
 * event-loop turn (which run in slices, each committed as one batch), and requests on one
 * connection keep their order. Raw HTTP/1.1 on loopback sockets, an emulator in this process (the
 * test's writes all land before the server's next turn, so what arrives together is known).
 */
import {connect, type Socket} from 'node:net';
import {expect} from 'chai';
import nock from 'nock';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';
import {basic} from '../helpers/emulator.js';

const BASE = '/conversations/v1/Configuration/Addresses';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves with everything received until `count` HTTP responses (by status line) have arrived. */
function responses(sock: Socket, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`only got ${JSON.stringify(text.slice(0, 300))}`)), 10_000);
    const onData = (d: Buffer) => {
      text += d.toString();
      const complete = text.split(/HTTP\/1\.1 \d{3} /).length - 1;
      // each body is JSON ending in "}"; the last response is whole once its body parses
      if (complete >= count && /\}\s*$/.test(text)) {
        clearTimeout(timer);
        sock.off('data', onData);
        resolve(text);
      }
    };
    sock.on('data', onData);
  });
}

describe('emulator scheduling: reads before writes, order per connection', () => {
  let emu: Emulator;
  let auth: string;
  before(async () => {
    nock.restore(); // raw sockets: nock's interceptor would parse them as a client
    emu = await startEmulator({port: 0, db: ':memory:'});
    auth = basic(emu.accountSid, emu.authToken);
  });
  after(async () => {
    await emu?.stop();
    nock.activate();
  });

  const post = (address: string, close = false) => {
    const body = `Type=chat&Address=${encodeURIComponent(address)}`;
    return (
      `POST ${BASE} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n` +
      `${close ? 'Connection: close\r\n' : ''}\r\n${body}`
    );
  };
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth}\r\n\r\n`;

  it('a GET pipelined behind a POST on the same connection sees the POST\'s write, answers in order', async () => {
    const sock = await open(emu.port);
    try {
      const got = responses(sock, 2);
      sock.write(post('pipelined-1') + get(`${BASE}?PageSize=50`));
      const text = await got;
      const [first, second] = text.split(/(?=HTTP\/1\.1 \d{3} )/);
      expect(first).to.match(/^HTTP\/1\.1 201 /);
      expect(second).to.match(/^HTTP\/1\.1 200 /);
      const list = JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4)) as {address_configurations: {address: string}[]};
      expect(list.address_configurations.map((a) => a.address)).to.include('pipelined-1');
    } finally {
      sock.destroy();
    }
  });

  it('a read that arrives with a queue of writes is answered before them, then every write is acknowledged', async () => {
    const writers = await Promise.all(Array.from({length: 40}, () => open(emu.port)));
    const reader = await open(emu.port);
    try {
      // keep-alive connections the server holds already (a fresh one is read a turn after it is accepted)
      await Promise.all([...writers, reader].map((s) => {
        const got = responses(s, 1);
        s.write(get(`${BASE}?PageSize=1`));
        return got;
      }));
      const order: string[] = [];
      const done = [
        ...writers.map((s, i) => responses(s, 1).then((t) => (order.push(`w${i}`), t))),
        responses(reader, 1).then((t) => (order.push('read'), t)),
      ];
      // all in this turn: the server sees them together in its next one, the read last of all
      writers.forEach((s, i) => s.write(post(`queued-${i}`)));
      reader.write(get('/conversations/v1/Configuration/Addresses?PageSize=1'));
      const texts = await Promise.all(done);
      expect(order[0]).to.equal('read');
      for (const t of texts.slice(0, -1)) expect(t).to.match(/^HTTP\/1\.1 201 /);
      expect(texts.at(-1)).to.match(/^HTTP\/1\.1 200 /);
    } finally {
      for (const s of [...writers, reader]) s.destroy();
    }
  });
});
