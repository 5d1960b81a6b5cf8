// oclif's subpath modules, not its index: the index also loads help, semver and the rest (start-up).
import {format} from 'node:util';
import {Command} from '@oclif/core/command';
import * as Errors from '@oclif/core/errors';
import * as Flags from '@oclif/core/flags';
import type * as Interfaces from '@oclif/core/interfaces';
import {onConfigWarning} from './config/profiles.js';
import {resolveContext, type ResolvedContext, type TargetFlags} from './config/resolve.js';
import {CANCELLED_MESSAGE, FlexconvError, toFlexconvError, usageError} from './errors.js';
import {Renderer, tableWidth, wantColor} from './render/index.js';
import {closest} from './suggest.js';
import type {TwilioClient} from './twilio/client.js';
import type {PlannedRequest, RetryNotice} from './twilio/request.js';

export {Flags};

/** Flags of every command that prints a table (the lists get them with listFlags). */
export {tableFlags} from './cli/index.js';
export * as Args from '@oclif/core/args';
export type {Column} from './render/index.js';
export {mask} from './render/index.js';
export {CANCELLED_MESSAGE} from './errors.js';
export {eachLimit} from './twilio/pool.js';

/** Thrown by confirm() when the answer is "no"; catch() turns it into exit 0. */
class Declined extends Error {
  constructor(readonly result: Record<string, unknown>) {
    super(CANCELLED_MESSAGE);
    this.name = 'Declined';
  }
}

/**
 * Where requests go, for messages: "the emulator at http://127.0.0.1:4010" or
 * "Twilio (account AC…)". The one wording, used by ApiCommand.where() and `profiles add`.
 */
export function targetLabel(c: Pick<ResolvedContext, 'target' | 'baseUrl' | 'accountSid' | 'region'>): string {
  if (c.target === 'emulator') return `the emulator at ${c.baseUrl}`;
  return `Twilio (account ${c.accountSid}${c.region ? `, region ${c.region}` : ''})`;
}

/**
 * Base of every command: --json (machine output on stdout, nothing else there), --no-color and
 * NO_COLOR, one error path (FlexconvError → message + hints on stderr, or JSON on stdout under
 * --json) and exit codes 0 ok / 1 API or runtime error / 2 usage error. No stack trace reaches
 * a user unless DEBUG=flexconv* is set.
 */
export abstract class FlexconvCommand<T = unknown> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    'no-color': Flags.boolean({helpGroup: 'GLOBAL', summary: 'Disable colour (NO_COLOR is honoured too).'}),
  };

  protected render!: Renderer;
  /** --dry-run is on: requests that would change something are printed, not sent (ApiCommand). */
  protected dryRun = false;

  override async init(): Promise<void> {
    await super.init();
    const json = this.jsonEnabled();
    this.render = new Renderer({
      json,
      color: wantColor({noColor: this.argv.includes('--no-color'), json}),
      width: tableWidth({noTruncate: this.argv.includes('--no-truncate'), json}),
    });
    onConfigWarning((m) => this.render.warn(m));
  }

  /** Plain JSON on stdout (never colourised), so `| jq` always works. */
  override logJson(json: unknown): void {
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  }

  /**
   * The one confirmation for destructive commands. `yes` (--yes) skips the question; without a
   * terminal it is a usage error (exit 2) naming `flagHint`. Answering "no" ends the command
   * here: catch() prints "Cancelled; nothing was changed" on stderr and exits 0, and under --json
   * prints `result` with `cancelled: true`. Ctrl-C at the prompt is CANCELLED, exit 1.
   */
  protected async confirm(
    message: string,
    yes: boolean | undefined,
    opts: {flagHint?: string; result?: Record<string, unknown>} = {},
  ): Promise<void> {
    if (yes || this.dryRun) return; // a dry run changes nothing: nothing to confirm
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      throw usageError(`Refusing to go on without confirmation: stdin is not a terminal`, [
        `pass ${opts.flagHint ?? '--yes'} to confirm non-interactively`,
      ]);
    }
    const {confirm} = await import('@inquirer/prompts');
    // The answered question keeps its "?": inquirer's default marks it with a green ✔ even when the answer is "no".
    const theme = {prefix: {idle: this.render.style('blue', '?'), done: this.render.style('blue', '?')}};
    if (!(await confirm({message, default: false, theme}, {output: process.stderr}))) throw new Declined(opts.result ?? {});
  }

  /** Last words on an error before it is shown (the API command adds why the target is what it is). */
  protected explain(e: FlexconvError): FlexconvError {
    return e;
  }

  /** Extra context for error messages (the API command adds the target and base URL). */
  protected errorContext(): {baseUrl?: string; target?: string} {
    return {};
  }

  override async catch(err: Error & {exitCode?: number}): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    if (isDryRunStop(err)) {
      // --dry-run reached the first request that would change something: shown, not sent, exit 0
      if (this.jsonEnabled()) this.logJson({dry_run: true, request: err.request});
      return undefined;
    }
    if (err instanceof Declined) {
      // "No" at a confirmation prompt: not an error, nothing was changed.
      this.render.progress(CANCELLED_MESSAGE); // the answer to a prompt on a terminal: said under --json too
      if (this.jsonEnabled()) this.logJson({...err.result, cancelled: true});
      return undefined;
    }
    const e = this.toUserError(err);
    if (debugging()) {
      process.stderr.write(`${(e.cause as Error | undefined)?.stack ?? err.stack ?? String(err)}\n`);
    }
    this.render ??= new Renderer({json: this.jsonEnabled(), color: false});
    this.render.error(this.explain(e));
    this.exit(e.exitCode);
    return undefined;
  }

  private toUserError(err: Error): FlexconvError {
    const oclif = (err as {oclif?: {exit?: number}}).oclif;
    // oclif.exit 2, or a flag whose own parse failed (oclif's Flags.file, "Parsing --config …", sets no exit code)
    if (!(err instanceof FlexconvError) && (oclif?.exit === 2 || /^Parsing --[\w-]+ \n\t/.test(err.message))) {
      // A parse error from oclif: unknown flag, missing required flag, bad option value.
      const hints: string[] = [];
      const m = /Nonexistent flags?: (.+)/.exec(err.message);
      if (m) {
        const known = Object.keys({...this.ctor.flags, ...this.ctor.baseFlags, json: true}).map((f) => `--${f}`);
        for (const bad of m[1].split(/,\s*/)) {
          const s = closest(bad.trim().replace(/=.*$/, ''), known);
          if (s.length) hints.push(`did you mean ${s.join(' or ')}?`);
        }
      }
      hints.push(`see \`${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help\``.replace(/ +--help/, ' --help'));
      // oclif wraps some messages ("The following error occurred:\n  Missing required flag x\nSee more help…"): keep the substance.
      const all = err.message.split('\n').map((l) => l.trim());
      const rest = all.slice(1).filter((l) => l && !/^See more help/.test(l));
      const lines = /^The following errors? occurred:$/.test(all[0])
        ? rest
        : /^Parsing --/.test(all[0])
          ? [`${all[0]}: ${rest[0] ?? ''}`]
          : /:$/.test(all[0]) && rest[0]
            ? [`${all[0]} ${rest[0].split(/\s+/)[0]}`]
            : [all[0]];
      return new FlexconvError('USAGE', lines.join('; ') || all[0], {hints, cause: err});
    }
    return toFlexconvError(err, this.errorContext());
  }
}

/** A command that talks to Twilio or the emulator: adds target and credential flags. */
export abstract class ApiCommand<T = unknown> extends FlexconvCommand<T> {
  static override baseFlags = {
    ...FlexconvCommand.baseFlags,
    target: Flags.string({
      options: ['emulator', 'twilio'],
      helpGroup: 'GLOBAL',
      summary: 'Where requests go (default: emulator unless Twilio credentials are configured; env FLEXCONV_TARGET).',
    }),
    profile: Flags.string({char: 'p', helpGroup: 'GLOBAL', summary: 'Credential profile to use (env FLEXCONV_PROFILE).'}),
    'emulator-url': Flags.string({
      helpGroup: 'GLOBAL',
      summary: 'Base URL of the emulator (env FLEXCONV_EMULATOR_URL; default: the one `emulator start` ran, else http://127.0.0.1:4010).',
    }),
    'account-sid': Flags.string({helpGroup: 'CREDENTIALS', summary: 'Account SID (AC…); env TWILIO_ACCOUNT_SID.'}),
    'auth-token': Flags.string({helpGroup: 'CREDENTIALS', summary: 'Auth token; env TWILIO_AUTH_TOKEN.'}),
    'api-key': Flags.string({helpGroup: 'CREDENTIALS', summary: 'API key SID (SK…); env TWILIO_API_KEY.'}),
    'api-secret': Flags.string({helpGroup: 'CREDENTIALS', summary: 'API key secret; env TWILIO_API_SECRET.'}),
    region: Flags.string({helpGroup: 'CREDENTIALS', summary: 'Twilio region, e.g. ie1; env TWILIO_REGION.'}),
    edge: Flags.string({helpGroup: 'CREDENTIALS', summary: 'Twilio edge, e.g. dublin; env TWILIO_EDGE.'}),
    timeout: Flags.custom<number>({
      helpGroup: 'GLOBAL',
      helpValue: '<duration>',
      summary: 'Give up on a request after this long, retries included: 30s (default), 500ms, 2m, or seconds; env FLEXCONV_TIMEOUT.',
      parse: async (input) => parseTimeout(input),
    })(),
    'dry-run': Flags.boolean({
      helpGroup: 'GLOBAL',
      summary: 'Print the request that would change something (method, URL, headers, form body; secrets masked) instead of sending it; exit 0. Reads still go out.',
    }),
  };

  protected context?: ResolvedContext;

  /** Resolve target and credentials (flags > env > project config > profile). */
  protected async resolve(flags: TargetFlags): Promise<ResolvedContext> {
    this.context = await resolveContext(flags);
    const c = this.context;
    for (const [k, s] of Object.entries(c.sources)) trace('%s from %s (%s)', k, s.from, s.detail);
    trace('target=%s base=%s', c.target, c.baseUrl);
    return c;
  }

  /**
   * The official SDK bound to the resolved target, through the one request layer: retries (one
   * line on stderr each), --timeout, and --dry-run (the first request that would change something
   * is printed and not sent; see catch() and planned()).
   */
  protected async client(flags: TargetFlags & RequestFlags): Promise<TwilioClient> {
    const ctx = await this.resolve(flags);
    const {createClient} = await import('./twilio/client.js');
    this.dryRun = Boolean(flags['dry-run']);
    return createClient(ctx, {
      timeoutMs: this.timeoutMs(flags),
      onRetry: (r) => this.render.progress(retryLine(r)),
      dryRun: this.dryRun ? (request) => this.showPlanned(request) : undefined,
    });
  }

  /**
   * --timeout, else FLEXCONV_TIMEOUT, else the default (30 s). A command whose own --timeout means
   * something else (`tasks create --timeout`: the task's TTL, Twilio's Timeout) has only the variable.
   */
  private timeoutMs(flags: RequestFlags): number | undefined {
    const own = Object.hasOwn(this.ctor.flags ?? {}, 'timeout');
    if (!own && flags.timeout !== undefined) return flags.timeout;
    const env = process.env.FLEXCONV_TIMEOUT;
    if (!env) return undefined;
    try {
      return parseTimeout(env);
    } catch (error) {
      throw usageError(`FLEXCONV_TIMEOUT: ${(error as Error).message}`);
    }
  }

  /**
   * Run `act` under --dry-run and return the request it would have sent first (undefined: it
   * sent nothing that changes anything). For commands that show a plan of their own first.
   */
  protected async planned(act: () => Promise<unknown>): Promise<PlannedRequest | undefined> {
    try {
      await act();
      return undefined;
    } catch (error) {
      if (isDryRunStop(error)) return error.request;
      throw error;
    }
  }

  /** A request --dry-run held back (one the client layer did not make): shown, and the error that ends the run with exit 0. */
  protected holdBack(request: PlannedRequest): Error {
    this.dryRun = true;
    this.showPlanned(request);
    return Object.assign(new Error(`dry run: ${request.method} ${request.url} was not sent`), {name: 'DryRunStop', request});
  }

  /** A request --dry-run held back: on stdout as it would go on the wire (under --json the document says it). */
  private showPlanned(r: PlannedRequest): void {
    if (this.render.json) return;
    this.render.info(`Dry run: this request was not sent${this.where()}`);
    const lines = [`${r.method} ${r.url}`, ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`)];
    if (r.body !== undefined) lines.push('', r.body);
    this.render.line(lines.join('\n'));
  }

  /** " on the emulator at URL" / " on Twilio (account AC…)": append to the success line of a change. */
  protected where(): string {
    return this.context ? ` on ${targetLabel(this.context)}` : '';
  }

  /** Credential flags alone sent this run to Twilio: every error says so, with the way back. */
  protected override explain(e: FlexconvError): FlexconvError {
    const why = this.context?.twilioByFlags;
    if (why && !e.hints.some((h) => h.includes('--target emulator'))) e.hints.push(`${why}: for the emulator, add --target emulator`);
    return e;
  }

  protected override errorContext(): {baseUrl?: string; target?: string} {
    return this.context ? {baseUrl: this.context.baseUrl, target: this.context.target} : {};
  }
}

/** The request-layer flags every API command has. */
export interface RequestFlags {
  timeout?: number;
  'dry-run'?: boolean;
}

/** `--timeout`: 30s, 500ms, 2m, 1.5s or a bare number of seconds → ms. */
export function parseTimeout(input: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(input);
  const ms = m ? Number(m[1]) * {ms: 1, s: 1000, m: 60_000}[(m[2] ?? 's').toLowerCase() as 's'] : NaN;
  // oclif.exit 2: a flag that does not parse is a usage error (toUserError words it)
  if (!(ms >= 1) || ms > 3_600_000)
    throw Object.assign(new Error(`"${input}" is not a timeout between 1ms and 60m (for example 30s, 500ms, 2m)`), {oclif: {exit: 2}});
  return Math.round(ms);
}

/** One stderr line per retry: `↻ GET https://… answered 429 (twilio 20429); retry 1 of 3 in 1.2s (Retry-After)`. */
export function retryLine(r: RetryNotice): string {
  const code = r.code ? ` (twilio ${r.code})` : '';
  const wait = r.delayMs >= 1000 ? `${(r.delayMs / 1000).toFixed(1)}s` : `${r.delayMs}ms`;
  return `↻ ${r.method} ${r.url} answered ${r.status}${code}; retry ${r.attempt} of ${r.maxAttempts - 1} in ${wait}${r.retryAfter ? ' (Retry-After)' : ''}`;
}

function isDryRunStop(e: unknown): e is Error & {request: PlannedRequest} {
  // by name: importing the class would load the SDK into every command's start-up
  return e instanceof Error && e.name === 'DryRunStop' && typeof (e as {request?: unknown}).request === 'object';
}

export type FlagsOf<C extends {flags: Interfaces.FlagInput; baseFlags: Interfaces.FlagInput}> = Interfaces.InferredFlags<
  C['flags'] & C['baseFlags']
>;

/** DEBUG names flexconv (`DEBUG=flexconv*`, `DEBUG=*`): stack traces and trace lines on stderr. */
function debugging(): boolean {
  const d = process.env.DEBUG;
  return Boolean(d && (/flexconv/.test(d) || /(^|,)\s*\*\s*(,|$)/.test(d)));
}

/** One `flexconv: …` line on stderr when debugging (how credentials and the target were resolved). */
function trace(formatter: string, ...args: unknown[]): void {
  if (debugging()) process.stderr.write(`flexconv: ${format(formatter, ...args)}\n`);
}
