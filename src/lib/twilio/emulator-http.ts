// The SDK's pieces are imported directly (not the 'twilio' index, which also loads JWT, TwiML and
// webhook helpers): a noticeably faster start for every API command.
import RequestClient from 'twilio/lib/base/RequestClient.js';

import {toEmulatorUrl} from '../spec/urls.js';

export {toEmulatorUrl} from '../spec/urls.js';

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
