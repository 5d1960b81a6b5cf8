/**
 * The one clock of the emulator. Real time by default; tests (and /_emulator/clock, later) can
 * shift it forward instead of sleeping.
 */
export interface Clock {
  now(): Date;
  /** Move time forward by ms (only on a controllable clock). */
  advance(ms: number): void;
}

export class SystemClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

let lastSecond = NaN;
let lastText = '';

/** ISO 8601 UTC without milliseconds, the way Twilio writes dates: 2015-12-16T22:18:37Z */
export function isoSeconds(d: Date): string {
  // every write stamps dates: format each second once
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}
