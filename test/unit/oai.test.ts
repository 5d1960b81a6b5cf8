import {readFileSync} from 'node:fs';
import {expect} from 'chai';
import {
  OAI_DIR,
  SPEC_FILES,
  expectTwilioError,
  expectValid,
  findOperation,
  resolveUrl,
  toJsonSchema,
  validateResponse,
} from '../helpers/oai.js';

const SID = 'IG0123456789abcdef0123456789abcdef';
const ADDR_URL = `http://127.0.0.1:4010/conversations/v1/Configuration/Addresses/${SID}`;

function address(): Record<string, unknown> {
  return {
    sid: SID,
    account_sid: 'AC0123456789abcdef0123456789abcdef',
    type: 'sms',
    address: '+15551234567',
    friendly_name: null,
    auto_creation: {enabled: true, type: 'default'},
    date_created: '2024-01-02T03:04:05Z',
    date_updated: '2024-01-02T03:04:05Z',
    url: ADDR_URL,
    address_country: null,
  };
}

function listBody(items: unknown[]): Record<string, unknown> {
  const u = 'http://127.0.0.1:4010/conversations/v1/Configuration/Addresses?PageSize=50&Page=0';
  return {
    address_configurations: items,
    meta: {page: 0, page_size: 50, first_page_url: u, previous_page_url: null, url: u, next_page_url: null, key: 'address_configurations'},
  };
}

describe('unit: OpenAPI response validation helper', function () {
  this.timeout(20000);

  it('resolves emulator URLs, prefixed paths and twilio.com URLs to a spec', () => {
    expect(resolveUrl(ADDR_URL)).to.include({domain: 'conversations', version: 'v1', specFile: 'twilio_conversations_v1.json'});
    expect(resolveUrl('/flex-api/v2/WebChats').specFile).to.equal('twilio_flex_v2.json');
    expect(resolveUrl('https://taskrouter.dublin.ie1.twilio.com/v1/Workspaces?PageSize=5')).to.include({
      domain: 'taskrouter',
      path: '/v1/Workspaces',
    });
    expect(() => resolveUrl('/nope/v1/X')).to.throw(/domain/);
  });

  it('matches path templates, preferring literal segments', () => {
    expect(findOperation('GET', '/conversations/v1/Configuration/Addresses')?.template).to.equal('/v1/Configuration/Addresses');
    expect(findOperation('get', `/conversations/v1/Configuration/Addresses/%2B15551234567`)?.template).to.equal(
      '/v1/Configuration/Addresses/{Sid}',
    );
    expect(findOperation('GET', '/conversations/v1/Configuration')?.operationId).to.equal('FetchConfiguration');
    expect(findOperation('PUT', '/conversations/v1/Configuration/Addresses')).to.equal(undefined);
  });

  it('turns nullable into a null-accepting schema', () => {
    expect(toJsonSchema({type: 'string', nullable: true}, 'x')).to.deep.equal({type: ['string', 'null']});
    expect(toJsonSchema({type: 'string', enum: ['a'], nullable: true}, 'x')).to.deep.equal({type: ['string', 'null'], enum: ['a', null]});
    expect(toJsonSchema({nullable: true, description: 'd'}, 'x')).to.deep.equal({description: 'd', anyOf: [{}, {type: 'null'}]});
    expect(toJsonSchema({$ref: '#/components/schemas/a.b', nullable: true}, 'id')).to.deep.equal({
      anyOf: [{$ref: 'id#/definitions/a.b'}, {type: 'null'}],
    });
  });

  it('accepts a correct resource, list and 204', () => {
    expectValid('GET', ADDR_URL, 200, address());
    expectValid('POST', '/conversations/v1/Configuration/Addresses', 201, JSON.stringify(address()));
    expectValid('GET', '/conversations/v1/Configuration/Addresses', 200, listBody([address()]));
    expectValid('DELETE', ADDR_URL, 204, '');
    expectValid('DELETE', ADDR_URL, 204, null);
  });

  it('rejects a sid with a bad pattern', () => {
    const r = validateResponse('GET', ADDR_URL, 200, {...address(), sid: 'IGnothex'});
    expect(r.ok).to.equal(false);
    expect(r.errors.join()).to.match(/\/sid must (match pattern|NOT have fewer)/);
    expect(() => expectValid('GET', ADDR_URL, 200, {...address(), sid: 'XX0123456789abcdef0123456789abcdef'})).to.throw(/sid/);
  });

  it('rejects wrong types, bad formats, missing and unknown fields', () => {
    expect(validateResponse('GET', ADDR_URL, 200, {...address(), friendly_name: 5}).errors.join()).to.match(/friendly_name/);
    expect(validateResponse('GET', ADDR_URL, 200, {...address(), date_created: 'yesterday'}).errors.join()).to.match(/date_created/);
    expect(validateResponse('GET', ADDR_URL, 200, {...address(), url: 'not a url'}).errors.join()).to.match(/url/);
    const {address_country: _omit, ...missing} = address();
    expect(validateResponse('GET', ADDR_URL, 200, missing).errors.join()).to.match(/address_country/);
    expect(validateResponse('GET', ADDR_URL, 200, {...address(), extra: 1}).errors.join()).to.match(/extra/);
    // loose mode: only what the spec itself says
    expect(validateResponse('GET', ADDR_URL, 200, {...address(), extra: 1}, {strict: false}).ok).to.equal(true);
  });

  it('rejects a list without meta, with incomplete meta, or a meta.key naming nothing', () => {
    const list = '/conversations/v1/Configuration/Addresses';
    const {meta: _m, ...noMeta} = listBody([address()]);
    expect(validateResponse('GET', list, 200, noMeta).errors.join()).to.match(/meta/);
    const partial = listBody([]);
    delete (partial.meta as Record<string, unknown>).next_page_url;
    expect(validateResponse('GET', list, 200, partial).errors.join()).to.match(/next_page_url/);
    const wrongKey = listBody([]);
    (wrongKey.meta as Record<string, unknown>).key = 'items';
    expect(validateResponse('GET', list, 200, wrongKey).errors.join()).to.match(/meta\/key/);
    expect(() => expectValid('GET', list, 200, {address_configurations: [{...address(), sid: 5}], meta: listBody([]).meta})).to.throw(
      /address_configurations\/0\/sid/,
    );
  });

  it('rejects a status the operation does not declare', () => {
    expect(() => expectValid('POST', '/conversations/v1/Configuration/Addresses', 200, address())).to.throw(/status 200 is not declared/);
    expect(() => expectValid('GET', ADDR_URL, 201, address())).to.throw(/not declared/);
    expect(() => expectValid('DELETE', ADDR_URL, 200, '')).to.throw(/not declared/);
  });

  it('rejects a body on 204 and a missing body where one is declared', () => {
    expect(() => expectValid('DELETE', ADDR_URL, 204, {sid: SID})).to.throw(/no body/);
    expect(() => expectValid('GET', ADDR_URL, 200, '')).to.throw(/expected a JSON body/);
    expect(() => expectValid('GET', ADDR_URL, 200, '<html>')).to.throw(/not JSON/);
  });

  it('rejects an unknown operation', () => {
    expect(() => expectValid('GET', '/conversations/v1/Nope', 200, {})).to.throw(/no operation/);
  });

  it('checks Twilio error bodies', () => {
    const ok = {code: 20404, message: 'not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404};
    expect(expectTwilioError(404, ok, 20404).code).to.equal(20404);
    expect(() => expectTwilioError(400, ok)).to.throw(/status/);
    expect(() => expectTwilioError(404, ok, 20001)).to.throw(/expected 20001/);
    expect(() => expectTwilioError(404, {...ok, type: 'about:blank', title: 'x'})).to.throw(/type\+title/);
    expect(() => expectTwilioError(404, {...ok, more_info: 'x'})).to.throw(/more_info/);
  });

  it('every JSON response example in the specs validates (except a few known-bad examples)', () => {
    // Known spec-example defects, not helper bugs: '' for a uri-format field, an FV pattern
    // the example violates, method null where the schema says enum string.
    const knownBad = /event_callback_url must match format "uri"|plugin_version_sid must match pattern|\/method must/;
    for (const [dv, file] of Object.entries(SPEC_FILES)) {
      const domain = dv.split('/')[0];
      const spec = JSON.parse(readFileSync(OAI_DIR + file, 'utf8')) as {paths: Record<string, Record<string, {responses?: Record<string, {content?: Record<string, {examples?: Record<string, {value: unknown}>}>}>}>>};
      for (const [tpl, ops] of Object.entries(spec.paths)) {
        for (const [m, op] of Object.entries(ops)) {
          for (const [st, r] of Object.entries(op?.responses ?? {})) {
            for (const [name, e] of Object.entries(r.content?.['application/json']?.examples ?? {})) {
              const url = `/${domain}${tpl.replace(/\{[^}]+\}/g, 'XX')}`;
              const res = validateResponse(m, url, Number(st), e.value);
              const real = res.errors.filter((x) => !knownBad.test(x));
              expect(real, `${file} ${m} ${tpl} ${st} ${name}`).to.deep.equal([]);
            }
          }
        }
      }
    }
  });
});
