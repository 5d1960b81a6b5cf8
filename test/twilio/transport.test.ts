/**
 * The CLI's transport (src/lib/twilio/transport.ts) against the SDK's own RequestClient (axios):
 * the same SDK calls put the same bytes on the wire (method, URL and query, auth, headers, form
 * body with repeated keys) and come back the same (JSON parsed, text kept, gzip undone, Twilio
 * errors as the SDK's RestException). A loopback server records what each sent.
 */
import {createServer, type IncomingMessage, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {gzipSync} from 'node:zlib';
import {expect} from 'chai';
import qs from 'qs';
import RequestClient from 'twilio/lib/base/RequestClient.js';
import TwilioCtor from 'twilio/lib/rest/Twilio.js';
import {FlexconvRequestClient} from '../../src/lib/twilio/request.js';
import {formEncode, nodeTransport, sdkTransport} from '../../src/lib/twilio/transport.js';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const IG = 'IG0123456789abcdef0123456789abcdef';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
  body: string;
}

describe('twilio: the CLI transport sends and reads what the SDK’s RequestClient does', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  /** What the server answers next: status, headers, body. */
  let answer: {status: number; headers: Record<string, string>; body: Buffer | string} = {status: 200, headers: {}, body: '{}'};

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const pick = ['authorization', 'content-type', 'accept', 'accept-charset', 'user-agent', 'content-length'];
        seen.push({method: req.method!, url: req.url!, headers: Object.fromEntries(pick.map((h) => [h, req.headers[h] as string | undefined])), body: Buffer.concat(chunks).toString()});
        res.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const clients = () => ({
    node: new TwilioCtor(ACCOUNT, TOKEN, {httpClient: new FlexconvRequestClient(base, {}, nodeTransport) as never}),
    sdk: new TwilioCtor(ACCOUNT, TOKEN, {httpClient: new FlexconvRequestClient(base, {}, sdkTransport(new RequestClient({autoRetry: false}) as never)) as never}),
  });

  /** Run `call` with each client; what the server saw and what the call returned (or threw), per client. */
  async function both<T>(call: (client: TwilioCtor) => Promise<T>) {
    const out: Record<'node' | 'sdk', {seen: Seen; result?: T; error?: unknown}> = {} as never;
    for (const [name, client] of Object.entries(clients()) as ['node' | 'sdk', TwilioCtor][]) {
      seen.length = 0;
      let result: T | undefined;
      let error: unknown;
      try {
        result = await call(client);
      } catch (e) {
        error = e;
      }
      expect(seen, name).to.have.length(1);
      out[name] = {seen: seen[0], result, error};
    }
    return out;
  }

  const address = (over: Record<string, unknown> = {}) => ({
    sid: IG,
    account_sid: ACCOUNT,
    type: 'sms',
    address: '+15005550006',
    friendly_name: 'Support & sales (EU) ✓',
    auto_creation: {enabled: true, type: 'webhook', webhook_filters: ['onMessageAdded', 'onParticipantAdded']},
    date_created: '2024-01-02T03:04:05Z',
    date_updated: '2024-01-02T03:04:05Z',
    url: `https://conversations.twilio.com/v1/Configuration/Addresses/${IG}`,
    address_country: null,
    ...over,
  });

  it('a create with arrays, reserved characters and non-ASCII: the same form body, auth and headers', async () => {
    answer = {status: 201, headers: {'Content-Type': 'application/json'}, body: JSON.stringify(address())};
    const r = await both((c) =>
      c.conversations.v1.addressConfigurations.create({
        type: 'sms',
        address: '+15005550006',
        friendlyName: "Support & sales (EU) ✓ !'()*~",
        'autoCreation.enabled': true,
        'autoCreation.type': 'webhook',
        'autoCreation.webhookUrl': 'https://example.com/hook?x=1&y=a b',
        'autoCreation.webhookFilters': ['onMessageAdded', 'onParticipantAdded'],
      }),
    );
    expect(r.node.seen).to.deep.equal(r.sdk.seen);
    expect(r.node.seen.body).to.include('AutoCreation.WebhookFilters=onMessageAdded&AutoCreation.WebhookFilters=onParticipantAdded');
    expect(r.node.seen.headers.authorization).to.equal(`Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`);
    expect(r.node.result!.toJSON()).to.deep.equal(r.sdk.result!.toJSON());
  });

  it('a list: the same query string; a gzip-encoded page is read the same', async () => {
    const page = {
      address_configurations: [address()],
      meta: {page: 0, page_size: 7, first_page_url: 'x', previous_page_url: null, url: 'x', next_page_url: null, key: 'address_configurations'},
    };
    answer = {status: 200, headers: {'Content-Type': 'application/json', 'Content-Encoding': 'gzip'}, body: gzipSync(JSON.stringify(page))};
    const r = await both((c) => c.conversations.v1.addressConfigurations.list({type: 'sms', pageSize: 7, limit: 7}));
    expect(r.node.seen.url).to.equal(r.sdk.seen.url);
    expect(r.node.seen.url).to.equal('/conversations/v1/Configuration/Addresses?Type=sms&PageSize=7');
    expect(r.node.result!.map((a) => a.toJSON())).to.deep.equal(r.sdk.result!.map((a) => a.toJSON()));
  });

  it('a Twilio error: the same RestException (status, code, message, more_info)', async () => {
    const body = {code: 20404, message: 'The requested resource was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404};
    answer = {status: 404, headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)};
    const r = await both((c) => c.conversations.v1.addressConfigurations(IG).fetch());
    const fields = (e: unknown) => {
      const x = e as {status: number; code: number; message: string; moreInfo: string; name: string};
      return {status: x.status, code: x.code, message: x.message, moreInfo: x.moreInfo, name: x.constructor.name};
    };
    expect(fields(r.node.error)).to.deep.equal(fields(r.sdk.error));
    expect(fields(r.node.error)).to.include({status: 404, code: 20404});
  });

  it('a body that is not JSON stays text; a delete answers true', async () => {
    answer = {status: 204, headers: {}, body: ''};
    const r = await both((c) => c.conversations.v1.addressConfigurations(IG).remove());
    expect(r.node.seen).to.deep.equal(r.sdk.seen);
    expect(r.node.result).to.equal(true).and.equal(r.sdk.result);
    const transport = await nodeTransport.send({method: 'get', uri: `${base}/plain`, headers: {}}, 5000).catch((e) => e);
    expect(transport).to.include({statusCode: 204});
    answer = {status: 502, headers: {'Content-Type': 'text/html'}, body: '<html>Bad gateway</html>'};
    const text = await nodeTransport.send({method: 'get', uri: `${base}/plain`, headers: {}}, 5000);
    expect(text).to.include({statusCode: 502, body: '<html>Bad gateway</html>'});
  });

  it('formEncode is qs.stringify with repeated keys (the SDK’s encoding), byte for byte', () => {
    const values: object[] = [
      {},
      {a: 'b', c: ''},
      {'Key.Name': "x y+z&=?/#%!'()*~-_.", Ünï: 'çødé ✓ 😀'},
      {list: ['a', 'b c', ''], empty: [], n: 0, f: 1.5, t: true, no: false},
      {nul: null, undef: undefined, after: 'x'},
      {date: new Date('2024-01-02T03:04:05.678Z')},
      {nested: {a: '1', b: {c: ['x', 'y']}}},
    ];
    for (const v of values) expect(formEncode(v), JSON.stringify(v)).to.equal(qs.stringify(v, {arrayFormat: 'repeat'}));
  });
});
