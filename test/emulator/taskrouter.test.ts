import {createServer, type IncomingMessage, type Server} from 'node:http';
import {readFileSync} from 'node:fs';
import {expect} from 'chai';
import twilio from 'twilio';
import {RESOURCES} from '../../src/lib/emulator/api/index.js';
import {Router} from '../../src/lib/emulator/router.js';
import {rejection, useEmulator} from '../helpers/emulator.js';
import {expectTwilioError} from '../helpers/oai.js';

const TR = '/taskrouter/v1/Workspaces';

/** A local receiver: records signed form POSTs, answers what `answer` says. */
async function receiver(answer: (body: Record<string, string>) => {status: number; body?: string} = () => ({status: 204})) {
  const got: {url: string; signature: string; body: Record<string, string>}[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = Object.fromEntries(new URLSearchParams(raw));
      got.push({url: req.url ?? '', signature: String(req.headers['x-twilio-signature']), body});
      const a = answer(body);
      res.writeHead(a.status, {'Content-Type': 'application/json'});
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as {port: number}).port;
  return {got, url: (path: string) => `http://127.0.0.1:${port}${path}`, close: () => new Promise((r) => server.close(r))};
}

describe('emulator: TaskRouter (taskrouter v1)', () => {
  const t = useEmulator({clock: 'manual'});
  let n = 0;
  const unique = (p: string) => `${p}-${++n}`;

  async function workspace(form: Record<string, string> = {}) {
    const ws = await t.expect(201, 'POST', TR, {form: {FriendlyName: unique('ws'), ...form}});
    const acts = await t.expect(200, 'GET', `${TR}/${ws.sid}/Activities`);
    const act = (name: string) => acts.activities.find((a: {friendly_name: string}) => a.friendly_name === name).sid as string;
    return {ws, sid: ws.sid as string, available: act('Available'), offline: act('Offline'), unavailable: act('Unavailable')};
  }
  const queue = (ws: string, form: Record<string, string | number> = {}) => t.expect(201, 'POST', `${TR}/${ws}/TaskQueues`, {form: {FriendlyName: unique('q'), ...form}});
  const workflow = (ws: string, config: unknown, form: Record<string, string | number> = {}) =>
    t.expect(201, 'POST', `${TR}/${ws}/Workflows`, {form: {FriendlyName: unique('wf'), Configuration: JSON.stringify(config), ...form}});
  const worker = (ws: string, attributes: unknown, activity?: string) =>
    t.expect(201, 'POST', `${TR}/${ws}/Workers`, {form: {FriendlyName: unique('agent'), Attributes: JSON.stringify(attributes), ...(activity ? {ActivitySid: activity} : {})}});
  const task = (ws: string, attributes: unknown, form: Record<string, string | number> = {}) =>
    t.expect(201, 'POST', `${TR}/${ws}/Tasks`, {form: {Attributes: JSON.stringify(attributes), ...form}});
  const reservations = async (ws: string, taskSid: string) => (await t.expect(200, 'GET', `${TR}/${ws}/Tasks/${taskSid}/Reservations`)).reservations;
  const getTask = (ws: string, sid: string) => t.expect(200, 'GET', `${TR}/${ws}/Tasks/${sid}`);

  describe('resources', () => {
    it('a new workspace has the default activities and task channels; SDK round-trips', async () => {
      const w = await t.client.taskrouter.v1.workspaces.create({friendlyName: unique('sdk')});
      expect(w.defaultActivityName).to.equal('Offline');
      const acts = await t.client.taskrouter.v1.workspaces(w.sid).activities.list();
      expect(acts.map((a) => a.friendlyName).sort()).to.deep.equal(['Available', 'Offline', 'Unavailable']);
      const channels = await t.client.taskrouter.v1.workspaces(w.sid).taskChannels.list();
      expect(channels.map((c) => c.uniqueName)).to.include.members(['default', 'voice', 'chat', 'sms', 'video', 'email']);
      const u = await t.client.taskrouter.v1.workspaces(w.sid).update({eventsFilter: 'task.created', prioritizeQueueOrder: 'LIFO'});
      expect(u.prioritizeQueueOrder).to.equal('LIFO');
      const wk = await t.client.taskrouter.v1.workspaces(w.sid).workers.create({friendlyName: 'alice', attributes: '{"skills":["en"]}'});
      expect(wk.available).to.equal(false);
      const wcs = await t.client.taskrouter.v1.workspaces(w.sid).workers(wk.sid).workerChannels.list();
      expect(wcs.length).to.equal(6);
      const chat = await t.client.taskrouter.v1.workspaces(w.sid).workers(wk.sid).workerChannels('chat').update({capacity: 3});
      expect(chat.configuredCapacity).to.equal(3);
      const dupe = await rejection(t.client.taskrouter.v1.workspaces(w.sid).workers.create({friendlyName: 'alice'}));
      expect(dupe.status).to.equal(409);
      const bad = await rejection(t.client.taskrouter.v1.workspaces(w.sid).workers.create({friendlyName: 'bob', attributes: '{nope'}));
      expect([bad.status, bad.code]).to.deep.equal([400, 20001]);
      const q = await t.client.taskrouter.v1.workspaces(w.sid).taskQueues.create({friendlyName: 'everyone', targetWorkers: 'skills HAS "en"'});
      expect((await t.client.taskrouter.v1.workspaces(w.sid).workers.list({taskQueueSid: q.sid})).map((x) => x.sid)).to.deep.equal([wk.sid]);
      const badq = await rejection(t.client.taskrouter.v1.workspaces(w.sid).taskQueues.create({friendlyName: 'x', targetWorkers: 'skills HAS'}));
      expect(badq.message).to.match(/position 10/);
      await t.client.taskrouter.v1.workspaces(w.sid).workers(wk.sid).remove();
      await t.client.taskrouter.v1.workspaces(w.sid).remove();
      expect((await rejection(t.client.taskrouter.v1.workspaces(w.sid).fetch())).status).to.equal(404);
    });

    it('workflow configuration is validated: the fault and its position', async () => {
      const {sid} = await workspace();
      const q = await queue(sid);
      const r = await t.http('POST', `${TR}/${sid}/Workflows`, {
        form: {FriendlyName: 'w', Configuration: JSON.stringify({task_routing: {filters: [{expression: "type == 'a' AND", targets: [{queue: q.sid}]}]}})},
      });
      expectTwilioError(400, r.body, 20001);
      expect(r.body.message).to.include('task_routing.filters[0].expression').and.include('position 15');
      const notJson = await t.http('POST', `${TR}/${sid}/Workflows`, {form: {FriendlyName: 'w', Configuration: '{"task_routing": '}});
      expect(notJson.status).to.equal(400);
      const unknownQueue = await t.http('POST', `${TR}/${sid}/Workflows`, {
        form: {FriendlyName: 'w', Configuration: JSON.stringify({task_routing: {default_filter: {queue: 'WQ0123456789abcdef0123456789abcdef'}}})},
      });
      expect(unknownQueue.status).to.equal(400);
      expect(unknownQueue.body.message).to.include('not in this Workspace');
    });

    const spec = JSON.parse(readFileSync(new URL('../fixtures/twilio-oai/twilio_taskrouter_v1.json', import.meta.url), 'utf8')) as {paths: Record<string, Record<string, unknown>>};
    it('every operation of the spec is routed', () => {
      const router = new Router();
      for (const r of RESOURCES) router.add({prefix: r.domain, auth: true}, r.routes, r.mounts);
      const ops: string[] = [];
      for (const [path, item] of Object.entries(spec.paths)) for (const m of ['get', 'post', 'delete']) if (item[m]) ops.push(`${m.toUpperCase()} ${path}`);
      const missing = ops.filter((op) => {
        const [method, path] = op.split(' ');
        return !router.match(`/taskrouter${path.replace(/\{[A-Za-z]+\}/g, 'XX0123456789abcdef0123456789abcdef')}`)?.route.handlers.has(method);
      });
      expect(missing).to.deep.equal([]);
      expect(ops.length).to.equal(61);
    });

    it('every GET of a workspace answers schema-valid bodies (statistics included)', async () => {
      const {sid} = await workspace();
      const q = await queue(sid);
      const wf = await workflow(sid, {task_routing: {default_filter: {queue: q.sid}}});
      const w = await worker(sid, {});
      const tk = await task(sid, {});
      for (const path of [
        '', '/Statistics', '/RealTimeStatistics', '/CumulativeStatistics', '/TaskQueues/Statistics', `/TaskQueues/${q.sid}/Statistics`,
        `/TaskQueues/${q.sid}/RealTimeStatistics`, `/TaskQueues/${q.sid}/CumulativeStatistics`, `/Workflows/${wf.sid}/Statistics`,
        `/Workflows/${wf.sid}/RealTimeStatistics`, `/Workflows/${wf.sid}/CumulativeStatistics`, '/Workers/Statistics', '/Workers/RealTimeStatistics',
        '/Workers/CumulativeStatistics', `/Workers/${w.sid}/Statistics`, '/Events', '/Tasks', `/Tasks/${tk.sid}`, `/Workers/${w.sid}/Channels`,
        '/TaskChannels', `/Workers/${w.sid}/Reservations`, '/Workflows', '/TaskQueues', '/Workers',
      ])
        await t.expect(200, 'GET', `${TR}/${sid}${path}`);
      const bulk = await t.expect(200, 'POST', `${TR}/${sid}/TaskQueues/RealTimeStatistics`, {json: {TaskQueueSids: [q.sid]}});
      expect(bulk.task_queue_response_count).to.equal(1);
    });
  });

  describe('routing', () => {
    it('filters, multi-target workflow with timeouts, priority and the next target', async () => {
      const {sid, available} = await workspace();
      const en = await queue(sid, {TargetWorkers: "languages HAS 'en'"});
      const fr = await queue(sid, {TargetWorkers: "languages HAS 'fr'"});
      const wf = await workflow(sid, {
        task_routing: {
          filters: [
            {filter_friendly_name: 'french', expression: "lang == 'fr'", targets: [{queue: fr.sid, timeout: 30, priority: 5}, {queue: en.sid, timeout: 30}]},
          ],
          default_filter: {queue: en.sid},
        },
      });
      const tk = await task(sid, {lang: 'fr'}, {WorkflowSid: wf.sid});
      expect(tk.task_queue_sid).to.equal(fr.sid);
      expect(tk.priority).to.equal(5);
      expect(tk.assignment_status).to.equal('pending');
      const englishman = await worker(sid, {languages: ['en']}, available);
      // nobody French: after 30 s the task moves to the English queue, and is offered at once
      await t.emu.clock.advance('PT31S');
      const moved = await getTask(sid, tk.sid);
      expect(moved.task_queue_sid).to.equal(en.sid);
      expect(moved.assignment_status).to.equal('reserved');
      expect((await reservations(sid, tk.sid))[0].worker_sid).to.equal(englishman.sid);
      const types = (await t.expect(200, 'GET', `${TR}/${sid}/Events`, {query: {TaskSid: tk.sid}})).events.map((e: {event_type: string}) => e.event_type);
      expect(types).to.include.members(['task.created', 'workflow.entered', 'workflow.target-matched', 'task-queue.entered', 'task-queue.timeout', 'task-queue.moved', 'reservation.created']);
      // the end of the last target with a timeout: a second task with no worker at all is canceled
      const tk2 = await task(sid, {lang: 'fr'}, {WorkflowSid: wf.sid});
      await t.expect(200, 'POST', `${TR}/${sid}/Workers/${englishman.sid}`, {form: {ActivitySid: (await workspaceActivities(sid)).Offline}});
      await t.emu.clock.advance('PT61S');
      const ended = await getTask(sid, tk2.sid);
      expect(ended.assignment_status).to.equal('canceled');
      expect(ended.reason).to.equal('Workflow Timeout');
      // the default filter
      const other = await task(sid, {lang: 'de'}, {WorkflowSid: wf.sid});
      expect(other.task_queue_sid).to.equal(en.sid);
    });

    async function workspaceActivities(sid: string) {
      const acts = (await t.expect(200, 'GET', `${TR}/${sid}/Activities`)).activities as {friendly_name: string; sid: string}[];
      return Object.fromEntries(acts.map((a) => [a.friendly_name, a.sid])) as Record<string, string>;
    }

    it('accept, wrapping, complete; capacity and multitasking; a freed worker gets the next task', async () => {
      const {sid, available} = await workspace();
      const q = await queue(sid);
      await workflow(sid, {task_routing: {default_filter: {queue: q.sid}}});
      const w = await worker(sid, {}, available);
      await t.expect(200, 'POST', `${TR}/${sid}/Workers/${w.sid}/Channels/chat`, {form: {Capacity: 2}});
      const a = await task(sid, {n: 1}, {TaskChannel: 'chat'});
      const b = await task(sid, {n: 2}, {TaskChannel: 'chat'});
      const c = await task(sid, {n: 3}, {TaskChannel: 'chat'});
      expect([a, b, c].map((x) => x.assignment_status)).to.deep.equal(['reserved', 'reserved', 'pending']);
      // a voice task on another channel: that channel has capacity too
      const v = await task(sid, {}, {TaskChannel: 'voice'});
      expect(v.assignment_status).to.equal('reserved');
      const [ra] = await reservations(sid, a.sid);
      const acc = await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${a.sid}/Reservations/${ra.sid}`, {form: {ReservationStatus: 'accepted'}});
      expect(acc.reservation_status).to.equal('accepted');
      expect((await getTask(sid, a.sid)).assignment_status).to.equal('assigned');
      // accepting twice is illegal
      const again = await t.http('POST', `${TR}/${sid}/Tasks/${a.sid}/Reservations/${ra.sid}`, {form: {ReservationStatus: 'accepted'}});
      expectTwilioError(400, again.body, 20001);
      // completing a pending task is illegal; wrapping keeps capacity, completing frees it
      const bad = await t.http('POST', `${TR}/${sid}/Tasks/${b.sid}`, {form: {AssignmentStatus: 'completed'}});
      expect(bad.status).to.equal(400);
      await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${a.sid}`, {form: {AssignmentStatus: 'wrapping'}});
      expect((await getTask(sid, c.sid)).assignment_status).to.equal('pending');
      const wc = await t.expect(200, 'GET', `${TR}/${sid}/Workers/${w.sid}/Channels/chat`);
      expect(wc.assigned_tasks).to.equal(1);
      const done = await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${a.sid}`, {form: {AssignmentStatus: 'completed', Reason: 'resolved'}});
      expect(done.reason).to.equal('resolved');
      expect((await reservations(sid, a.sid))[0].reservation_status).to.equal('completed');
      expect((await getTask(sid, c.sid)).assignment_status).to.equal('reserved');
      // the worker view of the same reservation
      const mine = (await t.expect(200, 'GET', `${TR}/${sid}/Workers/${w.sid}/Reservations`, {query: {ReservationStatus: 'pending'}})).reservations;
      expect(mine.map((r: {task_sid: string}) => r.task_sid).sort()).to.deep.equal([b.sid, c.sid, v.sid].sort());
      // If-Match: a stale version is 412
      const stale = await t.http('POST', `${TR}/${sid}/Tasks/${b.sid}`, {form: {Priority: 3}, headers: {'If-Match': '0'}});
      expect(stale.status).to.equal(412);
      const list = await t.expect(200, 'GET', `${TR}/${sid}/Tasks`, {query: {AssignmentStatus: ['reserved', 'assigned']}});
      expect(list.tasks.length).to.equal(3);
    });

    it('reject: offered to the next worker, never again to the one who rejected; timeout moves the worker to the timeout activity', async () => {
      const {sid, available, offline} = await workspace();
      const q = await queue(sid);
      await workflow(sid, {task_routing: {default_filter: {queue: q.sid}}}, {TaskReservationTimeout: 60});
      const w1 = await worker(sid, {}, available);
      const w2 = await worker(sid, {}, available);
      const tk = await task(sid, {});
      const [r1] = await reservations(sid, tk.sid);
      const first = r1.worker_sid;
      await t.expect(200, 'POST', `${TR}/${sid}/Workers/${first}/Reservations/${r1.sid}`, {form: {ReservationStatus: 'rejected'}});
      const rs = await reservations(sid, tk.sid);
      const second = rs.find((r: {reservation_status: string}) => r.reservation_status === 'pending');
      expect(second.worker_sid).to.equal(first === w1.sid ? w2.sid : w1.sid);
      // the second lets it time out: reservation.timeout, the worker goes Offline, the task waits (the first rejected it)
      await t.emu.clock.advance('PT61S');
      const after = await reservations(sid, tk.sid);
      expect(after.map((r: {reservation_status: string}) => r.reservation_status).sort()).to.deep.equal(['rejected', 'timeout']);
      expect((await t.expect(200, 'GET', `${TR}/${sid}/Workers/${second.worker_sid}`)).activity_sid).to.equal(offline);
      expect((await getTask(sid, tk.sid)).assignment_status).to.equal('pending');
      const late = await t.http('POST', `${TR}/${sid}/Tasks/${tk.sid}/Reservations/${second.sid}`, {form: {ReservationStatus: 'accepted'}});
      expect(late.status).to.equal(400);
      // the task's own Timeout cancels it
      const short = await task(sid, {}, {Timeout: 100});
      await t.emu.clock.advance('PT101S');
      const gone = await getTask(sid, short.sid);
      expect([gone.assignment_status, gone.reason]).to.deep.equal(['canceled', 'Task TTL Exceeded']);
      const stats = await t.expect(200, 'GET', `${TR}/${sid}/CumulativeStatistics`, {query: {Minutes: 60}});
      expect([stats.reservations_rejected, stats.reservations_timed_out, stats.tasks_canceled]).to.deep.equal([1, 2, 1]); // the short task timed out with the first worker too
      const rt = await t.expect(200, 'GET', `${TR}/${sid}/TaskQueues/${q.sid}/RealTimeStatistics`);
      expect(rt.tasks_by_status.pending).to.equal(1);
      expect(rt.longest_task_waiting_sid).to.equal(tk.sid);
    });

    it('target expression, known worker, order_by and skip_if', async () => {
      const {sid, available} = await workspace();
      const q = await queue(sid);
      const wf = await workflow(sid, {
        task_routing: {
          filters: [
            {expression: 'agent != null', targets: [{queue: q.sid, known_worker_sid: 'task.agent'}]},
            {expression: "kind == 'vip'", targets: [{queue: q.sid, expression: 'worker.level > 2', order_by: 'worker.level DESC'}]},
            {expression: "kind == 'skip'", targets: [{queue: q.sid, skip_if: 'workers.available == 0'}]},
          ],
        },
      });
      const low = await worker(sid, {level: 1}, available);
      const mid = await worker(sid, {level: 3}, available);
      const high = await worker(sid, {level: 5}, available);
      const vip = await task(sid, {kind: 'vip'}, {WorkflowSid: wf.sid});
      expect((await reservations(sid, vip.sid))[0].worker_sid).to.equal(high.sid);
      const known = await task(sid, {agent: low.sid}, {WorkflowSid: wf.sid});
      expect((await reservations(sid, known.sid))[0].worker_sid).to.equal(low.sid);
      const vip2 = await task(sid, {kind: 'vip'}, {WorkflowSid: wf.sid});
      expect((await reservations(sid, vip2.sid))[0].worker_sid).to.equal(mid.sid);
      // every worker busy (capacity 1): skip_if false (3 available) → waits; then make them unavailable
      const skip = await task(sid, {kind: 'skip'}, {WorkflowSid: wf.sid});
      expect(skip.assignment_status).to.equal('pending');
      const {sid: ws2, offline} = await workspace();
      const q2 = await queue(ws2);
      const wf2 = await workflow(ws2, {task_routing: {filters: [{expression: '1==1', targets: [{queue: q2.sid, skip_if: 'workers.available == 0'}]}]}});
      await worker(ws2, {}, offline);
      const skipped = await task(ws2, {}, {WorkflowSid: wf2.sid});
      expect(skipped.assignment_status).to.equal('canceled');
    });
  });

  describe('events and the assignment callback', () => {
    it('events reach the EventCallbackUrl per EventsFilter, signed; the callback accepts', async () => {
      const events = await receiver();
      const callbacks = await receiver(() => ({status: 200, body: JSON.stringify({instruction: 'accept'})}));
      try {
        const {sid, available} = await workspace({EventCallbackUrl: events.url('/events'), EventsFilter: 'task.created,reservation.accepted'});
        const q = await queue(sid);
        await workflow(sid, {task_routing: {default_filter: {queue: q.sid}}}, {AssignmentCallbackUrl: callbacks.url('/assign')});
        await worker(sid, {}, available);
        const tk = await task(sid, {hello: 'world'});
        await t.emu.idle();
        expect(callbacks.got.length).to.equal(1);
        const cb = callbacks.got[0];
        expect(cb.body.TaskSid).to.equal(tk.sid);
        expect(twilio.validateRequest(t.emu.authToken, cb.signature, callbacks.url('/assign'), cb.body)).to.equal(true);
        expect((await getTask(sid, tk.sid)).assignment_status).to.equal('assigned');
        await t.emu.idle();
        expect(events.got.map((e) => e.body.EventType)).to.deep.equal(['task.created', 'reservation.accepted']);
        for (const e of events.got) expect(twilio.validateRequest(t.emu.authToken, e.signature, events.url('/events'), e.body)).to.equal(true);
        expect(events.got[0].body.TaskAttributes).to.equal('{"hello":"world"}');
        const ev = (await t.expect(200, 'GET', `${TR}/${sid}/Events`, {query: {EventType: 'reservation.accepted'}})).events[0];
        expect(ev.event_data.task_sid).to.equal(tk.sid);
        await t.expect(200, 'GET', `${TR}/${sid}/Events/${ev.sid}`);
      } finally {
        await events.close();
        await callbacks.close();
      }
    });

    it('reject and voice-only instructions', async () => {
      let answer = JSON.stringify({instruction: 'dequeue'});
      const callbacks = await receiver(() => ({status: 200, body: answer}));
      try {
        const {sid, available} = await workspace();
        const q = await queue(sid);
        await workflow(sid, {task_routing: {default_filter: {queue: q.sid}}}, {AssignmentCallbackUrl: callbacks.url('/assign')});
        await worker(sid, {}, available);
        const tk = await task(sid, {});
        await t.emu.idle();
        expect((await reservations(sid, tk.sid))[0].reservation_status).to.equal('pending');
        const log = await t.expect(200, 'GET', '/_emulator/events');
        expect(JSON.stringify(log)).to.include('taskrouter.instruction.unsupported');
        answer = JSON.stringify({instruction: 'reject'});
        const tk2 = await task(sid, {});
        expect(tk2.assignment_status).to.equal('pending'); // the worker's capacity is taken by tk
        await t.expect(200, 'POST', `${TR}/${sid}/Tasks/${tk.sid}`, {form: {AssignmentStatus: 'canceled'}});
        await t.emu.idle();
        const r2 = await reservations(sid, tk2.sid);
        expect(r2.map((r: {reservation_status: string}) => r.reservation_status)).to.deep.equal(['rejected']);
      } finally {
        await callbacks.close();
      }
    });
  });
});
