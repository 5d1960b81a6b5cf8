/**
 * --dry-run on every mutating command, through the one mechanism (the request layer): the
 * built CLI against an emulator started here that logs every request it gets. For each command
 * of the oclif manifest that changes something on the target, the test runs it with --dry-run
 * and checks: exit 0; the request it would have sent printed (method, URL, headers, form body,
 * the secret masked); and the emulator received no request but GETs. A new mutating command
 * fails here until it has an entry in ARGV (and so a dry run that works).
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';
import nock from 'nock';
import {runCli, runInProcess, ROOT, sandbox, assertBuilt, type CliResult} from '../helpers/cli.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';

/** Verbs that change something; commands of these verbs that talk to a target (have --target) must dry-run. */
const MUTATING = /^(create|update|delete|remove|add|set|close|send|accept|reject|complete|cancel|wrapup|prune|set-activity|inbound|replay|deploy|invite|transfer|agent|reminder|webchat|apply)$/;

interface Ids {
  ch: string;
  mb: string;
  im: string;
  wh: string;
  ig: string;
  ws: string;
  wk: string;
  wq: string;
  ww: string;
  pendingTask: string;
  assignedTask: string;
  pending: string;
  accepted: string;
  wd: string;
  workflowFile: string;
  fw: string;
  chat: string;
  kd: string;
  uo: string;
  ut: string;
  flowFile: string;
  resourcesFile: string;
}

/** The arguments each mutating command is dry-run with (real resources made in before()). */
const ARGV: Record<string, (i: Ids) => string[]> = {
  'addresses:create': () => ['--type', 'sms', '--address', '+15550001111', '--webhook-url', 'https://user:hunter2@example.com/hook'],
  'addresses:delete': () => ['+15550002222'],
  'addresses:update': () => ['+15550002222', '--friendly-name', 'renamed'],
  'conversations:close': (i) => [i.ch],
  'conversations:create': () => ['--friendly-name', 'Case 42'],
  'conversations:delete': (i) => [i.ch],
  'conversations:prune': () => [],
  'conversations:update': (i) => [i.ch, '--friendly-name', 'renamed'],
  'conversations:config:set': () => ['--inactive-timer', 'PT1H'],
  'conversations:participants:add': (i) => [i.ch, '--identity', 'bob'],
  'conversations:participants:remove': (i) => [i.ch, i.mb],
  'conversations:webhooks:add': (i) => [i.ch, '--url', 'https://example.com/hook', '--filters', 'onMessageAdded'],
  'conversations:webhooks:remove': (i) => [i.ch, i.wh],
  'messages:delete': (i) => [i.ch, i.im],
  'messages:send': (i) => [i.ch, '--body', 'hi & bye'],
  'queues:create': () => ['--friendly-name', 'Sales'],
  'queues:update': (i) => [i.wq, '--friendly-name', 'Renamed'],
  'reservations:accept': (i) => [i.pending, '--task', i.pendingTask],
  'reservations:complete': (i) => [i.accepted, '--task', i.assignedTask],
  'reservations:reject': (i) => [i.pending, '--task', i.pendingTask],
  'simulate:inbound': () => ['--from', '+15550003333', '--to', '+15550002222', '--body', 'hello'],
  'tasks:cancel': (i) => [i.pendingTask],
  'tasks:complete': (i) => [i.assignedTask],
  'tasks:create': () => ['--attributes', '{"type":"support"}'],
  'tasks:wrapup': (i) => [i.assignedTask],
  'webhooks:replay': (i) => [i.wd],
  'workers:create': () => ['--friendly-name', 'carol'],
  'workers:set-activity': (i) => [i.wk, 'Offline'],
  'workers:update': (i) => [i.wk, '--attributes', '{"skills":["x"]}'],
  'workflows:create': (i) => ['--friendly-name', 'Other', '--config', i.workflowFile],
  'workflows:update': (i) => [i.ww, '--friendly-name', 'Renamed'],
  'workspaces:create': () => ['--friendly-name', 'Sales'],
  'studio:deploy': (i) => [i.flowFile, '--publish'],
  'studio:delete': (i) => [i.fw, '--yes'],
  'interactions:create': () => ['--to', '+15550004444', '--from', '+15550002222', '--channel', 'sms'],
  'interactions:invite': (i) => [i.kd, '--worker', 'bob'],
  'interactions:transfer': (i) => [i.kd, i.uo, i.ut, '--to-worker', 'bob', '--cold', '--no-wait'],
  'interactions:participants:close': (i) => [i.kd, i.uo, i.ut, '--yes'],
  'interactions:close': (i) => [i.kd, '--yes'],
  'outbound:agent': () => ['--worker', 'alice', '--to', '+15550006666', '--from', '+15550002222', '--body', 'hi'],
  'outbound:reminder': (i) => ['--to', '+15550007777', '--from', '+15550002222', '--body', 'see you', '--flow', i.fw],
  'webchat:create': (i) => ['--address', i.chat],
  'simulate:webchat': (i) => ['--conversation', i.ch, '--identity', 'alice', '--body', 'typed'],
  apply: (i) => ['-f', i.resourcesFile],
};

function mutatingCommands(): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>}>};
  return Object.entries(manifest.commands)
    .filter(([id, c]) => MUTATING.test(id.split(':').pop()!) && 'target' in c.flags)
    .map(([id, c]) => {
      expect(c.flags, `${id} has no --dry-run`).to.have.property('dry-run');
      return id;
    })
    .sort();
}

describe('commands: --dry-run on every mutating command', function () {
  this.timeout(120_000);
  let emu: Emulator;
  const log: string[] = [];
  const box = sandbox('flexconv-dry-run-');
  let ids: Ids;
  const cli = (args: string[]): Promise<CliResult> => runCli(args, {env: {...box.env, FLEXCONV_EMULATOR_URL: emu.url}, cwd: box.cwd});

  before(async () => {
    assertBuilt();
    emu = await startEmulator({port: 0, db: ':memory:', clock: 'manual', log: (line) => log.push(line)});
    const tw = emu.twilio();
    const conv = tw.conversations.v1;
    const ch = await conv.conversations.create({friendlyName: 'Dry'});
    const mb = await conv.conversations(ch.sid).participants.create({identity: 'alice'});
    const im = await conv.conversations(ch.sid).messages.create({author: 'alice', body: 'hello'});
    // a webhook to a closed port: its delivery fails, and that delivery can be replayed
    const wh = await conv.conversations(ch.sid).webhooks.create({target: 'webhook', 'configuration.url': 'http://127.0.0.1:9/hook', 'configuration.filters': ['onMessageAdded']});
    await conv.conversations(ch.sid).messages.create({author: 'alice', body: 'again', xTwilioWebhookEnabled: 'true'});
    await emu.idle();
    const ig = await conv.addressConfigurations.create({type: 'sms', address: '+15550002222'});
    const tr = tw.taskrouter.v1;
    const [ws] = await tr.workspaces.list({friendlyName: 'Flex Task Assignment'});
    const available = (await tr.workspaces(ws.sid).activities.list({friendlyName: 'Available'}))[0];
    const [wq] = await tr.workspaces(ws.sid).taskQueues.list();
    const [ww] = await tr.workspaces(ws.sid).workflows.list();
    const wk = await tr.workspaces(ws.sid).workers.create({friendlyName: 'alice', activitySid: available.sid});
    const assigned = await tr.workspaces(ws.sid).tasks.create({attributes: '{}', workflowSid: ww.sid});
    const [first] = await tr.workspaces(ws.sid).tasks(assigned.sid).reservations.list();
    await tr.workspaces(ws.sid).tasks(assigned.sid).reservations(first.sid).update({reservationStatus: 'accepted'});
    // alice is busy now: bob gets the next offer
    await tr.workspaces(ws.sid).workers.create({friendlyName: 'bob', activitySid: available.sid});
    const pendingTask = await tr.workspaces(ws.sid).tasks.create({attributes: '{}', workflowSid: ww.sid});
    const [pending] = await tr.workspaces(ws.sid).tasks(pendingTask.sid).reservations.list();
    const definition = {
      description: 'dry',
      initial_state: 'Trigger',
      states: [
        {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'hi'}], properties: {}},
        {name: 'hi', type: 'send-message', transitions: [{event: 'sent'}, {event: 'failed'}], properties: {body: 'Hi'}},
      ],
    };
    const fw = await tw.studio.v2.flows.create({friendlyName: 'Dry flow', status: 'published', definition});
    const chat = await conv.addressConfigurations.create({type: 'chat', address: 'dry-chat', 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': fw.sid});
    // an agent-initiated interaction: carol's reservation is accepted at once and she is its agent
    const carol = await tr.workspaces(ws.sid).workers.create({friendlyName: 'carol', activitySid: available.sid, attributes: JSON.stringify({contact_uri: 'client:carol'})});
    const interaction = await tw.flexApi.v1.interaction.create({
      channel: {type: 'sms', initiated_by: 'agent', participants: [{address: '+15550005555', proxy_address: '+15550002222'}]},
      routing: {properties: {workspace_sid: ws.sid, workflow_sid: ww.sid, task_channel_unique_name: 'sms', worker_sid: carol.sid, queue_sid: wq.sid}},
    });
    const [uo] = await tw.flexApi.v1.interaction(interaction.sid).channels.list();
    const ut = (await tw.flexApi.v1.interaction(interaction.sid).channels(uo.sid).participants.list()).find((p) => p.type === 'agent')!;
    const deliveries = (await (await fetch(`${emu.url}/_emulator/webhooks?after=0`)).json()) as {webhooks: {delivery_sid: string}[]};
    ids = {
      ch: ch.sid,
      mb: mb.sid,
      im: im.sid,
      wh: wh.sid,
      ig: ig.sid,
      ws: ws.sid,
      wk: wk.sid,
      wq: wq.sid,
      ww: ww.sid,
      pendingTask: pendingTask.sid,
      assignedTask: assigned.sid,
      pending: pending.sid,
      accepted: first.sid,
      wd: deliveries.webhooks[0].delivery_sid,
      workflowFile: join(box.cwd, 'workflow.json'),
      fw: fw.sid,
      chat: chat.sid,
      kd: interaction.sid,
      uo: uo.sid,
      ut: ut.sid,
      flowFile: join(box.cwd, 'flow.json'),
      resourcesFile: join(box.cwd, 'resources.yaml'),
    };
    writeFileSync(ids.flowFile, JSON.stringify({...definition, description: 'dry deploy'}));
    writeFileSync(ids.resourcesFile, 'addresses:\n  - {type: chat, address: dry-provisioned}\n');
    writeFileSync(ids.workflowFile, JSON.stringify({task_routing: {filters: [], default_filter: {queue: wq.sid}}}));
  });
  after(async () => {
    await emu?.stop();
    box.cleanup();
  });

  it('the manifest lists the mutating commands, each with --dry-run, each with arguments here', () => {
    const ids = mutatingCommands();
    expect(ids.length).to.be.at.least(30);
    expect(ids.filter((id) => !ARGV[id]), 'add them to ARGV').to.deep.equal([]);
  });

  it('each one: exit 0, the request printed with its secret masked, nothing but GETs reached the emulator', async () => {
    for (const id of mutatingCommands()) {
      const args = [...id.split(':'), ...ARGV[id](ids), '--dry-run'];
      log.length = 0;
      const r = await cli(args);
      const what = `flexconv ${args.join(' ')}\n${r.stdout}${r.stderr}`;
      expect(r.exitCode, what).to.equal(0);
      const writes = log.filter((l) => !/^<-- \[\d+\] GET /.test(l));
      expect(writes, what).to.deep.equal([]);
      // METHOD URL, then headers; the credentials shown as the account with a masked secret
      const request = new RegExp(`^(POST|DELETE) ${emu.url.replace(/[.]/g, '\\.')}/\\S+$`, 'm');
      expect(r.stdout, what).to.match(request);
      expect(r.stdout, what).to.contain(`Authorization: Basic ${emu.accountSid}:****`);
      // (the emulator's documented token is a substring of its Account SID: look past the SID)
      expect((r.stdout + r.stderr).replaceAll(emu.accountSid, 'AC…'), what).not.to.contain(emu.authToken);
      expect(r.stderr, what).to.contain('Dry run');
    }
  });

  it('--json: {dry_run: true, request: {method, url, headers, body, form}} on stdout; form bodies exact, URL credentials masked', async () => {
    const r = await cli(['addresses', 'create', ...ARGV['addresses:create'](ids), '--dry-run', '--json']);
    expect(r.exitCode, r.stderr).to.equal(0);
    const out = r.json();
    expect(out.dry_run).to.equal(true);
    expect(out.request).to.include({method: 'POST', url: `${emu.url}/conversations/v1/Configuration/Addresses`});
    expect(out.request.headers).to.include({'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${emu.accountSid}:**** (base64-encoded when sent)`});
    expect(out.request.headers['User-Agent']).to.match(/ flexconv\/\d+\.\d+\.\d+/);
    expect(out.request.form).to.deep.include(['AutoCreation.WebhookUrl', 'https://user:****@example.com/hook']);
    expect(out.request.body).to.contain('Type=sms&Address=%2B15550001111').and.not.contain('hunter2');
    expect(JSON.stringify(out)).not.to.contain('hunter2');
  });

  it('a message body is shown as the SDK encodes it', async () => {
    const r = await cli(['messages', 'send', ids.ch, '--body', 'hi & bye', '--author', 'ops', '--dry-run', '--json']);
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.json().request.body).to.equal('Author=ops&Body=hi%20%26%20bye');
  });

  it('a destructive command keeps its own plan, adds the request to it, and asks nothing', async () => {
    const r = await cli(['conversations', 'close', ids.ch, '--dry-run', '--json']);
    expect(r.exitCode, r.stderr).to.equal(0);
    const out = r.json();
    expect(out).to.include({sid: ids.ch, dry_run: true});
    expect(out.request).to.include({method: 'POST', url: `${emu.url}/conversations/v1/Conversations/${ids.ch}`});
    expect(out.request.form).to.deep.equal([['State', 'closed']]);
  });
});

describe('commands: --dry-run on the real-Twilio path (nock, in process)', () => {
  const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
  const TOKEN = 'real-token-0123456789abcdef';
  const box = sandbox('flexconv-dry-run-twilio-');
  after(() => box.cleanup());

  it('prints the https://conversations.twilio.com request with the API key masked; nock sees nothing', async () => {
    const KEY = 'SK0123456789abcdef0123456789abcdef';
    const r = await runInProcess(['conversations', 'create', '--friendly-name', 'Case 42', '--target', 'twilio', '--dry-run'], {
      env: {...box.env, TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_KEY: KEY, TWILIO_API_SECRET: TOKEN, TWILIO_REGION: 'ie1', TWILIO_EDGE: 'dublin'},
    });
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(nock.pendingMocks()).to.deep.equal([]);
    const lines = r.stdout.split('\n');
    expect(lines[0]).to.equal('POST https://conversations.dublin.ie1.twilio.com/v1/Conversations');
    expect(lines).to.include(`Authorization: Basic ${KEY}:**** (base64-encoded when sent)`);
    expect(lines.at(-2)).to.equal('FriendlyName=Case%2042');
    expect(r.stdout + r.stderr).not.to.contain(TOKEN);
  });
});
