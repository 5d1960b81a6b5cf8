import nock from 'nock';

/**
 * Root hooks: no test may reach the network. Loopback stays open (the emulator and the test's
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
