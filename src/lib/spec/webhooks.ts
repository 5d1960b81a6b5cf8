/**
 * The emulator's webhook delivery log as the control API shows it (`GET /_emulator/webhooks`):
 * written by src/lib/emulator/engine/webhooks.ts, read by the CLI (`webhooks tail`, `replay`).
 * This module imports nothing.
 */

/** One HTTP attempt of a webhook delivery. */
export interface Attempt {
  sid: string;
  delivery_sid: string;
  attempt: number;
  date: string;
  event_type: string;
  url: string;
  method: string;
  /** The receiver's HTTP status; null when no answer came (error says why). */
  status: number | null;
  latency_ms: number;
  error: string | null;
  seq: number;
}
