import type {FastifyInstance} from 'fastify';
import {errors} from '../errors.js';
import {Params} from '../params.js';
import type {ServerOptions} from '../server.js';
import {newSid} from '../sid.js';
import {randomBytes} from 'node:crypto';
import {VERSION} from '../version.js';

/**
 * The emulator's own API under /_emulator (never a Twilio path): health, reset, accounts.
 * No Twilio auth: it is a local developer tool (the server warns when exposed beyond loopback).
 */
export function registerControl(app: FastifyInstance, opts: ServerOptions): void {
  const {store, clock} = opts;

  app.get('/_emulator/health', async () => ({
    status: 'ok',
    name: 'flexconv-emulator',
    version: VERSION,
    pid: process.pid,
    db: store.path,
    started_at: opts.startedAt.toISOString(),
    uptime_seconds: Math.round((Date.now() - opts.startedAt.getTime()) / 1000),
    accounts: store.accounts().map((a) => a.sid),
  }));

  app.post('/_emulator/reset', async () => {
    store.reset(clock.now());
    await store.settled();
    return {status: 'ok', reset: true};
  });

  app.get('/_emulator/accounts', async () => ({accounts: store.accounts()}));

  /** Create another account (data is scoped per account): returns its SID and auth token. */
  app.post('/_emulator/accounts', async (req, reply) => {
    const form = new Params((req.body ?? {}) as Record<string, string>);
    const accountSid = form.sid('AccountSid', 'AC') ?? newSid('AC');
    const authToken = form.str('AuthToken') || randomBytes(16).toString('hex');
    if (store.accounts().some((a) => a.sid === accountSid))
      throw errors.conflict(20409, `Account ${accountSid} already exists`);
    store.addAccount({accountSid, authToken, friendlyName: form.str('FriendlyName') ?? 'emulator account'}, clock.now());
    await store.settled();
    reply.code(201);
    return {account_sid: accountSid, auth_token: authToken};
  });
}
