/**
 * Error mapping (toFlexconvError) and the wording shared by every command: what a non-emulator
 * HTTP server at the emulator URL becomes, and how targets are named in messages.
 */
import {expect} from 'chai';
import RestException from 'twilio/lib/base/RestException.js';
import {CANCELLED_MESSAGE, targetLabel} from '../../src/lib/command.js';
import {isTwilioError, toFlexconvError} from '../../src/lib/errors.js';

/** What the SDK throws for a response (`body` as the server sent it). */
const rest = (statusCode: number, body: unknown) =>
  new RestException({statusCode, body: typeof body === 'string' ? body : JSON.stringify(body), headers: {}});

const URL = 'http://127.0.0.1:4599';

describe('errors: toFlexconvError', () => {
  it('a 404 without a Twilio error body on the emulator target is NOT_AN_EMULATOR naming the URL', () => {
    for (const body of ['<html>Cannot GET</html>', '', {error: 'Not Found'}]) {
      const e = rest(404, body);
      expect(isTwilioError(e)).to.equal(false);
      const f = toFlexconvError(e, {baseUrl: URL, target: 'emulator'});
      expect(f.code).to.equal('NOT_AN_EMULATOR');
      expect(f.message).to.equal(`The server at ${URL} did not answer like a flexconv emulator (HTTP 404 without a Twilio error body)`);
      expect(f.hints[0]).to.include(`flexconv emulator status --emulator-url ${URL}`);
      expect(f.exitCode).to.equal(1);
      expect(f.twilio).to.equal(undefined);
    }
  });

  it('a Twilio error body keeps its code and catalog entry, on both targets', () => {
    const e = rest(404, {code: 20404, message: 'The requested resource was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404});
    expect(isTwilioError(e)).to.equal(true);
    for (const target of ['emulator', 'twilio']) {
      const f = toFlexconvError(e, {baseUrl: URL, target});
      expect(f.code).to.equal('NOT_FOUND');
      expect(f.twilio).to.deep.include({code: 20404, status: 404});
    }
  });

  it('on the Twilio target (or without context) a bare 404 stays TWILIO_API_ERROR', () => {
    for (const ctx of [{baseUrl: 'https://{domain}.twilio.com', target: 'twilio'}, {}]) {
      const f = toFlexconvError(rest(404, '<html></html>'), ctx);
      expect(f.code).to.equal('TWILIO_API_ERROR');
      expect(f.twilio).to.deep.include({code: 404, status: 404});
    }
  });

  it('Ctrl-C at a prompt is CANCELLED, exit 1, with the same words as a declined confirmation', () => {
    const abort = Object.assign(new Error('User force closed the prompt'), {name: 'ExitPromptError'});
    const f = toFlexconvError(abort);
    expect(f.code).to.equal('CANCELLED');
    expect(f.exitCode).to.equal(1);
    expect(f.message).to.equal(CANCELLED_MESSAGE);
  });
});

describe('command: targetLabel (the one wording of where a change happened)', () => {
  it('names the emulator by URL, Twilio by account (and region)', () => {
    expect(targetLabel({target: 'emulator', baseUrl: 'http://127.0.0.1:4010', accountSid: 'ACx'})).to.equal('the emulator at http://127.0.0.1:4010');
    expect(targetLabel({target: 'twilio', baseUrl: 'https://{domain}.twilio.com', accountSid: 'AC123'})).to.equal('Twilio (account AC123)');
    expect(targetLabel({target: 'twilio', baseUrl: 'x', accountSid: 'AC123', region: 'ie1'})).to.equal('Twilio (account AC123, region ie1)');
  });
});

describe('errors: what the CLI meets on the wire', () => {
  it('an emulator killed in the middle of a request (fetch: other side closed) is NETWORK, not UNEXPECTED', async () => {
    const {createServer} = await import('node:http');
    const server = createServer((req) => req.socket.destroy());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as {port: number}).port}`;
    try {
      const error = await fetch(`${base}/_emulator/webhooks?wait=60`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'fetch failed').to.be.instanceOf(Error);
      const f = toFlexconvError(error, {baseUrl: base, target: 'emulator'});
      expect(f.code).to.equal('NETWORK');
      expect(f.message).to.match(/No emulator is answering at .* \(the connection was reset, UND_ERR_SOCKET\)/);
      expect(f.exitCode).to.equal(1);
    } finally {
      server.close();
    }
  });

  it('a success answer that is not JSON on the emulator target is NOT_AN_EMULATOR', () => {
    const parse = (() => {
      try {
        JSON.parse('');
      } catch (e) {
        return e;
      }
    })();
    const f = toFlexconvError(parse, {baseUrl: URL, target: 'emulator'});
    expect(f.code).to.equal('NOT_AN_EMULATOR');
    expect(f.message).to.include('a success answer that is not JSON');
    expect(toFlexconvError(parse, {baseUrl: URL, target: 'twilio'}).code).to.equal('UNEXPECTED');
  });
});
