import type Twilio from 'twilio/lib/rest/Twilio.js';
import type {ResolvedContext} from '../config/resolve.js';
import {SHAPES} from '../config/profiles.js';
import {FlexconvError} from '../errors.js';

export type TwilioClient = Twilio;

/**
 * The official SDK bound to a target: real Twilio, or the emulator through a RequestClient that
 * rewrites https://{domain}.twilio.com/... to {emulator}/{domain}/... . Flows take this client
 * and never know which one they got. Retries with backoff on 429 (the SDK's autoRetry).
 * The SDK is imported lazily: commands that don't call Twilio don't pay for it.
 */
export async function createClient(ctx: ResolvedContext): Promise<TwilioClient> {
  checkShapes(ctx);
  const {default: TwilioCtor} = await import('twilio/lib/rest/Twilio.js');
  const twilio = (u: string, p: string, o: ConstructorParameters<typeof TwilioCtor>[2]) => new TwilioCtor(u, p, o);
  const username = ctx.apiKey && ctx.apiSecret ? ctx.apiKey : ctx.accountSid;
  const password = ctx.apiKey && ctx.apiSecret ? ctx.apiSecret : (ctx.authToken ?? '');
  if (ctx.target === 'emulator') {
    const {EmulatorRequestClient} = await import('./emulator-http.js');
    return twilio(username, password, {
      accountSid: ctx.accountSid,
      httpClient: new EmulatorRequestClient(ctx.baseUrl, {autoRetry: true, maxRetries: 3}),
    });
  }
  return twilio(username, password, {
    accountSid: ctx.accountSid,
    region: ctx.region,
    edge: ctx.edge,
    autoRetry: true,
    maxRetries: 3,
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
