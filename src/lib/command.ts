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

export {Flags};

/**
 * Flags of every command that prints a table: spread them into its `flags`. The renderer reads
 * --no-truncate itself (from argv, like --no-color), so a list only declares it.
 */
export const tableFlags = {
  'no-truncate': Flags.boolean({summary: 'Show long cells whole: on a terminal, tables are cut with … to its width (pipes, files and --json never are).'}),
};
export * as Args from '@oclif/core/args';
export type {Column} from './render/index.js';
export {mask} from './render/index.js';
export {CANCELLED_MESSAGE} from './errors.js';

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
    if (yes) return;
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
    if (!(err instanceof FlexconvError) && oclif?.exit === 2) {
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

  /** The official SDK bound to the resolved target. */
  protected async client(flags: TargetFlags): Promise<TwilioClient> {
    const ctx = await this.resolve(flags);
    const {createClient} = await import('./twilio/client.js');
    return createClient(ctx);
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
