/**
 * What the Flex Interactions commands share (interactions *, outbound agent): the KD argument and
 * the optional UO/UT ones (told apart by their prefix, so `KD UT` works without the UO), the
 * --attributes / --wait / --timeout flags, columns, and the text of `interactions show`.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import {usageError} from '../errors.js';
import type {Column} from '../render/index.js';
import type {ChannelView, InteractionView, ParticipantRow} from '../flows/interactions.js';

export const interactionArg = Args.string({name: 'interaction', required: true, description: 'Interaction SID (KD…)'});
export const channelArg = Args.string({name: 'channel', required: false, description: 'Interaction Channel SID (UO…); default: its only open channel'});
export const participantArg = Args.string({name: 'participant', required: false, description: 'Channel Participant SID (UT…); default: the only active agent'});

/** The optional UO… and UT… arguments, in either slot (a UT alone is fine). */
export function channelAndParticipant(...values: (string | undefined)[]): {channel?: string; participant?: string} {
  const out: {channel?: string; participant?: string} = {};
  for (const v of values) {
    if (v === undefined) continue;
    const key = /^UO/i.test(v) ? 'channel' : /^UT/i.test(v) ? 'participant' : undefined;
    if (!key) throw usageError(`"${v}" is neither an Interaction Channel SID (UO…) nor a Channel Participant SID (UT…)`);
    if (out[key]) throw usageError(`Two ${key === 'channel' ? 'channel (UO…)' : 'participant (UT…)'} SIDs given: ${out[key]} and ${v}`);
    out[key] = v;
  }
  return out;
}

export const attributesFlag = {
  attributes: Flags.string({
    multiple: true,
    summary: 'Task attributes: a JSON object, or key=value pairs (repeatable; values that are JSON are taken as such).',
  }),
};

export const waitFlags = {
  wait: Flags.boolean({summary: 'Wait until the channel is active and the task exists (a spinner on a terminal).'}),
  timeout: Flags.integer({min: 1, default: 30, summary: 'Seconds --wait waits at most.'}),
};

export const PARTICIPANT_COLUMNS: Column<ParticipantRow>[] = [
  {key: 'sid', header: 'SID'},
  {key: 'type', header: 'TYPE'},
  {key: 'status', header: 'STATUS'},
  {key: 'worker_name', header: 'WORKER'},
  {key: 'task_sid', header: 'TASK'},
];
export const PARTICIPANT_EXTRA: Column<ParticipantRow>[] = [
  {key: 'worker_sid', header: 'WORKER SID'},
  {key: 'channel_sid', header: 'CHANNEL'},
  {key: 'routing_properties', header: 'ROUTING'},
];

const indent = (lines: string[]) => lines.map((l) => `    ${l}`);

function channelText(ch: ChannelView): string[] {
  const lines = [`Channel ${ch.sid}  ${ch.type}  ${ch.status}${ch.error_code ? `  error ${ch.error_code}: ${ch.error_message ?? ''}` : ''}`];
  lines.push('  Participants');
  if (!ch.participants.length) lines.push('    (none)');
  for (const p of ch.participants)
    lines.push(`    ${p.sid}  ${p.type.padEnd(8)} ${p.status.padEnd(7)}${p.worker_sid ? ` ${p.worker_name ?? 'worker'} (${p.worker_sid})` : ''}${p.task_sid ? ` task ${p.task_sid}` : ''}`);
  const open = ch.invites.filter((i) => i.pending);
  lines.push(`  Invites (${ch.invites.length}, ${open.length} pending)`);
  for (const i of ch.invites)
    lines.push(`    ${i.sid}  ${(i.task_status ?? '?').padEnd(9)} task ${i.task_sid ?? '?'}${i.worker_sid ? ` for worker ${i.worker_sid}` : ''}`);
  if (ch.transfers.length) {
    lines.push('  Transfers');
    for (const x of ch.transfers) lines.push(`    ${x.type.padEnd(4)} ${x.status.padEnd(9)} from ${x.from ?? '?'} to ${x.to ?? '?'} (invite ${x.invite_sid})`);
  }
  lines.push('  Tasks');
  if (!ch.tasks.length) lines.push('    (none)');
  for (const t of ch.tasks) {
    lines.push(`    ${t.sid}  ${t.assignment_status.padEnd(9)} ${t.task_queue_friendly_name ?? ''}  ${t.task_channel_unique_name ?? ''}  age ${t.age}s`);
    lines.push(...indent(t.reservations.map((r) => `  ${r.sid}  ${r.reservation_status.padEnd(9)} ${r.worker_name}`)));
  }
  return lines;
}

/** `interactions show` as text: the interaction, then each channel with what hangs off it. */
export function interactionText(v: InteractionView): string[] {
  const ch = v.interaction.channel ?? {};
  const lines = [
    `Interaction ${v.interaction.sid}  initiated by ${String((ch as Record<string, unknown>).initiated_by ?? '?')}${v.conversation_sid ? `  conversation ${v.conversation_sid}` : ''}`,
  ];
  for (const c of v.channels) lines.push('', ...channelText(c));
  return lines;
}
