import {parseDuration} from '../engine/clock.js';
import {CODES, errors, TwilioApiError} from '../errors.js';
import {ok, type Ctx, type Handler} from '../router.js';
import type {ServerOptions} from '../server.js';

/** The account a control request acts for: its Basic auth, else the first (default) account. */
export function controlAccount(ctx: Ctx): string {
  if (ctx.accountSid) return ctx.accountSid;
  const first = ctx.store.accounts()[0];
  if (!first) throw errors.unauthorized();
  return first.sid;
}

/** A field of a control request: JSON body, form, or query. */
export function field(ctx: Ctx, name: string): string | undefined {
  const json = ctx.json && typeof ctx.json === 'object' && !Array.isArray(ctx.json) ? (ctx.json as Record<string, unknown>) : undefined;
  const v = json?.[name] ?? ctx.form.str(name) ?? ctx.query.str(name);
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * The core's control routes: the clock, the event log, and the webhook delivery log.
 *   POST /_emulator/clock {"advance": "PT10M"} or {"to": "2030-01-01T00:00:00Z"}
 *   GET  /_emulator/events?after=SEQ&type=…
 *   GET  /_emulator/webhooks?after=SEQ&event=…&wait=SECONDS
 *   GET  /_emulator/webhooks/:Sid           (one delivery, with the params sent)
 *   POST /_emulator/webhooks/:Sid/Replay    (send it again, freshly signed)
 */
export function coreControlRoutes(opts: ServerOptions): Record<string, Handler> {
  const {core} = opts;
  return {
    'GET /clock': () => ok({now: core.clock.now().toISOString(), ticking: core.clock.ticking, next_timer: nextTimer(opts)}),

    'POST /clock': async (ctx) => {
      const advance = field(ctx, 'advance');
      const to = field(ctx, 'to') ?? field(ctx, 'time');
      if ((advance === undefined) === (to === undefined))
        throw errors.invalid('advance', 'give either advance (an ISO 8601 duration such as PT10M, or milliseconds) or to (an ISO 8601 time)');
      if (advance !== undefined) {
        const ms = /^\d+$/.test(advance) ? Number(advance) : parseDuration(advance);
        if (ms === undefined) throw errors.invalid('advance', `'${advance}' is not an ISO 8601 duration (for example PT10M) or milliseconds`);
        await core.scheduler.advance(ms);
      } else {
        const target = Date.parse(to!);
        if (!Number.isFinite(target) || !/^\d{4}-\d{2}-\d{2}T/.test(to!)) throw errors.invalid('to', `'${to}' is not an ISO 8601 time`);
        if (target < core.clock.now().getTime())
          throw new TwilioApiError(400, CODES.INVALID_PARAMETER, `The clock cannot go back: it is ${core.clock.now().toISOString()}`);
        await core.scheduler.advanceTo(target);
      }
      return ok({now: core.clock.now().toISOString(), ticking: core.clock.ticking, next_timer: nextTimer(opts)});
    },

    'GET /timers': (ctx) =>
      ok({
        timers: core.scheduler.list(controlAccount(ctx)).map((t) => ({key: t.key, kind: t.kind, due: new Date(t.dueMs).toISOString(), data: t.data})),
      }),

    'GET /events': (ctx) => {
      const accountSid = controlAccount(ctx);
      const after = ctx.query.int('after', {min: 0}) ?? 0;
      const limit = Math.min(ctx.query.int('limit', {min: 1}) ?? 100, 1000);
      const type = ctx.query.str('type');
      const rows = ctx.store
        .sql(
          `SELECT seq, type, resource_sid, date_ms, data FROM event_log
           WHERE account_sid = ? AND seq > ? AND (? IS NULL OR type = ?) ORDER BY seq LIMIT ?`,
        )
        .all(accountSid, after, type ?? null, type ?? null, limit) as {seq: number; type: string; resource_sid: string | null; date_ms: number; data: string}[];
      return ok({
        events: rows.map((r) => ({
          seq: r.seq,
          type: r.type,
          resource_sid: r.resource_sid,
          date: new Date(r.date_ms).toISOString(),
          data: JSON.parse(r.data),
        })),
      });
    },

    'GET /webhooks': async (ctx) => {
      const accountSid = controlAccount(ctx);
      const after = ctx.query.int('after', {min: 0}) ?? 0;
      const limit = Math.min(ctx.query.int('limit', {min: 1}) ?? 100, 1000);
      const eventType = ctx.query.str('event') || undefined;
      const wait = Math.min(ctx.query.int('wait', {min: 0}) ?? 0, 60);
      let attempts = core.webhooks.attempts(accountSid, {after, limit, eventType});
      if (attempts.length === 0 && wait > 0) {
        // long poll: answer at the next attempt logged, or when the wait is over
        // (a stopping emulator ends the wait at once; the timer alone never keeps the process up)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, wait * 1000);
          timer.unref();
          function done() {
            clearTimeout(timer);
            core.webhooks.off('attempt', done);
            core.webhooks.off('wake', done);
            resolve();
          }
          core.webhooks.on('attempt', done);
          core.webhooks.on('wake', done);
        });
        if (!ctx.store.db.open) return ok({webhooks: [], last_seq: after});
        attempts = core.webhooks.attempts(accountSid, {after, limit, eventType});
      }
      return ok({webhooks: attempts, last_seq: attempts.at(-1)?.seq ?? after});
    },

    'GET /webhooks/:Sid': (ctx) => {
      const d = core.webhooks.delivery(controlAccount(ctx), ctx.params.Sid);
      if (!d) throw errors.notFound(`/_emulator/webhooks/${ctx.params.Sid}`);
      return ok(d);
    },

    'POST /webhooks/:Sid/Replay': (ctx) => {
      const sid = core.webhooks.replay(controlAccount(ctx), ctx.params.Sid);
      if (!sid) throw errors.notFound(`/_emulator/webhooks/${ctx.params.Sid}`);
      return {status: 201, body: {sid, replay_of: ctx.params.Sid}};
    },
  };
}

function nextTimer(opts: ServerOptions): string | null {
  const due = opts.core.scheduler.nextDue();
  return due === undefined ? null : new Date(due).toISOString();
}
