/**
 * The root hook (test/hooks.ts) keeps every test of the mocha process off the network: nock
 * refuses any host but loopback before a socket is opened (for node:http, node:https and fetch
 * alike), and *.twilio.com is reachable only through nock interceptors. CLI child processes are
 * separate: their tests point them at loopback (the emulator, local servers, a recording proxy
 * in credential-target.test.ts).
 *
 * The hosts tried here are under `.invalid` (RFC 6761): were the hook ever missing, the attempt
 * would end in a failed name lookup, never a connection.
 */
import {request as httpRequest, createServer} from 'node:http';
import {request as httpsRequest} from 'node:https';
import type {AddressInfo} from 'node:net';
import {expect} from 'chai';

function refused(make: (cb: (e: NodeJS.ErrnoException | undefined) => void) => void): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => make(resolve));
}

describe('tests never touch the network (root hook: nock.disableNetConnect, loopback allowed)', () => {
  it('node:http and node:https to another host are refused by nock, not attempted', async () => {
    for (const [req, url] of [
      [httpRequest, 'http://example.invalid/'],
      [httpsRequest, 'https://conversations.flexconv-test.invalid/v1/Conversations'],
    ] as const) {
      const e = await refused((cb) => {
        const r = req(url, () => cb(undefined));
        r.on('error', (err) => cb(err));
        r.end();
      });
      expect(e?.name, url).to.equal('NetConnectNotAllowedError');
    }
  });

  it('fetch() to another host is refused too', async () => {
    let error: Error | undefined;
    await fetch('https://example.invalid/').catch((e: Error) => (error = e));
    const cause = (error as {cause?: Error} | undefined)?.cause ?? error;
    expect(`${error?.name} ${cause?.name} ${cause?.message}`).to.match(/NetConnectNotAllowedError|Nock: Disallowed net connect/);
  });

  it('a real *.twilio.com request without an interceptor is refused', async () => {
    const e = await refused((cb) => {
      const r = httpsRequest('https://conversations.twilio.com/v1/Conversations', () => cb(undefined));
      r.on('error', (err) => cb(err));
      r.end();
    });
    expect(e?.name).to.equal('NetConnectNotAllowedError');
  });

  it('loopback stays open (the emulator and local test servers listen there)', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const {port} = server.address() as AddressInfo;
      for (const host of ['127.0.0.1', 'localhost']) {
        const res = await fetch(`http://${host}:${port}/`);
        expect(await res.text(), host).to.equal('ok');
      }
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
