/**
 * The TaskRouter commands (workspaces, activities, workers, queues, workflows, tasks,
 * reservations, taskrouter stats) as an ops person or a test plays the agent's side: the built
 * CLI as a child process against one emulator started here on a manual clock. The tests run in
 * order and build on each other: a workspace, a queue, a workflow from a YAML file, workers; a
 * task offered, accepted, wrapped up, completed; a rejection re-offered to another worker; a
 * reservation timing out as the clock advances; the statistics of that scenario; `stats --watch`
 * started, read and stopped with SIGINT. Bad input: one clear error line and the exit code of
 * ERROR_CODES, nothing sent where the CLI can tell.
 */
import {expect} from 'chai';
import {spawn} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {BIN, cleanEnv, runCli, sandbox, type CliResult, type Sandbox} from '../helpers/cli.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';

let emu: Emulator;
let box: Sandbox;
const env = () => ({...box.env, FLEXCONV_EMULATOR_URL: emu.url});
const cli = (...args: string[]): Promise<CliResult> => runCli(args, {env: env(), cwd: box.cwd});
async function ok(...args: string[]): Promise<any> {
  const r = await cli(...args, '--json');
  expect(r.exitCode, `${args.join(' ')}: ${r.stdout}${r.stderr}`).to.equal(0);
  return r.json();
}

/** Exit code, one `✖ CODE…` line first on stderr, nothing on stdout. */
function expectError(r: CliResult, exit: number, code: string, pattern?: RegExp): void {
  expect(r.exitCode, `${r.stdout}${r.stderr}`).to.equal(exit);
  expect(r.stdout).to.equal('');
  const first = r.stderr.split('\n')[0];
  expect(first).to.match(new RegExp(`^✖ ${code}( \\(twilio \\d+\\))?: `));
  if (pattern) expect(first).to.match(pattern);
}

/** The emulator's raw HTTP answer. */
async function wire(path: string): Promise<any> {
  const res = await fetch(emu.url + path, {headers: {Authorization: `Basic ${Buffer.from(`${emu.accountSid}:${emu.authToken}`).toString('base64')}`}});
  return res.json();
}

const state: {ws?: string; queue?: string; workflow?: string; alice?: string; bob?: string} = {};

describe('flexconv TaskRouter commands (CLI against the emulator)', function () {
  this.timeout(90_000);

  before(async () => {
    box = sandbox('flexconv-taskrouter-');
    emu = await startEmulator({port: 0, db: ':memory:', clock: 'manual', bare: true});
  });
  after(async () => {
    await emu?.stop();
    box?.cleanup();
  });

  it('no workspace yet: a command that needs one is a usage error that says how to create one', async () => {
    const r = await cli('workers', 'list');
    expectError(r, 2, 'USAGE', /no TaskRouter workspace yet/);
    expect(r.stderr).to.contain('flexconv workspaces create');
  });

  it('workspaces create → list → get (the only one is used without a flag); activities list', async () => {
    const ws = await ok('workspaces', 'create', '--friendly-name', 'Flex Task Assignment');
    expect(ws.sid).to.match(/^WS[0-9a-f]{32}$/);
    expect(ws).to.deep.equal(await wire(`/taskrouter/v1/Workspaces/${ws.sid}`));
    state.ws = ws.sid;
    expect((await ok('workspaces', 'list')).map((w: any) => w.sid)).to.deep.equal([ws.sid]);
    const got = await cli('workspaces', 'get');
    expect(got.exitCode, got.stderr).to.equal(0);
    expect(got.stdout).to.match(new RegExp(`^SID\\s+${ws.sid}$`, 'm')).and.match(/^Default activity\s+Offline$/m);
    const acts = await ok('activities', 'list');
    expect(acts.map((a: any) => a.friendly_name)).to.include.members(['Offline', 'Available', 'Unavailable']);
    const table = await cli('activities', 'list', '--available', '--columns', 'friendly_name,available', '--no-header');
    expect(table.stdout.trim()).to.equal('Available  true');
  });

  it('queues create/update/get by name; a malformed target expression is the API\'s 400 in one line, nothing created', async () => {
    const q = await ok('queues', 'create', '--friendly-name', 'Support', '--target-workers', 'skills HAS "support"');
    expect(q).to.include({friendly_name: 'Support', target_workers: 'skills HAS "support"'});
    state.queue = q.sid;
    const bad = await cli('queues', 'create', '--friendly-name', 'Broken', '--target-workers', 'skills HAS');
    expectError(bad, 1, 'INVALID_PARAMETER', /twilio 20001.*position/);
    expect(bad.stderr.split('\n').filter((l) => l.startsWith('✖'))).to.have.length(1);
    expect((await ok('queues', 'list')).map((x: any) => x.friendly_name)).to.deep.equal(['Support']);
    const updated = await ok('queues', 'update', 'support', '--max-reserved-workers', '1', '--task-order', 'FIFO');
    expect(updated.sid).to.equal(q.sid);
    expect((await ok('queues', 'get', 'Support')).sid).to.equal(q.sid);
    expectError(await cli('queues', 'get', 'Billing'), 1, 'NOT_FOUND', /No queue is named "Billing"; there are: Support/);
  });

  it('workflows create --config FILE (YAML, queue names → SIDs); bad files are refused with file:line before sending', async () => {
    const dir = join(box.cwd, 'wf');
    mkdirSync(dir, {recursive: true});
    const yaml = join(dir, 'workflow.yaml');
    writeFileSync(yaml, 'task_routing:\n  filters:\n    - filter_friendly_name: Support\n      expression: type == "support"\n      targets:\n        - queue: Support\n  default_filter:\n    queue: Support\n');
    const wf = await ok('workflows', 'create', '--friendly-name', 'Assign to Anyone', '--config', yaml, '--task-reservation-timeout', '30');
    expect(JSON.parse(wf.configuration).task_routing.filters[0].targets[0].queue).to.equal(state.queue);
    expect(wf.task_reservation_timeout).to.equal(30);
    state.workflow = wf.sid;

    const trailing = join(dir, 'bad.json');
    writeFileSync(trailing, '{"task_routing": {\n  "filters": [\n    {"targets": [{"queue": "Support",}]}]}}');
    expectError(await cli('workflows', 'create', '--friendly-name', 'Bad', '--config', trailing), 2, 'USAGE', /bad\.json:3:\d+: not valid JSON/);
    const shape = join(dir, 'shape.yaml');
    writeFileSync(shape, 'task_routing:\n  filters:\n    - expression: "1==1"\n      targets:\n        - priority: high\n');
    expectError(await cli('workflows', 'create', '--friendly-name', 'Bad', '--config', shape), 2, 'USAGE', /shape\.yaml:5:\d+: task_routing\.filters\[0\]\.targets\[0\]\.queue is missing/);
    const expr = join(dir, 'expr.json');
    writeFileSync(expr, JSON.stringify({task_routing: {filters: [{expression: 'type ==', targets: [{queue: 'Support'}]}]}}));
    expectError(await cli('workflows', 'create', '--friendly-name', 'Bad', '--config', expr), 1, 'INVALID_PARAMETER', /position/);
    expect((await ok('workflows', 'list')).map((w: any) => w.friendly_name)).to.deep.equal(['Assign to Anyone']);
    expect((await ok('workflows', 'get', 'Assign to Anyone')).sid).to.equal(wf.sid);
    const renamed = await ok('workflows', 'update', 'Assign to Anyone', '--task-reservation-timeout', '30', '--config', yaml);
    expect(renamed.sid).to.equal(wf.sid);
  });

  it('workers create/get/update/set-activity by name; non-JSON attributes are refused before sending', async () => {
    const alice = await ok('workers', 'create', '--friendly-name', 'alice', '--attributes', '{"skills":["support"]}');
    expect(alice).to.include({activity_name: 'Offline', available: false});
    state.alice = alice.sid;
    const bob = await ok('workers', 'create', '--friendly-name', 'bob', '--attributes', '{"skills":["support"]}', '--activity', 'Offline');
    state.bob = bob.sid;
    expectError(await cli('workers', 'create', '--friendly-name', 'carol', '--attributes', '{skills'), 2, 'USAGE', /--attributes is not valid JSON/);
    expectError(await cli('workers', 'create', '--friendly-name', 'carol', '--attributes', '[1]'), 2, 'USAGE', /must be a JSON object/);
    expect((await ok('workers', 'list')).map((w: any) => w.friendly_name).sort()).to.deep.equal(['alice', 'bob']);

    const on = await cli('workers', 'set-activity', 'alice', 'available');
    expect(on.exitCode, on.stderr).to.equal(0);
    expect(on.stderr).to.match(/alice is now Available \(available\)/);
    expect((await ok('workers', 'get', 'alice')).available).to.equal(true);
    expect((await ok('workers', 'list', '--activity', 'Available')).map((w: any) => w.friendly_name)).to.deep.equal(['alice']);
    expect((await ok('workers', 'list', '--queue', 'Support')).length).to.equal(2);
    expectError(await cli('workers', 'set-activity', 'alice', 'Lunch'), 1, 'NOT_FOUND', /No activity is named "Lunch"; there are: .*Available/);
    expectError(await cli('workers', 'get', 'WK0000000000000000000000000000000f'), 1, 'NOT_FOUND', /twilio 20404/);
    const upd = await ok('workers', 'update', 'bob', '--attributes', '{"skills":["support"],"level":2}');
    expect(JSON.parse(upd.attributes)).to.deep.equal({skills: ['support'], level: 2});
  });

  it('the agent\'s side: a task is offered to the available worker, accepted, wrapped up, completed', async () => {
    const task = await ok('tasks', 'create', '--attributes', '{"type":"support"}');
    expect(task).to.include({assignment_status: 'reserved', task_queue_sid: state.queue, workflow_sid: state.workflow});
    const offers = await ok('reservations', 'list', '--worker', 'alice', '--status', 'pending');
    expect(offers).to.have.length(1);
    expect(offers[0]).to.include({task_sid: task.sid, worker_sid: state.alice});
    const table = await cli('reservations', 'list', '--task', task.sid, '--no-header', '--columns', 'sid,reservation_status,worker_name');
    expect(table.stdout.trim()).to.match(new RegExp(`^${offers[0].sid}\\s+pending\\s+alice$`));

    // completing a task nobody accepted is an illegal state change
    expectError(await cli('tasks', 'complete', task.sid), 1, 'INVALID_PARAMETER', /reserved to completed/);
    const accepted = await ok('reservations', 'accept', offers[0].sid, '--worker', 'alice');
    expect(accepted.reservation_status).to.equal('accepted');
    expect((await ok('tasks', 'get', task.sid)).assignment_status).to.equal('assigned');
    expectError(await cli('reservations', 'accept', offers[0].sid, '--task', task.sid), 1, 'INVALID_PARAMETER', /accepted/);

    // stale If-Match: VERSION_MISMATCH, the task unchanged
    expectError(await cli('tasks', 'wrapup', task.sid, '--if-match', '0'), 1, 'VERSION_MISMATCH', /twilio 20412/);
    expect((await ok('tasks', 'get', task.sid)).assignment_status).to.equal('assigned');
    const wrapping = await ok('tasks', 'wrapup', task.sid, '--reason', 'conversation over');
    expect(wrapping).to.include({assignment_status: 'wrapping'});
    const done = await ok('tasks', 'complete', task.sid, '--reason', 'resolved');
    expect(done).to.include({assignment_status: 'completed', reason: 'resolved'});
    expect((await ok('tasks', 'list', '--status', 'completed')).map((t: any) => t.sid)).to.include(task.sid);
  });

  it('reject → the task is re-offered to the next worker, never to the one who rejected', async () => {
    await ok('workers', 'set-activity', 'bob', 'Available');
    const task = await ok('tasks', 'create', '--attributes', '{"type":"support"}', '--workflow', 'Assign to Anyone');
    const [first] = await ok('reservations', 'list', '--task', task.sid);
    const firstWorker = first.worker_name;
    // without --task/--worker: found among the live tasks
    const rejected = await ok('reservations', 'reject', first.sid);
    expect(rejected.reservation_status).to.equal('rejected');
    const all = await ok('reservations', 'list', '--task', task.sid);
    const pending = all.filter((r: any) => r.reservation_status === 'pending');
    expect(pending).to.have.length(1);
    expect(pending[0].worker_name).to.not.equal(firstWorker);
    const r = await cli('reservations', 'complete', pending[0].sid, '--task', task.sid);
    expectError(r, 1, 'INVALID_PARAMETER');
    await ok('reservations', 'accept', pending[0].sid, '--task', task.sid);
    const completed = await ok('reservations', 'complete', pending[0].sid, '--task', task.sid);
    expect(completed.reservation_status).to.equal('completed');
    expect((await ok('tasks', 'get', task.sid)).assignment_status).to.equal('completed');
  });

  it('a reservation times out when the clock passes the workflow\'s reservation timeout; stats count the scenario', async () => {
    await ok('workers', 'set-activity', 'bob', 'Offline');
    const task = await ok('tasks', 'create', '--attributes', '{"type":"support"}', '--priority', '5');
    const [offer] = await ok('reservations', 'list', '--task', task.sid);
    expect(offer.worker_name).to.equal('alice');
    await emu.clock.advance(31_000);
    const [after] = await ok('reservations', 'list', '--task', task.sid);
    expect(after.reservation_status).to.equal('timeout');
    expectError(await cli('reservations', 'accept', offer.sid, '--task', task.sid), 1, 'INVALID_PARAMETER', /timeout/);
    // alice went to the timeout activity (Offline): nobody is available, the task waits
    expect((await ok('tasks', 'get', task.sid)).assignment_status).to.equal('pending');
    const waiting = await ok('tasks', 'create', '--attributes', '{"type":"support"}');
    await emu.clock.advance(10_000);

    const view = await ok('taskrouter', 'stats', '--minutes', '60');
    expect(view.workspace_sid).to.equal(state.ws);
    expect(view.realtime.tasks_by_status).to.include({pending: 2, reserved: 0, assigned: 0, wrapping: 0});
    expect(view.realtime.longest_task_waiting_sid).to.equal(task.sid);
    expect(view.realtime.longest_task_waiting_age).to.equal(41);
    expect(view.cumulative).to.include({reservations_accepted: 2, reservations_rejected: 1, reservations_timed_out: 1, tasks_completed: 2});
    expect(view.queues.map((q: any) => [q.friendly_name, q.realtime.tasks_by_status.pending])).to.deep.equal([['Support', 2]]);

    const human = await cli('taskrouter', 'stats', '--minutes', '60');
    expect(human.exitCode, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/^Tasks\s+pending 2 · reserved 0 · assigned 0 · wrapping 0 {2}\(total 2\)$/m);
    expect(human.stdout).to.match(new RegExp(`^Longest wait\\s+41s \\(${task.sid}\\)$`, 'm'));
    expect(human.stdout).to.match(/^Workers\s+2: Offline 2 · Available 0 · Unavailable 0$/m);
    expect(human.stdout).to.match(/^Reservations\s+accepted 2 · rejected 1 · timed out 1 · canceled 0$/m);
    expect(human.stdout).to.match(/^Support\s+2\s+0\s+0\s+0\s+41s\s+0\/2$/m);
    const queue = await ok('taskrouter', 'stats', '--queue', 'Support');
    expect(queue).to.include({task_queue_sid: state.queue, task_queue_name: 'Support'});
    expect(queue.realtime.total_eligible_workers).to.equal(2);

    // cancel the waiting ones (asks first: --yes); canceling again changes nothing
    expect((await ok('tasks', 'cancel', waiting.sid, '--dry-run')).dry_run).to.equal(true);
    expect((await ok('tasks', 'cancel', waiting.sid, '--yes', '--reason', 'test'))).to.include({assignment_status: 'canceled', reason: 'test'});
    const again = await cli('tasks', 'cancel', waiting.sid, '--yes');
    expect(again.exitCode).to.equal(0);
    expect(again.stderr).to.contain('canceled already');
    const noYes = await cli('tasks', 'cancel', task.sid);
    expectError(noYes, 2, 'USAGE', /confirmation/);
  });

  it('taskrouter stats --watch refreshes until SIGINT (one view after the other off a terminal)', async () => {
    const child = spawn(process.execPath, [BIN, 'taskrouter', 'stats', '--watch', '--interval', '1'], {env: cleanEnv(env()), cwd: box.cwd, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const waitFor = async (re: RegExp, ms = 15_000) => {
      const deadline = Date.now() + ms;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`no ${re} within ${ms} ms: ${out}${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(/pending 1 · reserved 0/);
      await ok('tasks', 'create', '--attributes', '{"type":"support"}');
      await waitFor(/pending 2 · reserved 0/);
      expect(out.match(/^Workspace Flex Task Assignment/gm)!.length).to.be.at.least(2);
      expect(out).to.not.contain('\x1b[');
      expect(err).to.contain('Ctrl-C to stop');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).to.equal(0);
  });

  it('tasks create --worker / --queue route directly; reservations list without --worker/--task lists every worker\'s', async () => {
    // both workers are Offline: a task routed to bob is his at once (IgnoreCapacity defaults to true)
    const toBob = await ok('tasks', 'create', '--worker', 'bob', '--attributes', '{"type":"callback"}');
    expect(toBob).to.include({assignment_status: 'reserved', routing_target: state.bob, workflow_sid: null});
    const toAlice = await ok('tasks', 'create', '--worker', 'alice', '--respect-capacity');
    expect(toAlice).to.include({assignment_status: 'pending', routing_target: state.alice, ignore_capacity: false});
    const toQueue = await ok('tasks', 'create', '--queue', 'Support');
    expect(toQueue).to.include({assignment_status: 'pending', task_queue_sid: state.queue, workflow_sid: null});
    expectError(await cli('tasks', 'create', '--worker', 'alice', '--queue', 'Support'), 2, 'USAGE', /--queue|--worker/);
    expectError(await cli('tasks', 'create', '--respect-capacity'), 2, 'USAGE', /--worker/);
    expectError(await cli('tasks', 'create', '--worker', 'carol'), 1, 'NOT_FOUND', /No worker is named "carol"/);

    await ok('workers', 'set-activity', 'alice', 'Available');
    // across workers: bob's offer and alice's (the task routed to her comes before the queue's);
    // both made in the same second of the manual clock (the nock test checks the date order)
    const byWorker = (rows: string[][]) => rows.sort((a, b) => a[1].localeCompare(b[1]));
    const pending = await ok('reservations', 'list', '--status', 'pending');
    expect(byWorker(pending.map((r: any) => [r.task_sid, r.worker_name]))).to.deep.equal([[toAlice.sid, 'alice'], [toBob.sid, 'bob']]);
    const table = await cli('reservations', 'list', '--status', 'pending', '--no-header', '--columns', 'task_sid,worker_name');
    expect(table.exitCode, table.stderr).to.equal(0);
    expect(byWorker(table.stdout.trim().split('\n').map((l) => l.split(/\s+/)))).to.deep.equal([[toAlice.sid, 'alice'], [toBob.sid, 'bob']]);
    expect((await ok('reservations', 'list', '--limit', '1')).length).to.equal(1);
    const help = await cli('reservations', 'list', '--help');
    expect(help.stdout).to.contain('Without --worker or --task, every worker\'s reservations are listed');
  });

  it('several workspaces and none named: a usage error listing them; --workspace, FLEXCONV_WORKSPACE and the project config pick one', async () => {
    const other = await ok('workspaces', 'create', '--friendly-name', 'Sales');
    const r = await cli('queues', 'list');
    expectError(r, 2, 'USAGE', /2 workspaces exist and none is named: .*Flex Task Assignment \(WS.*Sales \(WS/);
    expect(r.stderr).to.contain('--workspace');
    expect((await ok('queues', 'list', '--workspace', 'Flex Task Assignment')).map((q: any) => q.sid)).to.deep.equal([state.queue]);
    expect(await ok('queues', 'list', '-w', other.sid)).to.deep.equal([]);
    const byEnv = await runCli(['queues', 'list', '--json'], {env: {...env(), FLEXCONV_WORKSPACE: 'Sales'}, cwd: box.cwd});
    expect(byEnv.json()).to.deep.equal([]);
    const project = join(box.root, 'with-config');
    mkdirSync(project, {recursive: true});
    writeFileSync(join(project, 'flexconv.config.yaml'), 'workspace: Flex Task Assignment\n');
    const byConfig = await runCli(['queues', 'list', '--json'], {env: env(), cwd: project});
    expect(byConfig.exitCode, byConfig.stdout + byConfig.stderr).to.equal(0);
    expect(byConfig.json().map((q: any) => q.sid)).to.deep.equal([state.queue]);
    expectError(await cli('queues', 'list', '--workspace', 'Nope'), 1, 'NOT_FOUND', /No workspace is named "Nope"/);
  });
});
