import {randomBytes} from 'node:crypto';
import {errors} from '../errors.js';
import {Params} from '../params.js';
import {created, ok, type Handler} from '../router.js';
import type {ServerOptions} from '../server.js';
import {newSid} from '../sid.js';
import {VERSION} from '../version.js';
import {coreControlRoutes} from './core.js';
import {engineControlRoutes} from '../engine/index.js';

/**
 * The emulator's own API under /_emulator (never a Twilio path): health, reset, accounts.
 * No Twilio auth: it is a local developer tool (the server warns when exposed beyond loopback).
 * Writes answer once committed, like every other write.
 */
export function controlRoutes(opts: ServerOptions): Record<string, Handler> {
  const {store, clock} = opts;
  return {
    ...coreControlRoutes(opts),
    ...engineControlRoutes(opts),
    'GET /health': () =>
      ok({
        status: 'ok',
        name: 'flexconv-emulator',
        version: VERSION,
        pid: process.pid,
        db: store.path,
        started_at: opts.startedAt.toISOString(),
        uptime_seconds: Math.round((Date.now() - opts.startedAt.getTime()) / 1000),
        accounts: store.accounts().map((a) => a.sid),
      }),

    'POST /reset': () => {
      store.reset(clock.now());
      return ok({status: 'ok', reset: true});
    },

    'GET /accounts': () => ok({accounts: store.accounts()}),

    /** Create another account (data is scoped per account): returns its SID and auth token. */
    'POST /accounts': (ctx) => {
      // a form, or the same fields as a JSON object
      const json = ctx.json && typeof ctx.json === 'object' && !Array.isArray(ctx.json) ? (ctx.json as Record<string, unknown>) : undefined;
      const form = json ? new Params(Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]))) : ctx.form;
      const accountSid = form.sid('AccountSid', 'AC') ?? newSid('AC');
      const authToken = form.str('AuthToken') || randomBytes(16).toString('hex');
      if (store.accounts().some((a) => a.sid === accountSid))
        throw errors.conflict(20409, `Account ${accountSid} already exists`);
      store.addAccount({accountSid, authToken, friendlyName: form.str('FriendlyName') ?? 'emulator account'}, clock.now());
      return created({account_sid: accountSid, auth_token: authToken});
    },
  };
}
