// The emulator in your own test suite, with mocha: `npx mocha examples/emulator.test.mjs`.
// An ES module (.mjs, or "type": "module" in your package.json): startEmulator() is awaited at the top.
import assert from 'node:assert/strict';
import {startEmulator} from 'flexconv/emulator';

const emu = await startEmulator(); // a free port, an in-memory database
const client = emu.twilio(); // the official twilio SDK, bound to the emulator

describe('my Conversations set-up (example)', () => {
  afterEach(() => emu.reset()); // an empty emulator for every test
  after(() => emu.stop());

  it('creates a chat address and finds it again', async () => {
    const created = await client.conversations.v1.addressConfigurations.create({type: 'chat', address: 'my-site'});
    assert.match(created.sid, /^IG[0-9a-f]{32}$/);
    const listed = await client.conversations.v1.addressConfigurations.list();
    assert.deepEqual(
      listed.map((a) => a.address),
      ['my-site'],
    );
  });

  it('answers like Twilio when something is wrong', async () => {
    await assert.rejects(client.conversations.v1.addressConfigurations('IG00000000000000000000000000000000').fetch(), {status: 404, code: 20404});
  });
});
