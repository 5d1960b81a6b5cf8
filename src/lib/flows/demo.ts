import {createClient} from '../twilio/client.js';
import {createAddress, listAddresses, type AddressConfiguration} from './addresses.js';

export interface DemoResult {
  emulator_url: string;
  account_sid: string;
  created: AddressConfiguration;
  addresses: AddressConfiguration[];
}

/**
 * The main job on the embedded emulator: start one in-process on a free port (in memory), create
 * a Conversations address with webhook auto-creation, list the addresses, stop. Later stories
 * (inbound, Flex interactions, TaskRouter) extend this script.
 */
export async function runDemo(progress: (step: string) => void): Promise<DemoResult> {
  const {startEmulator} = await import('../emulator/index.js');
  const emu = await startEmulator({port: 0, db: ':memory:'});
  try {
    progress(`emulator started at ${emu.url} (account ${emu.accountSid})`);
    const client = await createClient({
      target: 'emulator',
      baseUrl: emu.url,
      accountSid: emu.accountSid,
      authToken: emu.authToken,
      sources: {},
    });
    const created = await createAddress(client, {
      type: 'sms',
      address: '+15005550006',
      friendlyName: 'flexconv demo line',
      autoCreation: {
        enabled: true,
        type: 'webhook',
        webhookUrl: 'https://example.com/flexconv/inbound',
        webhookMethod: 'POST',
        webhookFilters: ['onMessageAdded', 'onParticipantAdded'],
      },
    });
    progress(`created address ${created.sid} (${created.type} ${created.address})`);
    const {items} = await listAddresses(client, {});
    progress(`listed ${items.length} address configuration(s)`);
    return {emulator_url: emu.url, account_sid: emu.accountSid, created, addresses: items};
  } finally {
    await emu.stop();
    progress('emulator stopped');
  }
}
