/**
 * The one clock of the emulator. Real time by default (shifted forward by any advance), or a
 * manual clock that only moves when told — what tests use, so that no test sleeps for a timer.
 * Moving time is the scheduler's job (it fires every timer due on the way): see scheduler.ts.
 */
export interface Clock {
  now(): Date;
  /** Move this clock's time forward by ms. Use EmulatorClock.advance, which also fires timers. */
  shift(ms: number): void;
  /** Whether time passes by itself (false: only advance moves it). */
  readonly ticking: boolean;
}

export class SystemClock implements Clock {
  readonly ticking = true;
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  shift(ms: number): void {
    this.offsetMs += ms;
  }
}

/** A clock that stands still until advanced (starts at `start`, default the real time now). */
export class ManualClock implements Clock {
  readonly ticking = false;
  private ms: number;
  constructor(start: Date | number = Date.now()) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  shift(ms: number): void {
    this.ms += ms;
  }
}

/**
 * ISO 8601 duration (`PT10M`, `P1DT2H`, `PT0.5S`) → milliseconds, or undefined when malformed.
 * Years and months are not fixed lengths and are refused.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) return undefined;
  const [, w, d, h, min, s] = m;
  if ([w, d, h, min, s].every((x) => x === undefined)) return undefined;
  const ms =
    (Number(w ?? 0) * 7 * 86400 + Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60) * 1000 +
    Math.round(Number(s ?? 0) * 1000);
  return Number.isSafeInteger(ms) ? ms : undefined;
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
