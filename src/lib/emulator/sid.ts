import {randomBytes} from 'node:crypto';

// Random bytes drawn 4 KiB at a time: one system call per 256 SIDs instead of one each.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/** The one SID generator: two upper-case letters + 32 lower-case hex, as Twilio emits them. */
export function newSid(prefix: string): string {
  if (offset + 16 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 16);
  offset += 16;
  return prefix + hex;
}

export function isSid(value: string, prefix: string): boolean {
  return value.length === 34 && value.startsWith(prefix) && /^[A-Z]{2}[0-9a-fA-F]{32}$/.test(value);
}
