/**
 * The Flex flows through the CLI, end to end, on one emulator (a Flex account out of the box, on a
 * manual clock): the customer's side through `simulate inbound`, the agent's through
 * `reservations accept` and `messages send`, the supervisor's through `interactions …`. The tests
 * run in order and build on each other: an inbound interaction accepted by alice; a second agent
 * invited (refused while in or pending); a cold and a warm transfer (and a declined one); wrap-up
 * and close; park and unpark; the orphan traps (a declined invite to a known worker, a task
 * canceled through TaskRouter) found by `conversations orphans` and closed by `prune --orphans`.
 * The emulator's raw answers along the way are validated against twilio_flex_v1.json.
 */
import {expect} from 'chai';
import {spawn} from 'node:child_process';
import {BIN, cleanEnv, runCli, sandbox, type CliResult, type Sandbox} from '../helpers/cli.js';
import {expectValid} from '../helpers/oai.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';

let emu: Emulator;
let box: Sandbox;
const NUMBER = '+15005550006';
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

/** The emulator's raw answer for a Flex path, validated against the spec. */
async function flex(path: string): Promise<any> {
  const url = `${emu.url}/flex-api/v1${path}`;
  const res = await fetch(url, {headers: {Authorization: `Basic ${Buffer.from(`${emu.accountSid}:${emu.authToken}`).toString('base64')}`}});
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).to.equal(200);
  expectValid('GET', url, 200, body);
  return body;
}

let n = 0;
const customer = () => `+1555700${String(++n).padStart(4, '0')}`;

/** A customer writes; the conversation sid. */
async function inbound(from: string, body = 'Hi, my order is late'): Promise<string> {
  return (await ok('simulate', 'inbound', '--from', from, '--to', NUMBER, '--body', body)).conversation_sid;
}

/** The worker's pending offer. */
async function offer(worker: string): Promise<any> {
  const list = await ok('reservations', 'list', '--worker', worker, '--status', 'pending');
  expect(list, `pending offers of ${worker}`).to.have.length(1);
  return list[0];
}

/** A long-running CLI command (a transfer waiting for its answer), resolved once stderr matches `ready`. */
function background(args: string[], ready: RegExp): Promise<{done: Promise<CliResult>}> {
  const child = spawn(process.execPath, [BIN, ...args], {cwd: box.cwd, env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe']});
  const out = {stdout: '', stderr: ''};
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) =>
      resolve({exitCode: code ?? -1, signal: null, stdout: out.stdout, stderr: out.stderr, json: () => JSON.parse(out.stdout)}),
    ),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready: ${out.stderr}${out.stdout}`));
    }, 20_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      out.stderr += d;
      if (ready.test(out.stderr)) {
        clearTimeout(timer);
        resolve({done});
      }
    });
    void done.then((r) => {
      clearTimeout(timer);
      reject(new Error(`exited (${r.exitCode}) before it was ready: ${r.stderr}`));
    });
  });
}

const s: {workers: Record<string, string>; kd?: string; uo?: string; ch?: string; c1?: string; alice?: string; bob?: string; carol?: string} = {workers: {}};
const agentOf = (view: any, worker: string) => view.channels[0].participants.find((p: any) => p.type === 'agent' && p.worker_sid === s.workers[worker]);

describe('flexconv interactions (CLI against the emulator: the Flex flows end to end)', function () {
  this.timeout(120_000);

  before(async () => {
    box = sandbox('flexconv-interactions-');
    emu = await startEmulator({port: 0, db: ':memory:', clock: 'manual'});
    await ok('addresses', 'create', '--type', 'sms', '--address', NUMBER, '--auto-creation');
    for (const name of ['alice', 'bob', 'carol']) {
      const w = await ok('workers', 'create', '--friendly-name', name, '--attributes', JSON.stringify({contact_uri: `client:${name}`}), '--activity', name === 'alice' ? 'Available' : 'Unavailable');
      s.workers[name] = w.sid;
    }
  });
  after(async () => {
    await emu?.stop();
    box?.cleanup();
  });

  it('inbound: a customer writes, `interactions create --conversation --wait` routes it, alice accepts and joins, her reply reaches the customer', async () => {
    s.c1 = customer();
    s.ch = await inbound(s.c1);
    const r = await cli('interactions', 'create', '--conversation', s.ch, '--wait', '--attributes', 'language=en', '--attributes', '{"topic":"orders"}');
    expect(r.exitCode, r.stderr).to.equal(0);
    // off a terminal: one plain progress line, no spinner frames
    expect(r.stderr).to.match(/^Waiting for interaction KD[0-9a-f]{32} to be set up…$/m).and.not.match(/[⠋⠙⠹]/);
    const kd = /^Interaction\s+(KD[0-9a-f]{32})$/m.exec(r.stdout)?.[1];
    const uo = /^Channel\s+(UO[0-9a-f]{32})$/m.exec(r.stdout)?.[1];
    const wt = /^Task\s+(WT[0-9a-f]{32})$/m.exec(r.stdout)?.[1];
    expect(r.stdout).to.match(/^Channel status\s+active$/m).and.match(new RegExp(`^Conversation\\s+${s.ch}$`, 'm'));
    expect([kd, uo, wt].every(Boolean), r.stdout).to.equal(true);
    s.kd = kd;
    s.uo = uo;
    const interaction = await flex(`/Interactions/${kd}`);
    expect(interaction.channel).to.include({type: 'sms', initiated_by: 'customer'});
    const task = await ok('tasks', 'get', wt!);
    expect(JSON.parse(task.attributes)).to.include({language: 'en', topic: 'orders', conversationSid: s.ch, flexInteractionSid: kd, flexInteractionChannelSid: uo});
    expect(task.task_channel_unique_name).to.equal('sms');

    const r1 = await offer('alice');
    expect(r1.task_sid).to.equal(wt);
    await ok('reservations', 'accept', r1.sid, '--worker', 'alice');
    const view = await ok('interactions', 'show', kd!);
    expect(view.interaction.sid).to.equal(kd);
    expect(view.conversation_sid).to.equal(s.ch);
    const ch = view.channels[0];
    expect(ch).to.include({sid: uo, status: 'active', type: 'sms'});
    expect(ch.participants.map((p: any) => `${p.type}:${p.status}`)).to.deep.equal(['customer:active', 'agent:active']);
    s.alice = agentOf(view, 'alice').sid;
    expect(ch.tasks[0]).to.include({sid: wt, assignment_status: 'assigned'});
    expect(ch.tasks[0].reservations[0]).to.include({sid: r1.sid, reservation_status: 'accepted', worker_name: 'alice'});
    expect(ch.invites).to.have.length(1);
    expect((await flex(`/Interactions/${kd}/Channels/${uo}/Participants`)).participants).to.have.length(2);

    // the text view names the pieces
    const text = await cli('interactions', 'show', kd!);
    expect(text.stdout).to.match(new RegExp(`^Interaction ${kd}  initiated by customer  conversation ${s.ch}$`, 'm'));
    expect(text.stdout).to.match(new RegExp(`^    ${s.alice}  agent +active +alice \\(${s.workers.alice}\\) task ${wt}$`, 'm'));
    expect(text.stdout).to.match(new RegExp(`^      ${r1.sid}  accepted +alice$`, 'm'));

    // the agent's side: she writes as herself, the customer's phone gets it
    const sent = await ok('messages', 'send', s.ch, '--author', 'alice', '--body', 'Hello, this is Alice');
    expect(sent.author).to.equal('alice');
    const outbox = await ok('simulate', 'outbox', '--to', s.c1);
    expect(outbox.map((m: any) => m.body)).to.include('Hello, this is Alice');
    // the participants list: same view, as a table
    const list = await cli('interactions', 'participants', 'list', kd!, '--no-header', '--columns', 'type,status,worker_name,worker_sid');
    expect(list.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '))).to.deep.equal(['customer active', `agent active alice ${s.workers.alice}`]);
  });

  it('a second agent: invite refused while that worker is in or an invite is pending (REFUSED, exit 1); bob accepts and joins; bob leaves', async () => {
    expectError(await cli('interactions', 'invite', s.kd!, '--worker', 'alice'), 1, 'REFUSED', /worker WK[0-9a-f]{32} is in the conversation already/);
    await ok('workers', 'set-activity', 'bob', 'Available');
    const inv = await ok('interactions', 'invite', s.kd!, '--worker', 'bob', '--attributes', 'reason=second opinion');
    expect(inv.invite.sid).to.match(/^KG[0-9a-f]{32}$/);
    expect(inv.worker_sid).to.equal(s.workers.bob);
    const again = await cli('interactions', 'invite', s.kd!, '--worker', 'bob');
    expectError(again, 1, 'REFUSED', /still pending for worker/);
    expect(again.stderr).to.contain('invite anyway with --force');
    const invites = (await flex(`/Interactions/${s.kd}/Channels/${s.uo}/Invites`)).invites;
    expect(invites).to.have.length(2);

    const r = await offer('bob');
    expect(r.task_sid).to.equal(inv.task_sid);
    await ok('reservations', 'accept', r.sid, '--worker', 'bob');
    let view = await ok('interactions', 'show', s.kd!);
    const bob = agentOf(view, 'bob');
    expect(bob.status).to.equal('active');
    const members = await ok('conversations', 'participants', 'list', s.ch!);
    expect(members.map((m: any) => m.identity).filter(Boolean)).to.have.members(['alice', 'bob']);

    // bob leaves: his participant closed, his task completed; alice stays
    const closed = await ok('interactions', 'participants', 'close', s.kd!, bob.sid, '--yes');
    expect(closed).to.include({sid: bob.sid, status: 'closed'});
    expect((await ok('tasks', 'get', inv.task_sid)).assignment_status).to.equal('completed');
    view = await ok('interactions', 'show', s.kd!);
    expect(agentOf(view, 'alice').status).to.equal('active');
    expect((await ok('conversations', 'participants', 'list', s.ch!)).map((m: any) => m.identity).filter(Boolean)).to.deep.equal(['alice']);
    // closing him again changes nothing, with a warning
    const twice = await cli('interactions', 'participants', 'close', s.kd!, bob.sid, '--yes');
    expect(twice.exitCode, twice.stderr).to.equal(0);
    expect(twice.stderr).to.match(/^! Participant UT[0-9a-f]{32} is closed already; nothing changed$/m);
  });

  it('cold transfer alice → carol: the command waits; on carol\'s accept alice\'s participant is closed and her task completed', async () => {
    await ok('workers', 'set-activity', 'carol', 'Available');
    const waiting = await background(['interactions', 'transfer', s.kd!, '--to-worker', 'carol', '--cold'], /Waiting for WK[0-9a-f]{32} to accept the cold transfer/);
    const r = await offer('carol');
    // pending: the channel reads `transfer` (the emulator recognises the recipe's invite)
    expect((await ok('interactions', 'show', s.kd!)).channels[0].status).to.equal('transfer');
    const attrs = JSON.parse((await ok('tasks', 'get', r.task_sid)).attributes);
    // [unverified] the attribute names of Flex's transfer recipe; the emulator's Transfers resource writes the same
    expect(attrs).to.include({transferType: 'cold', transferTargetType: 'worker', transferTo: s.workers.carol, transferFrom: s.workers.alice, transferFromParticipantSid: s.alice, topic: 'orders'});
    await ok('reservations', 'accept', r.sid, '--worker', 'carol');
    const done = await waiting.done;
    expect(done.exitCode, done.stderr).to.equal(0);
    expect(done.stderr).to.match(/✔ Cold transfer done: WK[0-9a-f]{32} accepted, participant UT[0-9a-f]{32} closed/);
    const view = await ok('interactions', 'show', s.kd!);
    expect(view.channels[0].status).to.equal('active');
    expect(agentOf(view, 'alice').status).to.equal('closed');
    s.carol = agentOf(view, 'carol').sid;
    expect(agentOf(view, 'carol').status).to.equal('active');
    expect(view.channels[0].transfers).to.deep.include({invite_sid: view.channels[0].invites.at(-1).sid, task_sid: r.task_sid, type: 'cold', from: s.alice, from_worker_sid: s.workers.alice, to: s.workers.carol, status: 'completed'});
    const aliceTask = view.channels[0].tasks.find((t: any) => t.sid === agentOf(view, 'alice').task_sid);
    expect(aliceTask.assignment_status).to.equal('completed');
    expect((await ok('conversations', 'participants', 'list', s.ch!)).map((m: any) => m.identity).filter(Boolean)).to.deep.equal(['carol']);
  });

  it('warm transfer carol → alice: both stay; a declined transfer to bob leaves carol in place (TRANSFER_FAILED, exit 1)', async () => {
    const waiting = await background(['interactions', 'transfer', s.kd!, '--to-worker', 'alice', '--warm', '--json'], /Waiting for/);
    const r = await offer('alice');
    await ok('reservations', 'accept', r.sid, '--worker', 'alice');
    const done = await waiting.done;
    expect(done.exitCode, done.stderr).to.equal(0);
    expect(done.json()).to.include({type: 'warm', from: s.carol, to: s.workers.alice, status: 'completed', worker_sid: s.workers.alice, reservation_sid: r.sid});
    let view = await ok('interactions', 'show', s.kd!);
    expect(agentOf(view, 'carol').status).to.equal('active');
    const alice2 = view.channels[0].participants.filter((p: any) => p.worker_sid === s.workers.alice && p.status === 'active');
    expect(alice2).to.have.length(1);
    s.alice = alice2[0].sid;

    // two active agents: the transferring one must be named
    expectError(await cli('interactions', 'transfer', s.kd!, '--to-worker', 'bob', '--cold'), 2, 'USAGE', /2 active agents/);
    const declined = await background(['interactions', 'transfer', s.kd!, s.carol!, '--to-worker', 'bob', '--cold'], /Waiting for/);
    const rb = await offer('bob');
    await ok('reservations', 'reject', rb.sid, '--worker', 'bob');
    const failed = await declined.done;
    expect(failed.exitCode, failed.stderr).to.equal(1);
    expect(failed.stderr).to.match(/✖ TRANSFER_FAILED: WK[0-9a-f]{32} did not take the transfer \(task WT[0-9a-f]{32} canceled/);
    view = await ok('interactions', 'show', s.kd!);
    expect(view.channels[0].status).to.equal('active');
    expect(agentOf(view, 'carol').status).to.equal('active');
    expect(view.channels[0].transfers.map((x: any) => `${x.type}:${x.status}`)).to.deep.equal(['cold:completed', 'warm:completed', 'cold:failed']);
    // a transfer needs --cold or --warm, and a target
    expectError(await cli('interactions', 'transfer', s.kd!, '--to-worker', 'bob'), 2, 'USAGE', /--cold .* or --warm/);
    expectError(await cli('interactions', 'transfer', s.kd!, s.carol!, '--cold'), 2, 'USAGE', /--to-worker/);
  });

  it('wrap-up and close: alice wraps up (task wrapping), the channel closes (conversation closed, open tasks wrapping); closing again only warns', async () => {
    const wrap = await ok('interactions', 'participants', 'close', s.kd!, s.alice!, '--wrapup', '--yes');
    expect(wrap.status).to.equal('wrapup');
    let view = await ok('interactions', 'show', s.kd!);
    const aliceTask = agentOf(view, 'alice') && view.channels[0].participants.find((p: any) => p.sid === s.alice).task_sid;
    expect((await ok('tasks', 'get', aliceTask)).assignment_status).to.equal('wrapping');

    const dry = await cli('interactions', 'close', s.kd!, '--dry-run');
    expect(dry.exitCode).to.equal(0);
    expect(dry.stderr).to.contain(`Dry run: would close channel ${s.uo} of interaction ${s.kd}`);
    expect((await ok('conversations', 'get', s.ch!)).state).to.equal('active');
    // no terminal, no --yes: refused, nothing changed
    expectError(await cli('interactions', 'close', s.kd!), 2, 'USAGE', /confirmation/);

    const closed = await ok('interactions', 'close', s.kd!, '--yes');
    expect(closed).to.include({sid: s.uo, status: 'closed'});
    expect((await flex(`/Interactions/${s.kd}/Channels/${s.uo}`)).status).to.equal('closed');
    expect((await ok('conversations', 'get', s.ch!)).state).to.equal('closed');
    view = await ok('interactions', 'show', s.kd!);
    const carolTask = view.channels[0].participants.find((p: any) => p.sid === s.carol).task_sid;
    expect((await ok('tasks', 'get', carolTask)).assignment_status).to.equal('wrapping');
    expect(view.channels[0].participants.filter((p: any) => p.type === 'agent').every((p: any) => p.status === 'closed')).to.equal(true);
    for (const t of [aliceTask, carolTask]) expect((await ok('tasks', 'complete', t)).assignment_status).to.equal('completed');

    const again = await cli('interactions', 'close', s.kd!, '--yes');
    expect(again.exitCode).to.equal(0);
    expect(again.stderr).to.match(/^! Channel UO[0-9a-f]{32} of interaction KD[0-9a-f]{32} is closed already; nothing changed$/m);
    // inviting into a closed channel: the API's refusal, as it gave it
    expectError(await cli('interactions', 'invite', s.kd!, '--worker', 'bob'), 1, 'INVALID_PARAMETER', /twilio 20001.*closed/);
  });

  it('park and unpark: tasks completed, the conversation stays open for the customer; an invite brings an agent back', async () => {
    const c2 = customer();
    const ch = await inbound(c2);
    // known-agent routing of an inbound task: offered to carol only
    const created = await ok('interactions', 'create', '--conversation', ch, '--worker', 'carol', '--wait');
    expect(created.task_sid).to.match(/^WT/);
    const r = await offer('carol');
    await ok('reservations', 'accept', r.sid, '--worker', 'carol');
    const parked = await ok('interactions', 'close', created.interaction_sid, '--park', '--yes');
    expect(parked.status).to.equal('inactive');
    expect((await ok('tasks', 'get', created.task_sid)).assignment_status).to.equal('completed');
    expect((await ok('conversations', 'get', ch)).state).to.equal('active');
    // the customer writes again: the same conversation
    const back = await ok('simulate', 'inbound', '--from', c2, '--to', NUMBER, '--body', 'still there?');
    expect(back).to.include({conversation_sid: ch, created_conversation: false});
    // parked is waiting on purpose: not an orphan unless asked
    expect((await ok('conversations', 'orphans')).orphans.map((o: any) => o.conversation.sid)).not.to.include(ch);
    expect((await ok('conversations', 'orphans', '--include-parked')).orphans.map((o: any) => o.conversation.sid)).to.include(ch);
    // unpark: an invite for carol on the parked channel
    const inv = await ok('interactions', 'invite', created.interaction_sid, '--worker', 'carol');
    await ok('reservations', 'accept', (await offer('carol')).sid, '--worker', 'carol');
    const view = await ok('interactions', 'show', created.interaction_sid);
    expect(view.channels[0].status).to.equal('active');
    expect(view.channels[0].participants.filter((p: any) => p.status === 'active').map((p: any) => p.task_sid ?? 'customer')).to.deep.equal(['customer', inv.task_sid]);
    await ok('interactions', 'close', created.interaction_sid, '--complete', '--yes');
    expect((await ok('tasks', 'get', inv.task_sid)).assignment_status).to.equal('completed');
  });

  it('orphan traps: a declined invite to a known worker and a task canceled through TaskRouter leave open conversations nobody handles; `orphans` finds them, `prune --orphans` closes them through their channel', async () => {
    // trap 1: routed to bob only, bob declines → task canceled, conversation active with no agent
    const c3 = customer();
    const ch3 = await inbound(c3, 'anyone?');
    const i3 = await ok('interactions', 'create', '--conversation', ch3, '--worker', 'bob');
    await ok('reservations', 'reject', (await offer('bob')).sid, '--worker', 'bob');
    expect((await ok('tasks', 'get', i3.task_sid)).assignment_status).to.equal('canceled');
    expect((await ok('conversations', 'get', ch3)).state).to.equal('active');
    // trap 2: nobody available, the pending task canceled through TaskRouter (Flex says: don't)
    for (const w of ['alice', 'bob', 'carol']) await ok('workers', 'set-activity', w, 'Unavailable');
    const c4 = customer();
    const ch4 = await inbound(c4, 'hello?');
    const i4 = await ok('interactions', 'create', '--conversation', ch4, '--wait');
    expect((await ok('tasks', 'get', i4.task_sid)).assignment_status).to.equal('pending');
    // a waiting customer is not an orphan
    expect((await ok('conversations', 'orphans')).orphans.map((o: any) => o.conversation.sid)).not.to.include(ch4);
    await ok('tasks', 'cancel', i4.task_sid, '--yes');
    expect((await ok('conversations', 'get', ch4)).state).to.equal('active');

    emu.clock.advance(2 * 3600_000);
    const found = await ok('conversations', 'orphans');
    const byConv = new Map(found.orphans.map((o: any) => [o.conversation.sid, o]));
    expect([...byConv.keys()]).to.have.members([ch3, ch4]);
    expect(byConv.get(ch3)).to.deep.include({reasons: ['no_open_task', 'no_agent'], interaction_sid: i3.interaction_sid, channel_sid: i3.channel_sid, open_tasks: []});
    expect((byConv.get(ch3) as any).last_message).to.include({body: 'anyone?', author: c3});
    expect((byConv.get(ch4) as any).age_seconds).to.be.at.least(7200);
    const table = await cli('conversations', 'orphans');
    expect(table.stdout).to.match(new RegExp(`^${ch3}\\s+active\\s+no_open_task,no_agent\\s+2h00m\\s+${i3.interaction_sid}\\s+${c3.replace('+', '\\+')}: anyone\\?$`, 'm'));

    const dry = await ok('conversations', 'prune', '--orphans', '--dry-run');
    expect(dry).to.include({dry_run: true, action: 'close'});
    expect(dry.conversations.map((c: any) => c.sid)).to.have.members([ch3, ch4]);
    const pruned = await ok('conversations', 'prune', '--orphans', '--yes');
    expect(pruned.conversations.map((c: any) => c.closed_via)).to.deep.equal(['channel', 'channel']);
    for (const [c, i] of [[ch3, i3], [ch4, i4]]) {
      expect((await ok('conversations', 'get', c)).state).to.equal('closed');
      expect((await flex(`/Interactions/${i.interaction_sid}/Channels/${i.channel_sid}`)).status).to.equal('closed');
    }
    expect((await ok('conversations', 'orphans')).orphans).to.deep.equal([]);
    expectError(await cli('conversations', 'prune', '--orphans', '--delete'), 2, 'USAGE');
  });

  it('bad input: wrong-kind and malformed SIDs, bad JSON, missing pieces — one clear error, nothing sent where the CLI can tell', async () => {
    const wq = (await ok('queues', 'list'))[0].sid;
    expectError(await cli('interactions', 'create', '--to', '+15557000999', '--from', NUMBER, '--workflow', wq), 2, 'USAGE', /--workflow WQ[0-9a-f]{32} is a TaskQueue SID; --workflow takes a Workflow SID \(WW…\) or name/);
    expectError(await cli('interactions', 'create', '--to', '+15557000999'), 2, 'USAGE', /Give --conversation CH… .* or --to and --from/);
    expectError(await cli('interactions', 'create', '--conversation', 'CH123'), 2, 'USAGE', /--conversation "CH123" is not a Conversation SID/);
    expectError(await cli('interactions', 'create', '--to', '+15557000999', '--from', NUMBER, '--attributes', '{"a":'), 2, 'USAGE', /--attributes is not valid JSON/);
    expectError(await cli('interactions', 'create', '--to', '+15557000999', '--from', NUMBER, '--attributes', 'novalue'), 2, 'USAGE', /neither a JSON object nor key=value/);
    expectError(await cli('interactions', 'create', '--to', '+15557000999', '--from', NUMBER, '--channel', 'fax'), 2, 'USAGE', /fax/);
    // a conversation the account does not have: the API's 400, named
    expectError(await cli('interactions', 'create', '--conversation', `CH${'0'.repeat(32)}`, '--channel', 'sms'), 1, 'INVALID_PARAMETER', /media_channel_sid/);
    // without --channel its type is read from the conversation first: not found, said so
    expectError(await cli('interactions', 'create', '--conversation', `CH${'0'.repeat(32)}`), 1, 'NOT_FOUND', /No conversation matches/);
    expectError(await cli('interactions', 'show', 'KD42'), 2, 'USAGE', /not a Interaction SID|not an? Interaction SID/);
    expectError(await cli('interactions', 'show', `KD${'0'.repeat(32)}`), 1, 'NOT_FOUND', /No interaction KD0+/);
    expectError(await cli('interactions', 'show', `WT${'0'.repeat(32)}`), 2, 'USAGE', /is a Task SID/);
    expectError(await cli('interactions', 'invite', `KD${'0'.repeat(32)}`), 2, 'USAGE', /--worker .* or --queue/);
    expectError(await cli('interactions', 'participants', 'close', `KD${'0'.repeat(32)}`, 'XX1', '--yes'), 2, 'USAGE', /neither an Interaction Channel SID/);
    expectError(await cli('interactions', 'invite', s.kd!, '--worker', 'nobody'), 1, 'NOT_FOUND', /No worker is named "nobody"/);
  });
});
