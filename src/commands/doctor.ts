import {ApiCommand} from '../lib/command.js';
import {runDoctor, type Check, type DoctorReport} from '../lib/flows/doctor.js';

const MARK: Record<Check['status'], string> = {ok: '✔', warn: '!', fail: '✖', skip: '-'};

export default class Doctor extends ApiCommand<DoctorReport> {
  static override summary = 'Check the setup: Node, the project config, credentials, the emulator, the Flex setup, addresses, webhooks';
  static override description = `Runs every check and reports each with what was found and, when something is wrong, how to fix it: the Node.js version; the project config (file and line of a mistake); which credentials are in effect and where they come from, whether the API accepts them and what they may do; the emulator's reachability and version (target emulator); that the Flex setup the config names exists; addresses whose Studio flow or conversation service is missing, whose flow has no Send to Flex widget, or (on Twilio) whose number also has a Messaging webhook that would handle every message a second time; webhook URLs that do not answer.

Doctor changes nothing (webhook URLs get one HEAD request each). It exits 1 when a check fails (warnings do not), so CI can run it; --json prints every check.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'In CI: every check as JSON, exit 1 when one fails', command: '<%= config.bin %> <%= command.id %> --json'},
    {description: 'The production profile on Twilio', command: '<%= config.bin %> <%= command.id %> --profile prod --target twilio'},
  ];

  async run(): Promise<DoctorReport> {
    const {flags} = await this.parse(Doctor);
    // Credentials given on this command line are this run's input: a half pair or a bad region is
    // a usage error (exit 2), as on every command. From elsewhere, they are a finding of a check.
    const given = (['account-sid', 'auth-token', 'api-key', 'api-secret', 'region', 'edge'] as const).some((f) => flags[f] !== undefined);
    if (given) await this.resolve(flags);
    const report = await runDoctor({
      resolve: () => this.resolve(flags),
      connect: async () => this.client(flags),
      cwd: process.cwd(),
      version: this.config.version,
    });
    if (!this.jsonEnabled()) this.show(report);
    if (!report.ok) {
      if (this.jsonEnabled()) this.logJson(report);
      this.exit(1);
    }
    return report;
  }

  private show(r: DoctorReport): void {
    const colour = {ok: 'green', warn: 'yellow', fail: 'red', skip: 'dim'} as const;
    for (const c of r.checks) {
      this.render.line(`${this.render.style(colour[c.status], MARK[c.status])} ${c.title}: ${c.detail}`);
      for (const f of c.fix ?? []) this.render.line(`    ${this.render.style('cyan', '→')} ${f}`);
    }
    const {ok, warn, fail, skip} = r.counts;
    this.render.line();
    this.render.line(`${ok} ok, ${warn} warning${warn === 1 ? '' : 's'}, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
  }
}
