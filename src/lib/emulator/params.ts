import {errors} from './errors.js';

type Raw = Record<string, string | string[] | undefined>;

/**
 * Typed reader over a form body or a query string, raising Twilio's 400/20001 naming the
 * parameter. Repeated keys arrive as arrays; dotted keys (`AutoCreation.Type`) stay flat, as the
 * SDK and curl send them.
 */
export class Params {
  constructor(private readonly raw: Raw, private readonly where: 'post body' | 'query' = 'post body') {}

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  names(): string[] {
    return Object.keys(this.raw);
  }

  private one(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    return Array.isArray(v) ? v[v.length - 1] : v;
  }

  private missing(name: string): never {
    throw errors.missing(name, this.where);
  }

  str(name: string, opts: {required: true; max?: number}): string;
  str(name: string, opts?: {required?: boolean; max?: number}): string | undefined;
  str(name: string, opts: {required?: boolean; max?: number} = {}): string | undefined {
    const v = this.one(name);
    if (v === undefined || (opts.required && v === '')) {
      if (opts.required) this.missing(name);
      return undefined;
    }
    if (opts.max !== undefined && v.length > opts.max)
      throw errors.invalid(name, `must be at most ${opts.max} characters`);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.one(name);
    if (v === undefined) return undefined;
    const s = v.toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
    throw errors.invalid(name, `'${v}' is not a boolean (use true or false)`);
  }

  int(name: string, opts: {min?: number; max?: number} = {}): number | undefined {
    const v = this.one(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v.trim())) throw errors.invalid(name, `'${v}' is not an integer`);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw errors.invalid(name, `'${v}' is out of range`);
    if (opts.min !== undefined && n < opts.min) throw errors.invalid(name, `must be at least ${opts.min}`);
    if (opts.max !== undefined && n > opts.max) throw errors.invalid(name, `must be at most ${opts.max}`);
    return n;
  }

  /** An enum value; `ignoreCase` accepts any case and returns the canonical spelling. */
  enum<T extends string>(name: string, values: readonly T[], opts: {required: true; ignoreCase?: boolean}): T;
  enum<T extends string>(name: string, values: readonly T[], opts?: {required?: boolean; ignoreCase?: boolean}): T | undefined;
  enum<T extends string>(
    name: string,
    values: readonly T[],
    opts: {required?: boolean; ignoreCase?: boolean} = {},
  ): T | undefined {
    const v = this.str(name, {required: opts.required});
    // an optional enum sent empty (`?Type=`, `AutoCreation.Type=`) means "not given" [unverified]
    if (v === undefined || v === '') return undefined;
    const found = values.find((x) => (opts.ignoreCase ? x.toLowerCase() === v.toLowerCase() : x === v));
    if (!found) throw errors.invalid(name, `'${v}' is not one of ${values.join(', ')}`);
    return found;
  }

  /** Every value of a repeated key (a single value becomes a one-item list). */
  list(name: string): string[] | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    return (Array.isArray(v) ? v : [v]).filter((x) => x !== '');
  }

  sid(name: string, prefix: string): string | undefined {
    const v = this.str(name);
    if (v === undefined || v === '') return undefined;
    if (!new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(v))
      throw errors.invalid(name, `'${v}' is not a valid ${prefix} SID (${prefix} followed by 32 hex characters)`);
    return v;
  }
}
