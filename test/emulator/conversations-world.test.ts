import {createServer, type IncomingMessage, type Server} from 'node:http';
import {parse} from 'node:querystring';
import {expect} from 'chai';
import twilio from 'twilio';
import {phone, useEmulator} from '../helpers/emulator.js';

const V1 = '/conversations/v1';

interface Received {
  path: string;
  url: string;
  params: Record<string, string | string[]>;
  signature: string;
}

/** A real local receiver: records every request, answers what `answer` says for its path. */
class Receiver {
  server!: Server;
  received: Received[] = [];
  answers = new Map<string, {status: number; body?: string; delayMs?: number} | 'hang'>();
  port = 0;
  async start() {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = `http://127.0.0.1:${this.port}${req.url}`;
        const path = (req.url ?? '').split('?')[0];
        const params = req.method === 'GET' ? {} : (parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string | string[]>);
        this.received.push({path, url, params, signature: String(req.headers['x-twilio-signature'] ?? '')});
        const a = this.answers.get(path) ?? {status: 200};
        if (a === 'hang') return;
        setTimeout(() => {
          res.writeHead(a.status, {'Content-Type': 'application/json'});
          res.end(a.body ?? '');
        }, a.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as {port: number}).port;
  }
  url(path: string) {
    return `http://127.0.0.1:${this.port}${path}`;
  }
  events(path?: string) {
    return this.received.filter((r) => !path || r.path === path).map((r) => r.params.EventType);
  }
  stop() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

describe('emulator: Conversations and the outside world (inbound, outbox, timers, webhooks)', () => {
  const t = useEmulator({clock: 'manual', webhookTimeoutMs: 300});
  const rx = new Receiver();
  before(() => rx.start());
  after(() => rx.stop());
  beforeEach(() => (rx.received = []));
  const conv = () => t.client.conversations.v1;

  /** Every request the receiver got carries a signature twilio.validateRequest accepts. */
  function expectAllSigned() {
    expect(rx.received.length).to.be.greaterThan(0);
    for (const r of rx.received)
      expect(twilio.validateRequest(t.emu.authToken, r.signature, r.url, r.params), `${r.params.EventType} to ${r.path}`).to.equal(true);
  }

  const inbound = (form: Record<string, string>) => t.http('POST', '/_emulator/inbound', {form});
  /** An SMS address whose auto-created conversations get a scoped webhook to the receiver's `path`. */
  const webhookAddress = (address: string, path: string, filters: string[]) =>
    conv().addressConfigurations.create({
      type: 'sms',
      address,
      'autoCreation.enabled': true,
      'autoCreation.type': 'webhook',
      'autoCreation.webhookUrl': rx.url(path),
      'autoCreation.webhookFilters': filters,
    });

  describe('inbound messages and auto-creation (semantics §3)', () => {
    it('no Address Configuration: dropped, and the reason is in the events log', async () => {
      const to = phone();
      const r = await inbound({From: phone(), To: to, Body: 'hello?'});
      expect(r.status).to.equal(200);
      expect(r.body).to.include({status: 'dropped', cause: 'no_configuration'});
      expect(r.body.reason).to.include('no Address Configuration');
      const events = await t.expect(200, 'GET', '/_emulator/events', {query: {type: 'conversations.inbound.dropped'}});
      expect(events.events.at(-1).data).to.include({To: to});
    });

    it('auto-creation (webhook): conversation, participant, message, scoped webhook, signed webhooks in order; reuse until closed', async () => {
      const to = phone();
      const from = phone();
      await webhookAddress(to, '/scoped', ['onParticipantAdded', 'onMessageAdded', 'onConversationStateUpdated']);
      const first = await inbound({From: from, To: to, Body: 'I need help', MediaUrl: 'https://example.com/pic.jpg'});
      expect(first.status).to.equal(201);
      expect(first.body).to.include({status: 'accepted', created_conversation: true, message_index: 0});
      const ch = first.body.conversation_sid;
      const c = await conv().conversations(ch).fetch();
      expect(c.state).to.equal('active');
      const [p] = await conv().conversations(ch).participants.list();
      expect(p.messagingBinding).to.deep.equal({type: 'sms', address: from, proxy_address: to});
      const [m] = await conv().conversations(ch).messages.list();
      expect([m.author, m.body, m.participantSid]).to.deep.equal([from, 'I need help', p.sid]);
      expect(m.media?.[0]).to.include({content_type: 'image/jpeg', filename: 'pic.jpg'});
      const [w] = await conv().conversations(ch).webhooks.list();
      expect(w.target).to.equal('webhook');
      await t.emu.idle();
      expect(rx.events('/scoped')).to.deep.equal(['onParticipantAdded', 'onMessageAdded']);
      const added = rx.received.find((r) => r.params.EventType === 'onMessageAdded')!;
      expect(added.params).to.include({ConversationSid: ch, Body: 'I need help', Author: from, Source: 'SMS', WebhookSid: w.sid, Index: '0'});
      expectAllSigned();

      const second = await inbound({From: from, To: to, Body: 'still there?'});
      expect(second.body).to.include({conversation_sid: ch, created_conversation: false, message_index: 1});
      await conv().conversations(ch).update({state: 'closed'});
      const third = await inbound({From: from, To: to, Body: 'new issue'});
      expect(third.body.created_conversation).to.equal(true);
      expect(third.body.conversation_sid).to.not.equal(ch);
    });

    it('disabled auto-creation or another channel: dropped; JSON body and whatsapp prefix accepted', async () => {
      const to = phone();
      await conv().addressConfigurations.create({type: 'sms', address: to, 'autoCreation.enabled': false});
      const off = await inbound({From: phone(), To: to, Body: 'x'});
      expect(off.body.reason).to.include('disabled');
      const wa = phone();
      await conv().addressConfigurations.create({type: 'whatsapp', address: `whatsapp:${wa}`, 'autoCreation.enabled': true, 'autoCreation.type': 'default'});
      const r = await t.http('POST', '/_emulator/inbound', {json: {From: phone(), To: wa, Body: 'hola', Channel: 'whatsapp'}});
      expect(r.status).to.equal(201);
      const [p] = await conv().conversations(r.body.conversation_sid).participants.list();
      expect(p.messagingBinding.type).to.equal('whatsapp');
      const bad = await t.http('POST', '/_emulator/inbound', {form: {To: wa}});
      expect(bad.status).to.equal(400);
    });

    it("curl -d 'From=+1555…' (an unencoded + reads as a space) still reaches the +1555… address", async () => {
      const to = phone();
      const from = phone();
      await conv().addressConfigurations.create({type: 'sms', address: to, 'autoCreation.enabled': true, 'autoCreation.type': 'default'});
      const r = await t.http('POST', '/_emulator/inbound', {form: `From=${from}&To=${to}&Body=plus+signs+kept`});
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      const [p] = await conv().conversations(r.body.conversation_sid).participants.list();
      expect(p.messagingBinding).to.include({address: from, proxy_address: to});
      const [m] = await conv().conversations(r.body.conversation_sid).messages.list();
      expect(m.body).to.equal('plus signs kept');
      const wa = phone();
      await conv().addressConfigurations.create({type: 'whatsapp', address: `whatsapp:${wa}`, 'autoCreation.enabled': true, 'autoCreation.type': 'default'});
      const w = await t.http('POST', '/_emulator/inbound', {form: `From=whatsapp:${phone()}&To=whatsapp:${wa}&Body=hola&Channel=whatsapp`});
      expect(w.status, JSON.stringify(w.body)).to.equal(201);
    });

    it('a studio auto-creation records the studio webhook on the conversation', async () => {
      const to = phone();
      await conv().addressConfigurations.create({type: 'sms', address: to, 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': 'FW0123456789abcdef0123456789abcdef'});
      const r = await inbound({From: phone(), To: to, Body: 'hi'});
      const [w] = await conv().conversations(r.body.conversation_sid).webhooks.list();
      expect([w.target, w.configuration.flow_sid]).to.deep.equal(['studio', 'FW0123456789abcdef0123456789abcdef']);
    });
  });

  describe("the customer's phone: outbox and receipts", () => {
    it('messages from others reach every SMS/WhatsApp participant, not the author; receipts move on the clock', async () => {
      const c = await conv().conversations.create({});
      const sms = phone();
      const wa = `whatsapp:${phone()}`;
      await conv().conversations(c.sid).webhooks.create({target: 'webhook', 'configuration.url': rx.url('/delivery'), 'configuration.filters': ['onDeliveryUpdated']});
      await conv().conversations(c.sid).participants.create({'messagingBinding.address': sms, 'messagingBinding.proxyAddress': '+15550001000'});
      await conv().conversations(c.sid).participants.create({'messagingBinding.address': wa, 'messagingBinding.proxyAddress': 'whatsapp:+15550001000'});
      await conv().conversations(c.sid).participants.create({identity: 'agent'});
      const m = await conv().conversations(c.sid).messages.create({author: 'agent', body: 'Hello from support'});
      const box = await t.expect(200, 'GET', '/_emulator/outbox', {query: {to: sms}});
      expect(box.messages).to.have.length(1);
      expect(box.messages[0]).to.include({to: sms, from: '+15550001000', body: 'Hello from support', status: 'sent', message_sid: m.sid});
      await t.emu.clock.advance('PT1S');
      let receipts = await conv().conversations(c.sid).messages(m.sid).deliveryReceipts.list();
      expect(receipts.map((r) => r.status).sort()).to.deep.equal(['delivered', 'delivered']);
      await t.emu.clock.advance('PT10S');
      receipts = await conv().conversations(c.sid).messages(m.sid).deliveryReceipts.list();
      expect(receipts.map((r) => r.status).sort()).to.deep.equal(['delivered', 'read']);
      expect((await conv().conversations(c.sid).messages(m.sid).fetch()).delivery).to.include({total: 2, delivered: 'all', read: 'some'});
      await t.emu.idle();
      expect(rx.events('/delivery')).to.deep.equal(['onDeliveryUpdated', 'onDeliveryUpdated', 'onDeliveryUpdated']);
      expect(rx.received.map((r) => r.params.Status)).to.include('read');
      expectAllSigned();
      // an inbound message from the SMS customer reaches the WhatsApp one, never back to its author
      await inbound({From: sms, To: '+15550001000', Body: 'thanks'});
      expect((await t.expect(200, 'GET', '/_emulator/outbox', {query: {to: sms}})).messages).to.have.length(1);
      expect((await t.expect(200, 'GET', '/_emulator/outbox', {query: {to: wa}})).messages.map((x: {body: string}) => x.body)).to.deep.equal([
        'Hello from support',
        'thanks',
      ]);
    });
  });

  describe('state timers', () => {
    it('active → inactive → closed from the last activity; onConversationStateUpdated (TIMER); closed releases bindings', async () => {
      const c = await conv().conversations.create({'timers.inactive': 'PT10M', 'timers.closed': 'PT30M'});
      await conv().conversations(c.sid).webhooks.create({target: 'webhook', 'configuration.url': rx.url('/state'), 'configuration.filters': ['onConversationStateUpdated']});
      const address = phone();
      await conv().conversations(c.sid).participants.create({'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15550002000'});
      await t.emu.clock.advance('PT9M');
      await conv().conversations(c.sid).messages.create({body: 'activity restarts the timers'});
      await t.emu.clock.advance('PT9M');
      expect((await conv().conversations(c.sid).fetch()).state).to.equal('active');
      await t.emu.clock.advance('PT2M');
      expect((await conv().conversations(c.sid).fetch()).state).to.equal('inactive');
      await t.emu.clock.advance('PT20M');
      const closed = await conv().conversations(c.sid).fetch();
      expect(closed.state).to.equal('closed');
      expect(closed.timers).to.deep.equal({});
      await t.emu.idle();
      const states = rx.received.filter((r) => r.path === '/state').map((r) => [r.params.StateFrom, r.params.StateTo, r.params.Reason]);
      expect(states).to.deep.equal([
        ['active', 'inactive', 'TIMER'],
        ['inactive', 'closed', 'TIMER'],
      ]);
      expectAllSigned();
      // the pair is free again
      const other = await conv().conversations.create({});
      await conv().conversations(other.sid).participants.create({'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15550002000'});
    });

    it('an inactive conversation is reactivated by a message; the account default timers apply', async () => {
      await conv().configuration().update({defaultInactiveTimer: 'PT5M'});
      try {
        const c = await conv().conversations.create({});
        expect(c.timers).to.have.keys('date_inactive');
        await t.emu.clock.advance('PT6M');
        expect((await conv().conversations(c.sid).fetch()).state).to.equal('inactive');
        await conv().conversations(c.sid).messages.create({body: 'back'});
        expect((await conv().conversations(c.sid).fetch()).state).to.equal('active');
      } finally {
        await conv().configuration().update({defaultInactiveTimer: ''});
      }
    });
  });

  describe('webhooks as Twilio sends them (semantics §2.5)', () => {
    afterEach(async () => {
      await conv().configuration.webhooks().update({postWebhookUrl: '', preWebhookUrl: '', filters: []});
    });

    it('REST fires post-event webhooks only with X-Twilio-Webhook-Enabled: true, to global and service targets per filter', async () => {
      await conv().configuration.webhooks().update({postWebhookUrl: rx.url('/global'), filters: ['onConversationAdded', 'onMessageAdded', 'onParticipantAdded'], method: 'POST'});
      const service = (await conv().configuration().fetch()).defaultChatServiceSid;
      await conv().services(service).configuration.webhooks().update({postWebhookUrl: rx.url('/service'), filters: ['onMessageAdded']});
      try {
        const quiet = await conv().conversations.create({});
        await conv().conversations(quiet.sid).messages.create({body: 'no hooks'});
        const loud = await conv().conversations.create({xTwilioWebhookEnabled: 'true', friendlyName: 'loud'});
        await conv().conversations(loud.sid).participants.create({identity: 'gus', xTwilioWebhookEnabled: 'true'});
        await conv().conversations(loud.sid).messages.create({body: 'hooks', author: 'gus', xTwilioWebhookEnabled: 'true'});
        await t.emu.idle();
        expect(rx.events('/global')).to.deep.equal(['onConversationAdded', 'onParticipantAdded', 'onMessageAdded']);
        expect(rx.events('/service')).to.deep.equal(['onMessageAdded']);
        const added = rx.received.find((r) => r.path === '/global' && r.params.EventType === 'onConversationAdded')!;
        expect(added.params).to.include({AccountSid: t.emu.accountSid, ConversationSid: loud.sid, FriendlyName: 'loud', Source: 'API', ChatServiceSid: service, State: 'active'});
        const part = rx.received.find((r) => r.params.EventType === 'onParticipantAdded')!;
        expect(part.params).to.include({Identity: 'gus', 'MessagingBinding.Type': 'CHAT'});
        expectAllSigned();
      } finally {
        await conv().services(service).configuration.webhooks().update({postWebhookUrl: '', filters: []});
      }
    });

    it("an auto-created conversation's onConversationAdded carries its binding and first message; a hanging target does not hold back the others", async () => {
      const to = phone();
      const from = phone();
      await webhookAddress(to, '/healthy', ['onMessageAdded']);
      await conv().configuration.webhooks().update({postWebhookUrl: rx.url('/stuck'), filters: ['onConversationAdded', 'onMessageAdded'], method: 'POST'});
      rx.answers.set('/stuck', 'hang');
      try {
        for (const body of ['one', 'two', 'three']) expect((await inbound({From: from, To: to, Body: body})).status).to.equal(201);
        // the scoped target gets all three while the global one still holds the first (300 ms timeout)
        const started = Date.now();
        while (rx.received.filter((r) => r.path === '/healthy').length < 3 && Date.now() - started < 250) await new Promise((ok) => setTimeout(ok, 5));
        expect(rx.received.filter((r) => r.path === '/healthy').map((r) => r.params.Body)).to.deep.equal(['one', 'two', 'three']);
        expect(rx.received.filter((r) => r.path === '/stuck')).to.have.length(1);
        await t.emu.idle();
        // the hanging one is still served in order, each after the timeout of the one before
        expect(rx.events('/stuck')).to.deep.equal(['onConversationAdded', 'onMessageAdded', 'onMessageAdded', 'onMessageAdded']);
        const added = rx.received.find((r) => r.params.EventType === 'onConversationAdded')!;
        expect(added.params).to.include({'MessagingBinding.Address': from, 'MessagingBinding.ProxyAddress': to, MessageBody: 'one', Source: 'SMS', State: 'active'});
        expectAllSigned();
      } finally {
        rx.answers.delete('/stuck');
      }
    });

    it("two messages of a new customer while a pre-event webhook is slow: one conversation, and the pre-events name it", async () => {
      const to = phone();
      const from = phone();
      await conv().addressConfigurations.create({type: 'sms', address: to, 'autoCreation.enabled': true, 'autoCreation.type': 'default'});
      await conv().configuration.webhooks().update({preWebhookUrl: rx.url('/slow'), filters: ['onMessageAdd']});
      rx.answers.set('/slow', {status: 200, delayMs: 50});
      try {
        const [a, b] = await Promise.all([inbound({From: from, To: to, Body: 'one'}), inbound({From: from, To: to, Body: 'two'})]);
        expect([a.status, b.status]).to.deep.equal([201, 201]);
        expect(b.body.conversation_sid).to.equal(a.body.conversation_sid);
        expect([a.body.created_conversation, b.body.created_conversation]).to.deep.equal([true, false]);
        const pres = rx.received.filter((r) => r.path === '/slow');
        expect(pres.map((r) => r.params.ConversationSid)).to.deep.equal([a.body.conversation_sid, a.body.conversation_sid]);
        expect(pres.map((r) => r.params.ParticipantSid)).to.deep.equal([a.body.participant_sid, a.body.participant_sid]);
        const msgs = await conv().conversations(a.body.conversation_sid).messages.list();
        expect(msgs.map((m) => m.body)).to.deep.equal(['one', 'two']);
      } finally {
        rx.answers.delete('/slow');
      }
    });

    it('a trigger webhook fires only for messages with its keyword; ReplayAfter replays existing messages', async () => {
      const c = await conv().conversations.create({});
      await conv().conversations(c.sid).messages.create({body: 'zero'});
      await conv().conversations(c.sid).messages.create({body: 'one'});
      await conv().conversations(c.sid).webhooks.create({target: 'webhook', 'configuration.url': rx.url('/replay'), 'configuration.filters': ['onMessageAdded'], 'configuration.replayAfter': 1});
      await conv().conversations(c.sid).webhooks.create({target: 'trigger', 'configuration.url': rx.url('/trigger'), 'configuration.triggers': ['agent']});
      await conv().conversations(c.sid).messages.create({body: 'I want an AGENT please', xTwilioWebhookEnabled: 'true'});
      await conv().conversations(c.sid).messages.create({body: 'nothing here', xTwilioWebhookEnabled: 'true'});
      await t.emu.idle();
      expect(rx.received.filter((r) => r.path === '/replay').map((r) => r.params.Index)).to.deep.equal(['1', '2', '3']);
      expect(rx.received.filter((r) => r.path === '/trigger').map((r) => r.params.Body)).to.deep.equal(['I want an AGENT please']);
      expectAllSigned();
    });

    it('pre-event webhooks on inbound: a 4xx rejects (dropped), a JSON answer modifies, a hang publishes unchanged after the timeout', async () => {
      const to = phone();
      await conv().addressConfigurations.create({type: 'sms', address: to, 'autoCreation.enabled': true, 'autoCreation.type': 'default'});
      await conv().configuration.webhooks().update({preWebhookUrl: rx.url('/pre'), filters: ['onMessageAdd', 'onConversationAdd']});
      rx.answers.set('/pre', {status: 403});
      const rejected = await inbound({From: phone(), To: to, Body: 'spam'});
      expect(rejected.body).to.include({status: 'dropped', cause: 'pre_event'});
      expect(rejected.body.reason).to.include('403');
      expect(rx.events('/pre')).to.deep.equal(['onConversationAdd']);
      expect(rx.received[0].params).to.include({'MessagingBinding.ProxyAddress': to, MessageBody: 'spam', Source: 'SMS'});

      rx.answers.set('/pre', {status: 200, body: JSON.stringify({body: 'rewritten', friendly_name: 'Named by hook'})});
      const modified = await inbound({From: phone(), To: to, Body: 'original'});
      expect(modified.status).to.equal(201);
      const c = await conv().conversations(modified.body.conversation_sid).fetch();
      expect(c.friendlyName).to.equal('Named by hook');
      const [m] = await conv().conversations(c.sid).messages.list();
      expect(m.body).to.equal('rewritten');
      // the conversation to be created is named already: onMessageAdd carries its SID and its participant's
      const preMessage = rx.received.filter((r) => r.params.EventType === 'onMessageAdd').at(-1)!;
      expect(preMessage.params).to.include({ConversationSid: c.sid, ParticipantSid: modified.body.participant_sid, Body: 'original'});
      const preConversation = rx.received.filter((r) => r.params.EventType === 'onConversationAdd').at(-1)!;
      expect(preConversation.params).to.include({MessagingServiceSid: c.messagingServiceSid, ChatServiceSid: c.chatServiceSid});

      rx.answers.set('/pre', 'hang');
      const slow = await inbound({From: phone(), To: to, Body: 'patience'});
      expect(slow.status).to.equal(201);
      const [m2] = await conv().conversations(slow.body.conversation_sid).messages.list();
      expect(m2.body).to.equal('patience');
      rx.answers.delete('/pre');
      const attempts = await t.expect(200, 'GET', '/_emulator/webhooks', {query: {event: 'onMessageAdd'}});
      expect(attempts.webhooks.some((a: {error: string | null}) => a.error?.includes('timed out'))).to.equal(true);
      expectAllSigned();
    });
  });
});
