import {expect} from 'chai';
import {phone, useEmulator, rejection} from '../helpers/emulator.js';

const BASE = '/conversations/v1/Configuration/Addresses';
const IS = 'IS0123456789abcdef0123456789abcdef';
const FW = 'FW0123456789abcdef0123456789abcdef';

describe('emulator: Address Configuration (conversations v1 /Configuration/Addresses)', () => {
  const t = useEmulator();
  const configs = () => t.client.conversations.v1.addressConfigurations;

  describe('create', () => {
    it('webhook auto-creation with every field (SDK) → 201, wire body per spec', async () => {
      const address = phone();
      const ac = await configs().create({
        type: 'sms',
        address,
        friendlyName: 'Support line',
        addressCountry: 'US',
        'autoCreation.enabled': true,
        'autoCreation.type': 'webhook',
        'autoCreation.conversationServiceSid': IS,
        'autoCreation.webhookUrl': 'https://example.com/hook?x=1',
        'autoCreation.webhookMethod': 'post',
        'autoCreation.webhookFilters': ['onMessageAdded', 'onParticipantAdded'],
      });
      const wire = t.wire.last;
      expect(wire.method).to.equal('POST');
      expect(wire.statusCode).to.equal(201);
      const body = wire.body as Record<string, unknown>;
      expect(body).to.deep.include({
        account_sid: t.emu.accountSid,
        type: 'sms',
        address,
        friendly_name: 'Support line',
        address_country: 'US',
      });
      expect(body.sid).to.match(/^IG[0-9a-f]{32}$/);
      expect(body.auto_creation).to.deep.equal({
        enabled: true,
        type: 'webhook',
        conversation_service_sid: IS,
        webhook_url: 'https://example.com/hook?x=1',
        webhook_method: 'POST',
        webhook_filters: ['onMessageAdded', 'onParticipantAdded'],
      });
      expect(body.url).to.equal(`${t.url}${BASE}/${body.sid}`);
      expect(body.date_created).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(body.date_updated).to.equal(body.date_created);
      // the SDK object mirrors the wire body
      expect(ac.sid).to.equal(body.sid);
      expect(ac.autoCreation).to.deep.equal(body.auto_creation);
      expect(ac.dateCreated).to.be.instanceOf(Date);
    });

    it('studio auto-creation keeps only the studio keys', async () => {
      await configs().create({
        type: 'whatsapp',
        address: `whatsapp:${phone()}`,
        'autoCreation.enabled': false,
        'autoCreation.type': 'studio',
        'autoCreation.conversationServiceSid': IS,
        'autoCreation.studioFlowSid': FW,
        'autoCreation.studioRetryCount': 3,
      });
      expect((t.wire.last.body as {auto_creation: unknown}).auto_creation).to.deep.equal({
        enabled: false,
        type: 'studio',
        conversation_service_sid: IS,
        studio_flow_sid: FW,
        studio_retry_count: 3,
      });
    });

    it('default auto-creation, and no AutoCreation at all', async () => {
      await configs().create({type: 'sms', address: phone(), 'autoCreation.enabled': true, 'autoCreation.type': 'default'});
      expect((t.wire.last.body as {auto_creation: unknown}).auto_creation).to.deep.equal({enabled: true, type: 'default'});
      const bare = await t.expect(201, 'POST', BASE, {form: {Type: 'sms', Address: phone()}});
      // [unverified] Twilio's default when AutoCreation.* is omitted; we keep auto-creation off.
      expect(bare.auto_creation).to.deep.equal({enabled: false, type: 'default'});
      expect(bare.friendly_name).to.equal(null);
      expect(bare.address_country).to.equal(null);
    });

    it('accepts every address type of the spec', async () => {
      const cases: [string, string][] = [
        ['sms', phone()],
        ['sms', '894546'], // short code
        ['whatsapp', `whatsapp:${phone()}`],
        ['messenger', 'messenger:1234567890'],
        ['gbm', 'gbm:agent-1'],
        ['email', 'support@example.com'],
        ['rcs', 'rcs:brand_agent'],
        ['apple', 'urn:mbid:AQAAYyUbut6E4B3T9FLv5EbG'],
        ['chat', 'flex-webchat-1'],
      ];
      for (const [type, address] of cases) {
        const body = await t.expect(201, 'POST', BASE, {form: {Type: type, Address: address}});
        expect(body).to.include({type, address});
      }
    });

    it('Type is case-insensitive and stored lower-case (spec example createWhatsappCaseInsensitive)', async () => {
      const body = await t.expect(201, 'POST', BASE, {form: {Type: 'whAtsAPP', Address: `whatsapp:${phone()}`}});
      expect(body.type).to.equal('whatsapp');
    });

    it('webhook method accepts get/post in either case and answers upper-case', async () => {
      for (const m of ['get', 'GET', 'Post']) {
        const body = await t.expect(201, 'POST', BASE, {
          form: {Type: 'sms', Address: phone(), 'AutoCreation.Type': 'webhook', 'AutoCreation.WebhookUrl': 'https://e.x/h', 'AutoCreation.WebhookMethod': m},
        });
        expect(body.auto_creation.webhook_method).to.equal(m.toUpperCase());
      }
    });

    it('webhook filters arrive as repeated keys (curl style)', async () => {
      const address = encodeURIComponent(phone());
      const body = await t.expect(201, 'POST', BASE, {
        form:
          `Type=sms&Address=${address}&AutoCreation.Type=webhook&AutoCreation.WebhookUrl=https%3A%2F%2Fe.x%2Fh` +
          '&AutoCreation.WebhookFilters=onMessageAdded&AutoCreation.WebhookFilters=onConversationUpdated&AutoCreation.WebhookFilters=onDeliveryUpdated',
      });
      expect(body.auto_creation.webhook_filters).to.deep.equal(['onMessageAdded', 'onConversationUpdated', 'onDeliveryUpdated']);
      expect(body.auto_creation.webhook_method).to.equal('POST');
    });

    it("'+' is a space and %20 is a space in form bodies; %2B is a plus", async () => {
      const a = phone();
      const body = await t.expect(201, 'POST', BASE, {
        form: `Type=sms&Address=${encodeURIComponent(a)}&FriendlyName=Main+support%20line+%2B1`,
      });
      expect(body.address).to.equal(a);
      expect(body.friendly_name).to.equal('Main support line +1');
      // curl -d 'Address=+1555…' (not --data-urlencode): the '+' becomes a space → 400 with a hint
      const res = await t.http('POST', BASE, {form: `Type=sms&Address=${a}`});
      expect(res.status).to.equal(400);
      expect(res.body.code).to.equal(20001);
      expect(res.body.message).to.match(/Address/).and.match(/%2B/);
    });

    it('a form body sent without Content-Type (text/plain) is still read as a form', async () => {
      const a = phone();
      const body = await t.expect(201, 'POST', BASE, {form: `Type=sms&Address=${encodeURIComponent(a)}`, headers: {'Content-Type': 'text/plain'}});
      expect(body.address).to.equal(a);
    });
  });

  describe('validation', () => {
    async function bad(form: Record<string, string | string[]>, param: RegExp, status = 400, code = 20001) {
      const res = await t.http('POST', BASE, {form});
      expect(res.status, res.text).to.equal(status);
      expect(res.body.code).to.equal(code);
      expect(res.body.message).to.match(param);
      return res.body as {message: string};
    }

    it('missing Type or Address → 400/20001 naming the parameter', async () => {
      const m1 = await bad({Address: phone()}, /\bType\b/);
      expect(m1.message).to.equal('Missing required parameter Type in the post body');
      const m2 = await bad({Type: 'sms'}, /\bAddress\b/);
      expect(m2.message).to.equal('Missing required parameter Address in the post body');
      await bad({Type: 'sms', Address: ''}, /\bAddress\b/);
      await bad({Type: 'sms', Address: '   '}, /\bAddress\b/);
    });

    it('invalid enums → 400 naming the parameter', async () => {
      await bad({Type: 'fax', Address: phone()}, /\bType\b.*fax/);
      await bad({Type: 'sms', Address: phone(), 'AutoCreation.Type': 'zapier'}, /AutoCreation\.Type/);
      await bad(
        {Type: 'sms', Address: phone(), 'AutoCreation.Type': 'webhook', 'AutoCreation.WebhookUrl': 'https://e.x', 'AutoCreation.WebhookMethod': 'PUT'},
        /AutoCreation\.WebhookMethod/,
      );
      await bad(
        {Type: 'sms', Address: phone(), 'AutoCreation.Type': 'webhook', 'AutoCreation.WebhookUrl': 'https://e.x', 'AutoCreation.WebhookFilters': ['onMessageAdded', 'onEverything']},
        /AutoCreation\.WebhookFilters.*onEverything/,
      );
      await bad({Type: 'sms', Address: phone(), 'AutoCreation.Enabled': 'yes'}, /AutoCreation\.Enabled/);
    });

    it('malformed E.164 for sms and whatsapp → 400', async () => {
      for (const address of ['15551234567', '+0123456', '+1 555 123', 'tel:+15551234567', '+1555123456789012'])
        await bad({Type: 'sms', Address: address}, /\bAddress\b/);
      for (const address of ['whatsapp:15551234567', 'whatsapp:+', 'wa:+15551234567'])
        await bad({Type: 'whatsapp', Address: address}, /\bAddress\b/);
      await bad({Type: 'email', Address: 'not-an-email'}, /\bAddress\b/);
    });

    it('bad SIDs, counts, URLs, lengths and country codes → 400', async () => {
      await bad({Type: 'sms', Address: phone(), 'AutoCreation.ConversationServiceSid': 'IS123'}, /ConversationServiceSid/);
      await bad({Type: 'sms', Address: phone(), 'AutoCreation.Type': 'studio', 'AutoCreation.StudioFlowSid': IS}, /StudioFlowSid/);
      await bad({Type: 'sms', Address: phone(), 'AutoCreation.Type': 'studio'}, /StudioFlowSid/);
      await bad(
        {Type: 'sms', Address: phone(), 'AutoCreation.Type': 'studio', 'AutoCreation.StudioFlowSid': FW, 'AutoCreation.StudioRetryCount': 'many'},
        /StudioRetryCount/,
      );
      await bad({Type: 'sms', Address: phone(), 'AutoCreation.Type': 'webhook'}, /WebhookUrl/);
      await bad({Type: 'sms', Address: phone(), 'AutoCreation.Type': 'webhook', 'AutoCreation.WebhookUrl': 'example.com'}, /WebhookUrl/);
      await bad({Type: 'sms', Address: phone(), FriendlyName: 'x'.repeat(257)}, /FriendlyName/);
      await bad({Type: 'sms', Address: phone(), AddressCountry: 'USA'}, /AddressCountry/);
    });

    it('duplicate type+address → 409 (SDK RestException)', async () => {
      const address = phone();
      await configs().create({type: 'sms', address});
      const err = await rejection(configs().create({type: 'sms', address}));
      expect(err.status).to.equal(409);
      // [unverified] Twilio's error dictionary (twilio-error-codes.json) lists no code for a
      // duplicate address configuration; 50353 is "Conversation with provided unique name already
      // exists". We answer the generic 20409 Conflict.
      expect(err.code).to.equal(20409);
      expect(err.message).to.include(address);
      // wire body was checked by the recorder (Twilio error shape)
      expect(t.wire.last.statusCode).to.equal(409);
    });

    it('one configuration per address, whatever the type → 409 naming the existing one', async () => {
      const address = phone();
      const sms = await configs().create({type: 'sms', address});
      // (a whatsapp configuration of the same number is another address: whatsapp:+1555…, see address-checks.test.ts)
      const err = await rejection(configs().create({type: 'chat', address}));
      expect(err.status).to.equal(409);
      expect(err.message).to.include(sms.sid);
      // fetch by address is never ambiguous
      expect((await configs()(address).fetch()).sid).to.equal(sms.sid);
    });

    it('a failed create leaves nothing behind', async () => {
      const address = phone();
      await bad({Type: 'sms', Address: address, 'AutoCreation.Type': 'webhook'}, /WebhookUrl/);
      await t.expect(404, 'GET', `${BASE}/${encodeURIComponent(address)}`);
    });
  });

  describe('fetch', () => {
    it('by sid and by address (SDK path, raw %2B, raw literal +, whatsapp:)', async () => {
      const address = phone();
      const created = await configs().create({type: 'sms', address, friendlyName: 'fetch me'});
      const bySid = await configs()(created.sid).fetch();
      expect(t.wire.last.statusCode).to.equal(200);
      expect(bySid.friendlyName).to.equal('fetch me');
      // the SDK puts the address in the path verbatim: /Configuration/Addresses/+1555…
      const byAddress = await configs()(address).fetch();
      expect(t.wire.last.url).to.match(/\/Addresses\/\+1555/);
      expect(byAddress.sid).to.equal(created.sid);
      const raw = await t.expect(200, 'GET', `${BASE}/${encodeURIComponent(address)}`);
      expect(raw.sid).to.equal(created.sid);
      expect(raw.url).to.equal(`${t.url}${BASE}/${created.sid}`);
      const literal = await t.expect(200, 'GET', `${BASE}/${address}`);
      expect(literal.sid).to.equal(created.sid);

      const wa = `whatsapp:${phone()}`;
      const waCreated = await configs().create({type: 'whatsapp', address: wa});
      expect((await t.expect(200, 'GET', `${BASE}/${encodeURIComponent(wa)}`)).sid).to.equal(waCreated.sid);
      expect((await configs()(wa).fetch()).sid).to.equal(waCreated.sid);
    });

    it('unknown sid or address → 404/20404 (SDK and raw)', async () => {
      const err = await rejection(configs()('IG00000000000000000000000000000000').fetch());
      expect(err.status).to.equal(404);
      expect(err.code).to.equal(20404);
      expect(err.moreInfo).to.equal('https://www.twilio.com/docs/errors/20404');
      const res = await t.http('GET', `${BASE}/%2B19999999999`);
      expect(res.status).to.equal(404);
      expect(res.body.code).to.equal(20404);
      expect(res.body.message).to.include('/v1/Configuration/Addresses/');
    });
  });

  describe('list', () => {
    it('lists with the Type filter (SDK and raw), filter kept in page URLs', async () => {
      const wa = `whatsapp:${phone()}`;
      await configs().create({type: 'whatsapp', address: wa});
      const all = await configs().list();
      expect(all.length).to.be.greaterThan(1);
      const onlyWa = await configs().list({type: 'whatsapp'});
      expect(onlyWa.length).to.be.greaterThan(0);
      expect(onlyWa.every((c) => c.type === 'whatsapp')).to.equal(true);
      expect(onlyWa.map((c) => c.address)).to.include(wa);
      const raw = await t.expect(200, 'GET', BASE, {query: {Type: 'chat', PageSize: 5}});
      expect(raw.address_configurations.every((c: {type: string}) => c.type === 'chat')).to.equal(true);
      expect(raw.meta.url).to.equal(`${t.url}${BASE}?Type=chat&PageSize=5&Page=0`);
      expect(raw.meta.first_page_url).to.equal(`${t.url}${BASE}?Type=chat&PageSize=5&Page=0`);
      expect(raw.meta.key).to.equal('address_configurations');
    });

    it('an empty Type filter is no filter', async () => {
      // [unverified] Twilio's handling of an empty optional enum; we treat it as absent
      const all = await t.expect(200, 'GET', BASE, {query: {PageSize: 50}});
      const empty = await t.expect(200, 'GET', BASE, {query: {Type: '', PageSize: 50}});
      expect(empty.address_configurations.map((c: {sid: string}) => c.sid)).to.deep.equal(
        all.address_configurations.map((c: {sid: string}) => c.sid),
      );
    });

    it('an unknown Type filter → 400', async () => {
      // [unverified] the spec types the filter as a free string; we reject values outside the enum.
      const res = await t.http('GET', BASE, {query: {Type: 'fax'}});
      expect(res.status).to.equal(400);
      expect(res.body.code).to.equal(20001);
    });
  });

  describe('update', () => {
    it('friendly name and every AutoCreation field, by sid and by address; 200 per spec', async () => {
      const address = phone();
      const created = await configs().create({type: 'sms', address, friendlyName: 'before', addressCountry: 'ca'});
      expect(created.addressCountry).to.equal('CA');
      await t.emu.clock.advance(5000);
      await configs()(created.sid).update({
        friendlyName: 'after',
        'autoCreation.enabled': true,
        'autoCreation.type': 'webhook',
        'autoCreation.conversationServiceSid': IS,
        'autoCreation.webhookUrl': 'https://example.com/in',
        'autoCreation.webhookMethod': 'get',
        'autoCreation.webhookFilters': ['onConversationStateUpdated'],
      });
      let body = t.wire.last.body as Record<string, any>;
      expect(t.wire.last.statusCode).to.equal(200);
      expect(body.friendly_name).to.equal('after');
      expect(body.address).to.equal(address);
      expect(body.address_country).to.equal('CA');
      expect(body.auto_creation).to.deep.equal({
        enabled: true,
        type: 'webhook',
        conversation_service_sid: IS,
        webhook_url: 'https://example.com/in',
        webhook_method: 'GET',
        webhook_filters: ['onConversationStateUpdated'],
      });
      expect(body.date_created).to.equal(created.dateCreated.toISOString().replace('.000', ''));
      expect(Date.parse(body.date_updated)).to.be.greaterThan(Date.parse(body.date_created));

      // switch to studio by address; webhook keys go away
      await configs()(address).update({'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': FW, 'autoCreation.studioRetryCount': 0});
      body = t.wire.last.body as Record<string, any>;
      expect(body.auto_creation).to.deep.equal({
        enabled: true,
        type: 'studio',
        conversation_service_sid: IS,
        studio_flow_sid: FW,
        studio_retry_count: 0,
      });
      // partial update keeps the rest
      await configs()(created.sid).update({'autoCreation.enabled': false});
      body = t.wire.last.body as Record<string, any>;
      expect(body.auto_creation).to.deep.include({enabled: false, type: 'studio', studio_flow_sid: FW});
      expect(body.friendly_name).to.equal('after');
      // back to default; empty FriendlyName clears it
      const raw = await t.expect(200, 'POST', `${BASE}/${created.sid}`, {form: {FriendlyName: '', 'AutoCreation.Type': 'default'}});
      expect(raw.friendly_name).to.equal(null);
      expect(raw.auto_creation).to.deep.equal({enabled: false, type: 'default', conversation_service_sid: IS});
      // what we updated is what we fetch
      expect((await t.expect(200, 'GET', `${BASE}/${created.sid}`)).auto_creation).to.deep.equal(raw.auto_creation);
    });

    it('webhook filters: update replaces them; an empty value clears them', async () => {
      const created = await configs().create({
        type: 'sms',
        address: phone(),
        'autoCreation.type': 'webhook',
        'autoCreation.webhookUrl': 'https://e.x/h',
        'autoCreation.webhookFilters': ['onMessageAdded'],
      });
      const b1 = await t.expect(200, 'POST', `${BASE}/${created.sid}`, {
        form: {'AutoCreation.WebhookFilters': ['onMessageUpdated', 'onMessageRemoved']},
      });
      expect(b1.auto_creation.webhook_filters).to.deep.equal(['onMessageUpdated', 'onMessageRemoved']);
      expect(b1.auto_creation.webhook_url).to.equal('https://e.x/h');
      const b2 = await t.expect(200, 'POST', `${BASE}/${created.sid}`, {form: 'AutoCreation.WebhookFilters='});
      expect(b2.auto_creation.webhook_filters).to.deep.equal([]);
    });

    it('invalid update values → 400 and nothing changes', async () => {
      const created = await configs().create({type: 'sms', address: phone(), friendlyName: 'keep'});
      const res = await t.http('POST', `${BASE}/${created.sid}`, {form: {FriendlyName: 'changed', 'AutoCreation.Type': 'nope'}});
      expect(res.status).to.equal(400);
      expect(res.body.message).to.match(/AutoCreation\.Type/);
      expect((await t.expect(200, 'GET', `${BASE}/${created.sid}`)).friendly_name).to.equal('keep');
    });

    it('unknown sid → 404', async () => {
      const err = await rejection(configs()('IG00000000000000000000000000000000').update({friendlyName: 'x'}));
      expect(err.status).to.equal(404);
      expect(err.code).to.equal(20404);
    });
  });

  describe('delete', () => {
    it('by sid → 204 with an empty body; then 404', async () => {
      const created = await configs().create({type: 'sms', address: phone()});
      expect(await configs()(created.sid).remove()).to.equal(true);
      expect(t.wire.last.statusCode).to.equal(204);
      expect(t.wire.last.body).to.equal('');
      const err = await rejection(configs()(created.sid).fetch());
      expect(err.status).to.equal(404);
      const again = await rejection(configs()(created.sid).remove());
      expect(again.status).to.equal(404);
      expect(again.code).to.equal(20404);
    });

    it('by address (raw, %2B) → 204; the address can then be configured again', async () => {
      const address = phone();
      await configs().create({type: 'sms', address});
      const res = await t.http('DELETE', `${BASE}/${encodeURIComponent(address)}`);
      expect(res.status).to.equal(204);
      expect(res.text).to.equal('');
      expect(res.headers.get('content-type')).to.equal(null);
      await t.expect(201, 'POST', BASE, {form: {Type: 'sms', Address: address}});
    });
  });
});
