import type Twilio from 'twilio/lib/rest/Twilio.js';
import type {ResolvedContext} from '../config/resolve.js';

export type TwilioClient = Twilio;

/**
 * The official SDK bound to a target: real Twilio, or the emulator through a RequestClient that
 * rewrites https://{domain}.twilio.com/... to {emulator}/{domain}/... . Flows take this client
 * and never know which one they got. Retries with backoff on 429 (the SDK's autoRetry).
 * The SDK is imported lazily: commands that don't call Twilio don't pay for it.
 */
export async function createClient(ctx: ResolvedContext): Promise<TwilioClient> {
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
