/**
 * With DEBUG set, oclif logs argv through its logger (`process.argv: [...]`, `runCommand %s %o`,
 * `init version: %s argv: %o`), secrets included. bin/run.js hands oclif this logger instead:
 * oclif's own (the same `debug` namespaces and format), with every secret value given on the
 * command line replaced by its mask before anything is formatted. Loaded only when DEBUG is set.
 */
import {clearLoggers, getLogger} from '@oclif/core/logger';
import type {Logger} from '@oclif/core/interfaces';
import {mask} from './render/index.js';

/** Flags whose values are secrets. */
export const SECRET_FLAGS = ['--auth-token', '--api-secret'];

/** The secret values in argv: after `--auth-token`, or in `--auth-token=…`. */
export function secretsIn(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (SECRET_FLAGS.includes(a) && argv[i + 1] !== undefined) out.push(argv[++i]);
    else for (const f of SECRET_FLAGS) if (a.startsWith(`${f}=`) && a.length > f.length + 1) out.push(a.slice(f.length + 1));
  }
  return out.filter((s) => s.length > 0).sort((x, y) => y.length - x.length);
}

function scrub(value: unknown, secrets: string[], seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') {
    // Whole values only (an argv element, or --auth-token=…): the emulator's test token is a
    // substring of its Account SID, which must stay readable.
    if (secrets.includes(value)) return mask(value);
    for (const f of SECRET_FLAGS) if (value.startsWith(`${f}=`) && secrets.includes(value.slice(f.length + 1))) return `${f}=${mask(value.slice(f.length + 1))}`;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, seen));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && !seen.has(value)) {
    seen.add(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets, seen)]));
  }
  return value;
}

function masked(inner: Logger, secrets: string[]): Logger {
  const wrap =
    (fn: (formatter: unknown, ...args: unknown[]) => void) =>
    (formatter: unknown, ...args: unknown[]) =>
      fn(scrub(formatter, secrets), ...args.map((a) => scrub(a, secrets)));
  return {
    namespace: inner.namespace,
    child: (namespace: string) => masked(inner.child(namespace), secrets),
    debug: wrap(inner.debug),
    error: wrap(inner.error),
    info: wrap(inner.info),
    trace: wrap(inner.trace),
    warn: wrap(inner.warn),
  };
}

/** oclif's default logger, masking the secrets of `argv`; pass as `loadOptions.logger`. */
export function maskingLogger(argv: string[]): Logger {
  const base = getLogger();
  clearLoggers(); // oclif keeps the first root logger it is given: make room for this one
  return masked(base, secretsIn(argv));
}
