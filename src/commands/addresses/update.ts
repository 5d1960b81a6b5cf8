import {ApiCommand, Flags} from '../../lib/command.js';
import {usageError} from '../../lib/errors.js';
import {addressFields, FRIENDLY_NAME_MAX, updateAddress, validateAddressKey, type AddressConfiguration} from '../../lib/flows/addresses.js';
import {autoCreationFlags, autoCreationInput} from './create.js';
import {addressArg} from './get.js';

export default class AddressesUpdate extends ApiCommand<AddressConfiguration> {
  static override summary = 'Change the friendly name or auto-creation settings of an address configuration';
  static override description =
    'Only the flags you give are sent; everything else stays as it is. Type, address and country cannot be changed (delete and create instead). Settings for another auto-creation type than the configuration has need --auto-creation-type to switch it.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> +15551234567 --no-auto-creation',
    '<%= config.bin %> <%= command.id %> IG0123456789abcdef0123456789abcdef --auto-creation-type webhook --webhook-url https://example.com/hook --webhook-method POST --json',
    '<%= config.bin %> <%= command.id %> whatsapp:+15551234567 --friendly-name "Support WhatsApp"',
  ];

  static override args = {address: addressArg};
  static override flags = {
    'friendly-name': Flags.string({summary: `Human-readable name (up to ${FRIENDLY_NAME_MAX} characters; "" clears it).`}),
    ...autoCreationFlags,
    // Accepted only to say why they can't be used (rather than "Nonexistent flag"): hidden from help.
    type: Flags.string({hidden: true}),
    address: Flags.string({hidden: true}),
    'address-country': Flags.string({hidden: true}),
  };

  async run(): Promise<AddressConfiguration> {
    const {args, flags} = await this.parse(AddressesUpdate);
    const fixed = (['type', 'address', 'address-country'] as const).filter((f) => flags[f] !== undefined);
    if (fixed.length)
      throw usageError(`The ${fixed.map((f) => f.replace('-', ' ')).join(' and ')} of an address configuration cannot be changed; delete it and create it again`, [
        `\`${this.config.bin} addresses delete ${args.address}\`, then \`${this.config.bin} addresses create ${fixed.map((f) => `--${f} ${flags[f]}`).join(' ')} …\``,
      ]);
    const key = validateAddressKey(args.address);
    const client = await this.client(flags);
    const updated = await updateAddress(client, key, {
      friendlyName: flags['friendly-name'],
      autoCreation: autoCreationInput(flags),
    });
    this.render.success(`Updated address configuration ${updated.sid} (${updated.type} ${updated.address})${this.where()}`);
    this.render.record(updated, addressFields(updated));
    return updated;
  }
}
