/**
 * `flexconv webchat create` and `flexconv simulate webchat` end to end on the emulator: a chat
 * address handed to a SendToFlex flow, a guest starts a webchat (conversation, identity, and an
 * access token whose signature checks out against the account's API key), types, the flow runs
 * and the task reaches an agent who accepts and answers; the guest's token grants the
 * conversation's service. Bad input: a clear error and nothing made.
 */
import {expect} from 'chai';
import {createHmac} from 'node:crypto';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {runCli, sandbox, type CliResult, type Sandbox} from '../helpers/cli.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';
import {DEFAULT_ACCOUNT} from '../../src/lib/emulator/defaults.js';

let emu: Emulator;
let box: Sandbox;
const env = () => ({...box.env, FLEXCONV_EMULATOR_URL: emu.url});
const cli = (...args: string[]): Promise<CliResult> => runCli(args, {env: env(), cwd: box.cwd});
async function ok(...args: string[]): Promise<any> {
  const r = await cli(...args, '--json');
  expect(r.exitCode, `${args.join(' ')}: ${r.stdout}${r.stderr}`).to.equal(0);
  return r.json();
}

/** The JWT's payload, after checking its HS256 signature with `secret`. */
function verify(jwt: string, secret: string): any {
  const [h, p, sig] = jwt.split('.');
  expect(createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url'), 'signature').to.equal(sig);
  return JSON.parse(Buffer.from(p, 'base64url').toString());
}

const s: {flow?: string; chat?: any} = {};

describe('flexconv webchat (CLI against the emulator): a guest through Studio to an agent', function () {
  this.timeout(90_000);

  before(async () => {
    box = sandbox('flexconv-webchat-');
    emu = await startEmulator({port: 0, db: ':memory:', clock: 'manual'});
    const workflow = (await ok('workflows', 'list'))[0].sid;
    const path = join(box.cwd, 'chat-flow.json');
    writeFileSync(path, JSON.stringify({
      description: 'Webchat Flow',
      initial_state: 'Trigger',
      states: [
        {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'SendToAgent'}], properties: {}},
        {name: 'SendToAgent', type: 'send-to-flex', transitions: [{event: 'callComplete'}], properties: {workflow, channel: 'chat', attributes: '{"name": "{{trigger.conversation.ChannelAttributes.pre_engagement_data.friendlyName}}", "channelType": "web"}'}},
      ],
    }));
    s.flow = (await ok('studio', 'deploy', path, '--publish')).flow.sid;
    await ok('addresses', 'create', '--type', 'chat', '--address', 'site-chat', '--friendly-name', 'Website', '--auto-creation-type', 'studio', '--studio-flow', s.flow);
    await ok('workers', 'create', '--friendly-name', 'carol', '--attributes', '{"contact_uri":"client:carol"}', '--activity', 'Available');
  });
  after(async () => {
    await emu?.stop();
    box?.cleanup();
  });

  it('webchat create --address NAME: the conversation, the guest as its chat participant, and a token for that identity on its service', async () => {
    const r = await cli('webchat', 'create', '--address', 'Website', '--name', 'Ada', '--pre-engagement', '{"friendlyName":"Ada","question":"Where is my order?"}', '--ttl', '900');
    expect(r.exitCode, r.stderr).to.equal(0);
    const conv = /^Conversation\s+(CH[0-9a-f]{32})$/m.exec(r.stdout)?.[1];
    const identity = /^Identity\s+(\S+)$/m.exec(r.stdout)?.[1];
    const token = /^Token\s+(\S+)$/m.exec(r.stdout)?.[1];
    expect(conv && identity && token, r.stdout).to.be.a('string');
    expect(r.stderr).to.contain(`Type as the guest: \`flexconv simulate webchat --conversation ${conv} --body "Hi"\``);
    const c = await ok('conversations', 'get', conv!);
    const payload = verify(token!, DEFAULT_ACCOUNT.apiSecret);
    expect(payload).to.include({iss: DEFAULT_ACCOUNT.apiKey, sub: emu.accountSid});
    expect(payload.grants).to.deep.equal({identity, chat: {service_sid: c.chat_service_sid}});
    expect(payload.exp - payload.iat).to.equal(900);
    const people = await ok('conversations', 'participants', 'list', conv!);
    expect(people.map((p: any) => p.identity)).to.deep.equal([identity]);
    s.chat = {conversation_sid: conv, identity};
  });

  it('with --api-key/--api-secret the CLI signs the token itself with that key (--json: the whole result)', async () => {
    const chat = await ok('webchat', 'create', '--address', 'site-chat', '--identity', 'guest-bo', '--account-sid', emu.accountSid, '--api-key', DEFAULT_ACCOUNT.apiKey, '--api-secret', DEFAULT_ACCOUNT.apiSecret);
    expect(chat).to.include({identity: 'guest-bo', address: 'site-chat'});
    expect(chat.conversation_sid).to.match(/^CH[0-9a-f]{32}$/);
    const payload = verify(chat.token, DEFAULT_ACCOUNT.apiSecret);
    expect(payload.grants.identity).to.equal('guest-bo');
    expect(chat.token_expires).to.equal(new Date(payload.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });

  it('the guest types: the flow runs, the chat task reaches carol, she accepts and answers; the guest sees it in the conversation', async () => {
    const said = await ok('simulate', 'webchat', '--conversation', s.chat.conversation_sid, '--body', 'Where is my order?');
    expect(said).to.include({author: s.chat.identity, guest_identity: s.chat.identity, body: 'Where is my order?'});
    const executions = await ok('studio', 'executions', 'list', s.flow!);
    expect(executions.map((e: any) => e.contact_channel_address)).to.include(s.chat.identity);
    const [task] = (await ok('tasks', 'list')).filter((t: any) => JSON.parse(t.attributes).conversationSid === s.chat.conversation_sid);
    expect(task, 'a task for the webchat').to.be.an('object');
    expect(task.task_channel_unique_name).to.equal('chat');
    expect(JSON.parse(task.attributes)).to.include({name: 'Ada'});
    const [offer] = await ok('reservations', 'list', '--worker', 'carol', '--status', 'pending');
    expect(offer.task_sid).to.equal(task.sid);
    await ok('reservations', 'accept', offer.sid, '--worker', 'carol');
    await ok('messages', 'send', s.chat.conversation_sid, '--author', 'carol', '--body', 'It ships today');
    const messages = await ok('messages', 'list', s.chat.conversation_sid);
    expect(messages.map((m: any) => [m.author, m.body])).to.deep.equal([
      [s.chat.identity, 'Where is my order?'],
      ['carol', 'It ships today'],
    ]);
    // the guest again (the first to join, not carol), a second message in the same conversation: no new execution
    const again = await ok('simulate', 'webchat', '--conversation', s.chat.conversation_sid, '--body', 'Thanks!');
    expect(again.author).to.equal(s.chat.identity);
    expect((await ok('studio', 'executions', 'list', s.flow!)).filter((e: any) => e.contact_channel_address === s.chat.identity)).to.have.length(1);
  });

  it('bad input: an SMS address, an unknown name, a pre-engagement that is no object, a conversation without a guest', async () => {
    await ok('addresses', 'create', '--type', 'sms', '--address', '+15005557201');
    const sms = await cli('webchat', 'create', '--address', '+15005557201');
    expect(sms.exitCode).to.equal(1);
    expect(sms.stderr.split('\n')[0]).to.equal('✖ NOT_FOUND: No chat address is named "+15005557201" (looked up as the address and the friendly name)');
    const unknown = await cli('webchat', 'create', '--address', 'IG00000000000000000000000000000000');
    expect(unknown.exitCode).to.equal(1);
    expect(unknown.stderr.split('\n')[0]).to.match(/^✖ NOT_FOUND \(twilio 20404\): No address configuration matches "IG0{32}"/);
    const notObject = await cli('webchat', 'create', '--address', 'site-chat', '--pre-engagement', '"Ada"');
    expect(notObject.exitCode).to.equal(2);
    const plain = await ok('conversations', 'create', '--friendly-name', 'no guest');
    const noGuest = await cli('simulate', 'webchat', '--conversation', plain.sid, '--body', 'hi');
    expect(noGuest.exitCode).to.equal(2);
    expect(noGuest.stderr.split('\n')[0]).to.equal(`✖ USAGE: Conversation ${plain.sid} has no chat participant to type as: is it a webchat?`);
  });
});
