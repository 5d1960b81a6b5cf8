import {Help} from '@oclif/core/help';
import {failUsage, wantsJson} from './hooks/usage.js';
import {closest} from './lib/suggest.js';

/**
 * oclif's help, except for a subject that names nothing (`flexconv help nosuch`, `flexconv
 * nosuch --help`): the ✖ USAGE error with a did-you-mean that every other mistake gets, exit 2,
 * instead of oclif's bare "Command nosuch not found".
 */
export default class FlexconvHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    try {
      await super.showHelp(argv);
    } catch (error) {
      const m = /^Command (.+) not found\.?$/.exec((error as Error)?.message ?? '');
      if (!m) throw error;
      const sep = this.config.topicSeparator;
      const bin = this.config.bin;
      const typed = m[1].replaceAll(':', sep);
      const names = [
        ...new Set([...this.config.commands.filter((c) => !c.hidden).map((c) => c.id), ...this.config.topics.map((t) => t.name)]),
      ].map((n) => n.replaceAll(':', sep));
      const suggestions = closest(typed, names);
      failUsage(wantsJson(argv), `"${typed}" is not a ${bin} command or topic, so there is no help for it`, [
        ...(suggestions.length ? [`did you mean ${suggestions.map((s) => `\`${bin} help ${s}\``).join(' or ')}?`] : []),
        `see \`${bin} --help\` for all commands`,
      ]);
    }
  }
}
