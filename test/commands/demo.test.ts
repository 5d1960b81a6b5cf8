import {expect} from 'chai';
import {runCli, spawnCli} from '../helpers/cli.js';

/** `flexconv demo`: the whole story on a throw-away embedded emulator, every step observed through the API. */
describe('commands: demo (the whole story on an embedded emulator)', function () {
  this.timeout(60_000);

  it('--json: the transcript of every part, each step with its SIDs, exit 0, nothing but warnings on stderr', async () => {
    const r = await runCli(['demo', '--json'], {timeout: 40_000});
    expect(r.exitCode, r.stderr).to.equal(0);
    const out = r.json();
    expect(out.emulator_url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.kept).to.equal(false);
    const parts = [...new Set(out.steps.map((s: {part: string}) => s.part))];
    expect(parts).to.deep.equal(['setup', 'inbound', 'invite', 'close', 'reminder', 'webchat']);
    const text = out.steps.map((s: {text: string}) => s.text).join('\n');
    expect(text).to.match(/Send to Flex made interaction KD[0-9a-f]{32} and task WT[0-9a-f]{32}/);
    expect(text).to.contain("the reply reaches +15551230001's phone (the outbox)");
    expect(text).to.match(/invites (alice|bob)/);
    expect(text).to.match(/leaves with wrap-up: task WT[0-9a-f]{32} is wrapping/);
    expect(text).to.match(/conversation CH[0-9a-f]{32} is closed/);
    expect(text).to.match(/the reply reaches Flex as task WT[0-9a-f]{32}, with the reminder and the reply/);
    expect(text).to.match(/Studio hands the chat to Flex as task WT[0-9a-f]{32}/);
    // three agents' acceptances: the customer's task, the invite, the web chat
    expect(out.steps.filter((s: {text: string}) => /accepts and joins the conversation/.test(s.text))).to.have.length(3);
    const inbound = out.steps.find((s: {sids?: {interaction?: string}}) => s.sids?.interaction);
    expect(inbound.sids.interaction).to.match(/^KD[0-9a-f]{32}$/);
    expect(out.seconds).to.be.a('number').and.below(30);
    expect(r.stderr).to.equal(''); // under --json stderr holds only warnings (the README's rule)
  });

  it('narrates each step readably on stderr (plain lines without a terminal) and says it is complete', async () => {
    const r = await runCli(['demo', '--no-color'], {timeout: 40_000});
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^→ emulator started at http:\/\/127\.0\.0\.1:\d+/m);
    expect(r.stderr).to.contain('a customer texts in…'); // the spinner's text, as a plain line
    expect(r.stderr).to.match(/^→ (alice|bob) accepts and joins the conversation$/m);
    expect(r.stderr).to.match(/✔ demo complete in \d+\.\d s: every step was observed through the API/);
  });

  it('--keep: the emulator stays up with the story\'s data for other commands, and Ctrl-C stops it (exit 0)', async () => {
    const run = await spawnCli(['demo', '--keep', '--no-color'], {ready: /flexconv simulate outbox --emulator-url \S+/, timeout: 40_000});
    try {
      const url = /keeps running at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output().stdout)?.[1];
      expect(url, run.output().stdout).to.be.a('string');
      const tasks = await runCli(['tasks', 'list', '--json', '--emulator-url', url!]);
      expect(tasks.exitCode, tasks.stderr).to.equal(0);
      expect(tasks.json().length).to.be.at.least(4);
      const show = /flexconv interactions show (KD[0-9a-f]{32})/.exec(run.output().stdout)?.[1];
      const view = await runCli(['interactions', 'show', show!, '--json', '--emulator-url', url!]);
      expect(view.exitCode, view.stderr).to.equal(0);
      expect(view.json().interaction.sid).to.equal(show);
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.exited).to.equal(0);
    expect(run.output().stderr).to.contain('emulator stopped');
  });

  it('a bad --port is a usage error before anything starts', async () => {
    const r = await runCli(['demo', '--port', '70000']);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.match(/port/i);
  });
});
