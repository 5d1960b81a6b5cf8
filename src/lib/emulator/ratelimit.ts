import {TwilioApiError} from './errors.js';

/** Twilio's code for "Too many requests" (HTTP 429). */
export const TOO_MANY_REQUESTS = 20429;

export {parseRateLimit} from './defaults.js';

/**
 * A token bucket per account: `perSecond` tokens a second, as many at once (at least one). A
 * request takes a token; with none left it is refused with Twilio's 429 (code 20429) and a
 * Retry-After saying when the next token is there, before anything is read or done — as Twilio
 * does not process a request it answers with 429. O(1) per request: one Map lookup and a few
 * multiplications. Time is the emulator's clock, so a test advances it instead of sleeping.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, {tokens: number; at: number}>();
  private readonly capacity: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number,
  ) {
    this.capacity = Math.max(1, perSecond);
  }

  /** Take a token for `account`, or throw the 429. */
  take(account: string): void {
    const now = this.now();
    let b = this.buckets.get(account);
    if (!b) this.buckets.set(account, (b = {tokens: this.capacity, at: now}));
    else if (now > b.at) {
      b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    // whole seconds (Twilio's and HTTP's form), at least 1: when one token will be back
    const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
    throw new TwilioApiError(
      429,
      TOO_MANY_REQUESTS,
      `Too many requests: the emulator's rate limit is ${formatRate(this.perSecond)} for account ${account} (--rate-limit)`,
      undefined,
      {'Retry-After': String(retryAfter)},
    );
  }
}

const formatRate = (n: number) => (n >= 1 ? `${+n.toFixed(3)}/s` : `${+(n * 60).toFixed(3)}/min`);
