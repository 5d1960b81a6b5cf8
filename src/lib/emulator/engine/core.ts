import type {Store} from '../store/index.js';
import {Bus} from './bus.js';
import type {Clock} from './clock.js';
import {Scheduler} from './scheduler.js';
import {WebhookSender} from './webhooks.js';

/** The parts every engine stands on: the store, the one clock, timers, the event bus, webhook delivery. */
export interface Core {
  store: Store;
  clock: Clock;
  scheduler: Scheduler;
  bus: Bus;
  webhooks: WebhookSender;
  /** A bare emulator: accounts get what Conversations and TaskRouter give them, not the Flex set-up. */
  bare: boolean;
  /** How long Studio's make-http-request waits for an answer (default: the widget's own, see engine/studio). */
  studioHttpTimeoutMs?: number;
  onError?: (error: unknown) => void;
}

export interface CoreOptions {
  onError?: (error: unknown) => void;
  /** Webhook timeout (Twilio's is 5 s). */
  webhookTimeoutMs?: number;
  /** Skip the Flex account set-up (startEmulator({bare: true})). */
  bare?: boolean;
  studioHttpTimeoutMs?: number;
  /** Deliveries the webhook log keeps (DELIVERY_LOG_KEEP; smaller in tests). */
  webhookLogKeep?: number;
}

/** Build the core over a store (nothing runs until startCore). */
export function createCore(store: Store, clock: Clock, opts: CoreOptions = {}): Core {
  const onError = opts.onError ?? (() => {});
  // the bus first: after a COMMIT reactions run before timers are re-armed and deliveries sent
  const bus = new Bus(store, clock, onError);
  const scheduler = new Scheduler(store, clock, onError);
  const webhooks = new WebhookSender(store, clock, scheduler, {timeoutMs: opts.webhookTimeoutMs, onError, logKeep: opts.webhookLogKeep});
  return {store, clock, scheduler, bus, webhooks, bare: opts.bare ?? false, studioHttpTimeoutMs: opts.studioHttpTimeoutMs, onError};
}

/** React to what a previous process left (events, overdue timers, pending deliveries), then run. */
export function startCore(core: Core): void {
  core.bus.drain(true);
  core.scheduler.start();
  core.webhooks.start();
}

export function stopCore(core: Core): void {
  core.scheduler.stop();
  core.webhooks.stop();
}
