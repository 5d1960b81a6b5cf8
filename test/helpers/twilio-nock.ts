/**
 * Real Twilio stood in for by nock, for the commands' real-Twilio path: answer a list of
 * exchanges on any *.twilio.com host, in order (query strings must match exactly), and record
 * what each request sent (method, path with query, auth, the webhook header, the form body) so a
 * test can assert the exact requests. Run the CLI with `run(...)` (in this process, so nock sees
 * its HTTP) with --target twilio and TWILIO_* credentials.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import nock from 'nock';
import {runInProcess, type CliResult} from './cli.js';

export const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
export const TOKEN = 'test-auth-token-0123456789abcdef';
export const AUTH = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;

export interface Seen {
  host: string;
  method: string;
  /** Path and query, as sent. */
  path: string;
  authorization: string | null;
  webhookEnabled: string | null;
  form: [string, string][];
}

/** [method, "https://host/path?query", status, body]. */
export type Exchange = [method: string, url: string, status: number, body?: unknown];

export function twilio(exchanges: Exchange[]): {seen: Seen[]; done(): void} {
  const seen: Seen[] = [];
  const scopes = new Map<string, nock.Scope>();
  for (const [method, url, status, body] of exchanges) {
    const u = new URL(url);
    const scope = scopes.get(u.origin) ?? nock(u.origin);
    scopes.set(u.origin, scope);
    scope
      .intercept(u.pathname, method)
      .query(Object.fromEntries(u.searchParams))
      .reply(async (req: Request) => {
        const r = new URL(req.url);
        seen.push({
          host: r.host,
          method: req.method,
          path: r.pathname + r.search,
          authorization: req.headers.get('authorization'),
          webhookEnabled: req.headers.get('x-twilio-webhook-enabled'),
          form: [...new URLSearchParams(await req.text()).entries()],
        });
        return [status, body ?? ''];
      });
  }
  return {seen, done: () => scopes.forEach((s) => s.done())};
}

export const requests = (seen: Seen[]) => seen.map((s) => `${s.method} https://${s.host}${s.path}`);

/** Twilio's list envelope. */
export function page(key: string, url: string, items: unknown[], next?: string) {
  return {[key]: items, meta: {page: 0, page_size: items.length, first_page_url: url, previous_page_url: null, url, next_page_url: next ?? null, key}};
}

export const twilioError = (status: number, code: number, message: string, extra: Record<string, unknown> = {}) => ({
  code,
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
  ...extra,
});

/** A config dir per file, the TWILIO_* env, and `run`; call in a describe. */
export function useTwilio(prefix: string, extraEnv: Record<string, string> = {}) {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => rmSync(dir, {recursive: true, force: true}));
  afterEach(() => nock.cleanAll());
  const env = (more: Record<string, string | undefined> = {}) => ({
    TWILIO_ACCOUNT_SID: ACCOUNT,
    TWILIO_AUTH_TOKEN: TOKEN,
    FLEXCONV_CONFIG_DIR: dir,
    FLEXCONV_STATE_DIR: dir,
    TWILIO_CLI_CONFIG_DIR: dir,
    ...extraEnv,
    ...more,
  });
  return {
    run: (...args: string[]): Promise<CliResult> => runInProcess([...args, '--target', 'twilio'], {env: env()}),
    runWith: (more: Record<string, string | undefined>, ...args: string[]): Promise<CliResult> => runInProcess([...args, '--target', 'twilio'], {env: env(more)}),
    dir: () => dir,
  };
}
