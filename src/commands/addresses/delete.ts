import {ApiCommand, Flags} from '../../lib/command.js';
import {addressFields, deleteAddress, getAddress, validateAddressKey, type AddressConfiguration} from '../../lib/flows/addresses.js';
import {addressArg} from './get.js';

export default class AddressesDelete extends ApiCommand<AddressConfiguration> {
  static override summary = 'Delete an address configuration';
  static override description =
    'Inbound messages to the address no longer auto-create conversations; existing conversations are not touched. Asks for confirmation on a terminal; pass --yes in scripts. --dry-run shows what would be deleted and changes nothing.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> +15551234567',
    '<%= config.bin %> <%= command.id %> IG0123456789abcdef0123456789abcdef --yes --json',
    '<%= config.bin %> <%= command.id %> whatsapp:+15551234567 --dry-run',
  ];

  static override args = {address: addressArg};
  static override flags = {
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
    'dry-run': Flags.boolean({summary: 'Show what would be deleted, change nothing.'}),
  };

  async run(): Promise<AddressConfiguration & {dry_run?: true}> {
    const {args, flags} = await this.parse(AddressesDelete);
    const key = validateAddressKey(args.address); // offline, before --dry-run or any request
    const client = await this.client(flags);
    const address = await getAddress(client, key);
    const what = `address configuration ${address.sid} (${address.type} ${address.address}${address.friendly_name ? `, "${address.friendly_name}"` : ''})`;
    if (flags['dry-run']) {
      this.render.info(`Dry run: would delete ${what}${this.where()}`);
      this.render.record(address, addressFields(address));
      const request = await this.planned(() => deleteAddress(client, address.sid)); // printed, not sent
      // under --json, what a script gets must say nothing was deleted (as `cancelled: true` does)
      return {...address, dry_run: true, ...(request ? {request} : {})};
    }
    await this.confirm(`Delete ${what}${this.where()}?`, flags.yes, {result: {...address}});
    await deleteAddress(client, address.sid);
    this.render.success(`Deleted ${what}${this.where()}`);
    return address;
  }
}
