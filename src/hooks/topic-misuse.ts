import type {Config} from '@oclif/core/interfaces';
import {failUsage, wantsJson} from './usage.js';

/** `flexconv TOPIC <flags or words> …` that names no command of TOPIC: the usage error (see ./init.ts). */
export function topicMisuse(config: Config, id: string, argv: string[]): never {
  const sep = config.topicSeparator;
  const bin = config.bin;
  const topic = id.replaceAll(':', sep);
  const json = wantsJson(argv);
  const verbs = config.commands
    .filter((c) => !c.hidden && c.id.startsWith(`${id}:`) && !c.id.slice(id.length + 1).includes(':'))
    .map((c) => c.id.slice(id.length + 1))
    .sort();
  // The command word, wherever it came: `addresses --type chat list` → list.
  const at = argv.findIndex((a) => !a.startsWith('-') && config.findCommand(`${id}:${a}`));
  if (at >= 0) {
    const before = argv.slice(0, at);
    const firstFlag = before.find((a) => a.startsWith('-')) ?? before[0];
    const rewritten = [bin, topic, argv[at], ...before, ...argv.slice(at + 1)].join(' ');
    failUsage(json, `Flags go after the command: "${firstFlag}" came before "${topic} ${argv[at]}"`, [`try \`${rewritten}\``]);
  }
  const first = argv[0];
  failUsage(
    json,
    first.startsWith('-')
      ? `"${bin} ${topic}" needs a command before its flags ("${first}")`
      : `"${bin} ${topic} ${first}" is not a ${bin} command`,
    [`${topic} commands: ${verbs.join(', ')}`, `see \`${bin} ${topic} --help\``],
  );
}
