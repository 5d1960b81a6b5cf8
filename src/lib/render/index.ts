import {styleText} from 'node:util';
import type {FlexconvError} from '../errors.js';

export interface Column<T> {
  key: string;
  header: string;
  get?: (row: T) => unknown;
}

type Style = Parameters<typeof styleText>[0];

export interface RendererOptions {
  json: boolean;
  color: boolean;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
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

  constructor(opts: RendererOptions) {
    this.json = opts.json;
    this.color = opts.color;
    this.out = opts.out ?? process.stdout;
    this.err = opts.err ?? process.stderr;
  }

  style(style: Style, text: string): string {
    return this.color ? styleText(style, text) : text;
  }

  /** A table of rows (ignored under --json); pick columns with src/lib/cli/columns.ts first. */
  table<T>(rows: T[], columns: Column<T>[], options: {noHeader?: boolean} = {}): void {
    if (this.json) return;
    const cols = columns;
    const cells = rows.map((r) => cols.map((c) => cellText(c.get ? c.get(r) : (r as Record<string, unknown>)[c.key])));
    const widths = cols.map((c, i) => Math.max(options.noHeader ? 0 : c.header.length, ...cells.map((row) => row[i].length)));
    const lines: string[] = [];
    if (!options.noHeader) lines.push(this.style('bold', cols.map((c, i) => c.header.padEnd(widths[i])).join('  ').trimEnd()));
    for (const row of cells) lines.push(row.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd());
    this.out.write(lines.join('\n') + '\n');
  }

  /** One record as aligned `label  value` lines (ignored under --json). */
  record<T>(row: T, fields: Column<T>[]): void {
    if (this.json) return;
    const width = Math.max(...fields.map((f) => f.header.length));
    const lines = fields.map((f) => {
      const v = f.get ? f.get(row) : (row as Record<string, unknown>)[f.key];
      return `${this.style('bold', f.header.padEnd(width))}  ${cellText(v)}`;
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

  /** `! message` on stderr, always (under --json too), and kept in `warnings`. */
  warn(message: string): void {
    this.warnings.push(message);
    this.err.write(`${this.style('yellow', '!')} ${message}\n`);
  }

  /** Human error on stderr: `✖ CODE (twilio N): message`, one `→ hint` per hint, then the docs link. */
  error(e: FlexconvError): void {
    if (this.json) {
      this.out.write(JSON.stringify({status: e.exitCode, error: e.toJSON(), warnings: this.warnings}, null, 2) + '\n');
      return;
    }
    const twilio = e.twilio ? ` (twilio ${e.twilio.code})` : '';
    const lines = [`${this.style('red', '✖')} ${e.code}${twilio}: ${e.message}`];
    for (const h of e.hints) lines.push(`  ${this.style('cyan', '→')} ${h}`);
    if (e.twilio?.moreInfo) lines.push(`  ${this.style('dim', e.twilio.moreInfo)}`);
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
