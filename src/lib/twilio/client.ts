import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type Twilio from 'twilio/lib/rest/Twilio.js';
import type {ResolvedContext} from '../config/resolve.js';
import {SHAPES} from '../config/profiles.js';
import {FlexconvError} from '../errors.js';
import {CLI_ATTEMPTS, FlexconvRequestClient, type RequestPolicy} from './request.js';
import {VERSION} from './version.js';

export type TwilioClient = Twilio;

/** How the CLI's requests behave: retries, timeout, --dry-run (see ./request.ts). */
export interface ClientOptions {
  /** One request, retries included, may take this long (ms); default 30 s. */
  timeoutMs?: number;
  /** Attempts in all; default CLI_ATTEMPTS (3 retries). */
  maxAttempts?: number;
  onRetry?: RequestPolicy['onRetry'];
  dryRun?: RequestPolicy['dryRun'];
}

/** `flexconv/0.1.0`: added to the SDK's User-Agent (twilio-node/… (os arch) node/…) on both targets. */
export const USER_AGENT = `flexconv/${VERSION}`;

/**
 * The official SDK bound to a target: real Twilio, or the emulator through the same request
 * layer with every https://{domain}.twilio.com/... rewritten to {emulator}/{domain}/... . Flows
 * take this client and never know which one they got. Retries, the timeout and --dry-run live
 * in that one layer (FlexconvRequestClient), the same for both targets; the SDK's own autoRetry
 * is off. The SDK is imported lazily: commands that don't call Twilio don't pay for it.
 */
export async function createClient(ctx: ResolvedContext, opts: ClientOptions = {}): Promise<TwilioClient> {
  checkShapes(ctx);
  const {default: TwilioCtor} = await import('twilio/lib/rest/Twilio.js');
  const username = ctx.apiKey && ctx.apiSecret ? ctx.apiKey : ctx.accountSid;
  const password = ctx.apiKey && ctx.apiSecret ? ctx.apiSecret : (ctx.authToken ?? '');
  const policy: Partial<RequestPolicy> = {
    maxAttempts: opts.maxAttempts ?? CLI_ATTEMPTS,
    timeoutMs: opts.timeoutMs ?? 30_000,
    onRetry: opts.onRetry,
    dryRun: opts.dryRun,
  };
  const httpClient = new FlexconvRequestClient(ctx.target === 'emulator' ? ctx.baseUrl : undefined, policy);
  return new TwilioCtor(username, password, {
    accountSid: ctx.accountSid,
    // the SDK calls only request() on it; its typing names the whole RequestClient class
    httpClient: httpClient as unknown as RequestClient,
    userAgentExtensions: [USER_AGENT],
    // the emulator ignores them (its URL rule reads the first host label only); the SDK would
    // otherwise also read TWILIO_REGION/TWILIO_EDGE itself, past flexconv's precedence
    ...(ctx.target === 'twilio' ? {region: ctx.region, edge: ctx.edge} : {}),
  });
}

/**
 * The SDK refuses a malformed Account SID or API key with a bare Error ("accountSid must start
 * with AC"); say which value is wrong and where it came from instead.
 */
function checkShapes(ctx: ResolvedContext): void {
  const checks = [
    ['accountSid', ctx.accountSid, SHAPES.accountSid, 'an Account SID (AC followed by 32 hex characters)'],
    ['apiKey', ctx.apiKey, SHAPES.apiKey, 'an API key SID (SK followed by 32 hex characters)'],
  ] as const;
  for (const [field, value, shape, what] of checks) {
    if (value === undefined || shape.test(value)) continue;
    const source = ctx.sources[field];
    const where = source ? ` (from ${source.from === 'flag' || source.from === 'env' ? '' : `${source.from} `}${source.detail})` : '';
    throw new FlexconvError('BAD_CREDENTIALS', `"${value}"${where} is not ${what}`, {
      hints: ['check which credentials won with `flexconv whoami`'],
    });
  }
}
