import {eachLimit, Flags} from '../../lib/command.js';
import {ageMs, confirmFlags} from '../../lib/cli/index.js';
import {webhooksFlag} from '../../lib/cli/conversations.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import {
  CONVERSATION_STATES,
  closeConversation,
  deleteConversation,
  participantWho,
  idleFor,
  pruneCandidates,
  type Conversation,
  type ConversationState,
} from '../../lib/flows/conversations.js';
import {usageError} from '../../lib/cli/index.js';
import {emulatorNow} from '../../lib/flows/simulate.js';
import {closeOrphan, findOrphans} from '../../lib/flows/interactions.js';


interface PruneResult {
  action: 'close' | 'delete';
  dry_run?: true;
  scanned: number;
  /** Each match as it is after the run (closed, or `deleted: true`); as found under --dry-run. */
  conversations: (Conversation & {matched_participant?: string; orphan_reasons?: string[]; closed_via?: 'channel' | 'conversation'; deleted?: true})[];
}

export default class ConversationsPrune extends ResourceCommand<PruneResult> {
  static override summary = 'Close (or delete) the conversations that match: state, age, address, participant';
  static override description = `Stuck conversations are the most common Flex pain: an open conversation holds the customer's address + proxy pair, so their next message lands in it (or a new participant add fails with 50416). This finds the ones that match every given criterion, shows them, and closes them (--delete: deletes them) after confirmation.

Default states: active and inactive (with --delete: closed too). --older-than compares with the last activity: the newest message, or the last change of the conversation, whichever is later (2h, 7d, PT30M). --address matches a participant's address or proxy address; --identity a chat participant. --dry-run lists the matches and changes nothing.

--orphans: the conversations \`flexconv conversations orphans\` finds (open with no open task, or no agent), closed through their interaction channel when they have one (so their tasks complete too), else directly (also when TaskRouter has deleted their ended tasks, which Twilio does after a while, so the interaction is no longer known).`;
  static override examples = [
    {description: 'What holds this customer\'s number?', command: '<%= config.bin %> <%= command.id %> --address +15551234567 --dry-run'},
    {description: 'Close everything idle for a day', command: '<%= config.bin %> <%= command.id %> --older-than 1d --yes'},
    {description: 'Close what Flex left behind (no open task or no agent)', command: '<%= config.bin %> <%= command.id %> --orphans --yes --json'},
    {description: 'Delete closed conversations older than a week, as JSON', command: '<%= config.bin %> <%= command.id %> --state closed --older-than 7d --delete --yes --json'},
  ];

  static override flags = {
    state: Flags.string({options: [...CONVERSATION_STATES], multiple: true, delimiter: ',', summary: 'Only conversations in these states.'}),
    'older-than': Flags.string({summary: 'Only those idle for this long (no message and no change): 30m, 2h, 7d or an ISO 8601 duration.'}),
    address: Flags.string({summary: 'Only those with a participant of this address or proxy address (+1555…, whatsapp:+1555…).'}),
    identity: Flags.string({summary: 'Only those with this chat participant identity.'}),
    delete: Flags.boolean({summary: 'Delete them (with their messages) instead of closing them.'}),
    orphans: Flags.boolean({summary: 'Only orphans (open, no open task or no agent); closed through their interaction channel.', exclusive: ['delete', 'address', 'identity']}),
    'scan-limit': Flags.integer({min: 1, default: 1000, summary: 'Look at no more than this many conversations per state.'}),
    concurrency: Flags.integer({min: 1, max: 20, default: 4, summary: 'Close (or delete) this many at a time (1–20; kept low: Twilio answers 429 past its concurrency limit).'}),
    ...confirmFlags,
    ...webhooksFlag,
  };

  async run(): Promise<PruneResult> {
    const {flags} = await this.parse(ConversationsPrune);
    const olderThanMs = flags['older-than'] === undefined ? undefined : ageMs('--older-than', flags['older-than']);
    const action = flags.delete ? 'delete' : 'close';
    const states = flags.state as ConversationState[] | undefined;
    if (action === 'close' && states?.includes('closed')) throw usageError('--state closed with close: those are closed already', ['add --delete to delete them']);
    const client = await this.client(flags);
    if (flags.orphans) {
      // ages count on the target's clock: the emulator's may run ahead (POST /_emulator/clock)
      const now = this.context?.target === 'emulator' ? await emulatorNow(await this.control(flags)) : new Date();
      return this.orphans(client, flags, {states, olderThanMs, now});
    }
    // ages count on the target's clock: the emulator's may run ahead (POST /_emulator/clock)
    const now = this.context?.target === 'emulator' && olderThanMs !== undefined ? await emulatorNow(await this.control(flags)) : new Date();
    const {candidates, scanned, more} = await pruneCandidates(client, {
      states: states ?? (action === 'delete' ? [...CONVERSATION_STATES] : undefined),
      olderThanMs,
      address: flags.address,
      identity: flags.identity,
      scanLimit: flags['scan-limit'],
      now,
    });
    const conversations: PruneResult['conversations'] = candidates.map((c) => ({...c.conversation, ...(c.participant ? {matched_participant: c.participant.sid} : {})}));
    if (more) this.render.warn(`looked at the first ${flags['scan-limit']} conversations of a state only; raise --scan-limit to see more`);
    if (candidates.length === 0) {
      this.render.info(`No conversation matches (looked at ${scanned})`);
      return {action, scanned, conversations, ...(flags['dry-run'] ? {dry_run: true as const} : {})};
    }
    this.render.table(candidates, [
      {key: 'sid', header: 'SID', get: (c) => c.conversation.sid},
      {key: 'state', header: 'STATE', get: (c) => c.conversation.state},
      {key: 'updated', header: 'UPDATED', get: (c) => c.conversation.date_updated},
      {key: 'name', header: 'NAME', get: (c) => c.conversation.friendly_name ?? c.conversation.unique_name},
      {key: 'matched', header: 'MATCHED', get: (c) => (c.participant ? participantWho(c.participant) : '')},
    ]);
    const what = `${candidates.length} conversation${candidates.length === 1 ? '' : 's'} (of ${scanned} looked at)`;
    const verb: [string, string] = action === 'delete' ? ['Delete', 'Deleted'] : ['Close', 'Closed'];
    const result: PruneResult = {action, scanned, conversations};
    return this.destructive(result, what, flags, () =>
      // a dry run shows one request, the first: nothing runs beside it
      // the result says what each one is now: closed as the API answered, or deleted
      eachLimit(candidates, flags['dry-run'] ? 1 : flags.concurrency, async (c, i) => {
        if (action === 'delete') {
          await deleteConversation(client, c.conversation.sid, {webhooks: flags.webhooks});
          conversations[i] = {...conversations[i], deleted: true};
        } else {
          const {conversation} = await closeConversation(client, c.conversation.sid, {current: c.conversation, webhooks: flags.webhooks});
          conversations[i] = {...conversation, ...(c.participant ? {matched_participant: c.participant.sid} : {})};
        }
      }), verb);
  }

  /** --orphans: the orphan finder's picks (aged by --older-than), each closed through its interaction channel when there is one. */
  private async orphans(
    client: Awaited<ReturnType<ConversationsPrune['client']>>,
    flags: {'dry-run'?: boolean; yes?: boolean; 'scan-limit': number},
    {states, olderThanMs, now}: {states?: ConversationState[]; olderThanMs?: number; now: Date},
  ): Promise<PruneResult> {
    const found = await findOrphans(client, {states, scanLimit: flags['scan-limit'], now});
    const picked: typeof found.orphans = [];
    for (const o of found.orphans) if (olderThanMs === undefined || (await idleFor(client, o.conversation, now, olderThanMs)) >= olderThanMs) picked.push(o);
    const conversations: PruneResult['conversations'] = picked.map((o) => ({...o.conversation, orphan_reasons: o.reasons}));
    const result: PruneResult = {action: 'close', scanned: found.scanned, conversations};
    if (!picked.length) {
      this.render.info(`No orphaned conversation matches (looked at ${found.scanned})`);
      return flags['dry-run'] ? {...result, dry_run: true} : result;
    }
    this.render.table(picked, [
      {key: 'sid', header: 'SID', get: (o) => o.conversation.sid},
      {key: 'state', header: 'STATE', get: (o) => o.conversation.state},
      {key: 'why', header: 'WHY', get: (o) => o.reasons.join(',')},
      {key: 'interaction', header: 'INTERACTION', get: (o) => o.interaction_sid ?? ''},
    ]);
    const what = `${picked.length} orphaned conversation${picked.length === 1 ? '' : 's'} (of ${found.scanned} looked at)`;
    return this.destructive(result, what, flags, async () => {
      for (const [i, o] of picked.entries()) conversations[i].closed_via = (await closeOrphan(client, o)).via;
    }, ['Close', 'Closed']);
  }
}
