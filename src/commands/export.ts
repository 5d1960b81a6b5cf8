import {writeFileSync} from 'node:fs';
import {Flags} from '../lib/command.js';
import {provisionWorkspaceFlag, ProvisionCommand} from '../lib/cli/provisioning.js';
import {exportResources} from '../lib/flows/provisioning/index.js';
import {usageError} from '../lib/errors.js';

export default class Export extends ProvisionCommand<Record<string, unknown>> {
  static override summary = 'Write a resources file (flexconv.yaml) from what the target has';
  static override description = `Every kind \`flexconv apply\` manages: the Conversations configuration and webhooks, address configurations, Studio flows, and the TaskRouter workspace's activities, task channels, queues, workflows and workers — named by natural key, never by SID, so the file can be applied to another account. A worker's activity (run-time state) is left out. Kinds the target cannot serve (an account without Studio) are left out with a warning. YAML on stdout, or --out FILE; --json prints the same document as JSON.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --out flexconv.yaml',
    '<%= config.bin %> <%= command.id %> --target twilio --workspace "Flex Task Assignment" > flexconv.yaml',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  static override flags = {
    ...provisionWorkspaceFlag,
    out: Flags.string({char: 'o', summary: 'Write the file here instead of stdout (replaced if it exists).'}),
  };

  async run(): Promise<Record<string, unknown>> {
    const {flags} = await this.parse(Export);
    const client = await this.client(flags);
    const {document, yaml, skipped} = await exportResources(client, {
      workspace: flags.workspace,
      configWorkspace: this.context?.workspace,
      header: [`flexconv resources, exported from ${this.target()}`, 'plan it with `flexconv plan -f FILE`; apply it to another account with `flexconv apply -f FILE`'],
    });
    for (const s of skipped) this.render.warn(`${s.kind} not exported: ${s.why}`);
    if (flags.out) {
      try {
        writeFileSync(flags.out, yaml);
      } catch (error) {
        throw usageError(`Cannot write --out ${flags.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      this.render.success(`Wrote ${flags.out} from ${this.target()}`);
    } else this.render.line(yaml.trimEnd());
    return document;
  }
}
