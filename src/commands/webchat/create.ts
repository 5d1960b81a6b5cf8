import {Flags} from '../../lib/command.js';
import {ResourceCommand} from '../../lib/cli/resource.js';
import type {Column} from '../../lib/command.js';
import {createWebchat, type TokenSource, type Webchat} from '../../lib/flows/webchat.js';

const FIELDS: Column<Webchat>[] = [
  {key: 'conversation_sid', header: 'Conversation'},
  {key: 'identity', header: 'Identity'},
  {key: 'address', header: 'Address', get: (w) => `${w.address} (${w.address_sid})`},
  {key: 'chat_service_sid', header: 'Chat service'},
  {key: 'token_expires', header: 'Token expires'},
  {key: 'token', header: 'Token', keep: true},
];

export default class WebchatCreate extends ResourceCommand<Webchat> {
  static override summary = 'Start a webchat as a guest: conversation, identity and access token';
  static override description =
    'What a website\'s chat widget does when a visitor opens it (Flex WebChats v2, POST /v2/WebChats): the chat address (--address: IG…, or its address or friendly name) gets a new conversation with the guest as its chat participant, handled by the address\'s Studio flow or webhook. Prints the conversation, the guest identity and a Conversations access token for it (ChatGrant on the conversation\'s service, signed with your API key: --api-key/--api-secret, TWILIO_API_KEY/TWILIO_API_SECRET or a profile; on the emulator without one, by its token server with the account\'s key). Type as the guest with `flexconv simulate webchat`.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --address site-chat --name Ada',
    '<%= config.bin %> <%= command.id %> --address IG0123456789abcdef0123456789abcdef --pre-engagement \'{"friendlyName":"Ada","question":"Where is my order?"}\' --json',
  ];

  static override flags = {
    address: Flags.string({required: true, summary: 'The chat address: IG… SID, or its address or friendly name.'}),
    name: Flags.string({summary: 'The guest\'s display name (CustomerFriendlyName).'}),
    'chat-name': Flags.string({summary: 'Friendly name of the conversation (ChatFriendlyName).'}),
    'pre-engagement': Flags.string({summary: 'The pre-engagement form\'s answers: a JSON object (PreEngagementData).'}),
    identity: Flags.string({summary: 'The guest\'s identity (default: one the API makes up).'}),
    ttl: Flags.integer({min: 1, max: 86400, default: 3600, summary: 'Seconds the access token is valid.'}),
  };

  async run(): Promise<Webchat> {
    const {flags} = await this.parse(WebchatCreate);
    const client = await this.client(flags);
    const ctx = this.context!;
    // a configured API key signs the token here; else the emulator's token server does (Twilio has none)
    const source: TokenSource =
      ctx.apiKey && ctx.apiSecret
        ? {key: {accountSid: ctx.accountSid, apiKey: ctx.apiKey, apiSecret: ctx.apiSecret}}
        : ctx.target === 'emulator'
          ? {control: await this.control(flags)}
          : undefined;
    const chat = await createWebchat(
      client,
      {address: flags.address, customerName: flags.name, chatName: flags['chat-name'], preEngagement: flags['pre-engagement'], identity: flags.identity, ttl: flags.ttl},
      source,
    );
    if (!chat.token) this.render.warn('No access token: an API key signs it; give --api-key and --api-secret (or TWILIO_API_KEY / TWILIO_API_SECRET)');
    if (!this.render.json) this.render.success(`Webchat ${chat.conversation_sid} for guest ${chat.identity}${this.where()}`);
    this.render.record(chat, FIELDS);
    if (!this.render.json) this.render.info(`Type as the guest: \`flexconv simulate webchat --conversation ${chat.conversation_sid} --body "Hi"\``);
    return chat;
  }
}
