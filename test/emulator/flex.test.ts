import {readFileSync} from 'node:fs';
import {expect} from 'chai';
import {phone, rejection, startTestEmulator, useEmulator} from '../helpers/emulator.js';
import {expectTwilioError} from '../helpers/oai.js';
import {UNIMPLEMENTED} from '../../src/lib/emulator/api/flex/unimplemented.js';

const FX = '/flex-api/v1';
const TR = '/taskrouter/v1/Workspaces';
const CV = '/conversations/v1';

describe('emulator: Flex (flex-api v1)', () => {
  const t = useEmulator({clock: 'manual'});
  let n = 0;
  const unique = (p: string) => `${p}-${++n}`;

  /** The account's Flex set-up, as the Configuration names it. */
  async function flex() {
    const config = await t.expect(200, 'GET', `${FX}/Configuration`);
    const ws = config.taskrouter_workspace_sid as string;
    const acts = (await t.expect(200, 'GET', `${TR}/${ws}/Activities`)).activities as {sid: string; friendly_name: string}[];
    const act = (name: string) => acts.find((a) => a.friendly_name === name)!.sid;
    return {config, ws, wf: config.taskrouter_target_workflow_sid as string, queue: config.taskrouter_target_taskqueue_sid as string, available: act('Available'), offline: act('Offline')};
  }

  /** An available agent with a Flex identity (contact_uri client:…) and the given sms capacity. */
  async function agent(opts: {available?: boolean; capacity?: number} = {}) {
    const {ws, available, offline} = await flex();
    const name = unique('agent');
    const w = await t.expect(201, 'POST', `${TR}/${ws}/Workers`, {
      form: {FriendlyName: name, Attributes: JSON.stringify({contact_uri: `client:${name}_40example_2Ecom`}), ActivitySid: opts.available === false ? offline : available},
    });
    if (opts.capacity) await t.expect(200, 'POST', `${TR}/${ws}/Workers/${w.sid}/Channels/sms`, {form: {Capacity: opts.capacity}});
    return {sid: w.sid as string, identity: `${name}_40example_2Ecom`};
  }

  const routing = async (extra: Record<string, unknown> = {}, attributes: Record<string, unknown> = {}) => {
    const {ws, wf} = await flex();
    return JSON.stringify({properties: {workspace_sid: ws, workflow_sid: wf, task_channel_unique_name: 'sms', attributes, ...extra}});
  };
  const apiChannel = (address = phone(), proxy = phone()) => JSON.stringify({type: 'sms', initiated_by: 'api', participants: [{address, proxy_address: proxy}]});
  const create = async (form: Record<string, string>, status = 200) => t.expect(status, 'POST', `${FX}/Interactions`, {form});
  const channels = async (kd: string) => (await t.expect(200, 'GET', `${FX}/Interactions/${kd}/Channels`)).channels;
  const participantsOf = async (kd: string, uo: string) => (await t.expect(200, 'GET', `${FX}/Interactions/${kd}/Channels/${uo}/Participants`)).participants;
  const task = (ws: string, sid: string) => t.expect(200, 'GET', `${TR}/${ws}/Tasks/${sid}`);
  const reservations = async (ws: string, taskSid: string) => (await t.expect(200, 'GET', `${TR}/${ws}/Tasks/${taskSid}/Reservations`)).reservations;
  const convParticipants = async (ch: string) => (await t.expect(200, 'GET', `${CV}/Conversations/${ch}/Participants`)).participants;
  const conversation = (ch: string) => t.expect(200, 'GET', `${CV}/Conversations/${ch}`);
  const accept = (ws: string, taskSid: string, wr: string) => t.expect(200, 'POST', `${TR}/${ws}/Tasks/${taskSid}/Reservations/${wr}`, {form: {ReservationStatus: 'accepted'}});

  /** An api-initiated interaction and what it made. */
  async function outbound(attributes: Record<string, unknown> = {}) {
    const {ws} = await flex();
    const kd = await create({Channel: apiChannel(), Routing: await routing({}, attributes)});
    const uo = kd.channel.sid as string;
    const wt = kd.routing.properties.sid as string;
    const attrs = JSON.parse((await task(ws, wt)).attributes);
    return {kd, uo, wt, ws, ch: attrs.conversationSid as string, attrs};
  }

  describe('a Flex account out of the box', () => {
    it('has the Flex Chat Service as default service, the Flex Task Assignment workspace and a Configuration naming them', async () => {
      const {config, ws, wf, queue} = await flex();
      const conv = await t.expect(200, 'GET', `${CV}/Configuration`);
      expect(config.chat_service_instance_sid).to.equal(conv.default_chat_service_sid);
      expect((await t.expect(200, 'GET', `${CV}/Services/${conv.default_chat_service_sid}`)).friendly_name).to.equal('Flex Chat Service');
      expect((await t.expect(200, 'GET', `${TR}/${ws}`)).friendly_name).to.equal('Flex Task Assignment');
      expect((await t.expect(200, 'GET', `${TR}/${ws}/TaskQueues/${queue}`)).friendly_name).to.equal('Everyone');
      const flow = await t.expect(200, 'GET', `${TR}/${ws}/Workflows/${wf}`);
      expect(flow.friendly_name).to.equal('Assign to Anyone');
      expect(JSON.parse(flow.configuration).task_routing.default_filter.queue).to.equal(queue);
      const tcs = (await t.expect(200, 'GET', `${TR}/${ws}/TaskChannels`)).channels.map((c: {unique_name: string}) => c.unique_name);
      expect(tcs).to.have.members(['default', 'voice', 'chat', 'sms', 'video', 'email', 'messenger', 'whatsapp']);
      const acts = (await t.expect(200, 'GET', `${TR}/${ws}/Activities`)).activities.map((a: {friendly_name: string}) => a.friendly_name);
      expect(acts).to.have.members(['Available', 'Unavailable', 'Offline', 'Break']);
      expect(config.taskrouter_offline_activity_sid).to.match(/^WA/);
      // the SDK reads it too
      const sdk = await t.client.flexApi.v1.configuration().fetch();
      expect(sdk.taskrouterWorkspaceSid).to.equal(ws);
    });

    it('Configuration update takes a JSON body; read-only and unknown fields are 400', async () => {
      const up = await t.expect(200, 'POST', `${FX}/Configuration`, {json: {ui_language: 'fr', attributes: {a: 1}}});
      expect(up).to.include({ui_language: 'fr'});
      expect((await t.expect(200, 'GET', `${FX}/Configuration`)).attributes).to.deep.equal({a: 1});
      const ro = await t.http('POST', `${FX}/Configuration`, {json: {status: 'inprogress'}});
      expect(ro.status).to.equal(400);
      const unknown = await t.http('POST', `${FX}/Configuration`, {json: {nope: 1}});
      expect([unknown.status, unknown.body.message]).to.deep.equal([400, 'Invalid parameter nope: is not a field of the Flex Configuration']);
      const notObject = await t.http('POST', `${FX}/Configuration`, {json: [1]});
      expect(notObject.status).to.equal(400);
    });

    it('a bare emulator has none of it; a reset brings the set-up back', async () => {
      const bare = await startTestEmulator({bare: true});
      try {
        const r = await bare.http('GET', `${FX}/Configuration`);
        expect(r.status).to.equal(404);
        const svcs = (await bare.expect(200, 'GET', `${CV}/Services`)).services.map((s: {friendly_name: string}) => s.friendly_name);
        expect(svcs).to.deep.equal(['Default Conversations Service']);
        expect((await bare.expect(200, 'GET', TR)).workspaces).to.deep.equal([]);
      } finally {
        await bare.emu.stop();
      }
      const other = await startTestEmulator();
      try {
        const before = (await other.expect(200, 'GET', `${FX}/Configuration`)).taskrouter_workspace_sid;
        await other.emu.reset();
        const after = (await other.expect(200, 'GET', `${FX}/Configuration`)).taskrouter_workspace_sid;
        expect(after).to.match(/^WS/).and.not.equal(before);
        expect((await other.expect(200, 'GET', TR)).workspaces.length).to.equal(1);
      } finally {
        await other.emu.stop();
      }
    });
  });

  describe('interactions', () => {
    it('api-initiated: a conversation in the Flex chat service with the customer, a task with Flex attributes, channel active', async () => {
      const {ws, config} = await flex();
      const address = phone();
      const proxy = phone();
      const kd = await create({Channel: apiChannel(address, proxy), Routing: await routing({}, {custom: 'x', from: 'me'}), WebhookTtid: 'flex_interactionwebhook_1'});
      expect(kd.sid).to.match(/^KD/);
      expect(kd.webhook_ttid).to.equal('flex_interactionwebhook_1');
      expect(kd.links.channels).to.equal(`${t.url}${FX}/Interactions/${kd.sid}/Channels`);
      expect(kd.routing.properties.sid).to.match(/^WT/);
      const [uo] = await channels(kd.sid);
      expect(uo).to.include({sid: kd.channel.sid, interaction_sid: kd.sid, type: 'sms', status: 'active', error_code: null});
      const wt = await task(ws, kd.routing.properties.sid);
      const attrs = JSON.parse(wt.attributes);
      const invites = (await t.expect(200, 'GET', `${FX}/Interactions/${kd.sid}/Channels/${uo.sid}/Invites`)).invites;
      expect(invites.map((i: {sid: string}) => i.sid)).to.deep.equal([attrs.flexChannelInviteSid]);
      expect(attrs).to.deep.equal({
        custom: 'x',
        conversationSid: attrs.conversationSid,
        flexInteractionSid: kd.sid,
        flexInteractionChannelSid: uo.sid,
        flexChannelInviteSid: invites[0].sid,
        channelType: 'sms',
        initiatedBy: 'api',
        direction: 'outbound',
        customerAddress: address,
        from: 'me',
        conversations: {initiated_by: 'api', communication_channel: 'sms', media: [{conversation_sid: attrs.conversationSid}], direction: 'outbound'},
      });
      const c = await conversation(attrs.conversationSid);
      expect(c.chat_service_sid).to.equal(config.chat_service_instance_sid);
      const mbs = await convParticipants(c.sid);
      expect(mbs.map((p: {messaging_binding: {address: string; proxy_address: string}}) => p.messaging_binding)).to.deep.equal([{type: 'sms', address, proxy_address: proxy}]);
      const [customer] = await participantsOf(kd.sid, uo.sid);
      expect(customer).to.include({type: 'customer', routing_properties: null});
      // fetch and update
      const got = await t.expect(200, 'GET', `${FX}/Interactions/${kd.sid}`);
      expect(got.routing.properties.sid).to.equal(wt.sid);
      const up = await t.expect(200, 'POST', `${FX}/Interactions/${kd.sid}`, {form: {WebhookTtid: 'flex_interactionwebhook_2'}});
      expect(up.webhook_ttid).to.equal('flex_interactionwebhook_2');
      const one = await t.expect(200, 'GET', `${FX}/Interactions/${kd.sid}/Channels/${uo.sid}`);
      expect(one.links.participants).to.equal(`${t.url}${FX}/Interactions/${kd.sid}/Channels/${uo.sid}/Participants`);
    });

    it('customer-initiated binds to media_channel_sid (inbound attributes); the SDK creates it too', async () => {
      const {ws} = await flex();
      const to = phone();
      await t.expect(201, 'POST', `${CV}/Configuration/Addresses`, {form: {Type: 'sms', Address: to, 'AutoCreation.Enabled': 'true', 'AutoCreation.Type': 'default'}});
      const from = phone();
      const inbound = await t.expect(201, 'POST', '/_emulator/inbound', {form: {From: from, To: to, Body: 'hi'}});
      const kd = await t.client.flexApi.v1.interaction.create({
        channel: {type: 'sms', initiated_by: 'customer', properties: {media_channel_sid: inbound.conversation_sid}},
        routing: JSON.parse(await routing()),
      });
      const attrs = JSON.parse((await task(ws, (kd.routing as {properties: {sid: string}}).properties.sid)).attributes);
      expect(attrs).to.include({conversationSid: inbound.conversation_sid, initiatedBy: 'customer', direction: 'inbound', customerAddress: from, from});
      expect(attrs.conversations.direction).to.equal('inbound');
      // still one conversation, one customer
      expect((await convParticipants(inbound.conversation_sid)).length).to.equal(1);
    });

    it('the pair already bound to an open conversation: that conversation is used and warning 80102 recorded', async () => {
      const address = phone();
      const proxy = phone();
      const first = await create({Channel: apiChannel(address, proxy), Routing: await routing()});
      const {ws} = await flex();
      const ch1 = JSON.parse((await task(ws, first.routing.properties.sid)).attributes).conversationSid;
      const second = await create({Channel: apiChannel(address, proxy), Routing: await routing()});
      const ch2 = JSON.parse((await task(ws, second.routing.properties.sid)).attributes).conversationSid;
      expect(ch2).to.equal(ch1);
      const events = await t.expect(200, 'GET', '/_emulator/events', {query: {type: 'flex.warning'}});
      expect(events.events.map((e: {data: {code: number; interaction_sid: string}}) => [e.data.code, e.data.interaction_sid])).to.deep.include([80102, second.sid]);
    });

    it('agent-initiated: the task goes to worker_sid, accepted at once; the agent joins', async () => {
      const {ws, queue} = await flex();
      const a = await agent({available: false});
      const kd = await create({
        Channel: apiChannel().replace('"api"', '"agent"'),
        Routing: await routing({worker_sid: a.sid, queue_sid: queue}),
      });
      const wt = await task(ws, kd.routing.properties.sid);
      expect(wt).to.include({assignment_status: 'assigned', routing_target: a.sid});
      const attrs = JSON.parse(wt.attributes);
      expect(attrs).to.include({initiatedBy: 'agent', direction: 'outbound'});
      const [wr] = await reservations(ws, wt.sid);
      expect(wr).to.include({worker_sid: a.sid, reservation_status: 'accepted'});
      const identities = (await convParticipants(attrs.conversationSid)).map((p: {identity: string | null}) => p.identity);
      expect(identities).to.include(a.identity);
      const ps = await participantsOf(kd.sid, kd.channel.sid);
      const ag = ps.find((p: {type: string}) => p.type === 'agent');
      expect(ag.routing_properties).to.deep.equal({workspace_sid: ws, task_sid: wt.sid, reservation_sid: wr.sid, worker_sid: a.sid});
    });
  });

  describe('what Flex does after TaskRouter', () => {
    it('accept: the agent joins as chat participant (identity from contact_uri) and agent channel participant', async () => {
      const a = await agent({capacity: 50});
      const o = await outbound();
      const [wr] = await reservations(o.ws, o.wt);
      expect(wr.worker_sid).to.equal(a.sid);
      expect((await participantsOf(o.kd.sid, o.uo)).length).to.equal(1);
      await accept(o.ws, o.wt, wr.sid);
      const ids = (await convParticipants(o.ch)).map((p: {identity: string | null}) => p.identity);
      expect(ids).to.include(a.identity);
      const ag = (await participantsOf(o.kd.sid, o.uo)).find((p: {type: string}) => p.type === 'agent');
      expect(ag.routing_properties).to.include({task_sid: o.wt, reservation_sid: wr.sid, worker_sid: a.sid});
      // participant wrapup → task wrapping; closed → out of the conversation, task completed
      await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Participants/${ag.sid}`, {form: {Status: 'wrapup'}});
      expect((await task(o.ws, o.wt)).assignment_status).to.equal('wrapping');
      expect((await convParticipants(o.ch)).map((p: {identity: string | null}) => p.identity)).to.include(a.identity);
      await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Participants/${ag.sid}`, {form: {Status: 'closed'}});
      expect((await task(o.ws, o.wt)).assignment_status).to.equal('completed');
      expect((await convParticipants(o.ch)).map((p: {identity: string | null}) => p.identity)).to.not.include(a.identity);
      expect((await conversation(o.ch)).state).to.equal('active');
      const ch = await t.expect(200, 'GET', `${TR}/${o.ws}/Workers/${a.sid}/Channels/sms`);
      expect(ch.assigned_tasks).to.equal(0);
      // again: idempotent
      await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Participants/${ag.sid}`, {form: {Status: 'closed'}});
      const badStatus = await t.http('POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Participants/${ag.sid}`, {form: {Status: 'gone'}});
      expect([badStatus.status, badStatus.body.code]).to.deep.equal([400, 20001]);
      await t.expect(200, 'POST', `${TR}/${o.ws}/Workers/${a.sid}`, {form: {ActivitySid: (await flex()).offline}});
    });

    it('reject and timeout leave the conversation untouched and the task re-routes', async () => {
      const a = await agent();
      const b = await agent();
      const o = await outbound();
      const [r1] = await reservations(o.ws, o.wt);
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${o.wt}/Reservations/${r1.sid}`, {form: {ReservationStatus: 'rejected'}});
      expect((await convParticipants(o.ch)).length).to.equal(1);
      const rs = await reservations(o.ws, o.wt);
      const r2 = rs.find((r: {reservation_status: string}) => r.reservation_status === 'pending');
      expect(r2.worker_sid).to.not.equal(r1.worker_sid);
      await t.emu.clock.advance('PT121S');
      expect((await reservations(o.ws, o.wt)).find((r: {sid: string}) => r.sid === r2.sid).reservation_status).to.equal('timeout');
      expect((await convParticipants(o.ch)).length).to.equal(1);
      expect((await participantsOf(o.kd.sid, o.uo)).length).to.equal(1);
      const off = (await flex()).offline;
      for (const w of [a, b]) await t.expect(200, 'POST', `${TR}/${o.ws}/Workers/${w.sid}`, {form: {ActivitySid: off}});
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${o.wt}`, {form: {AssignmentStatus: 'canceled'}});
    });

    it('cancelling a Flex task through TaskRouter leaves the conversation open', async () => {
      const o = await outbound();
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${o.wt}`, {form: {AssignmentStatus: 'canceled'}});
      expect((await conversation(o.ch)).state).to.equal('active');
      const [uo] = await channels(o.kd.sid);
      expect(uo.status).to.equal('active');
      await t.expect(204, 'DELETE', `${TR}/${o.ws}/Tasks/${o.wt}`);
      expect((await conversation(o.ch)).state).to.equal('active');
    });

    it('invites: a second agent joins the same conversation; a declined invite to a known worker cancels its task (the orphan)', async () => {
      const a = await agent({capacity: 5});
      const o = await outbound();
      const [wr] = await reservations(o.ws, o.wt);
      await accept(o.ws, o.wt, wr.sid);
      const b = await agent({capacity: 5});
      const inv = await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Invites`, {form: {Routing: await routing({worker_sid: b.sid})}});
      expect(inv.sid).to.match(/^KG/);
      const wt2 = inv.routing.properties.sid;
      expect(JSON.parse((await task(o.ws, wt2)).attributes)).to.include({flexChannelInviteSid: inv.sid, conversationSid: o.ch});
      const [wr2] = await reservations(o.ws, wt2);
      expect(wr2.worker_sid).to.equal(b.sid);
      await accept(o.ws, wt2, wr2.sid);
      const ids = (await convParticipants(o.ch)).map((p: {identity: string | null}) => p.identity);
      expect(ids).to.include.members([a.identity, b.identity]);
      // an invite to c, declined: its task canceled, the conversation active, nobody else added
      const c = await agent({capacity: 5});
      const inv3 = await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Invites`, {form: {Routing: await routing({worker_sid: c.sid})}});
      const [wr3] = await reservations(o.ws, inv3.routing.properties.sid);
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${inv3.routing.properties.sid}/Reservations/${wr3.sid}`, {form: {ReservationStatus: 'rejected'}});
      expect((await task(o.ws, inv3.routing.properties.sid)).assignment_status).to.equal('canceled');
      expect((await conversation(o.ch)).state).to.equal('active');
      expect((await t.expect(200, 'GET', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Invites`)).invites.length).to.equal(3);
      // close the channel: the conversation closes, open tasks wrap; closing again changes nothing
      const closed = await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}`, {form: {Status: 'closed'}});
      expect(closed.status).to.equal('closed');
      expect((await conversation(o.ch)).state).to.equal('closed');
      expect((await task(o.ws, o.wt)).assignment_status).to.equal('wrapping');
      expect((await task(o.ws, wt2)).assignment_status).to.equal('wrapping');
      expect((await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}`, {form: {Status: 'closed'}})).status).to.equal('closed');
      const late = await t.http('POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Invites`, {form: {Routing: await routing({worker_sid: c.sid})}});
      expect([late.status, late.body.code]).to.deep.equal([400, 20001]);
      expect(late.body.message).to.match(/closed/);
      for (const wt of [o.wt, wt2]) await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${wt}`, {form: {AssignmentStatus: 'completed'}});
      const off = (await flex()).offline;
      for (const w of [a, b, c]) await t.expect(200, 'POST', `${TR}/${o.ws}/Workers/${w.sid}`, {form: {ActivitySid: off}});
    });

    it('[unverified] an invite to a queue (no worker): the task goes straight into that queue, offered to its members only', async () => {
      const a = await agent({capacity: 5});
      const o = await outbound();
      const [wr] = await reservations(o.ws, o.wt);
      await accept(o.ws, o.wt, wr.sid);
      const vip = await agent({capacity: 5});
      const other = await agent({capacity: 5}); // available too, but not in the queue
      const queue = await t.expect(201, 'POST', `${TR}/${o.ws}/TaskQueues`, {form: {FriendlyName: unique('VIP'), TargetWorkers: `contact_uri == 'client:${vip.identity}'`}});
      const inv = await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Invites`, {form: {Routing: await routing({queue_sid: queue.sid})}});
      const wt = inv.routing.properties.sid;
      expect((await task(o.ws, wt)).task_queue_sid).to.equal(queue.sid);
      const [offer] = await reservations(o.ws, wt);
      expect(offer.worker_sid).to.equal(vip.sid);
      expect(offer.worker_sid).to.not.equal(a.sid);
      // offline again, so the later tests' offers go to the agents they make
      const {offline} = await flex();
      for (const w of [a, vip, other]) await t.expect(200, 'POST', `${TR}/${o.ws}/Workers/${w.sid}`, {form: {ActivitySid: offline, RejectPendingReservations: 'true'}});
    });

    it('park (inactive with Routing status closed): tasks completed, agents out, conversation open; an invite unparks', async () => {
      const a = await agent({capacity: 5});
      const o = await outbound();
      const [wr] = await reservations(o.ws, o.wt);
      await accept(o.ws, o.wt, wr.sid);
      const noRouting = await t.http('POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}`, {form: {Status: 'inactive'}});
      expect([noRouting.status, noRouting.body.code]).to.deep.equal([400, 20001]);
      const parked = await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}`, {form: {Status: 'inactive', Routing: '{"status":"closed"}'}});
      expect(parked.status).to.equal('inactive');
      expect((await task(o.ws, o.wt)).assignment_status).to.equal('completed');
      expect((await conversation(o.ch)).state).to.equal('active');
      expect((await convParticipants(o.ch)).map((p: {identity: string | null}) => p.identity)).to.not.include(a.identity);
      const inv = await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Invites`, {form: {Routing: await routing()}});
      const [wr2] = await reservations(o.ws, inv.routing.properties.sid);
      await accept(o.ws, inv.routing.properties.sid, wr2.sid);
      expect((await channels(o.kd.sid))[0].status).to.equal('active');
      await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}`, {form: {Status: 'closed', Routing: '{"status":"closed"}'}});
      expect((await task(o.ws, inv.routing.properties.sid)).assignment_status).to.equal('completed');
      await t.expect(200, 'POST', `${TR}/${o.ws}/Workers/${a.sid}`, {form: {ActivitySid: (await flex()).offline}});
    });

    it('[unverified body] transfers: cold (the first agent leaves on accept), warm (both stay), declined (the first stays)', async () => {
      const a = await agent({capacity: 5});
      const o = await outbound();
      const [wr] = await reservations(o.ws, o.wt);
      await accept(o.ws, o.wt, wr.sid);
      const fromA = (await participantsOf(o.kd.sid, o.uo)).find((p: {type: string}) => p.type === 'agent');
      const b = await agent({capacity: 5, available: false});
      const base = `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Transfers`;
      // warm to b: channel `transfer` while pending; on accept both stay
      const warm = await t.expect(201, 'POST', base, {json: {type: 'warm', from: fromA.sid, to: b.sid}});
      expect(warm).to.include({type: 'warm', status: 'active', from: fromA.sid, to: b.sid, interaction_sid: o.kd.sid, channel_sid: o.uo});
      expect((await channels(o.kd.sid))[0].status).to.equal('transfer');
      const again = await t.http('POST', base, {json: {type: 'cold', from: fromA.sid, to: b.sid}});
      expect(again.status).to.equal(409);
      const tasks = (await t.expect(200, 'GET', `${TR}/${o.ws}/Tasks`, {query: {AssignmentStatus: 'reserved'}})).tasks;
      const wtB = tasks.find((x: {routing_target: string}) => x.routing_target === b.sid);
      // [unverified] the transfer's task carries the same attributes as `interactions transfer` (Flex's recipe) writes
      expect(JSON.parse(wtB.attributes)).to.include({transferType: 'warm', transferTargetType: 'worker', transferTo: b.sid, transferFrom: a.sid, transferFromParticipantSid: fromA.sid, flexInteractionSid: o.kd.sid});
      const [wrB] = await reservations(o.ws, wtB.sid);
      await accept(o.ws, wtB.sid, wrB.sid);
      expect((await t.expect(200, 'GET', `${base}/${warm.sid}`)).status).to.equal('completed');
      expect((await channels(o.kd.sid))[0].status).to.equal('active');
      let ids = (await convParticipants(o.ch)).map((p: {identity: string | null}) => p.identity);
      expect(ids).to.include.members([a.identity, b.identity]);
      // declined: a transfer from b to c, rejected → failed, b stays
      const fromB = (await participantsOf(o.kd.sid, o.uo)).find((p: {routing_properties: {worker_sid?: string} | null}) => p.routing_properties?.worker_sid === b.sid);
      const c = await agent({capacity: 5, available: false});
      const declined = await t.expect(201, 'POST', base, {json: {type: 'cold', from: fromB.sid, to: c.sid}});
      const wtC = (await t.expect(200, 'GET', `${TR}/${o.ws}/Tasks`, {query: {AssignmentStatus: 'reserved'}})).tasks.find((x: {routing_target: string}) => x.routing_target === c.sid);
      const [wrC] = await reservations(o.ws, wtC.sid);
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${wtC.sid}/Reservations/${wrC.sid}`, {form: {ReservationStatus: 'rejected'}});
      expect((await t.expect(200, 'GET', `${base}/${declined.sid}`)).status).to.equal('failed');
      expect((await channels(o.kd.sid))[0].status).to.equal('active');
      ids = (await convParticipants(o.ch)).map((p: {identity: string | null}) => p.identity);
      expect(ids).to.include(b.identity).and.not.include(c.identity);
      // cold from a to c: on accept a leaves (its task completed), c joins
      const cold = await t.expect(201, 'POST', base, {json: {type: 'cold', from: fromA.sid, to: c.sid}});
      const wtC2 = (await t.expect(200, 'GET', `${TR}/${o.ws}/Tasks`, {query: {AssignmentStatus: 'reserved'}})).tasks.find((x: {routing_target: string}) => x.routing_target === c.sid);
      const [wrC2] = await reservations(o.ws, wtC2.sid);
      await accept(o.ws, wtC2.sid, wrC2.sid);
      expect((await t.expect(200, 'GET', `${base}/${cold.sid}`)).status).to.equal('completed');
      ids = (await convParticipants(o.ch)).map((p: {identity: string | null}) => p.identity);
      expect(ids).to.include.members([b.identity, c.identity]).and.not.include(a.identity);
      expect((await task(o.ws, o.wt)).assignment_status).to.equal('completed');
      // canceling a pending transfer (update status failed)
      const fromC = (await participantsOf(o.kd.sid, o.uo)).find((p: {routing_properties: {worker_sid?: string} | null; type: string}) => p.type === 'agent' && p.routing_properties?.worker_sid === c.sid);
      const pending = await t.expect(201, 'POST', base, {json: {type: 'warm', from: fromC.sid, to: a.sid}});
      const canceled = await t.expect(200, 'POST', `${base}/${pending.sid}`, {json: {status: 'failed'}});
      expect(canceled.status).to.equal('failed');
      expect((await channels(o.kd.sid))[0].status).to.equal('active');
      const badType = await t.http('POST', base, {json: {type: 'sideways', from: fromC.sid, to: a.sid}});
      expect([badType.status, badType.body.message]).to.deep.equal([400, "Invalid parameter type: 'sideways' is not one of warm, cold, external"]);
      const wrongTo = await t.http('POST', base, {json: {type: 'cold', from: fromC.sid, to: o.ws}});
      expect(wrongTo.status).to.equal(400);
      await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}`, {form: {Status: 'closed', Routing: '{"status":"closed"}'}});
      const off = (await flex()).offline;
      for (const w of [a, b, c]) await t.expect(200, 'POST', `${TR}/${o.ws}/Workers/${w.sid}`, {form: {ActivitySid: off}});
    });

    it('[unverified] Flex\'s transfer recipe (an invite carrying transferType …): channel `transfer` while pending, `active` again on accept, decline or cancel', async () => {
      const a = await agent({capacity: 5});
      const o = await outbound();
      const [wr] = await reservations(o.ws, o.wt);
      await accept(o.ws, o.wt, wr.sid);
      const fromA = (await participantsOf(o.kd.sid, o.uo)).find((p: {type: string}) => p.type === 'agent');
      const invites = `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Invites`;
      const recipe = async (type: string, to: {worker?: string; queue?: string}) =>
        t.expect(200, 'POST', invites, {
          form: {
            Routing: await routing(to.worker ? {worker_sid: to.worker} : {queue_sid: to.queue}, {
              transferType: type, transferTargetType: to.worker ? 'worker' : 'queue', transferTo: to.worker ?? to.queue, transferFrom: a.sid, transferFromParticipantSid: fromA.sid,
            }),
          },
        });
      // cold to b: pending → `transfer`; b accepts → `active`; a stays until the client closes her (the recipe's second half)
      const b = await agent({capacity: 5, available: false});
      const inv = await recipe('cold', {worker: b.sid});
      expect((await channels(o.kd.sid))[0].status).to.equal('transfer');
      const wtB = inv.routing.properties.sid;
      const [wrB] = await reservations(o.ws, wtB);
      await accept(o.ws, wtB, wrB.sid);
      expect((await channels(o.kd.sid))[0].status).to.equal('active');
      expect((await convParticipants(o.ch)).map((p: {identity: string | null}) => p.identity)).to.include.members([a.identity, b.identity]);
      // declined by the one worker it went to → `active`
      const c = await agent({capacity: 5, available: false});
      const invC = await recipe('warm', {worker: c.sid});
      expect((await channels(o.kd.sid))[0].status).to.equal('transfer');
      const [wrC] = await reservations(o.ws, invC.routing.properties.sid);
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${invC.routing.properties.sid}/Reservations/${wrC.sid}`, {form: {ReservationStatus: 'rejected'}});
      expect((await channels(o.kd.sid))[0].status).to.equal('active');
      // to a queue nobody is free in: pending until its task ends (canceled here, as a timed-out task is) → `active`
      const {queue} = await flex();
      const invQ = await recipe('cold', {queue});
      expect((await channels(o.kd.sid))[0].status).to.equal('transfer');
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${invQ.routing.properties.sid}`, {form: {AssignmentStatus: 'canceled'}});
      expect((await channels(o.kd.sid))[0].status).to.equal('active');
      // a plain invite (no transfer in its attributes) leaves the status alone
      const plain = await t.expect(200, 'POST', invites, {form: {Routing: await routing({worker_sid: c.sid})}});
      expect((await channels(o.kd.sid))[0].status).to.equal('active');
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${plain.routing.properties.sid}`, {form: {AssignmentStatus: 'canceled'}});
      await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}`, {form: {Status: 'closed', Routing: '{"status":"closed"}'}});
      const off = (await flex()).offline;
      for (const w of [a, b, c]) await t.expect(200, 'POST', `${TR}/${o.ws}/Workers/${w.sid}`, {form: {ActivitySid: off}});
    });

    it('participants create: a chat participant by identity joins the conversation', async () => {
      const o = await outbound();
      const p = await t.expect(200, 'POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Participants`, {
        form: {Type: 'supervisor', MediaProperties: JSON.stringify({identity: 'sup_1'}), RoutingProperties: '{"note":"listening"}'},
      });
      expect(p).to.include({type: 'supervisor', channel_sid: o.uo, interaction_sid: o.kd.sid});
      expect(p.routing_properties).to.deep.equal({note: 'listening'});
      expect((await convParticipants(o.ch)).map((x: {identity: string | null}) => x.identity)).to.include('sup_1');
      const none = await t.http('POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Participants`, {form: {Type: 'agent', MediaProperties: '{}'}});
      expect(none.status).to.equal(400);
      const badType = await t.http('POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Participants`, {form: {Type: 'boss', MediaProperties: '{"identity":"x"}'}});
      expect(badType.status).to.equal(400);
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${o.wt}`, {form: {AssignmentStatus: 'canceled'}});
    });
  });

  describe('bad input', () => {
    it('Channel / Routing not JSON or missing what initiated_by needs; wrong-kind and unknown SIDs: 400 naming the field', async () => {
      const cases: [Record<string, string>, RegExp][] = [
        [{}, /Missing required parameter Channel/],
        [{Channel: '{nope'}, /Channel: '\{nope' is not JSON/],
        [{Channel: '{"type":"pigeon","initiated_by":"api"}'}, /Channel\.type/],
        [{Channel: '{"type":"sms","initiated_by":"robot"}'}, /Channel\.initiated_by/],
        [{Channel: '{"type":"sms","initiated_by":"customer"}'}, /Channel\.properties\.media_channel_sid/],
        [{Channel: '{"type":"sms","initiated_by":"customer","properties":{"media_channel_sid":"CH00000000000000000000000000000000"}}'}, /is not a Conversation/],
        [{Channel: '{"type":"sms","initiated_by":"api","participants":[{"address":"+15550001"}]}'}, /proxy_address/],
        [{Channel: apiChannel(), Routing: 'nope'}, /Routing: 'nope' is not JSON/],
        [{Channel: apiChannel(), Routing: '{"properties":{"workspace_sid":"WQ00000000000000000000000000000000"}}'}, /Routing\.properties\.workspace_sid: 'WQ0+' is not a WS SID/],
        [{Channel: apiChannel(), Routing: '{"properties":{"workspace_sid":"WS00000000000000000000000000000000"}}'}, /is not a Workspace of this account/],
        [{Channel: apiChannel().replace('"api"', '"agent"'), Routing: await routing()}, /worker_sid/],
      ];
      const wrongWorkflow = JSON.parse(await routing());
      wrongWorkflow.properties.workflow_sid = wrongWorkflow.properties.workspace_sid;
      cases.push([{Channel: apiChannel(), Routing: JSON.stringify(wrongWorkflow)}, /workflow_sid: 'WS[0-9a-f]+' is not a WW SID/]);
      const before = (await t.expect(200, 'GET', `${CV}/Conversations`, {query: {PageSize: 1000}})).conversations.length;
      for (const [form, message] of cases) {
        const r = await t.http('POST', `${FX}/Interactions`, {form});
        expect(r.status, JSON.stringify(form)).to.equal(400);
        expect(r.body.code).to.equal(20001);
        expect(r.body.message).to.match(message);
      }
      // nothing half-applied: no conversation was left by the failed creates
      expect((await t.expect(200, 'GET', `${CV}/Conversations`, {query: {PageSize: 1000}})).conversations.length).to.equal(before);
      const missing = await t.http('GET', `${FX}/Interactions/KD00000000000000000000000000000000`);
      expect(missing.status).to.equal(404);
      const o = await outbound();
      const badStatus = await t.http('POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}`, {form: {Status: 'open'}});
      expect(badStatus.status).to.equal(400);
      const badRouting = await t.http('POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}`, {form: {Status: 'closed', Routing: '{"status":"open"}'}});
      expect(badRouting.body.message).to.match(/Routing\.status/);
      const noInviteRouting = await t.http('POST', `${FX}/Interactions/${o.kd.sid}/Channels/${o.uo}/Invites`, {form: {}});
      expect(noInviteRouting.status).to.equal(400);
      await t.expect(200, 'POST', `${TR}/${o.ws}/Tasks/${o.wt}`, {form: {AssignmentStatus: 'canceled'}});
    });

    it('every other operation of the Flex v1 spec answers 501 with a Twilio body', async () => {
      const spec = JSON.parse(readFileSync(new URL('../fixtures/twilio-oai/twilio_flex_v1.json', import.meta.url), 'utf8')) as {paths: Record<string, Record<string, unknown>>};
      const ops: string[] = [];
      for (const [path, methods] of Object.entries(spec.paths))
        for (const m of Object.keys(methods)) if (['get', 'post', 'delete'].includes(m)) ops.push(`${m.toUpperCase()} ${path}`);
      const implemented = ops.filter((o) => / \/v1\/(Interactions|Configuration$)/.test(o));
      expect(implemented.length).to.equal(16);
      const rest = ops.filter((o) => !implemented.includes(o));
      expect(rest.map((o) => o.replace(/\{(\w+)\}/g, ':$1')).sort()).to.deep.equal([...UNIMPLEMENTED].sort());
      for (const op of rest) {
        const [method, path] = op.split(' ');
        const url = FX + path.replace(/\{[^}]+\}/g, 'XX00000000000000000000000000000000').replace(/^\/v1/, '');
        const r = await t.http(method, url, {validate: false, ...(method === 'POST' ? {form: {}} : {})});
        expect(r.status, op).to.equal(501);
        expectTwilioError(501, r.text);
        expect(r.body.message).to.match(/does not implement/);
      }
      const sdk = await rejection(t.client.flexApi.v1.flexFlow.list());
      expect(sdk.status).to.equal(501);
    });
  });
});
