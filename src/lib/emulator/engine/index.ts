import type {Handler} from '../router.js';
import type {ServerOptions} from '../server.js';
import type {Core} from './core.js';
import {conversationsEngine} from './conversations/index.js';
import {flexEngine} from './flex/index.js';
import {studioEngine} from './studio/index.js';
import {taskrouterEngine} from './taskrouter/index.js';
import {webchatEngine} from './webchat/index.js';

/**
 * One engine of the emulator: what it installs on the core (timer handlers, reactors, what a
 * new account gets) and the control routes it contributes under /_emulator.
 */
export interface Engine {
  name: string;
  install(core: Core): void;
  /** After the core started (overdue timers fired, pending deliveries loaded): resume what a previous process left. */
  start?(core: Core): void;
  controlRoutes?(opts: ServerOptions): Record<string, Handler>;
}

/** Every engine, in dependency order (conversations and taskrouter first; flex, then studio). */
export const ENGINES: Engine[] = [conversationsEngine, taskrouterEngine, flexEngine, studioEngine, webchatEngine];

export function installEngines(core: Core): void {
  for (const e of ENGINES) e.install(core);
}

export function startEngines(core: Core): void {
  for (const e of ENGINES) e.start?.(core);
}

export function engineControlRoutes(opts: ServerOptions): Record<string, Handler> {
  const routes: Record<string, Handler> = {};
  for (const e of ENGINES)
    for (const [key, handler] of Object.entries(e.controlRoutes?.(opts) ?? {})) {
      if (routes[key]) throw new Error(`control route ${key} is contributed twice`);
      routes[key] = handler;
    }
  return routes;
}
