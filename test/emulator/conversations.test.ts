import {readFileSync} from 'node:fs';
import {expect} from 'chai';
import {RESOURCES} from '../../src/lib/emulator/api/index.js';
import {Router} from '../../src/lib/emulator/router.js';
import {phone, rejection, useEmulator} from '../helpers/emulator.js';
import {expectTwilioError} from '../helpers/oai.js';

const V1 = '/conversations/v1';

describe('emulator: Conversations resources (conversations v1)', () => {
  const t = useEmulator({clock: 'manual'});
  const conv = () => t.client.conversations.v1;
  let n = 0;
  const unique = (p: string) => `${p}-${Date.now()}-${++n}`;

  describe('services and configuration', () => {
    it('every account has a default service, named by /v1/Configuration', async () => {
      const config = await t.expect(200, 'GET', `${V1}/Configuration`);
      expect(config.default_chat_service_sid).to.match(/^IS[0-9a-f]{32}$/);
      expect(config.links.webhooks).to.equal(`${t.url}${V1}/Configuration/Webhooks`);
      const services = await conv().services.list();
      expect(services.map((s) => s.sid)).to.include(config.default_chat_service_sid);
      const roles = await t.expect(200, 'GET', `${V1}/Roles`);
      expect(roles.roles.map((r: {friendly_name: string}) => r.friendly_name)).to.include.members(['channel user', 'service admin']);
      const svc = await t.expect(200, 'GET', `${V1}/Services/${config.default_chat_service_sid}/Configuration`);
      expect(svc.default_conversation_role_sid).to.match(/^RL/);
    });

    it('timers and default service update; bad durations are 400', async () => {
      const c = await conv().configuration().update({defaultInactiveTimer: 'PT5M', defaultClosedTimer: 'PT20M'});
      expect(c.defaultInactiveTimer).to.equal('PT5M');
      const e = await rejection(conv().configuration().update({defaultClosedTimer: 'soon'}));
      expect([e.status, e.code]).to.deep.equal([400, 20001]);
      const short = await rejection(conv().configuration().update({defaultInactiveTimer: 'PT10S'}));
      expect(short.status).to.equal(400);
      const missing = await rejection(conv().configuration().update({defaultChatServiceSid: 'IS0123456789abcdef0123456789abcdef'}));
      expect(missing.status).to.equal(404);
      await conv().configuration().update({defaultInactiveTimer: '', defaultClosedTimer: ''});
      expect((await conv().configuration().fetch()).defaultClosedTimer).to.equal(null);
    });

    it('global and service webhook configuration round-trip', async () => {
      const w = await conv().configuration.webhooks().update({
        method: 'POST',
        filters: ['onMessageAdded', 'onConversationAdd'],
        postWebhookUrl: 'https://example.com/post',
        target: 'webhook',
      });
      expect(w.filters).to.deep.equal(['onMessageAdded', 'onConversationAdd']);
      const bad = await rejection(conv().configuration.webhooks().update({filters: ['onNothing']}));
      expect(bad.status).to.equal(400);
      await conv().configuration.webhooks().update({postWebhookUrl: '', filters: []});
      const s = await conv().services.create({friendlyName: unique('svc')});
      const sw = await conv().services(s.sid).configuration.webhooks().update({preWebhookUrl: 'https://example.com/pre', filters: ['onMessageAdd']});
      expect(sw.preWebhookUrl).to.equal('https://example.com/pre');
      const sc = await conv().services(s.sid).configuration().update({reachabilityEnabled: true});
      expect(sc.reachabilityEnabled).to.equal(true);
    });

    it('a service mirrors the tree; deleting it cascades; the default cannot be deleted', async () => {
      const s = await conv().services.create({friendlyName: unique('svc')});
      expect(t.wire.last.statusCode).to.equal(201);
      const c = await conv().services(s.sid).conversations.create({uniqueName: 'shared-name'});
      // the same unique name in another service is fine
      await conv().conversations.create({uniqueName: unique('shared-name')});
      const p = await conv().services(s.sid).conversations(c.sid).participants.create({identity: 'bob'});
      await conv().services(s.sid).conversations(c.sid).messages.create({author: 'bob', body: 'hello'});
      expect((await conv().services(s.sid).users.list()).map((u) => u.identity)).to.deep.equal(['bob']);
      expect((await conv().services(s.sid).participantConversations.list({identity: 'bob'}))[0].participantSid).to.equal(p.sid);
      // not reachable through the default service
      expect((await rejection(conv().conversations(c.sid).fetch())).status).to.equal(404);
      await conv().services(s.sid).remove();
      expect((await rejection(conv().services(s.sid).conversations(c.sid).fetch())).status).to.equal(404);
      const def = (await conv().configuration().fetch()).defaultChatServiceSid;
      expect((await rejection(conv().services(def).remove())).status).to.equal(400);
      const missing = await t.http('POST', `${V1}/Services`, {form: {}});
      expectTwilioError(400, missing.body, 20001);
    });
  });

  describe('conversations', () => {
    it('create, fetch by SID and unique name, update, delete (with cascade)', async () => {
      const name = unique('conv');
      const c = await conv().conversations.create({friendlyName: 'F', uniqueName: name, attributes: JSON.stringify({a: 1}), 'timers.inactive': 'PT5M', 'timers.closed': 'PT30M'});
      expect(c.state).to.equal('active');
      expect(c.timers).to.have.keys('date_inactive', 'date_closed');
      expect((await conv().conversations(name).fetch()).sid).to.equal(c.sid);
      const u = await conv().conversations(c.sid).update({friendlyName: 'G', state: 'inactive'});
      expect([u.friendlyName, u.state]).to.deep.equal(['G', 'inactive']);
      expect(u.timers).to.have.keys('date_closed');
      await conv().conversations(c.sid).participants.create({identity: 'x'});
      await conv().conversations(c.sid).messages.create({body: 'm'});
      expect(await conv().conversations(c.sid).remove()).to.equal(true);
      expect((await rejection(conv().conversations(c.sid).messages.list())).status).to.equal(404);
    });

    it('duplicate unique name → 409 50353; closed initial state → 50384; bad input → 400', async () => {
      const name = unique('dup');
      await conv().conversations.create({uniqueName: name});
      const e = await rejection(conv().conversations.create({uniqueName: name}));
      expect([e.status, e.code]).to.deep.equal([409, 50353]);
      expect((await rejection(conv().conversations.create({state: 'closed'}))).code).to.equal(50384);
      expect((await rejection(conv().conversations.create({attributes: '{nope'}))).code).to.equal(20001);
      expect((await rejection(conv().conversations.create({'timers.inactive': 'PT10Q'}))).code).to.equal(20001);
      expect((await rejection(conv().conversations('CH0123456789abcdef0123456789abcdef').fetch())).status).to.equal(404);
    });

    it('list filters by State and date range', async () => {
      const a = await conv().conversations.create({friendlyName: unique('old'), dateCreated: new Date('2020-01-02T00:00:00Z')});
      const b = await conv().conversations.create({friendlyName: unique('closed')});
      await conv().conversations(b.sid).update({state: 'closed'});
      const closed = await conv().conversations.list({state: 'closed'});
      expect(closed.map((c) => c.sid)).to.include(b.sid);
      expect(closed.every((c) => c.state === 'closed')).to.equal(true);
      const old = await conv().conversations.list({startDate: '2020-01-01', endDate: '2020-01-02'} as never);
      expect(old.map((c) => c.sid)).to.deep.equal([a.sid]);
      const r = await t.http('GET', `${V1}/Conversations`, {query: {StartDate: 'yesterday'}});
      expect(r.status).to.equal(400);
    });

    it('a date-filtered list is newest first by date_created (the spec says so), paged both ways; State=initializing is a filter', async () => {
      // created out of date order: seq order would give 05-01, 05-03, 05-02
      const sids: Record<string, string> = {};
      for (const day of ['01', '03', '02'])
        sids[day] = (await conv().conversations.create({friendlyName: unique(`may-${day}`), dateCreated: new Date(`2019-05-${day}T10:00:00Z`)})).sid;
      const want = [sids['03'], sids['02'], sids['01']];
      const all = await t.expect(200, 'GET', `${V1}/Conversations`, {query: {StartDate: '2019-05-01', EndDate: '2019-05-03'}});
      expect(all.conversations.map((c: {sid: string}) => c.sid)).to.deep.equal(want);
      // one a page, forward through next_page_url and back through previous_page_url
      const seen: string[] = [];
      let page = await t.expect(200, 'GET', `${V1}/Conversations`, {query: {StartDate: '2019-05-01', EndDate: '2019-05-03', PageSize: '1'}});
      const pages = [page];
      for (;;) {
        seen.push(...page.conversations.map((c: {sid: string}) => c.sid));
        if (!page.meta.next_page_url) break;
        page = await t.expect(200, 'GET', new URL(page.meta.next_page_url).pathname + new URL(page.meta.next_page_url).search);
        pages.push(page);
      }
      expect(seen).to.deep.equal(want);
      const back = await t.expect(200, 'GET', new URL(pages[2].meta.previous_page_url).pathname + new URL(pages[2].meta.previous_page_url).search);
      expect(back.conversations.map((c: {sid: string}) => c.sid)).to.deep.equal([sids['02']]);
      expect((await conv().conversations.list({startDate: '2019-05-01', endDate: '2019-05-03'} as never)).map((c) => c.sid)).to.deep.equal(want);
      expect((await t.expect(200, 'GET', `${V1}/Conversations`, {query: {State: 'initializing'}})).conversations).to.deep.equal([]);
      // the cursor row deleted before its next page is read: the page goes on from where it was
      const first = await t.expect(200, 'GET', `${V1}/Conversations`, {query: {StartDate: '2019-05-01', EndDate: '2019-05-03', PageSize: '1'}});
      await conv().conversations(sids['03']).remove();
      const rest = await t.expect(200, 'GET', new URL(first.meta.next_page_url).pathname + new URL(first.meta.next_page_url).search);
      expect(rest.conversations.map((c: {sid: string}) => c.sid)).to.deep.equal([sids['02']]);
      expect(rest.meta.next_page_url).to.be.a('string');
      expect(rest.meta.previous_page_url, 'nothing is before it now').to.equal(null);
    });

    it('a closed conversation takes no messages or participants (50377) and cannot reopen', async () => {
      const c = await conv().conversations.create({});
      await conv().conversations(c.sid).update({state: 'closed'});
      expect((await rejection(conv().conversations(c.sid).messages.create({body: 'x'}))).code).to.equal(50377);
      expect((await rejection(conv().conversations(c.sid).participants.create({identity: 'z'}))).code).to.equal(50377);
      expect((await rejection(conv().conversations(c.sid).update({state: 'active'}))).code).to.equal(50377);
    });

    it('ConversationWithParticipants creates both (201), all or nothing', async () => {
      const addr = phone();
      const c = await conv().conversationWithParticipants.create({
        friendlyName: 'cwp',
        participant: [JSON.stringify({identity: 'agent1'}), JSON.stringify({messaging_binding: {address: addr, proxy_address: '+15550000001'}})],
      });
      expect(t.wire.last.statusCode).to.equal(201);
      expect(await conv().conversations(c.sid).participants.list()).to.have.length(2);
      const e = await rejection(
        conv().conversationWithParticipants.create({uniqueName: unique('cwp'), participant: [JSON.stringify({messaging_binding: {address: addr, proxy_address: '+15550000001'}})]}),
      );
      expect([e.status, e.code]).to.deep.equal([409, 50425]);
      expect((await rejection(conv().conversationWithParticipants.create({participant: ['not json']}))).code).to.equal(20001);
    });
  });

  describe('participants', () => {
    it('chat and SMS participants; 50433 duplicate identity; 50416 pair in another open conversation; released on close', async () => {
      const c1 = await conv().conversations.create({});
      const c2 = await conv().conversations.create({});
      const chat = await conv().conversations(c1.sid).participants.create({identity: 'alice', attributes: '{"vip":true}'});
      expect(chat.messagingBinding).to.equal(null);
      expect((await conv().conversations(c1.sid).participants('alice').fetch()).sid).to.equal(chat.sid);
      const dup = await rejection(conv().conversations(c1.sid).participants.create({identity: 'alice'}));
      expect([dup.status, dup.code]).to.deep.equal([409, 50433]);
      const address = phone();
      const sms = await conv().conversations(c1.sid).participants.create({'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15550000002'});
      expect(sms.messagingBinding).to.deep.equal({type: 'sms', address, proxy_address: '+15550000002'});
      const pair = await rejection(conv().conversations(c2.sid).participants.create({'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15550000002'}));
      expect([pair.status, pair.code]).to.deep.equal([409, 50416]);
      expect(pair.message).to.include(c1.sid);
      await conv().conversations(c1.sid).update({state: 'closed'});
      await conv().conversations(c2.sid).participants.create({'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15550000002'});
      const empty = await t.http('POST', `${V1}/Conversations/${c2.sid}/Participants`, {form: {'MessagingBinding.Address': ''}});
      expectTwilioError(400, empty.body, 50411);
      const none = await t.http('POST', `${V1}/Conversations/${c2.sid}/Participants`, {form: {}});
      expectTwilioError(400, none.body, 20001);
    });

    it('update (attributes, last read) and remove', async () => {
      const c = await conv().conversations.create({});
      const p = await conv().conversations(c.sid).participants.create({identity: 'carol'});
      const u = await conv().conversations(c.sid).participants(p.sid).update({attributes: '{"x":1}', lastReadMessageIndex: 0});
      expect([u.attributes, u.lastReadMessageIndex]).to.deep.equal(['{"x":1}', 0]);
      expect((await rejection(conv().conversations(c.sid).participants(p.sid).update({attributes: '['}))).status).to.equal(400);
      await conv().conversations(c.sid).participants(p.sid).remove();
      expect(await conv().conversations(c.sid).participants.list()).to.have.length(0);
    });

    it('users: identity participants create them; CRUD; UserConversations', async () => {
      const c = await conv().conversations.create({friendlyName: 'uc'});
      await conv().conversations(c.sid).participants.create({identity: 'dave'});
      const dave = await conv().users('dave').fetch();
      expect(dave.identity).to.equal('dave');
      const dup = await rejection(conv().users.create({identity: 'dave'}));
      expect([dup.status, dup.code]).to.deep.equal([409, 50201]);
      const ucs = await conv().users(dave.sid).userConversations.list();
      expect(ucs.map((x) => x.conversationSid)).to.deep.equal([c.sid]);
      const uc = await conv().users(dave.sid).userConversations(c.sid).update({notificationLevel: 'muted'});
      expect(uc.notificationLevel).to.equal('muted');
      // LastReadTimestamp is a date-time (spec): anything else is Twilio's 400
      const bad = await t.http('POST', `${V1}/Users/${dave.sid}/Conversations/${c.sid}`, {form: {LastReadTimestamp: 'yesterday'}});
      expect(bad.status).to.equal(400);
      expect(expectTwilioError(bad.status, bad.body, 20001).message).to.include('LastReadTimestamp');
      const config = await conv().configuration().fetch();
      const role = await t.http('POST', `${V1}/Services/${config.defaultChatServiceSid}/Configuration`, {form: {DefaultConversationRoleSid: 'RL00000000000000000000000000000000'}});
      expect(expectTwilioError(role.status, role.body, 20001).message).to.include('DefaultConversationRoleSid');
      expect(c.bindings, 'bindings of a conversation without any: {} as in the spec examples').to.deep.equal({});
      await conv().users(dave.sid).userConversations(c.sid).remove();
      expect(await conv().conversations(c.sid).participants.list()).to.have.length(0);
      const u = await conv().users.create({identity: unique('erin'), friendlyName: 'Erin'});
      expect((await conv().users(u.sid).update({friendlyName: 'E'})).friendlyName).to.equal('E');
      await conv().users(u.sid).remove();
      expect((await rejection(conv().users(u.sid).fetch())).status).to.equal(404);
    });

    it('roles CRUD', async () => {
      const r = await conv().roles.create({friendlyName: unique('role'), type: 'conversation', permission: ['sendMessage']});
      expect(t.wire.last.statusCode).to.equal(201);
      expect((await conv().roles(r.sid).update({permission: ['sendMessage', 'leaveConversation']})).permissions).to.have.length(2);
      expect((await rejection(conv().roles.create({friendlyName: 'x', type: 'nope', permission: ['a']} as never))).status).to.equal(400);
      await conv().roles(r.sid).remove();
    });

    it('ParticipantConversations by Address', async () => {
      const address = phone();
      const c = await conv().conversations.create({});
      await conv().conversations(c.sid).participants.create({'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15550000003'});
      const list = await conv().participantConversations.list({address});
      expect(list.map((x) => x.conversationSid)).to.deep.equal([c.sid]);
      expect((await t.http('GET', `${V1}/ParticipantConversations`)).status).to.equal(400);
    });
  });

  describe('messages', () => {
    it('index, author participant, attributes, Order=desc, update, delete', async () => {
      const c = await conv().conversations.create({});
      const p = await conv().conversations(c.sid).participants.create({identity: 'fay'});
      const m0 = await conv().conversations(c.sid).messages.create({author: 'fay', body: 'one', attributes: '{"k":"v"}'});
      const m1 = await conv().conversations(c.sid).messages.create({body: 'two'});
      expect([m0.index, m1.index]).to.deep.equal([0, 1]);
      expect([m0.participantSid, m1.participantSid, m1.author]).to.deep.equal([p.sid, null, 'system']);
      expect(m0.delivery).to.equal(null);
      const desc = await conv().conversations(c.sid).messages.list({order: 'desc'});
      expect(desc.map((m) => m.index)).to.deep.equal([1, 0]);
      const page = await t.expect(200, 'GET', `${V1}/Conversations/${c.sid}/Messages`, {query: {Order: 'desc', PageSize: 1}});
      expect(page.meta.next_page_url).to.include('Order=desc');
      const next = await t.expect(200, 'GET', page.meta.next_page_url);
      expect(next.messages[0].index).to.equal(0);
      expect((await conv().conversations(c.sid).messages(m1.sid).update({body: 'TWO'})).body).to.equal('TWO');
      await conv().conversations(c.sid).messages(m0.sid).remove();
      expect((await conv().conversations(c.sid).messages.list()).map((m) => m.index)).to.deep.equal([1]);
      // indexes never repeat after a delete
      expect((await conv().conversations(c.sid).messages.create({body: 'three'})).index).to.equal(2);
    });

    it('bad input: body over 1600, bad attributes JSON, nothing to send, unknown SIDs', async () => {
      const c = await conv().conversations.create({});
      const long = await rejection(conv().conversations(c.sid).messages.create({body: 'x'.repeat(1601)}));
      expect([long.status, long.code]).to.deep.equal([400, 20001]);
      expect((await rejection(conv().conversations(c.sid).messages.create({body: 'x', attributes: '{'}))).status).to.equal(400);
      expect((await rejection(conv().conversations(c.sid).messages.create({}))).status).to.equal(400);
      expect((await rejection(conv().conversations(c.sid).messages('IM0123456789abcdef0123456789abcdef').fetch())).status).to.equal(404);
      expect((await rejection(conv().conversations(c.sid).messages('garbage').fetch())).status).to.equal(404);
      await conv().conversations(c.sid).messages.create({body: 'x'.repeat(1600)});
    });

    it('media placeholders and receipts to SMS participants', async () => {
      const c = await conv().conversations.create({});
      await conv().conversations(c.sid).participants.create({'messagingBinding.address': phone(), 'messagingBinding.proxyAddress': '+15550000004'});
      const m = await conv().conversations(c.sid).messages.create({mediaSid: 'ME0123456789abcdef0123456789abcdef'});
      expect(m.media).to.have.length(1);
      expect(m.delivery).to.include({total: 1, sent: 'all', delivered: 'none'});
      const receipts = await conv().conversations(c.sid).messages(m.sid).deliveryReceipts.list();
      expect(receipts.map((r) => r.status)).to.deep.equal(['sent']);
      expect((await conv().conversations(c.sid).messages(m.sid).deliveryReceipts(receipts[0].sid).fetch()).channelMessageSid).to.match(/^MM/);
    });
  });

  describe('conversation-scoped webhooks', () => {
    it('webhook, trigger and studio targets; at most 5; update; delete', async () => {
      const c = await conv().conversations.create({});
      const hooks = conv().conversations(c.sid).webhooks;
      const w = await hooks.create({target: 'webhook', 'configuration.url': 'https://example.com/h', 'configuration.method': 'POST', 'configuration.filters': ['onMessageAdded']});
      expect(w.configuration).to.deep.equal({url: 'https://example.com/h', method: 'post', filters: ['onMessageAdded']});
      await hooks.create({target: 'trigger', 'configuration.url': 'https://example.com/t', 'configuration.triggers': ['help']});
      await hooks.create({target: 'studio', 'configuration.flowSid': 'FW0123456789abcdef0123456789abcdef'});
      expect((await rejection(hooks.create({target: 'studio'}))).code).to.equal(20001);
      expect((await rejection(hooks.create({target: 'webhook'}))).code).to.equal(20001);
      await hooks.create({target: 'webhook', 'configuration.url': 'https://example.com/4'});
      await hooks.create({target: 'webhook', 'configuration.url': 'https://example.com/5'});
      expect((await rejection(hooks.create({target: 'webhook', 'configuration.url': 'https://example.com/6'}))).status).to.equal(400);
      const u = await hooks(w.sid).update({'configuration.filters': ['onMessageAdded', 'onParticipantAdded']});
      expect(u.configuration.filters).to.have.length(2);
      await hooks(w.sid).remove();
      expect(await hooks.list()).to.have.length(4);
    });
  });

  describe('the spec, operation by operation', () => {
    const spec = JSON.parse(readFileSync(new URL('../fixtures/twilio-oai/twilio_conversations_v1.json', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const OUT_OF_SCOPE = [/^\/v1\/Credentials/, /\/Bindings/, /\/Configuration\/Notifications$/];
    const router = new Router();
    for (const r of RESOURCES) router.add({prefix: r.domain, auth: true}, r.routes, r.mounts);
    const ops: [string, string][] = [];
    for (const [path, item] of Object.entries(spec.paths))
      for (const method of ['get', 'post', 'delete']) if (item[method]) ops.push([method.toUpperCase(), path]);

    it('every operation is routed (sample SIDs in its path)', () => {
      const missing = ops.filter(([method, path]) => {
        const concrete = `/conversations${path.replace(/\{[A-Za-z]+\}/g, 'XX0123456789abcdef0123456789abcdef')}`;
        return !router.match(concrete)?.route.handlers.has(method);
      });
      expect(missing).to.deep.equal([]);
      expect(ops.length).to.be.greaterThan(100);
    });

    it('the out-of-scope ones answer a Twilio-shaped 501', async () => {
      const out = ops.filter(([, path]) => OUT_OF_SCOPE.some((re) => re.test(path)));
      expect(out.length).to.equal(10);
      const def = (await conv().configuration().fetch()).defaultChatServiceSid;
      for (const [method, path] of out) {
        const concrete = path.replace('{ChatServiceSid}', def).replace(/\{[A-Za-z]+\}/g, 'CR0123456789abcdef0123456789abcdef');
        const r = await t.http(method, `${V1.replace('/v1', '')}${concrete}`, {form: method === 'POST' ? {FriendlyName: 'x'} : undefined});
        expect(r.status, `${method} ${path}`).to.equal(501);
        expect(expectTwilioError(501, r.body).message).to.include('does not implement');
      }
    });
  });
});
