import {randomBytes} from 'node:crypto';

/** The one SID generator: two upper-case letters + 32 lower-case hex, as Twilio emits them. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

export function isSid(value: string, prefix: string): boolean {
  return value.length === 34 && value.startsWith(prefix) && /^[A-Z]{2}[0-9a-fA-F]{32}$/.test(value);
}
