import RequestClient from 'twilio/lib/base/RequestClient.js';
import {FlexconvRequestClient, type RequestPolicy} from './request.js';
import {sdkTransport} from './transport.js';

export {toEmulatorUrl} from '../spec/urls.js';

/**
 * The official SDK's own RequestClient (same serialization, auth, HTTP stack and paging as real
 * Twilio), with each Twilio URL rewritten to the emulator. No patching of the SDK. Without a
 * policy it sends each request once (tests see every answer as it came); the CLI passes its own.
 */
export class EmulatorRequestClient extends FlexconvRequestClient {
  declare readonly baseUrl: string;

  constructor(baseUrl: string, opts?: RequestClient.RequestClientOptions, policy?: Partial<RequestPolicy>) {
    super(baseUrl, policy, sdkTransport(new RequestClient({...opts, autoRetry: false}) as never));
  }
}
