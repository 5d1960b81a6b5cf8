/**
 * The base of resource commands (list/get/create/delete/tail over one API resource): the
 * ApiCommand plus the few things they all do the same way — show a list with its "showing N of
 * more" note, run a destructive change behind --dry-run and the confirmation, follow a stream
 * until Ctrl-C, and talk to the emulator's control API.
 */
import {ApiCommand, type Column} from '../command.js';
import {FlexconvError} from '../errors.js';
import type {TargetFlags} from '../config/resolve.js';
import type {ControlTarget} from '../flows/simulate.js';
import type {ListFlagValues, Listed} from './index.js';
import type {PlannedRequest} from '../twilio/request.js';

export abstract class ResourceCommand<T = unknown> extends ApiCommand<T> {
  /** Set by follow(): the command streamed its output (NDJSON under --json), no final document. */
  private streamed = false;

  /** A list as a table (or the `empty` note on stderr), and the note when the limit stopped it early. */
  protected showList<R>(listed: Listed<R>, columns: Column<R>[], flags: ListFlagValues, empty: string): R[] {
    if (!this.render.json && listed.items.length === 0) this.render.info(empty);
    else this.render.table(listed.items, columns, {noHeader: flags['no-header']});
    if (listed.more) this.render.warn(`showing ${listed.items.length} of more — use --limit N or --all`);
    return listed.items;
  }

  /**
   * A destructive change: --dry-run says what would happen and returns `subject` with
   * `dry_run: true`; else the confirmation (or --yes), `act`, and one success line.
   */
  protected async destructive<R extends object>(
    subject: R,
    what: string,
    flags: {yes?: boolean; 'dry-run'?: boolean},
    act: () => Promise<unknown>,
    verb: [string, string] = ['Delete', 'Deleted'],
  ): Promise<R & {dry_run?: true; request?: PlannedRequest}> {
    if (flags['dry-run']) {
      if (!this.render.json) this.render.info(`Dry run: would ${verb[0].toLowerCase()} ${what}${this.where()}`);
      // the client holds back the first request that would change something, and prints it
      const request = await this.planned(act);
      return {...subject, dry_run: true, ...(request ? {request} : {})};
    }
    await this.confirm(`${verb[0]} ${what}${this.where()}?`, flags.yes, {result: {...subject} as Record<string, unknown>});
    await act();
    if (!this.render.json) this.render.success(`${verb[1]} ${what}${this.where()}`);
    return subject;
  }

  /**
   * Run `loop` until Ctrl-C (SIGINT) or SIGTERM aborts its signal; then exit 0. Under --json each
   * item is one JSON line (NDJSON) as it comes, and no final document follows.
   */
  protected async follow(loop: (signal: AbortSignal, emit: (item: unknown, line: string) => void) => Promise<number>): Promise<number> {
    this.streamed = true;
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const emit = (item: unknown, line: string) => {
      if (this.render.json) process.stdout.write(JSON.stringify(item) + '\n');
      else this.render.line(line);
    };
    try {
      return await loop(ac.signal, emit);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }

  override logJson(json: unknown): void {
    if (!this.streamed) super.logJson(json);
  }

  /** Where the emulator's control API is, for an emulator-only command (EMULATOR_ONLY, exit 2, on Twilio). */
  protected async control(flags: TargetFlags): Promise<ControlTarget> {
    const ctx = await this.resolve(flags);
    const id = this.id?.replaceAll(':', ' ') ?? 'this command';
    if (ctx.target !== 'emulator')
      throw new FlexconvError('EMULATOR_ONLY', `\`flexconv ${id}\` works with the emulator only, and the target is Twilio`, {
        hints: ['add --target emulator (and start one with `flexconv emulator start`)'],
      });
    const [username, password] = ctx.apiKey && ctx.apiSecret ? [ctx.apiKey, ctx.apiSecret] : [ctx.accountSid, ctx.authToken];
    // --dry-run holds back control requests that change something, as the client does API requests
    const dryRun = (flags as {'dry-run'?: boolean})['dry-run'] ? (request: PlannedRequest) => this.holdBack(request) : undefined;
    return {baseUrl: ctx.baseUrl, username, password, ...(dryRun ? {dryRun} : {})};
  }
}
