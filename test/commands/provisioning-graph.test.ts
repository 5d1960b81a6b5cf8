/**
 * The provisioning flow in process, with the real SDK against a real emulator (every response
 * checked against Twilio's OpenAPI specs by useEmulator): apply's dependency graph keeps to its
 * concurrency bound and uses it, starts a change only after what it names, and a failure skips
 * exactly what depends on it, transitively. Plus the loader's file references
 * (`configuration_file`, `definition_file`) relative to the resources file.
 */
import {expect} from 'chai';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {useEmulator} from '../helpers/emulator.js';
import {applyResources, loadResources, parseResources, planResources, type ApplyEvent} from '../../src/lib/flows/provisioning/index.js';
import type {TwilioClient} from '../../src/lib/twilio/client.js';

describe('provisioning flow: apply graph and loader (SDK against the emulator)', function () {
  this.timeout(60_000);
  const t = useEmulator();
  const client = () => t.client as unknown as TwilioClient;

  it('keeps to --concurrency and uses it; a change starts only after the changes of what it names', async () => {
    const yaml = [
      'activities:',
      '  - {friendly_name: Training, available: false}',
      'task_queues:',
      '  - {friendly_name: Graph queue, target_workers: "1==1"}',
      'workflows:',
      '  - friendly_name: Graph flow',
      '    configuration: {task_routing: {default_filter: {queue: Graph queue}}}',
      'workers:',
      '  - {friendly_name: graph-worker, activity: Training}',
      'addresses:',
      ...Array.from({length: 20}, (_, i) => `  - {type: chat, address: graph-${i}}`),
      '',
    ].join('\n');
    const file = await parseResources(yaml, 'graph.yaml');
    const {plan, state} = await planResources(client(), file, {});
    expect(plan.changes).to.have.length(24);
    let inFlight = 0;
    let most = 0;
    const events: string[] = [];
    const result = await applyResources(state, plan, {
      concurrency: 3,
      onEvent: (e: ApplyEvent) => {
        if (e.type === 'start') most = Math.max(most, ++inFlight);
        else if (e.type !== 'skipped') inFlight--;
        events.push(`${e.type} ${e.change.id}`);
      },
    });
    expect(result.failed, JSON.stringify(result.failed)).to.deep.equal([]);
    expect(result.done).to.have.length(24);
    expect(most).to.equal(3);
    const at = (e: string) => events.indexOf(e);
    expect(at('done task_queues:Graph queue')).to.be.lessThan(at('start workflows:Graph flow'));
    expect(at('done activities:Training')).to.be.lessThan(at('start workers:graph-worker'));
    // the worker got the activity created in the same run, by name
    const ws = state.ctx.ws!;
    const [w] = await t.client.taskrouter.v1.workspaces(ws).workers.list({friendlyName: 'graph-worker'});
    expect(w.activityName).to.equal('Training');
    const again = await planResources(client(), file, {});
    expect(again.plan.changes).to.deep.equal([]);
  });

  it('a failure skips what depends on it, transitively, and nothing else', async () => {
    const yaml = [
      'task_queues:',
      "  - {friendly_name: Refused queue, target_workers: 'skills HAS ('}",
      'workflows:',
      '  - friendly_name: After refused',
      '    configuration: {task_routing: {default_filter: {queue: Refused queue}}}',
      'workers:',
      '  - {friendly_name: independent-worker}',
      '',
    ].join('\n');
    const {plan, state} = await planResources(client(), await parseResources(yaml, 'fail.yaml'), {});
    // an edge from the worker to the workflow, to see the skip travel two steps (real API calls, a made-up order)
    plan.changes.find((c) => c.kind === 'workers')!.after.push('workflows:After refused');
    const extra = await parseResources('workers:\n  - {friendly_name: unrelated-worker}\n', 'extra.yaml');
    const other = await planResources(client(), extra, {});
    plan.changes.push(...other.plan.changes);
    const result = await applyResources(state, plan, {concurrency: 8});
    expect(result.failed.map((f) => [f.id, f.error.code])).to.deep.equal([['task_queues:Refused queue', 'INVALID_PARAMETER']]);
    expect(result.skipped.map((s) => [s.id, s.because])).to.deep.equal([
      ['workflows:After refused', 'it comes after task queue "Refused queue", which failed'],
      ['workers:independent-worker', 'it comes after workflow "After refused", which was skipped'],
    ]);
    expect(result.done.map((d) => d.id)).to.deep.equal(['workers:unrelated-worker']);
  });

  it('configuration_file and definition_file are read relative to the resources file; a missing one is named with its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-load-'));
    try {
      writeFileSync(join(dir, 'routing.json'), JSON.stringify({task_routing: {default_filter: {queue: 'Everyone'}}}));
      writeFileSync(join(dir, 'res.yaml'), 'workflows:\n  - friendly_name: From file\n    configuration_file: routing.json\nstudio_flows:\n  - friendly_name: Missing\n    definition_file: nope.json\n');
      const bad = await loadResources({file: join(dir, 'res.yaml')}).then(
        () => undefined,
        (e: Error & {code?: string}) => e,
      );
      expect(bad?.code).to.equal('RESOURCES_INVALID');
      expect(bad?.message).to.match(/res\.yaml:6:22: studio_flows\[0\]\.definition_file: cannot read \S*nope\.json \(ENOENT\)/);
      writeFileSync(join(dir, 'res.yaml'), 'workflows:\n  - friendly_name: From file\n    configuration_file: routing.json\n');
      const ok = await loadResources({file: join(dir, 'res.yaml')});
      expect(ok.kinds.workflows![0].entry).to.deep.equal({friendly_name: 'From file', configuration: {task_routing: {default_filter: {queue: 'Everyone'}}}});
      const {plan} = await planResources(client(), ok, {});
      expect(plan.changes.map((c) => [c.action, c.id])).to.deep.equal([['create', 'workflows:From file']]);
      // both forms at once: one of them only
      writeFileSync(join(dir, 'res.yaml'), 'workflows:\n  - friendly_name: Both\n    configuration_file: routing.json\n    configuration: {task_routing: {default_filter: {queue: Everyone}}}\n');
      const both = await loadResources({file: join(dir, 'res.yaml')}).catch((e: Error) => e);
      expect((both as Error).message).to.contain('res.yaml:2:5: workflows[0] must give exactly one of');
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
