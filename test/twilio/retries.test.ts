/**
 * The one request layer (src/lib/twilio/request.ts) on the real-Twilio path: the official SDK
 * over FlexconvRequestClient, nock standing in for *.twilio.com. Which answers are retried
 * (429 always; 5xx only when repeating is safe), Retry-After, the bound on attempts, the overall
 * timeout, the User-Agent, and the CLI's one stderr line per retry.
 *
 * The layer takes its wait as a function: most tests hand it one that records the wait and
 * returns at once (the waits are asserted, not slept); the CLI tests wait for real (≤ 2 s).
 */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {expect} from 'chai';
import nock from 'nock';
import TwilioCtor from 'twilio/lib/rest/Twilio.js';
import {runInProcess} from '../helpers/cli.js';
import {BASE_DELAY_MS, FlexconvRequestClient, parseRetryAfter, retriable, type RequestPolicy, type RetryNotice} from '../../src/lib/twilio/request.js';
import {toFlexconvError} from '../../src/lib/errors.js';

const HOST = 'https://conversations.twilio.com';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const CH = 'CH0123456789abcdef0123456789abcdef';

const twilioError = (status: number, code: number, message: string) => ({code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status});
const tooMany = twilioError(429, 20429, 'Too Many Requests');
const unavailable = twilioError(503, 20503, 'Service Unavailable');

const conversation = (over: Record<string, unknown> = {}) => ({
  sid: CH,
  account_sid: ACCOUNT,
  chat_service_sid: 'IS0123456789abcdef0123456789abcdef',
  messaging_service_sid: null,
  friendly_name: 'Case 42',
  unique_name: null,
  attributes: '{}',
  state: 'active',
  date_created: '2024-01-02T03:04:05Z',
  date_updated: '2024-01-02T03:04:05Z',
  timers: {},
  url: `${HOST}/v1/Conversations/${CH}`,
  links: {},
  bindings: null,
  ...over,
});
const emptyPage = {
  conversations: [],
  meta: {page: 0, page_size: 50, first_page_url: `${HOST}/v1/Conversations?PageSize=50&Page=0`, previous_page_url: null, url: `${HOST}/v1/Conversations?PageSize=50&Page=0`, next_page_url: null, key: 'conversations'},
};

/** The SDK over the request layer, with waits recorded instead of slept. */
function sdk(policy: Partial<RequestPolicy> = {}) {
  const waits: number[] = [];
  const notices: RetryNotice[] = [];
  const http = new FlexconvRequestClient(undefined, {
    maxAttempts: 4,
    timeoutMs: 30_000,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    onRetry: (n) => notices.push(n),
    ...policy,
  });
  const client = new TwilioCtor(ACCOUNT, TOKEN, {accountSid: ACCOUNT, httpClient: http});
  return {client, waits, notices};
}

async function rejection(p: Promise<unknown>): Promise<{status: number; code: number}> {
  try {
    await p;
  } catch (error) {
    return error as {status: number; code: number};
  }
  throw new Error('expected the call to fail');
}

describe('twilio: retries in the request layer (nock)', () => {
  afterEach(() => nock.cleanAll());

  it('429 with Retry-After: waits at least that long, then the SDK gets the answer', async () => {
    const scope = nock(HOST)
      .get(`/v1/Conversations/${CH}`)
      .reply(429, tooMany, {'Retry-After': '2'})
      .get(`/v1/Conversations/${CH}`)
      .reply(200, conversation());
    const {client, waits, notices} = sdk();
    const got = await client.conversations.v1.conversations(CH).fetch();
    expect(got.sid).to.equal(CH);
    expect(scope.isDone()).to.equal(true);
    expect(waits).to.deep.equal([2000]);
    expect(notices).to.have.length(1);
    expect(notices[0]).to.include({method: 'GET', status: 429, code: 20429, attempt: 1, maxAttempts: 4, delayMs: 2000, retryAfter: true});
  });

  it('Retry-After as an HTTP date is honoured too', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).to.equal(5000);
    expect(parseRetryAfter('3', now)).to.equal(3000);
    expect(parseRetryAfter('soon', now)).to.equal(undefined);
  });

  it('503 on a GET: retried with exponential backoff and jitter until it answers', async () => {
    const scope = nock(HOST)
      .get(`/v1/Conversations/${CH}`)
      .times(2)
      .reply(503, unavailable)
      .get(`/v1/Conversations/${CH}`)
      .reply(200, conversation());
    const {client, waits} = sdk();
    expect((await client.conversations.v1.conversations(CH).fetch()).sid).to.equal(CH);
    expect(scope.isDone()).to.equal(true);
    // random() = 0.5: each wait is 3/4 of 250 ms · 2^(n-1)
    expect(waits).to.deep.equal([Math.round(0.75 * BASE_DELAY_MS), Math.round(0.75 * BASE_DELAY_MS * 2)]);
  });

  it('jitter: waits lie between half and all of the exponential step', async () => {
    for (const [r, expected] of [[0, BASE_DELAY_MS / 2], [0.999, BASE_DELAY_MS]] as const) {
      nock(HOST).get(`/v1/Conversations/${CH}`).reply(502, twilioError(502, 20500, 'Bad Gateway')).get(`/v1/Conversations/${CH}`).reply(200, conversation());
      const {client, waits} = sdk({random: () => r});
      await client.conversations.v1.conversations(CH).fetch();
      expect(waits[0]).to.be.closeTo(expected, 1);
    }
  });

  it('a POST create is NOT retried on 503 (it may have happened): one request, the 503 reaches the caller', async () => {
    let posts = 0;
    nock(HOST)
      .post('/v1/Conversations')
      .times(4)
      .reply(() => {
        posts++;
        return [503, unavailable];
      });
    const {client, waits, notices} = sdk();
    const err = await rejection(client.conversations.v1.conversations.create({friendlyName: 'Case 42'}));
    expect(err.status).to.equal(503);
    expect(posts).to.equal(1);
    expect(waits).to.deep.equal([]);
    expect(notices).to.deep.equal([]);
    expect(toFlexconvError(err).hints.join(' ')).to.contain('a create may have happened anyway');
  });

  it('a POST create IS retried on 429: Twilio did not process it', async () => {
    const scope = nock(HOST).post('/v1/Conversations').reply(429, tooMany).post('/v1/Conversations').reply(201, conversation());
    const {client, notices} = sdk();
    expect((await client.conversations.v1.conversations.create({friendlyName: 'Case 42'})).sid).to.equal(CH);
    expect(scope.isDone()).to.equal(true);
    expect(notices.map((n) => `${n.method} ${n.status}`)).to.deep.equal(['POST 429']);
  });

  it('a POST to one resource (an update) is retried on 503: setting the same fields again is safe', async () => {
    const bodies: string[] = [];
    nock(HOST)
      .post(`/v1/Conversations/${CH}`)
      .reply(503, unavailable)
      .post(`/v1/Conversations/${CH}`)
      .reply(async (req: Request) => {
        bodies.push(await req.text());
        return [200, conversation({state: 'closed'})];
      });
    const {client} = sdk();
    expect((await client.conversations.v1.conversations(CH).update({state: 'closed'})).state).to.equal('closed');
    expect(bodies).to.deep.equal(['State=closed']);
  });

  it('a DELETE retried after a 503 that then finds nothing (404) counts as deleted', async () => {
    const scope = nock(HOST)
      .delete(`/v1/Conversations/${CH}`)
      .reply(503, unavailable)
      .delete(`/v1/Conversations/${CH}`)
      .reply(404, twilioError(404, 20404, 'The requested resource was not found'));
    const {client} = sdk();
    expect(await client.conversations.v1.conversations(CH).remove()).to.equal(true);
    expect(scope.isDone()).to.equal(true);
  });

  it('a DELETE that is 404 at once is still an error (nothing was retried)', async () => {
    nock(HOST).delete(`/v1/Conversations/${CH}`).reply(404, twilioError(404, 20404, 'The requested resource was not found'));
    const err = await rejection(sdk().client.conversations.v1.conversations(CH).remove());
    expect(err.code).to.equal(20404);
  });

  it('bounded: 429 every time gives up after maxAttempts, and the 20429 reaches the caller', async () => {
    let gets = 0;
    nock(HOST)
      .get(`/v1/Conversations/${CH}`)
      .times(10)
      .reply(() => {
        gets++;
        return [429, tooMany];
      });
    const {client, waits, notices} = sdk();
    const err = await rejection(client.conversations.v1.conversations(CH).fetch());
    expect(err.code).to.equal(20429);
    expect(gets).to.equal(4);
    expect(waits).to.have.length(3);
    expect(notices.map((n) => n.attempt)).to.deep.equal([1, 2, 3]);
    expect(toFlexconvError(err).code).to.equal('RATE_LIMITED');
  });

  it('a Retry-After longer than the time left: no wait, the 429 stands', async () => {
    let gets = 0;
    nock(HOST)
      .get(`/v1/Conversations/${CH}`)
      .times(2)
      .reply(() => {
        gets++;
        return [429, tooMany, {'Retry-After': '120'}];
      });
    const {client, waits} = sdk({timeoutMs: 10_000});
    expect((await rejection(client.conversations.v1.conversations(CH).fetch())).code).to.equal(20429);
    expect(gets).to.equal(1);
    expect(waits).to.deep.equal([]);
  });

  it('only 429 and 500/502/503/504 are retried; 4xx never', () => {
    expect(retriable('GET', `${HOST}/v1/Conversations`, 400)).to.equal(false);
    expect(retriable('GET', `${HOST}/v1/Conversations`, 404)).to.equal(false);
    expect(retriable('GET', `${HOST}/v1/Conversations`, 501)).to.equal(false);
    expect(retriable('GET', `${HOST}/v1/Conversations`, 504)).to.equal(true);
    expect(retriable('POST', `${HOST}/v1/Conversations/${CH}/Messages`, 500)).to.equal(false);
    expect(retriable('POST', `${HOST}/v1/Conversations/${CH}/Messages`, 429)).to.equal(true);
  });

  it('the User-Agent names flexconv and its version, after the SDK\'s own', async () => {
    const {VERSION} = await import('../../src/lib/twilio/version.js');
    const {createClient} = await import('../../src/lib/twilio/client.js');
    let agent = '';
    nock(HOST)
      .get(`/v1/Conversations/${CH}`)
      .reply(async (req: Request) => {
        agent = String(req.headers.get('user-agent'));
        return [200, conversation()];
      });
    const client = await createClient({target: 'twilio', accountSid: ACCOUNT, authToken: TOKEN, baseUrl: 'https://{domain}.twilio.com', sources: {}});
    await client.conversations.v1.conversations(CH).fetch();
    expect(agent).to.match(new RegExp(`^twilio-node/\\S+ \\(\\S+ \\S+\\) node/\\S+ flexconv/${VERSION.replace(/\./g, '\\.')}$`));
  });

  it('region and edge pick the host: conversations.dublin.ie1.twilio.com', async () => {
    const {createClient} = await import('../../src/lib/twilio/client.js');
    const scope = nock('https://conversations.dublin.ie1.twilio.com').get(`/v1/Conversations/${CH}`).reply(200, conversation());
    const client = await createClient({target: 'twilio', accountSid: ACCOUNT, authToken: TOKEN, region: 'ie1', edge: 'dublin', baseUrl: 'https://{domain}.dublin.ie1.twilio.com', sources: {}});
    await client.conversations.v1.conversations(CH).fetch();
    expect(scope.isDone()).to.equal(true);
  });

  describe('timeout', () => {
    let server: Server;
    let url: string;
    const held: import('node:http').ServerResponse[] = [];
    before(async () => {
      // accepts every request and never answers
      server = createServer((_req, res) => void held.push(res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('a request that gets no answer fails after the overall timeout, as NETWORK naming the host and "timeout"', async () => {
      const http = new FlexconvRequestClient(url, {maxAttempts: 4, timeoutMs: 300});
      const client = new TwilioCtor(ACCOUNT, TOKEN, {accountSid: ACCOUNT, httpClient: http});
      const started = Date.now();
      const err = await rejection(client.conversations.v1.conversations(CH).fetch());
      const elapsed = Date.now() - started;
      expect(elapsed).to.be.within(250, 3000);
      const f = toFlexconvError(err, {baseUrl: url, target: 'emulator'});
      expect(f.code).to.equal('NETWORK');
      expect(f.network).to.deep.include({host: new URL(url).host, cause: 'timeout'});
      expect(f.message).to.equal(`No answer from ${url} within 300ms (timeout, ETIMEDOUT)`);
    });
  });
});

describe('twilio: retries as the CLI shows them (nock, in process)', function () {
  this.timeout(20_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'flexconv-retries-'))));
  after(() => rmSync(dir, {recursive: true, force: true}));
  const run = (...args: string[]) =>
    runInProcess([...args, '--target', 'twilio'], {
      env: {TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, FLEXCONV_CONFIG_DIR: dir, FLEXCONV_STATE_DIR: dir, TWILIO_CLI_CONFIG_DIR: dir},
    });

  it('one stderr line per retry; the result as if nothing happened (exit 0)', async () => {
    const scope = nock(HOST).get('/v1/Conversations').query(true).reply(429, tooMany, {'Retry-After': '0'}).get('/v1/Conversations').query(true).reply(200, emptyPage);
    const r = await run('conversations', 'list', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(scope.isDone()).to.equal(true);
    expect(r.json()).to.deep.equal([]);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^↻ GET https:\/\/conversations\.twilio\.com\/v1\/Conversations answered 429 \(twilio 20429\); retry 1 of 3 in \d+ms$/);
  });

  it('after the last attempt: RATE_LIMITED on one line with the code, message and more_info, exit 1', async () => {
    nock(HOST).get('/v1/Conversations').query(true).times(4).reply(429, tooMany, {'Retry-After': '0'});
    const r = await run('conversations', 'list');
    expect(r.exitCode).to.equal(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('↻ '))).to.have.length(3);
    expect(lines).to.include('✖ RATE_LIMITED (twilio 20429): Too Many Requests — https://www.twilio.com/docs/errors/20429');
  });

  it('a create answered 503 is tried once: no retry line, the error says it may have happened', async () => {
    let posts = 0;
    nock(HOST)
      .post('/v1/Conversations')
      .times(3)
      .reply(() => {
        posts++;
        return [503, unavailable];
      });
    const r = await run('conversations', 'create', '--friendly-name', 'Case 42', '--json');
    expect(r.exitCode).to.equal(1);
    expect(posts).to.equal(1);
    expect(r.stderr).not.to.contain('↻');
    const {error} = r.json();
    expect(error.twilio).to.deep.equal({code: 20503, status: 503, moreInfo: 'https://www.twilio.com/docs/errors/20503'});
    expect(error.hints.join(' ')).to.contain('a create may have happened anyway');
  });
});
