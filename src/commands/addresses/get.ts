import {ApiCommand, Args} from '../../lib/command.js';
import {addressFields, getAddress, validateAddressKey, type AddressConfiguration} from '../../lib/flows/addresses.js';

export const addressArg = Args.string({
  name: 'address',
  required: true,
  description: 'Address configuration SID (IG…) or the address itself (+15551234567, whatsapp:+15551234567, …)',
});

export default class AddressesGet extends ApiCommand<AddressConfiguration> {
  static override summary = 'Show one address configuration';
  static override description = 'Look it up by its SID (IG…) or by the address itself; the API accepts both.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> IG0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> +15551234567 --json',
    '<%= config.bin %> <%= command.id %> whatsapp:+15551234567 --json | jq .auto_creation',
  ];

  static override args = {address: addressArg};

  async run(): Promise<AddressConfiguration> {
    const {args, flags} = await this.parse(AddressesGet);
    const key = validateAddressKey(args.address); // offline, before --dry-run or any request
    const client = await this.client(flags);
    const address = await getAddress(client, key);
    this.render.record(address, addressFields(address));
    return address;
  }
}
