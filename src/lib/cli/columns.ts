import {usageError} from '../errors.js';
import type {Column} from '../render/index.js';

/**
 * The one --columns check of every list: the keys picked, in the order given; an unknown key is
 * a usage error listing the available ones (never a blank column).
 */
export function pickColumns<T>(keys: string[] | undefined, defaults: Column<T>[], extra: Column<T>[] = []): Column<T>[] {
  if (!keys?.length) return defaults;
  const all = [...defaults, ...extra];
  const picked = keys.map((k) => k.trim()).filter(Boolean);
  const unknown = picked.filter((k) => !all.some((c) => c.key === k));
  if (unknown.length)
    throw usageError(`--columns: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`, [
      `available: ${all.map((c) => c.key).join(', ')}`,
    ]);
  return picked.map((k) => all.find((c) => c.key === k)!);
}
