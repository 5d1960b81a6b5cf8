import {Flags} from '../../../lib/command.js';
import {jsonText, requireSid} from '../../../lib/cli/index.js';
import {conversationArg, PARTICIPANT_FIELDS, webhooksFlag} from '../../../lib/cli/conversations.js';
import {ResourceCommand} from '../../../lib/cli/resource.js';
import {addParticipant, type Participant} from '../../../lib/flows/conversations.js';

export default class ParticipantsAdd extends ResourceCommand<Participant> {
  static override summary = 'Add a participant: a chat identity, or an SMS/WhatsApp address with its proxy';
  static override description =
    'A chat participant has an --identity. An SMS or WhatsApp participant has the customer\'s --address and the --proxy-address (your Twilio number) they write to; that pair may be in one open conversation only (else BINDING_IN_USE, Twilio 50416).';
  static override examples = [
    '<%= config.bin %> <%= command.id %> CH0123456789abcdef0123456789abcdef --identity alice',
    '<%= config.bin %> <%= command.id %> support-case-42 --address +15551234567 --proxy-address +15005550006 --json',
    '<%= config.bin %> <%= command.id %> support-case-42 --address whatsapp:+15551234567 --proxy-address whatsapp:+15005550006',
  ];

  static override args = {conversation: conversationArg};
  static override flags = {
    identity: Flags.string({summary: 'Chat identity (a chat participant).', exclusive: ['address']}),
    address: Flags.string({summary: 'The customer\'s address: +E164 (SMS) or whatsapp:+E164.', dependsOn: ['proxy-address']}),
    'proxy-address': Flags.string({summary: 'Your Twilio address the customer writes to (with --address).'}),
    'projected-address': Flags.string({summary: 'Twilio number shown to a chat participant in group MMS.'}),
    attributes: Flags.string({summary: 'JSON attributes.'}),
    role: Flags.string({summary: 'Conversation role SID (RL…).'}),
    ...webhooksFlag,
  };

  async run(): Promise<Participant> {
    const {args, flags} = await this.parse(ParticipantsAdd);
    const participant = await addParticipant(await this.client(flags), args.conversation, {
      identity: flags.identity,
      address: flags.address,
      proxyAddress: flags['proxy-address'],
      projectedAddress: flags['projected-address'],
      attributes: jsonText('--attributes', flags.attributes),
      roleSid: flags.role === undefined ? undefined : requireSid('RL', flags.role, '--role'),
      webhooks: flags.webhooks,
    });
    if (!this.render.json) this.render.success(`Added participant ${participant.sid} to ${participant.conversation_sid}${this.where()}`);
    this.render.record(participant, PARTICIPANT_FIELDS);
    return participant;
  }
}
