import nock from 'nock';

// nock 15.0.2 pulls @mswjs/interceptors 0.44, which calls Promise.withResolvers (Node 22) on every
// request the test process makes, loopback included. Node 20 lacks it: provide it here, once.
type WithResolvers = <T>() => {promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void; reject: (e?: unknown) => void};
const P = Promise as unknown as {withResolvers?: WithResolvers};
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>() => {
    let resolve!: (v: T | PromiseLike<T>) => void;
    let reject!: (e?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return {promise, resolve, reject};
  };
}

/**
 * Root hooks: no test may reach the network.
 * test/unit/no-network.test.ts checks that this holds. Loopback stays open (the emulator and the test's
 * own servers listen there); *.twilio.com is reachable only through nock interceptors.
 */
export const mochaHooks = {
  beforeAll() {
    nock.disableNetConnect();
    nock.enableNetConnect((host: string) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
  },
  afterEach() {
    nock.cleanAll();
  },
};
