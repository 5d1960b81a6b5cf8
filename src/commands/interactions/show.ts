import {interactionArg, interactionText} from '../../lib/cli/interactions.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {showInteraction, type InteractionView} from '../../lib/flows/interactions.js';

export default class InteractionsShow extends ResourceCommand<InteractionView> {
  static override summary = 'Show an interaction: channels, participants and their status, invites, transfers, tasks and reservations';
  static override description =
    'One view of everything Flex hangs off an interaction. The API gives a participant no status: an agent\'s is its task\'s (assigned → active, wrapping → wrapup, completed or canceled → closed; pending or reserved → invited). Transfers are the invites whose task carries the transfer attributes (transferType, transferTo, transferFrom). Tasks and reservations come from TaskRouter.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> KD0123456789abcdef0123456789abcdef --json',
  ];

  static override args = {interaction: interactionArg};

  async run(): Promise<InteractionView> {
    const {args, flags} = await this.parse(InteractionsShow);
    const view = await showInteraction(await this.client(flags), args.interaction);
    for (const line of interactionText(view)) this.render.line(line);
    return view;
  }
}
