import {Flags} from '../../lib/command.js';
import {CONVERSATION_STATES, type ConversationState} from '../../lib/flows/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {ageText, findOrphans, type Orphan} from '../../lib/flows/interactions.js';
import {emulatorNow} from '../../lib/flows/simulate.js';

interface OrphansResult {
  scanned: number;
  orphans: Orphan[];
}

export default class ConversationsOrphans extends ResourceCommand<OrphansResult> {
  static override summary = 'Find the conversations Flex left behind: open, with no open task or no agent';
  static override description = `The Flex best-practice traps: a conversation that is active or inactive while no task is open for it (a declined invite to a known worker, a task canceled through TaskRouter, a conversation made outside Flex) or whose task is assigned or wrapping while no agent is in the conversation. The customer's next message lands in it and nobody sees it. Shows each with its age and last message; close them with \`flexconv conversations prune --orphans\`.

A parked interaction (channel inactive) waits for the customer on purpose and is left out unless --include-parked.

Agents are recognised by their Flex identity (the worker's contact_uri without client:, or its name); tasks are read from the Flex Configuration's workspace.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --state active --json',
  ];

  static override flags = {
    state: Flags.string({options: CONVERSATION_STATES.filter((s) => s !== 'closed'), multiple: true, delimiter: ',', summary: 'Only conversations in these states (default: active and inactive).'}),
    'scan-limit': Flags.integer({min: 1, default: 1000, summary: 'Look at no more than this many conversations per state (and tasks).'}),
    'include-parked': Flags.boolean({summary: 'Count parked interactions too (channel inactive: they wait for the customer on purpose).'}),
  };

  async run(): Promise<OrphansResult> {
    const {flags} = await this.parse(ConversationsOrphans);
    const client = await this.client(flags);
    // ages count on the target's clock: the emulator's may run ahead
    const now = this.context?.target === 'emulator' ? await emulatorNow(await this.control(flags)) : new Date();
    const {orphans, scanned, more} = await findOrphans(client, {states: flags.state as ConversationState[] | undefined, scanLimit: flags['scan-limit'], includeParked: flags['include-parked'], now});
    if (more) this.render.warn(`looked at the first ${flags['scan-limit']} conversations of a state only; raise --scan-limit to see more`);
    if (!orphans.length) this.render.info(`No orphaned conversation (looked at ${scanned})`);
    else
      this.render.table(orphans, [
        {key: 'sid', header: 'SID', get: (o) => o.conversation.sid},
        {key: 'state', header: 'STATE', get: (o) => o.conversation.state},
        {key: 'why', header: 'WHY', get: (o) => o.reasons.join(',')},
        {key: 'age', header: 'AGE', get: (o) => ageText(o.age_seconds)},
        {key: 'interaction', header: 'INTERACTION', get: (o) => o.interaction_sid ?? ''},
        {key: 'last', header: 'LAST MESSAGE', get: (o) => (o.last_message ? `${o.last_message.author ?? '?'}: ${o.last_message.body ?? ''}` : '')},
      ]);
    return {scanned, orphans};
  }
}
