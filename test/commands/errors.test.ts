/**
 * What a user sees when a request fails, from the built CLI: a Twilio error is one line with our
 * code, Twilio's code, its message and its more_info link (exit 1); a network failure names the
 * host and the cause — refused (a closed loopback port), DNS (an `.invalid` host), timeout (a
 * local server that never answers, with --timeout), TLS (https:// to a plain HTTP server) —
 * with a hint for that cause, exit 1, and the same under --json ({error: {network: …}}).
 */
import {createServer, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {expect} from 'chai';
import {freePort, runCli, sandbox, assertBuilt, type CliResult} from '../helpers/cli.js';
import {useEmulator} from '../helpers/emulator.js';

describe('commands: errors as a user sees them', function () {
  this.timeout(60_000);
  before(() => assertBuilt());
  const box = sandbox('flexconv-errors-');
  after(() => box.cleanup());
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, {env: {...box.env, ...env}, cwd: box.cwd});

  /** Exit 1, nothing on stdout, and the first stderr line. */
  function failure(r: CliResult): string {
    expect(r.exitCode, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.equal('');
    return r.stderr.split('\n')[0];
  }

  describe('a Twilio error', () => {
    const t = useEmulator();
    it('one line: code, Twilio code, message and more_info link; exit 1', async () => {
      const r = await cli(['conversations', 'get', 'CH00000000000000000000000000000000'], {FLEXCONV_EMULATOR_URL: t.url});
      expect(failure(r)).to.match(
        /^✖ NOT_FOUND \(twilio 20404\): .+ — https:\/\/www\.twilio\.com\/docs\/errors\/20404$/,
      );
    });

    it('--json: the same in the error document', async () => {
      const r = await cli(['conversations', 'get', 'CH00000000000000000000000000000000', '--json'], {FLEXCONV_EMULATOR_URL: t.url});
      expect(r.exitCode).to.equal(1);
      expect(r.json().error).to.deep.include({code: 'NOT_FOUND', twilio: {code: 20404, status: 404, moreInfo: 'https://www.twilio.com/docs/errors/20404'}});
    });
  });

  it('connection refused (a closed loopback port): the host and "connection refused"', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const r = await cli(['conversations', 'list', '--emulator-url', url]);
    expect(failure(r)).to.equal(`✖ NETWORK: No emulator is answering at ${url} (connection refused, ECONNREFUSED)`);
    expect(r.stderr).to.contain('start one with `flexconv emulator start`');
    const j = await cli(['conversations', 'list', '--emulator-url', url, '--json']);
    expect(j.json().error.network).to.deep.equal({host: `127.0.0.1:${port}`, cause: 'refused', errno: 'ECONNREFUSED'});
  });

  it('DNS (an .invalid host): the host and "does not resolve"', async () => {
    const r = await cli(['addresses', 'list', '--emulator-url', 'http://flexconv-emulator.invalid:4010']);
    expect(failure(r)).to.match(/^✖ NETWORK: Cannot reach http:\/\/flexconv-emulator\.invalid:4010: its name does not resolve \(DNS\), (ENOTFOUND|EAI_AGAIN)$/);
    expect(r.stderr).to.contain('check the emulator URL');
    const j = await cli(['addresses', 'list', '--emulator-url', 'http://flexconv-emulator.invalid:4010', '--json']);
    expect(j.json().error.network).to.include({host: 'flexconv-emulator.invalid:4010', cause: 'dns'});
  });

  describe('a server that never answers', () => {
    let server: Server;
    let url: string;
    const held: ServerResponse[] = [];
    before(async () => {
      server = createServer((_req, res) => void held.push(res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('--timeout 500ms: NETWORK "no answer within 500ms", in about that time; the hint says how to allow longer', async () => {
      const started = Date.now();
      const r = await cli(['conversations', 'list', '--emulator-url', url, '--timeout', '500ms']);
      const elapsed = Date.now() - started;
      expect(failure(r)).to.equal(`✖ NETWORK: No answer from ${url} within 500ms (timeout, ETIMEDOUT)`);
      expect(r.stderr).to.contain('--timeout');
      expect(elapsed).to.be.below(10_000);
    });

    it('FLEXCONV_TIMEOUT does the same; a bad value is a usage error (exit 2)', async () => {
      const r = await cli(['conversations', 'list', '--emulator-url', url, '--json'], {FLEXCONV_TIMEOUT: '300ms'});
      expect(r.exitCode).to.equal(1);
      expect(r.json().error.network).to.include({cause: 'timeout'});
      const bad = await cli(['conversations', 'list', '--emulator-url', url, '--timeout', 'soon']);
      expect(bad.exitCode).to.equal(2);
      expect(bad.stderr.split('\n')[0]).to.equal('✖ USAGE: Parsing --timeout: "soon" is not a timeout between 1ms and 60m (for example 30s, 500ms, 2m)');
    });
  });

  describe('TLS', () => {
    let server: Server;
    let port: number;
    before(async () => {
      server = createServer((_req, res) => res.end('plain HTTP'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('https:// to a server that does not speak TLS: the host and "the TLS handshake failed"', async () => {
      const r = await cli(['conversations', 'list', '--emulator-url', `https://127.0.0.1:${port}`, '--json']);
      expect(r.exitCode).to.equal(1);
      const {error} = r.json();
      expect(error.code).to.equal('NETWORK');
      expect(error.network).to.include({host: `127.0.0.1:${port}`, cause: 'tls'});
      expect(error.message).to.match(new RegExp(`^Cannot reach https://127\\.0\\.0\\.1:${port}: the TLS handshake failed`));
      expect(error.hints.join(' ')).to.contain('TWILIO_CA_BUNDLE');
    });
  });
});
