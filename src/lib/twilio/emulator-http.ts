// The SDK's pieces are imported directly (not the 'twilio' index, which also loads JWT, TwiML and
// webhook helpers): a noticeably faster start for every API command.
import RequestClient from 'twilio/lib/base/RequestClient.js';

/** First label of any *.twilio.com host (region/edge labels included): the Twilio domain. */
const TWILIO_HOST_RE = /^https:\/\/([a-z0-9-]+)(?:\.[a-z0-9-]+)*\.twilio\.com(?=\/|\?|$)/i;

/** https://conversations.twilio.com/v1/X → {base}/conversations/v1/X; other URLs untouched. */
export function toEmulatorUrl(baseUrl: string, uri: string): string {
  return uri.replace(TWILIO_HOST_RE, (_m, domain: string) => `${baseUrl.replace(/\/$/, '')}/${domain.toLowerCase()}`);
}

/**
 * The official SDK's own RequestClient (same serialization, auth and paging as real Twilio),
 * with each Twilio URL rewritten to the emulator. No patching of the SDK.
 */
export class EmulatorRequestClient extends RequestClient {
  constructor(
    readonly baseUrl: string,
    opts?: RequestClient.RequestClientOptions,
  ) {
    super(opts);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({...opts, uri: toEmulatorUrl(this.baseUrl, opts.uri)});
  }
}
