import type {Hook} from '@oclif/core';
import {closest} from '../lib/suggest.js';
import {failUsage as fail} from './usage.js';

/**
 * An unknown command or topic: say so, suggest the closest commands, exit 2 (usage error).
 * Never prompts, so scripts don't hang.
 */
const hook: Hook.CommandNotFound = async function (opts) {
  const sep = opts.config.topicSeparator;
  const typed = [opts.id.replaceAll(':', sep), ...(opts.argv ?? []).filter((a) => !a.startsWith('-'))].join(' ');
  const ids = [...new Set(opts.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', sep)))];
  const topics = [...new Set(opts.config.topics.map((t) => t.name.replaceAll(':', sep)))];
  const typedId = opts.id.replaceAll(':', sep);
  let suggestions = closest(typedId, [...new Set([...ids, ...topics])]);
  if (!suggestions.length) {
    // "adresses list" → compare word by word
    const first = typedId.split(sep)[0];
    suggestions = closest(first, topics).map((t) => t);
  }
  const argv = opts.argv ?? [];
  const json = opts.id === '--json' || argv.includes('--json');
  // `flexconv --json addresses list`: flags go after the command, as in every oclif CLI
  if (opts.id.startsWith('-')) {
    // the longest run of words that names a command: what came before it belongs to the flags
    let found: {at: number; end: number} | undefined;
    for (let at = 0; at < argv.length && !found; at++)
      for (let end = argv.length; end > at && !found; end--)
        if (ids.includes(argv.slice(at, end).join(sep))) found = {at, end};
    return fail(
      json,
      `Flags go after the command: "${opts.id}" came first`,
      found
        ? [`try \`${[opts.config.bin, ...argv.slice(found.at, found.end), opts.id, ...argv.slice(0, found.at), ...argv.slice(found.end)].join(' ')}\``]
        : [`see \`${opts.config.bin} --help\` for all commands`],
    );
  }
  const message = `"${opts.config.bin} ${typed}" is not a ${opts.config.bin} command`;
  const hints = [
    ...(suggestions.length ? [`did you mean ${suggestions.map((s) => `\`${opts.config.bin} ${s}\``).join(' or ')}?`] : []),
    `see \`${opts.config.bin} --help\` for all commands`,
  ];
  fail(json, message, hints);
};

export default hook;
