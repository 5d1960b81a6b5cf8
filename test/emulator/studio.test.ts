/**
 * Studio v2 on the emulator through the official SDK (every response checked against
 * twilio_studio_v2.json by the recorder): flows with a definition as an object or a string,
 * draft | published, revisions, Validate with Twilio's list of faults, executions by the REST
 * trigger with their steps and context, the date filters, Status=ended, delete; every other
 * operation of the spec answers 501.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';
import {RESOURCES} from '../../src/lib/emulator/api/index.js';
import {Router} from '../../src/lib/emulator/router.js';
import {validateFlowDefinition} from '../../src/lib/spec/studio.js';
import {rejection, useEmulator} from '../helpers/emulator.js';
import {expectTwilioError, OAI_DIR} from '../helpers/oai.js';

const ST = '/studio/v2';

/** A small valid flow: the REST trigger sets a variable from flow.data, then ends. */
export function restFlow(extra: Record<string, unknown>[] = []) {
  return {
    description: 'test flow',
    initial_state: 'Trigger',
    flags: {allow_concurrent_calls: true},
    states: [
      {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingRequest', next: 'remember'}], properties: {offset: {x: 0, y: 0}}},
      {
        name: 'remember',
        type: 'set-variables',
        transitions: [{event: 'next', ...(extra.length ? {next: String(extra[0].name)} : {})}],
        properties: {variables: [{key: 'greeting', value: 'hello {{flow.data.name | upcase}}'}]},
      },
      ...extra,
    ],
  };
}

describe('emulator: Studio v2 (studio.twilio.com)', () => {
  const t = useEmulator({clock: 'manual'});
  let n = 0;
  const name = (p: string) => `${p}-${++n}`;

  describe('flows', () => {
    it('create with a definition object: 201, the spec shape, revision 1, valid', async () => {
      const flow = await t.client.studio.v2.flows.create({friendlyName: name('flow'), status: 'published', definition: restFlow()});
      expect(flow.sid).to.match(/^FW[0-9a-f]{32}$/);
      expect(t.wire.last.statusCode).to.equal(201);
      expect(flow.revision).to.equal(1);
      expect(flow.valid).to.equal(true);
      expect(flow.errors).to.deep.equal([]);
      expect(flow.status).to.equal('published');
      expect(flow.webhookUrl).to.equal(`https://webhooks.twilio.com/v1/Accounts/${t.emu.accountSid}/Flows/${flow.sid}`);
      expect((flow.definition as {initial_state: string}).initial_state).to.equal('Trigger');
      expect(flow.links.executions).to.equal(`${t.url}/studio/v2/Flows/${flow.sid}/Executions`);
    });

    it('create with the definition as a JSON string in the form (curl), fetch and list it', async () => {
      const body = await t.expect(201, 'POST', `${ST}/Flows`, {form: {FriendlyName: name('curl'), Status: 'draft', Definition: JSON.stringify(restFlow())}});
      expect(body.definition.states).to.have.length(2);
      expect(body.status).to.equal('draft');
      const fetched = await t.client.studio.v2.flows(body.sid).fetch();
      expect(fetched.friendlyName).to.equal(body.friendly_name);
      const all = await t.client.studio.v2.flows.list();
      expect(all.map((f) => f.sid)).to.include(body.sid);
    });

    it('update makes a new revision; revisions list newest first, fetch by number, LatestPublished, LatestRevision', async () => {
      const flow = await t.client.studio.v2.flows.create({friendlyName: name('rev'), status: 'published', definition: restFlow(), commitMessage: 'first'});
      const v2 = await t.client.studio.v2.flows(flow.sid).update({status: 'draft', commitMessage: 'draft change', definition: {...restFlow(), description: 'changed'}});
      expect(v2.revision).to.equal(2);
      expect(v2.status).to.equal('draft');
      expect(v2.commitMessage).to.equal('draft change');
      // over HTTP: twilio-node 6.2.0's revision page builds each item without its revision and throws (an SDK bug, Twilio alike)
      const revisions = (await t.expect(200, 'GET', `${ST}/Flows/${flow.sid}/Revisions`)).revisions as {revision: number}[];
      expect(revisions.map((r) => r.revision)).to.deep.equal([2, 1]);
      const first = await t.client.studio.v2.flows(flow.sid).revisions('1').fetch();
      expect(first.commitMessage).to.equal('first');
      expect(first.url).to.equal(`${t.url}/studio/v2/Flows/${flow.sid}/Revisions/1`);
      expect((await t.client.studio.v2.flows(flow.sid).revisions('LatestPublished').fetch()).revision).to.equal(1);
      expect((await t.client.studio.v2.flows(flow.sid).revisions('LatestRevision').fetch()).revision).to.equal(2);
      const missing = await rejection(t.client.studio.v2.flows(flow.sid).revisions('9').fetch());
      expect(missing.status).to.equal(404);
    });

    it('delete answers 204; the flow and its executions are gone (404)', async () => {
      const flow = await t.client.studio.v2.flows.create({friendlyName: name('del'), status: 'published', definition: restFlow()});
      const exec = await t.client.studio.v2.flows(flow.sid).executions.create({to: '+15550001111', from: '+15550002222'});
      expect(await t.client.studio.v2.flows(flow.sid).remove()).to.equal(true);
      expect((await rejection(t.client.studio.v2.flows(flow.sid).fetch())).status).to.equal(404);
      const res = await t.http('GET', `${ST}/Flows/${flow.sid}/Executions/${exec.sid}`);
      expect(res.status).to.equal(404);
      expectTwilioError(404, res.text, 20404);
    });
  });

  describe('bad definitions', () => {
    const bad = () => ({
      initial_state: 'Trigger',
      states: [
        {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'nowhere'}], properties: {}},
        {type: 'set-variables', transitions: [], properties: {}},
        {name: 'flex', type: 'send-to-flex', transitions: [], properties: {attributes: '{"a": "{{ trigger.conversation.Body | nosuchfilter }}"}'}},
      ],
    });

    it('Validate: {valid: true} for a good one; a bad one gets 400 20001 with every fault and its property_path', async () => {
      const good = await t.client.studio.v2.flowValidate.update({friendlyName: name('ok'), status: 'published', definition: restFlow()});
      expect(good.valid).to.equal(true);
      const err = (await rejection(t.client.studio.v2.flowValidate.update({friendlyName: name('bad'), status: 'draft', definition: bad()}))) as unknown as {
        status: number;
        code: number;
        details: {errors: {message: string; property_path: string}[]};
      };
      expect(err.status).to.equal(400);
      expect(err.code).to.equal(20001);
      const paths = err.details.errors.map((e) => e.property_path);
      expect(paths).to.include.members([
        '#/states/0/transitions/0/next', // a transition to a missing widget
        '#/states/1/name', // a widget without a name
        '#/states/2/properties/workflow', // SendToFlex without workflow …
        '#/states/2/properties/channel', // … or channel
        '#/states/2/properties/attributes', // a Liquid template that does not parse
      ]);
      expect(err.details.errors.find((e) => e.property_path === '#/states/0/transitions/0/next')!.message).to.contain("'nowhere'");
      expect(err.details.errors.find((e) => e.property_path === '#/states/2/properties/attributes')!.message).to.contain('nosuchfilter');
      expectTwilioError(400, t.wire.last.body, 20001);
    });

    it('the one validator is what the emulator answers with (the CLI calls the same function)', async () => {
      const local = validateFlowDefinition(bad());
      const res = await t.http('POST', `${ST}/Flows/Validate`, {form: {FriendlyName: 'x', Status: 'draft', Definition: JSON.stringify(bad())}});
      expect(res.status).to.equal(400);
      const remote = res.body.details.errors.map((e: {property_path: string}) => e.property_path);
      // the emulator adds the template checks (Liquid) to the structural ones
      for (const f of local.errors) expect(remote).to.include(f.property_path);
    });

    it('a published flow must be valid (400 with the faults); a draft is saved with valid false and its errors [unverified]', async () => {
      const err = await rejection(t.client.studio.v2.flows.create({friendlyName: name('badpub'), status: 'published', definition: bad()}));
      expect(err.status).to.equal(400);
      expect(err.message).to.contain('Invalid Flow Definition');
      const draft = await t.client.studio.v2.flows.create({friendlyName: name('baddraft'), status: 'draft', definition: bad()});
      expect(draft.valid).to.equal(false);
      expect((draft.errors as {property_path: string}[]).map((e) => e.property_path)).to.include('#/states/1/name');
      const publish = await rejection(t.client.studio.v2.flows(draft.sid).update({status: 'published'}));
      expect(publish.status).to.equal(400);
    });

    it('a definition that is not JSON, a missing Status or FriendlyName, a bad Status: 400 naming the parameter', async () => {
      const cases: [Record<string, string>, string][] = [
        [{FriendlyName: 'x', Status: 'draft', Definition: '{not json'}, 'Definition'],
        [{FriendlyName: 'x', Definition: '{}'}, 'Status'],
        [{Status: 'draft', Definition: '{}'}, 'FriendlyName'],
        [{FriendlyName: 'x', Status: 'live', Definition: '{}'}, 'Status'],
        [{FriendlyName: 'x', Status: 'draft'}, 'Definition'],
      ];
      for (const [form, param] of cases) {
        const res = await t.http('POST', `${ST}/Flows`, {form});
        expect(res.status, JSON.stringify(form)).to.equal(400);
        expect(res.body.message).to.contain(param);
      }
    });

    it('a definition nested 100 levels deep is refused with a fault, not a crash', async () => {
      let deep: Record<string, unknown> = {};
      for (let i = 0; i < 100; i++) deep = {a: deep};
      const res = await t.http('POST', `${ST}/Flows/Validate`, {form: {FriendlyName: 'x', Status: 'draft', Definition: JSON.stringify({...restFlow(), flags: deep})}});
      expect(res.status).to.equal(400);
      expect(res.body.details.errors[0].message).to.contain('deeper than 64');
    });

    it('a flow SID that does not exist: 404 on fetch, update, executions', async () => {
      const ghost = 'FW00000000000000000000000000000000';
      for (const [method, path, form] of [
        ['GET', `${ST}/Flows/${ghost}`, undefined],
        ['POST', `${ST}/Flows/${ghost}`, {Status: 'draft'}],
        ['POST', `${ST}/Flows/${ghost}/Executions`, {To: '+15550001111', From: '+15550002222'}],
        ['GET', `${ST}/Flows/${ghost}/Revisions`, undefined],
      ] as const) {
        const res = await t.http(method, path, {form});
        expect(res.status, `${method} ${path}`).to.equal(404);
        expect(res.body.code).to.equal(20404);
      }
    });
  });

  describe('executions (REST API trigger)', () => {
    it('create runs the flow at once: flow.data from Parameters, the steps, the context, ended', async () => {
      const flow = await t.client.studio.v2.flows.create({friendlyName: name('run'), status: 'published', definition: restFlow()});
      const exec = await t.client.studio.v2.flows(flow.sid).executions.create({to: '+15550001111', from: '+15550002222', parameters: {name: 'ada'}});
      expect(t.wire.last.statusCode).to.equal(201);
      expect(exec.sid).to.match(/^FN[0-9a-f]{32}$/);
      expect(exec.contactSid).to.match(/^FC[0-9a-f]{32}$/);
      expect(exec.contactChannelAddress).to.equal('+15550001111');
      expect(exec.status).to.equal('ended');
      expect(exec.flowVersion).to.equal(1);
      const ctx = await t.client.studio.v2.flows(flow.sid).executions(exec.sid).executionContext().fetch();
      const context = ctx.context as {flow: {data: {name: string}; variables: {greeting: string}}; widgets: Record<string, unknown>};
      expect(context.flow.data.name).to.equal('ada');
      expect(context.flow.variables.greeting).to.equal('hello ADA');
      const steps = await t.client.studio.v2.flows(flow.sid).executions(exec.sid).steps.list();
      expect(steps.map((s) => [s.transitionedFrom, s.name, s.transitionedTo])).to.deep.equal([
        ['Trigger', 'incomingRequest', 'remember'],
        ['remember', 'next', 'Ended'],
      ]);
      expect(steps[1].parentStepSid).to.equal(steps[0].sid);
      const step = await t.client.studio.v2.flows(flow.sid).executions(exec.sid).steps(steps[1].sid).fetch();
      expect(step.type).to.equal('set-variables');
      const stepContext = await t.client.studio.v2.flows(flow.sid).executions(exec.sid).steps(steps[1].sid).stepContext().fetch();
      expect(stepContext.context).to.deep.equal({variables: {greeting: 'hello ADA'}});
    });

    it('send-message in a REST-triggered execution: from the flow\'s address (From) to the contact (To), in the outbox with no conversation', async () => {
      const flow = await t.client.studio.v2.flows.create({
        friendlyName: name('notify'),
        status: 'published',
        definition: restFlow([{name: 'notify', type: 'send-message', transitions: [{event: 'sent'}, {event: 'failed'}], properties: {body: '{{flow.variables.greeting}}, your order shipped'}}]),
      });
      const to = '+15550004444';
      const exec = await t.client.studio.v2.flows(flow.sid).executions.create({to, from: '+15550002222', parameters: {name: 'ada'}});
      expect(exec.status).to.equal('ended');
      const steps = await t.client.studio.v2.flows(flow.sid).executions(exec.sid).steps.list();
      expect(steps.map((s) => [s.transitionedFrom, s.name])).to.deep.include(['notify', 'sent']);
      const out = await t.expect(200, 'GET', '/_emulator/outbox', {query: {to}});
      const sent = (out.messages ?? out.outbox ?? out) as {to: string; from: string; body: string; conversation_sid: string; sid: string}[];
      const m = sent.find((x) => x.to === to);
      expect(m, JSON.stringify(out)).to.include({from: '+15550002222', body: 'hello ADA, your order shipped'});
      expect(m!.sid).to.match(/^SM[0-9a-f]{32}$/);
    });

    it('list with DateCreatedFrom / DateCreatedTo (the clock moved between them), Status=ended, delete', async () => {
      const flow = await t.client.studio.v2.flows.create({
        friendlyName: name('dates'),
        status: 'published',
        // waits for a reply that never comes: the executions stay active
        definition: restFlow([{name: 'wait', type: 'send-and-wait-for-reply', transitions: [{event: 'incomingMessage'}, {event: 'timeout'}], properties: {body: 'reply?', timeout: '86400'}}]),
      });
      const first = await t.client.studio.v2.flows(flow.sid).executions.create({to: '+15550001111', from: '+15550002222'});
      await t.emu.clock.advance('PT1H');
      const middle = t.emu.clock.now();
      await t.emu.clock.advance('PT1H');
      const second = await t.client.studio.v2.flows(flow.sid).executions.create({to: '+15550003333', from: '+15550002222'});
      expect(first.status).to.equal('active');
      const after = await t.client.studio.v2.flows(flow.sid).executions.list({dateCreatedFrom: middle});
      expect(after.map((e) => e.sid)).to.deep.equal([second.sid]);
      const before = await t.client.studio.v2.flows(flow.sid).executions.list({dateCreatedTo: middle});
      expect(before.map((e) => e.sid)).to.deep.equal([first.sid]);
      const bad = await t.http('GET', `${ST}/Flows/${flow.sid}/Executions`, {query: {DateCreatedFrom: 'yesterday'}});
      expect(bad.status).to.equal(400);

      const ended = await t.client.studio.v2.flows(flow.sid).executions(first.sid).update({status: 'ended'});
      expect(ended.status).to.equal('ended');
      // its reply timer went with it: nothing of it is left to fire
      const timers = (await t.expect(200, 'GET', '/_emulator/timers')).timers as {key: string}[];
      expect(timers.map((x) => x.key)).not.to.include(`studio:${first.sid}:reply`);
      expect(timers.map((x) => x.key)).to.include(`studio:${second.sid}:reply`);
      const badStatus = await t.http('POST', `${ST}/Flows/${flow.sid}/Executions/${second.sid}`, {form: {Status: 'active'}});
      expect(badStatus.status).to.equal(400);
      expect(await t.client.studio.v2.flows(flow.sid).executions(second.sid).remove()).to.equal(true);
      expect((await rejection(t.client.studio.v2.flows(flow.sid).executions(second.sid).fetch())).status).to.equal(404);
    });

    it('To and From are required; Parameters must be a JSON object; a never-published flow does not run', async () => {
      const flow = await t.client.studio.v2.flows.create({friendlyName: name('req'), status: 'published', definition: restFlow()});
      for (const [form, param] of [
        [{From: '+15550002222'}, 'To'],
        [{To: '+15550001111'}, 'From'],
        [{To: '+15550001111', From: '+15550002222', Parameters: '[1]'}, 'Parameters'],
        [{To: '+15550001111', From: '+15550002222', Parameters: 'nope'}, 'Parameters'],
      ] as const) {
        const res = await t.http('POST', `${ST}/Flows/${flow.sid}/Executions`, {form});
        expect(res.status, JSON.stringify(form)).to.equal(400);
        expect(res.body.message).to.contain(param);
      }
      const draft = await t.client.studio.v2.flows.create({friendlyName: name('never'), status: 'draft', definition: restFlow()});
      const err = await rejection(t.client.studio.v2.flows(draft.sid).executions.create({to: '+15550001111', from: '+15550002222'}));
      expect(err.status).to.equal(400);
      expect(err.message).to.contain('no published revision');
    });
  });

  describe('what the emulator does not implement', () => {
    it('every operation of twilio_studio_v2.json is routed; TestUsers answer 501 with a Twilio body', async () => {
      const spec = JSON.parse(readFileSync(join(OAI_DIR, 'twilio_studio_v2.json'), 'utf8')) as {paths: Record<string, Record<string, unknown>>};
      const router = new Router();
      for (const r of RESOURCES) router.add({prefix: r.domain, auth: true}, r.routes, r.mounts);
      const routed = new Set(router.routes.map((r) => r.replace(/:[A-Za-z]+/g, ':p')));
      const stubs = new Set(router.stubs.map((r) => r.replace(/:[A-Za-z]+/g, ':p')));
      let count = 0;
      for (const [path, ops] of Object.entries(spec.paths))
        for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'delete'].includes(m))) {
          const key = `${method.toUpperCase()} /studio${path.replace(/\{[A-Za-z]+\}/g, ':p')}`;
          expect(routed.has(key), key).to.equal(true);
          count++;
        }
      expect(count).to.equal(19);
      expect([...stubs].filter((s) => s.includes('/studio/'))).to.deep.equal(['GET /studio/v2/Flows/:p/TestUsers', 'POST /studio/v2/Flows/:p/TestUsers']);
      const flow = await t.client.studio.v2.flows.create({friendlyName: name('tu'), status: 'draft', definition: restFlow()});
      const res = await t.http('GET', `${ST}/Flows/${flow.sid}/TestUsers`);
      expect(res.status).to.equal(501);
      expectTwilioError(501, res.text, 20501);
    });
  });
});
