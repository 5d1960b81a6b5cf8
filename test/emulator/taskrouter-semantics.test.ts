import {createServer, type IncomingMessage, type Server} from 'node:http';
import {expect} from 'chai';
import twilio from 'twilio';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {rejection, startTestEmulator, useEmulator} from '../helpers/emulator.js';
import {expectTwilioError} from '../helpers/oai.js';

const TR = '/taskrouter/v1/Workspaces';

/** A local receiver: records signed form POSTs, answers what `answer` says. */
async function receiver(answer: (n: number) => number) {
  const got: {url: string; signature: string; body: Record<string, string>}[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      got.push({url: req.url ?? '', signature: String(req.headers['x-twilio-signature']), body: Object.fromEntries(new URLSearchParams(raw))});
      res.writeHead(answer(got.length), {'Content-Type': 'application/json'});
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as {port: number}).port;
  return {got, url: (path: string) => `http://127.0.0.1:${port}${path}`, close: () => new Promise((r) => server.close(r))};
}

describe('emulator: TaskRouter direct routing, single-tasking activities, event retries, ETag, list defaults', () => {
  const t = useEmulator({clock: 'manual'});
  let n = 0;
  const unique = (p: string) => `${p}-${++n}`;

  async function workspace(form: Record<string, string> = {}) {
    const ws = await t.expect(201, 'POST', TR, {form: {FriendlyName: unique('ws'), ...form}});
    const acts = await t.expect(200, 'GET', `${TR}/${ws.sid}/Activities`);
    const act = (name: string) => acts.activities.find((a: {friendly_name: string}) => a.friendly_name === name).sid as string;
    return {sid: ws.sid as string, available: act('Available'), offline: act('Offline'), unavailable: act('Unavailable')};
  }
  const queue = (ws: string, form: Record<string, string | number> = {}) => t.expect(201, 'POST', `${TR}/${ws}/TaskQueues`, {form: {FriendlyName: unique('q'), ...form}});
  const workflow = (ws: string, queueSid: string) =>
    t.expect(201, 'POST', `${TR}/${ws}/Workflows`, {form: {FriendlyName: unique('wf'), Configuration: JSON.stringify({task_routing: {default_filter: {queue: queueSid}}})}});
  const worker = (ws: string, attributes: unknown, activity?: string) =>
    t.expect(201, 'POST', `${TR}/${ws}/Workers`, {form: {FriendlyName: unique('agent'), Attributes: JSON.stringify(attributes), ...(activity ? {ActivitySid: activity} : {})}});
  const task = (ws: string, form: Record<string, string | number> = {}) => t.expect(201, 'POST', `${TR}/${ws}/Tasks`, {form: {Attributes: '{}', ...form}});
  const reservations = async (ws: string, taskSid: string) => (await t.expect(200, 'GET', `${TR}/${ws}/Tasks/${taskSid}/Reservations`)).reservations as {sid: string; worker_sid: string; reservation_status: string}[];
  const getTask = (ws: string, sid: string) => t.expect(200, 'GET', `${TR}/${ws}/Tasks/${sid}`);
  const getWorker = (ws: string, sid: string) => t.expect(200, 'GET', `${TR}/${ws}/Workers/${sid}`);

  describe('RoutingTarget and TaskQueueSid on task create', () => {
    it('a worker target reserves that worker at once, whatever its activity (IgnoreCapacity defaults to true); no workflow needed', async () => {
      const {sid, offline, available} = await workspace();
      const target = await worker(sid, {}, offline);
      const other = await worker(sid, {}, available);
      // the SDK's own parameters
      const created = await t.client.taskrouter.v1.workspaces(sid).tasks.create({routingTarget: target.sid, attributes: '{"vip":true}'});
      expect([created.assignmentStatus, created.routingTarget, created.ignoreCapacity, created.workflowSid]).to.deep.equal(['reserved', target.sid, true, null]);
      const rs = await reservations(sid, created.sid);
      expect(rs.map((r) => [r.worker_sid, r.reservation_status])).to.deep.equal([[target.sid, 'pending']]);
      expect((await t.expect(200, 'GET', `${TR}/${sid}/Workers/${other.sid}/Reservations`)).reservations).to.deep.equal([]);
      // rejected: nobody else is offered it; it stays pending [unverified]
      await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${created.sid}/Reservations/${rs[0].sid}`, {form: {ReservationStatus: 'rejected'}});
      expect((await getTask(sid, created.sid)).assignment_status).to.equal('pending');
      expect((await reservations(sid, created.sid)).length).to.equal(1);
      const listed = await t.expect(200, 'GET', `${TR}/${sid}/Tasks`, {query: {RoutingTarget: target.sid}});
      expect(listed.tasks.map((x: {sid: string}) => x.sid)).to.deep.equal([created.sid]);
    });

    it('a worker target with IgnoreCapacity=false waits until the worker is available with capacity', async () => {
      const {sid, offline, available} = await workspace();
      const q = await queue(sid);
      const target = await worker(sid, {}, offline);
      const tk = await task(sid, {RoutingTarget: target.sid, IgnoreCapacity: 'false', TaskQueueSid: q.sid, TaskChannel: 'chat'});
      expect([tk.assignment_status, tk.ignore_capacity, tk.task_queue_sid]).to.deep.equal(['pending', false, q.sid]);
      // a queue member who is free does not get it: it is that worker's
      await worker(sid, {}, available);
      expect((await getTask(sid, tk.sid)).assignment_status).to.equal('pending');
      await t.expect(200, 'POST', `${TR}/${sid}/Workers/${target.sid}`, {form: {ActivitySid: available}});
      const rs = await reservations(sid, tk.sid);
      expect(rs.map((r) => [r.worker_sid, r.reservation_status])).to.deep.equal([[target.sid, 'pending']]);
      // at capacity (chat: 1): a second one waits for the first to complete
      const second = await task(sid, {RoutingTarget: target.sid, IgnoreCapacity: 'no', TaskChannel: 'chat'});
      expect(second.assignment_status).to.equal('pending');
      await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${tk.sid}/Reservations/${rs[0].sid}`, {form: {ReservationStatus: 'accepted'}});
      expect((await getTask(sid, second.sid)).assignment_status).to.equal('pending');
      await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${tk.sid}`, {form: {AssignmentStatus: 'completed'}});
      expect((await getTask(sid, second.sid)).assignment_status).to.equal('reserved');
      expect((await reservations(sid, second.sid))[0].worker_sid).to.equal(target.sid);
    });

    it('a queue target (RoutingTarget WQ… or TaskQueueSid alone) skips the workflow: offered to the queue\'s members, then waits in it', async () => {
      const {sid, available} = await workspace();
      const en = await queue(sid, {TargetWorkers: "languages HAS 'en'"});
      const englishman = await worker(sid, {languages: ['en']}, available);
      const frenchman = await worker(sid, {languages: ['fr']}, available);
      // no workflow in the workspace at all
      const tk = await task(sid, {RoutingTarget: en.sid});
      expect([tk.assignment_status, tk.task_queue_sid, tk.workflow_sid, tk.routing_target]).to.deep.equal(['reserved', en.sid, null, en.sid]);
      expect((await reservations(sid, tk.sid))[0].worker_sid).to.equal(englishman.sid);
      const waiting = await task(sid, {TaskQueueSid: en.sid});
      expect([waiting.assignment_status, waiting.task_queue_sid]).to.deep.equal(['pending', en.sid]);
      const types = (await t.expect(200, 'GET', `${TR}/${sid}/Events`, {query: {TaskSid: waiting.sid}})).events.map((e: {event_type: string}) => e.event_type);
      expect(types).to.include('task-queue.entered').and.not.include('workflow.entered');
      // a second English worker takes the waiting one; the French one never gets either
      const second = await worker(sid, {languages: ['en']}, available);
      expect((await reservations(sid, waiting.sid))[0].worker_sid).to.equal(second.sid);
      expect((await t.expect(200, 'GET', `${TR}/${sid}/Workers/${frenchman.sid}/Reservations`)).reservations).to.deep.equal([]);
      // rejected: back in the queue, offered to another member
      const [r] = await reservations(sid, waiting.sid);
      await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${waiting.sid}/Reservations/${r.sid}`, {form: {ReservationStatus: 'rejected'}});
      await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${tk.sid}`, {form: {AssignmentStatus: 'canceled'}});
      const after = await reservations(sid, waiting.sid);
      expect(after.map((x) => [x.worker_sid, x.reservation_status])).to.deep.equal([[second.sid, 'rejected'], [englishman.sid, 'pending']]);
    });

    it('a workflow target picks the workflow when the workspace has several', async () => {
      const {sid, available} = await workspace();
      const a = await queue(sid);
      const b = await queue(sid, {TargetWorkers: 'team == "b"'});
      await workflow(sid, a.sid);
      const wfB = await workflow(sid, b.sid);
      const missing = await t.http('POST', `${TR}/${sid}/Tasks`, {form: {Attributes: '{}'}});
      expectTwilioError(400, missing.body);
      const w = await worker(sid, {team: 'b'}, available);
      const tk = await task(sid, {RoutingTarget: wfB.sid});
      expect([tk.workflow_sid, tk.task_queue_sid, tk.routing_target]).to.deep.equal([wfB.sid, b.sid, wfB.sid]);
      expect((await reservations(sid, tk.sid))[0].worker_sid).to.equal(w.sid);
    });

    it('bad routing input: a clear 400, nothing created', async () => {
      const {sid} = await workspace();
      const q = await queue(sid);
      const wf = await workflow(sid, q.sid);
      const w = await worker(sid, {});
      const cases: [Record<string, string>, RegExp][] = [
        [{RoutingTarget: 'nobody'}, /RoutingTarget.*not the SID of a Worker/],
        [{RoutingTarget: 'WK0123456789abcdef0123456789abcdef'}, /not a Worker of this Workspace/],
        [{RoutingTarget: 'WQ0123456789abcdef0123456789abcdef'}, /not a TaskQueue of this Workspace/],
        [{RoutingTarget: q.sid, IgnoreCapacity: 'false'}, /IgnoreCapacity.*only be used when RoutingTarget is a Worker/],
        [{TaskQueueSid: 'WQ0123456789abcdef0123456789abcdef'}, /TaskQueueSid/],
        [{TaskQueueSid: 'queue'}, /TaskQueueSid/],
        [{RoutingTarget: wf.sid, WorkflowSid: 'WW0123456789abcdef0123456789abcdef'}, /WorkflowSid/],
        [{RoutingTarget: w.sid, TaskChannel: 'fax'}, /TaskChannel/],
      ];
      for (const [form, message] of cases) {
        const r = await t.http('POST', `${TR}/${sid}/Tasks`, {form: {Attributes: '{}', ...form}});
        expectTwilioError(400, r.body, 20001);
        expect(r.body.message, JSON.stringify(form)).to.match(message);
      }
      expect((await t.expect(200, 'GET', `${TR}/${sid}/Tasks`)).tasks).to.deep.equal([]);
    });
  });

  describe('queue activities in single-tasking workspaces', () => {
    it('MultiTaskEnabled=false: reserved → ReservationActivitySid, accepted → AssignmentActivitySid; multitasking leaves the activity alone', async () => {
      for (const multi of [false, true]) {
        const {sid, available} = await workspace({MultiTaskEnabled: String(multi)});
        const reserved = await t.expect(201, 'POST', `${TR}/${sid}/Activities`, {form: {FriendlyName: 'Reserved', Available: 'false'}});
        const busy = await t.expect(201, 'POST', `${TR}/${sid}/Activities`, {form: {FriendlyName: 'Busy', Available: 'false'}});
        const q = await queue(sid, {ReservationActivitySid: reserved.sid, AssignmentActivitySid: busy.sid});
        await workflow(sid, q.sid);
        const w = await worker(sid, {}, available);
        const tk = await task(sid);
        expect(tk.assignment_status).to.equal('reserved');
        expect((await getWorker(sid, w.sid)).activity_name).to.equal(multi ? 'Available' : 'Reserved');
        const [r] = await reservations(sid, tk.sid);
        await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${tk.sid}/Reservations/${r.sid}`, {form: {ReservationStatus: 'accepted'}});
        const after = await getWorker(sid, w.sid);
        expect([after.activity_name, after.available]).to.deep.equal(multi ? ['Available', true] : ['Busy', false]);
        if (!multi) {
          const updates = (await t.expect(200, 'GET', `${TR}/${sid}/Events`, {query: {WorkerSid: w.sid, EventType: 'worker.activity.update'}})).events;
          // created Available: two changes, to Reserved then to Busy
          expect(updates.map((e: {event_data: {worker_activity_name: string}}) => e.event_data.worker_activity_name).sort()).to.deep.equal(['Busy', 'Reserved']);
        }
      }
    });
  });

  describe('event callbacks are retried', () => {
    it('a failed delivery is sent again on the clock (1 retry by default, #rc=N sets it), signed each time', async () => {
      const events = await receiver((i) => (i === 1 ? 500 : 204));
      try {
        const {sid} = await workspace({EventCallbackUrl: events.url('/ev'), EventsFilter: 'task-queue.created'});
        await queue(sid);
        await t.emu.idle();
        expect(events.got.length).to.equal(1);
        await t.emu.clock.advance('PT1S');
        await t.emu.idle();
        expect(events.got.length).to.equal(2);
        expect(events.got[1].body.EventType).to.equal('task-queue.created');
        for (const e of events.got) expect(twilio.validateRequest(t.emu.authToken, e.signature, events.url('/ev'), e.body)).to.equal(true);
        await t.emu.clock.advance('PT60S');
        await t.emu.idle();
        expect(events.got.length).to.equal(2); // delivered: no more
        const log = await t.expect(200, 'GET', '/_emulator/webhooks', {query: {event: 'task-queue.created'}});
        expect(JSON.stringify(log)).to.include('"attempt":2');
      } finally {
        await events.close();
      }
      const failing = await receiver(() => 503);
      try {
        const {sid} = await workspace({EventCallbackUrl: `${failing.url('/ev')}#rc=0`, EventsFilter: 'task-queue.created'});
        await queue(sid);
        await t.emu.idle();
        await t.emu.clock.advance('PT10S');
        await t.emu.idle();
        expect(failing.got.length).to.equal(1);
        expect(twilio.validateRequest(t.emu.authToken, failing.got[0].signature, failing.url('/ev'), failing.got[0].body)).to.equal(true);
      } finally {
        await failing.close();
      }
    });
  });

  describe('ETag', () => {
    it('task fetch/update answer an ETag that If-Match takes; a stale one is 412', async () => {
      const {sid, available} = await workspace();
      const q = await queue(sid);
      await workflow(sid, q.sid);
      const tk = await task(sid);
      const fetched = await t.http('GET', `${TR}/${sid}/Tasks/${tk.sid}`);
      const etag = fetched.headers.get('etag');
      expect(etag).to.match(/^"\d+"$/);
      const updated = await t.http('POST', `${TR}/${sid}/Tasks/${tk.sid}`, {form: {Priority: 5}, headers: {'If-Match': etag!}});
      expect(updated.status).to.equal(200);
      const next = updated.headers.get('etag');
      expect(next).to.match(/^"\d+"$/).and.not.equal(etag);
      expect((await t.http('GET', `${TR}/${sid}/Tasks/${tk.sid}`)).headers.get('etag')).to.equal(next);
      const stale = await t.http('POST', `${TR}/${sid}/Tasks/${tk.sid}`, {form: {Priority: 6}, headers: {'If-Match': etag!}});
      expectTwilioError(412, stale.body);
      // routing changes the task too: a worker reserving it makes a new version
      await worker(sid, {}, available);
      const reservedTag = (await t.http('GET', `${TR}/${sid}/Tasks/${tk.sid}`)).headers.get('etag');
      expect(reservedTag).to.not.equal(next);
      const viaSdk = await rejection(t.client.taskrouter.v1.workspaces(sid).tasks(tk.sid).update({priority: 7, ifMatch: next!}));
      expect(viaSdk.status).to.equal(412);
      expect((await t.client.taskrouter.v1.workspaces(sid).tasks(tk.sid).update({priority: 7, ifMatch: reservedTag!})).priority).to.equal(7);
      // workers and reservations carry theirs too
      const w = (await t.expect(200, 'GET', `${TR}/${sid}/Workers`)).workers[0];
      expect((await t.http('GET', `${TR}/${sid}/Workers/${w.sid}`)).headers.get('etag')).to.match(/^"\d+"$/);
      const [r] = await reservations(sid, tk.sid);
      expect((await t.http('GET', `${TR}/${sid}/Tasks/${tk.sid}/Reservations/${r.sid}`)).headers.get('etag')).to.match(/^"\d+"$/);
    });
  });

  describe('list filters and defaults', () => {
    it('Events without StartDate or Minutes cover the last 15 minutes [OAI]; HasAddons filters tasks', async () => {
      const {sid} = await workspace();
      const q = await queue(sid);
      await workflow(sid, q.sid);
      const tk = await task(sid);
      const recent = (await t.expect(200, 'GET', `${TR}/${sid}/Events`)).events.length;
      expect(recent).to.be.greaterThan(3);
      await t.emu.clock.advance('PT16M');
      expect((await t.expect(200, 'GET', `${TR}/${sid}/Events`)).events).to.deep.equal([]);
      expect((await t.expect(200, 'GET', `${TR}/${sid}/Events`, {query: {Minutes: 20}})).events.length).to.equal(recent);
      const since = new Date(Date.parse(tk.date_created) - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      expect((await t.expect(200, 'GET', `${TR}/${sid}/Events`, {query: {StartDate: since}})).events.length).to.equal(recent);
      // the emulator runs no Add-ons: no task has them
      expect((await t.expect(200, 'GET', `${TR}/${sid}/Tasks`, {query: {HasAddons: 'true'}})).tasks).to.deep.equal([]);
      expect((await t.expect(200, 'GET', `${TR}/${sid}/Tasks`, {query: {HasAddons: 'false'}})).tasks.map((x: {sid: string}) => x.sid)).to.deep.equal([tk.sid]);
      expectTwilioError(400, (await t.http('GET', `${TR}/${sid}/Tasks`, {query: {HasAddons: 'maybe'}})).body, 20001);
    });
  });

  describe('across a restart', () => {
    it('tasks waiting for their worker or in their queue are rebuilt from the store and routed after the restart', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'flexconv-tr-direct-'));
      const db = join(dir, 'tr.db');
      const acct = {accountSid: `AC${'e'.repeat(32)}`, authToken: 'tr-direct-token'};
      try {
        let e = await startTestEmulator({db, accounts: [acct], clock: 'manual'});
        const ws = await e.expect(201, 'POST', TR, {form: {FriendlyName: 'restart'}});
        const acts = (await e.expect(200, 'GET', `${TR}/${ws.sid}/Activities`)).activities as {sid: string; friendly_name: string}[];
        const available = acts.find((a) => a.friendly_name === 'Available')!.sid;
        const q = await e.expect(201, 'POST', `${TR}/${ws.sid}/TaskQueues`, {form: {FriendlyName: 'q'}});
        const target = await e.expect(201, 'POST', `${TR}/${ws.sid}/Workers`, {form: {FriendlyName: 'target'}});
        const mine = await e.expect(201, 'POST', `${TR}/${ws.sid}/Tasks`, {form: {RoutingTarget: target.sid, IgnoreCapacity: 'false'}});
        const queued = await e.expect(201, 'POST', `${TR}/${ws.sid}/Tasks`, {form: {RoutingTarget: q.sid, TaskChannel: 'chat'}});
        expect([mine.assignment_status, queued.assignment_status]).to.deep.equal(['pending', 'pending']);
        await e.emu.stop();
        e = await startTestEmulator({db, accounts: [acct], clock: 'manual'});
        try {
          // another available worker takes the queued task, never the one routed to `target`
          const other = await e.expect(201, 'POST', `${TR}/${ws.sid}/Workers`, {form: {FriendlyName: 'other', ActivitySid: available}});
          expect((await e.expect(200, 'GET', `${TR}/${ws.sid}/Tasks/${queued.sid}/Reservations`)).reservations[0].worker_sid).to.equal(other.sid);
          expect((await e.expect(200, 'GET', `${TR}/${ws.sid}/Tasks/${mine.sid}`)).assignment_status).to.equal('pending');
          await e.expect(200, 'POST', `${TR}/${ws.sid}/Workers/${target.sid}`, {form: {ActivitySid: available}});
          expect((await e.expect(200, 'GET', `${TR}/${ws.sid}/Tasks/${mine.sid}/Reservations`)).reservations[0].worker_sid).to.equal(target.sid);
        } finally {
          await e.emu.stop();
        }
      } finally {
        rmSync(dir, {recursive: true, force: true});
      }
    });
  });
});
