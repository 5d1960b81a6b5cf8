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

/** A form body (repeated keys for arrays). */
export function formEncode(params: FormParams): string {
  const out = new URLSearchParams();
  for (const [name, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const item of v) out.append(name, item);
    else out.append(name, v);
  }
  return out.toString();
}
