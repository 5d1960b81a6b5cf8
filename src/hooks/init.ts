import type {Hook} from '@oclif/core';

/**
 * A topic followed by something that is not one of its commands (`flexconv addresses --json
 * list`, `flexconv emulator --detach start`): oclif would print the topic's help and exit 0, so a
 * script would read help text as its result. Make it the usage error (exit 2) that
 * `flexconv --json addresses list` gives, with the command rewritten. The topic alone
 * (`flexconv addresses`) and help flags still show the help.
 *
 * Runs before every command, so it imports nothing until it has something to say.
 */
const hook: Hook.Init = async function (opts) {
  const {id, argv, config} = opts;
  if (!id || argv.length === 0 || config.findCommand(id) || !config.findTopic(id)) return;
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')) return;
  const {topicMisuse} = await import('./topic-misuse.js');
  topicMisuse(config, id, argv);
};

export default hook;
