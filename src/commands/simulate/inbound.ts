import {Flags} from '../../lib/command.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {INBOUND_CHANNELS, simulateInbound, type InboundAccepted} from '../../lib/flows/simulate.js';

export default class SimulateInbound extends ResourceCommand<InboundAccepted> {
  static override summary = 'A customer writes: send an inbound message into the emulator (emulator only)';
  static override description =
    'As Twilio would receive it from the channel: the address configuration of --to decides what happens (auto-creation reuses the open conversation of this customer + number, or starts one, adds the participant and the message, and fires the webhooks). Without a configuration the message is dropped: INBOUND_DROPPED, exit 1, with the reason.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --from +15551234567 --to +15005550006 --body "Hi, my order is late"',
    '<%= config.bin %> <%= command.id %> --channel whatsapp --from +15551234567 --to +15005550006 --body "photo" --media-url https://example.com/a.jpg --json',
  ];

  static override flags = {
    from: Flags.string({required: true, summary: 'The customer\'s address (+E164; whatsapp:+E164 or bare for --channel whatsapp).'}),
    to: Flags.string({required: true, summary: 'Your address they write to (the address configuration\'s address).'}),
    body: Flags.string({char: 'b', summary: 'Message text (needed unless --media-url is given).'}),
    channel: Flags.string({options: [...INBOUND_CHANNELS], default: 'sms', summary: 'Channel of the message.'}),
    'media-url': Flags.string({multiple: true, summary: 'URL of an attachment (repeatable); the emulator stores a placeholder.'}),
  };

  async run(): Promise<InboundAccepted> {
    const {flags} = await this.parse(SimulateInbound);
    const r = await simulateInbound(await this.control(flags), {
      from: flags.from,
      to: flags.to,
      body: flags.body,
      channel: flags.channel,
      mediaUrls: flags['media-url'],
    });
    if (!this.render.json)
      this.render.success(
        `${r.created_conversation ? 'New conversation' : 'Conversation'} ${r.conversation_sid}: message ${r.message_sid} (#${r.message_index}) from participant ${r.participant_sid}`,
      );
    return r;
  }
}
