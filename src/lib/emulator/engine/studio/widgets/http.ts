import {request as httpRequest, type IncomingMessage} from 'node:http';
import {request as httpsRequest} from 'node:https';
import type {HttpRequestSpec} from '../../../model/studio.js';
import type {Widget} from './types.js';

/** How long a make-http-request may take before it fails [unverified: Studio's own limit]. */
export const HTTP_TIMEOUT_MS = 10_000;
/** The most of a response body kept in the context. */
const BODY_KEEP = 64 * 1024;

const FORM = 'application/x-www-form-urlencoded;charset=utf-8';

/**
 * Make HTTP Request: the request is built now (templates rendered against the context as it is)
 * and sent after the transaction commits; the execution waits for it (see executor.ts).
 */
export const makeHttpRequest: Widget = (env) => {
  const p = env.state.properties;
  const method = env.render(p.method).trim().toUpperCase();
  if (method !== 'GET' && method !== 'POST') return {fail: `widget '${env.state.name}' (make-http-request): method '${method}' is not GET or POST`};
  const url = env.render(p.url).trim();
  const contentType = typeof p.content_type === 'string' && p.content_type ? p.content_type : FORM;
  let body = '';
  let target = url;
  if (contentType.startsWith('application/json')) body = env.render(p.body);
  else {
    const params = new URLSearchParams();
    for (const kv of Array.isArray(p.parameters) ? (p.parameters as {key: string; value?: unknown}[]) : []) params.append(kv.key, env.render(kv.value ?? ''));
    const text = params.toString();
    if (method === 'GET' && text) target = `${url}${url.includes('?') ? '&' : '?'}${text}`;
    else if (method === 'POST') body = text;
  }
  return {wait: {kind: 'http', widget: env.state.name, request: {method, url: target, content_type: contentType, body}}};
};

export interface HttpOutcome {
  event: 'success' | 'failed';
  context: Record<string, unknown>;
}

/**
 * The real request, bounded by `timeoutMs`: 2xx → success with {status_code, content_type,
 * body, parsed (JSON bodies)}; any other status, a network error or the timeout → failed, the
 * reason in the context [docs: widgets.NAME.status_code / body / parsed].
 */
export function perform(spec: HttpRequestSpec, timeoutMs: number): Promise<HttpOutcome> {
  let target: URL;
  try {
    target = new URL(spec.url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported protocol ${target.protocol}`);
  } catch (error) {
    return Promise.resolve({event: 'failed', context: {error: `bad URL '${spec.url}': ${(error as Error).message}`}});
  }
  const headers: Record<string, string> = {'User-Agent': 'TwilioStudio (flexconv emulator)', Accept: '*/*'};
  if (spec.method === 'POST') {
    headers['Content-Type'] = spec.content_type;
    headers['Content-Length'] = String(Buffer.byteLength(spec.body));
  }
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {method: spec.method, headers}, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < BODY_KEEP) chunks.push(c);
        size += c.length;
      });
      res.on('error', (e) => done({event: 'failed', context: {status_code: res.statusCode, error: e.message}}));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const type = String(res.headers['content-type'] ?? '');
        const body = Buffer.concat(chunks).toString('utf8').slice(0, BODY_KEEP);
        const context: Record<string, unknown> = {status_code: status, content_type: type, body};
        if (/json/i.test(type))
          try {
            context.parsed = JSON.parse(body);
          } catch {
            // not JSON after all: body only
          }
        if (status < 200 || status >= 300) context.error = `${spec.method} ${spec.url} answered HTTP ${status}`;
        done({event: status >= 200 && status < 300 ? 'success' : 'failed', context});
      });
    });
    const timer = setTimeout(() => {
      done({event: 'failed', context: {error: `${spec.method} ${spec.url} did not answer within ${timeoutMs} ms`}});
      req.destroy();
    }, timeoutMs);
    timer.unref();
    req.on('error', (e: NodeJS.ErrnoException) => done({event: 'failed', context: {error: `${spec.method} ${spec.url} failed: ${e.code ?? ''} ${e.message}`.replace(/ +/g, ' ')}}));
    req.end(spec.method === 'POST' ? spec.body : undefined);
  });
}
