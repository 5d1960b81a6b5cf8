import {styleText} from 'node:util';
import type {FlexconvError} from '../errors.js';
import {displayWidth, padEnd, truncate} from './width.js';

export {displayWidth} from './width.js';

export interface Column<T> {
  key: string;
  header: string;
  get?: (row: T) => unknown;
  /** Never cut this column's cells to fit a terminal (columns of SIDs never are anyway). */
  keep?: boolean;
}

type Style = Parameters<typeof styleText>[0];

export interface RendererOptions {
  json: boolean;
  color: boolean;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
  /** Cut table cells (with …) so each line fits this many columns; undefined: never cut. */
  width?: number;
}

/**
 * How wide tables may be: the terminal's width when stdout is one, else undefined (never cut:
 * a pipe or file gets whole cells). `--no-truncate` and --json never cut either. A terminal that
 * reports no size (0, as under `script`) falls back to $COLUMNS, then 80.
 */
export function tableWidth(opts: {noTruncate?: boolean; json?: boolean}, env = process.env, stream = process.stdout): number | undefined {
  if (opts.noTruncate || opts.json || !(stream as NodeJS.WriteStream).isTTY) return undefined;
  const cols = (stream as NodeJS.WriteStream).columns || Number(env.COLUMNS) || 80;
  return cols > 0 ? cols : 80;
}

/** A column no narrower than this is never cut further (or its full width, when that is less). */
const MIN_COLUMN = 6;

/** A Twilio SID (AC…, IG…): cut, it is useless, so a column of them is kept whole. */
const SID_RE = /^[A-Z]{2}[0-9a-fA-F]{32}$/;

/** Column widths that fit `max` (2 spaces between columns), taking from the widest first; `keep` columns are left whole. */
function fitWidths(widths: number[], max: number | undefined, keep: boolean[] = []): number[] {
  if (max === undefined) return widths;
  const out = [...widths];
  const total = () => out.reduce((a, b) => a + b, 0) + 2 * (out.length - 1);
  while (total() > max) {
    let widest = -1;
    for (let i = 0; i < out.length; i++) if (!keep[i] && out[i] > Math.min(widths[i], MIN_COLUMN) && (widest < 0 || out[i] > out[widest])) widest = i;
    if (widest < 0) break; // every column at its minimum: let the terminal wrap
    out[widest]--;
  }
  return out;
}

/** Should output be coloured? Off for --no-color, NO_COLOR, --json, or when stdout isn't a TTY. */
export function wantColor(opts: {noColor?: boolean; json?: boolean}, env = process.env, stream = process.stdout): boolean {
  if (opts.noColor || opts.json) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean((stream as NodeJS.WriteStream).isTTY) && env.TERM !== 'dumb';
}

/**
 * The one place that writes: results and tables to stdout, progress, warnings and errors to
 * stderr. Under --json, stdout carries only the JSON document (written by the command base).
 */
export class Renderer {
  readonly warnings: string[] = [];
  readonly json: boolean;
  private readonly color: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;
  private readonly width?: number;

  constructor(opts: RendererOptions) {
    this.json = opts.json;
    this.width = opts.width;
    this.color = opts.color;
    this.out = opts.out ?? process.stdout;
    this.err = opts.err ?? process.stderr;
  }

  style(style: Style, text: string): string {
    return this.color ? styleText(style, text) : text;
  }

  /**
   * A table of rows (ignored under --json); pick columns with src/lib/cli/columns.ts first.
   * Columns are padded by display width (CJK and emoji take two columns); on a terminal, long
   * cells are cut with … so that lines fit its width (see tableWidth()).
   */
  table<T>(rows: T[], columns: Column<T>[], options: {noHeader?: boolean} = {}): void {
    if (this.json) return;
    const cols = columns;
    const cells = rows.map((r) => cols.map((c) => cellText(c.get ? c.get(r) : (r as Record<string, unknown>)[c.key])));
    const natural = cols.map((c, i) => Math.max(options.noHeader ? 0 : displayWidth(c.header), ...cells.map((row) => displayWidth(row[i]))));
    const keep = cols.map((c, i) => Boolean(c.keep) || (cells.length > 0 && cells.every((row) => row[i] === '' || SID_RE.test(row[i]))));
    const widths = fitWidths(natural, this.width, keep);
    const line = (values: string[]) => values.map((v, i) => padEnd(truncate(v, widths[i]), widths[i])).join('  ').trimEnd();
    const lines: string[] = [];
    if (!options.noHeader) lines.push(this.style('bold', line(cols.map((c) => c.header))));
    for (const row of cells) lines.push(line(row));
    this.out.write(lines.join('\n') + '\n');
  }

  /** One record as aligned `label  value` lines (ignored under --json). */
  record<T>(row: T, fields: Column<T>[]): void {
    if (this.json) return;
    const width = Math.max(...fields.map((f) => displayWidth(f.header)));
    const lines = fields.map((f) => {
      const v = f.get ? f.get(row) : (row as Record<string, unknown>)[f.key];
      return `${this.style('bold', padEnd(f.header, width))}  ${cellText(v)}`;
    });
    this.out.write(lines.join('\n') + '\n');
  }

  /** Plain text to stdout (ignored under --json). */
  line(text = ''): void {
    if (!this.json) this.out.write(text + '\n');
  }

  /**
   * A note for people on stderr (a dry run's plan, an empty list's next step). Like success(),
   * not printed under --json: the JSON document says it. The one rule for every command: under
   * --json, stderr carries only warnings (and progress()).
   */
  info(message: string): void {
    if (!this.json) this.err.write(message + '\n');
  }

  /** `✔ message` on stderr; not under --json (see info()). */
  success(message: string): void {
    if (!this.json) this.err.write(`${this.style('green', '✔')} ${message}\n`);
  }

  /** A line on stderr even under --json: what a long-running command does meanwhile (a request log, "stopping…"). */
  progress(message: string): void {
    this.err.write(message + '\n');
  }

  /**
   * Run `work` behind a spinner on stderr when stderr is a terminal and --json is off (ora, loaded
   * only then); otherwise one plain `text…` progress line (under --json too: stdout stays the
   * document). `update` changes the spinner's text.
   */
  async spin<T>(text: string, work: (update: (text: string) => void) => Promise<T>): Promise<T> {
    // a terminal that reports no width (some pseudo-terminals) would make ora clear lines forever
    const tty = Boolean((this.err as NodeJS.WriteStream).isTTY) && ((this.err as NodeJS.WriteStream).columns ?? 0) > 0 && !this.json;
    if (!tty) {
      this.progress(`${text}…`);
      return work(() => {});
    }
    const {default: ora} = await import('ora');
    const spinner = ora({text, stream: this.err as NodeJS.WriteStream, color: 'cyan', isEnabled: true}).start();
    try {
      const out = await work((t) => (spinner.text = t));
      spinner.stop();
      return out;
    } catch (error) {
      spinner.stop();
      throw error;
    }
  }

  /** `! message` on stderr, always (under --json too), and kept in `warnings`. */
  warn(message: string): void {
    this.warnings.push(message);
    this.err.write(`${this.style('yellow', '!')} ${message}\n`);
  }

  /** Human error on stderr: `✖ CODE (twilio N): message — more_info link` on one line, then one `→ hint` per hint. */
  error(e: FlexconvError): void {
    if (this.json) {
      this.out.write(JSON.stringify({status: e.exitCode, error: e.toJSON(), warnings: this.warnings}, null, 2) + '\n');
      return;
    }
    const twilio = e.twilio ? ` (twilio ${e.twilio.code})` : '';
    // a Twilio error is one line: our code, Twilio's code, its message and its more_info link. A
    // message that is a list (a flow's faults, one per line) keeps its lines, the link after them.
    const [first, ...rest] = e.message.split('\n');
    const more = e.twilio?.moreInfo ? this.style('dim', e.twilio.moreInfo) : '';
    const lines = [`${this.style('red', '✖')} ${e.code}${twilio}: ${first}${more && !rest.length ? ` — ${more}` : ''}`, ...rest];
    if (more && rest.length) lines.push(`  ${more}`);
    for (const h of e.hints) lines.push(`  ${this.style('cyan', '→')} ${h}`);
    this.err.write(lines.join('\n') + '\n');
  }
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => cellText(x)).join(',');
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** All but the last 4 characters of a secret replaced: `****abcd`. */
export function mask(secret: string | undefined): string {
  if (!secret) return '';
  return secret.length <= 4 ? '****' : `****${secret.slice(-4)}`;
}
