import {RESERVATIONS, TASKS, WORKERS, WORKFLOWS} from '../../model/taskrouter.js';
import {Tx} from '../../store/tx.js';
import type {Core} from '../core.js';
import type {Engine} from '../index.js';
import type {FormParams} from '../signature.js';
import {
  ASSIGNMENT_EVENT,
  TIMER,
  UNSUPPORTED_INSTRUCTION,
  acceptReservation,
  rejectReservation,
  reservationTimedOut,
  routingIndexes,
  targetTimedOut,
  taskTtlExpired,
} from './ops.js';

/**
 * TaskRouter: timers (reservation timeout, target timeout, task TTL) on the one clock, and the
 * assignment callback of each reservation — called after COMMIT, its answer's instruction
 * (accept / reject) carried out; a reservation whose callback is unanswered when the process
 * dies has it called again at the next start.
 */
export const taskrouterEngine: Engine = {
  name: 'taskrouter',

  install(core: Core) {
    const {store, scheduler, bus} = core;
    routingIndexes(store);
    scheduler.handle(TIMER.reservation, (tx, data) => reservationTimedOut(tx, data));
    scheduler.handle(TIMER.target, (tx, data) => targetTimedOut(tx, data));
    scheduler.handle(TIMER.ttl, (tx, data) => taskTtlExpired(tx, data));
    bus.on(ASSIGNMENT_EVENT, (tx, event) => {
      const d = event.data as {workspace_sid: string; reservation_sid: string};
      assignment(core, tx.accountSid, d.workspace_sid, d.reservation_sid);
    });
  },

  start(core: Core) {
    for (const a of core.store.accounts())
      for (const r of core.store.repo(RESERVATIONS).all(a.sid, {callback: 'pending'}))
        if (r.reservation_status === 'pending') assignment(core, a.sid, r.workspace_sid, r.sid);
  },
};

const inFlight = new WeakMap<Core, Set<string>>();

/** Call the workflow's assignment callback for a pending reservation (at most once at a time). */
function assignment(core: Core, accountSid: string, wsSid: string, wrSid: string): void {
  let set = inFlight.get(core);
  if (!set) inFlight.set(core, (set = new Set()));
  if (set.has(wrSid)) return;
  set.add(wrSid);
  void core.webhooks
    .track(callAssignment(core, accountSid, wsSid, wrSid))
    .catch((e) => core.store.db.open && onError(core, e))
    .finally(() => set.delete(wrSid));
}

function onError(_core: Core, _e: unknown): void {
  // reported through the core's onError where available (the webhook log has the attempt)
}

async function callAssignment(core: Core, accountSid: string, wsSid: string, wrSid: string): Promise<void> {
  const {store, webhooks, clock} = core;
  const r = store.repo(RESERVATIONS).get(accountSid, wrSid, wsSid);
  if (!r || r.reservation_status !== 'pending' || r._.callback !== 'pending') return;
  const wf = r._.workflow_sid ? store.repo(WORKFLOWS).get(accountSid, r._.workflow_sid, wsSid) : undefined;
  const t = store.repo(TASKS).get(accountSid, r.task_sid, wsSid);
  const w = store.repo(WORKERS).get(accountSid, r.worker_sid, wsSid);
  if (!wf?.assignment_callback_url || !t || !w) return;
  const params: FormParams = {
    AccountSid: accountSid,
    WorkspaceSid: wsSid,
    WorkflowSid: wf.sid,
    TaskQueueSid: r._.queue_sid ?? '',
    WorkerSid: w.sid,
    TaskSid: t.sid,
    ReservationSid: r.sid,
    TaskAge: String(Math.max(0, Math.floor((clock.now().getTime() - Date.parse(t.date_created)) / 1000))),
    TaskPriority: String(t.priority),
    TaskAttributes: t.attributes,
    WorkerAttributes: w.attributes,
  };
  let result = await webhooks.attempt(accountSid, wf.assignment_callback_url, 'POST', params);
  if (!store.db.open) return;
  webhooks.record(accountSid, 'assignment_callback', wf.assignment_callback_url, 'POST', params, result);
  const ok = (s?: number) => s !== undefined && s >= 200 && s < 300;
  if (!ok(result.status) && wf.fallback_assignment_callback_url) {
    result = await webhooks.attempt(accountSid, wf.fallback_assignment_callback_url, 'POST', params);
    if (!store.db.open) return;
    webhooks.record(accountSid, 'assignment_callback', wf.fallback_assignment_callback_url, 'POST', params, result);
  }
  let instruction: {instruction?: unknown; activity_sid?: unknown; post_work_activity_sid?: unknown} = {};
  if (ok(result.status) && result.body?.trim()) {
    try {
      const parsed = JSON.parse(result.body);
      if (parsed && typeof parsed === 'object') instruction = parsed;
    } catch {
      // not JSON: no instruction, the reservation stays pending [docs]
    }
  }
  const apply = (tx: Tx) => {
    const cur = tx.repo(RESERVATIONS).get(wrSid, wsSid);
    if (!cur || cur.reservation_status !== 'pending' || cur._.callback !== 'pending') return;
    const kind = typeof instruction.instruction === 'string' ? instruction.instruction.toLowerCase() : undefined;
    const activity = typeof instruction.activity_sid === 'string' ? instruction.activity_sid : typeof instruction.post_work_activity_sid === 'string' ? instruction.post_work_activity_sid : undefined;
    if (kind === 'accept') acceptReservation(tx, wsSid, cur, undefined);
    else if (kind === 'reject') rejectReservation(tx, wsSid, cur, {activity});
    else {
      if (kind !== undefined)
        tx.emit(UNSUPPORTED_INSTRUCTION, {
          reservation_sid: wrSid,
          instruction: kind,
          reason: `the assignment callback answered '${kind}', a voice instruction the emulator does not carry out for conversations; the reservation stays pending`,
        }, wrSid);
      const again = tx.repo(RESERVATIONS).get(wrSid, wsSid)!;
      again._.callback = 'done';
      tx.repo(RESERVATIONS).update(again, wsSid);
    }
  };
  try {
    store.tx(() => apply(new Tx(store, accountSid, clock.now())));
  } catch (e) {
    // the instruction could not be carried out (e.g. an unknown activity): recorded, and the callback is done
    store.tx(() => {
      const tx = new Tx(store, accountSid, clock.now());
      tx.emit(UNSUPPORTED_INSTRUCTION, {reservation_sid: wrSid, reason: `the assignment callback's instruction failed: ${(e as Error).message}`}, wrSid);
      const cur = tx.repo(RESERVATIONS).get(wrSid, wsSid);
      if (cur && cur._.callback === 'pending') {
        cur._.callback = 'done';
        tx.repo(RESERVATIONS).update(cur, wsSid);
      }
    });
  }
  await store.settled();
}
