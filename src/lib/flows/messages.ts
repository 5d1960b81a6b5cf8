/**
 * Conversation messages (`/v1/Conversations/{CH}/Messages`, SID IM…): list, send, get, delete,
 * and follow (poll for new ones). Works the same against Twilio and the emulator. Takes a bound
 * SDK client and plain options; returns the wire shape (snake_case).
 */
import {bodyText, collect, jsonText, requireSid, sidOrName, wire, type Listed, type PageOptions} from '../cli/index.js';
import {FlexconvError, isTwilioError, toFlexconvError, usageError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';
import {given, MAX_PAGE, notFound, type WebhookOption} from './conversations.js';

export {MAX_BODY} from '../spec/conversations.js';

export interface Message {
  account_sid: string;
  conversation_sid: string;
  sid: string;
  index: number;
  author: string | null;
  body: string | null;
  media: {sid: string; content_type?: string; filename?: string | null; size?: number}[] | null;
  attributes: string;
  participant_sid: string | null;
  date_created: string | null;
  date_updated: string | null;
  url: string;
  delivery: Record<string, unknown> | null;
  links: Record<string, string>;
  content_sid: string | null;
}

const convKey = (key: string) => sidOrName('CH', key, 'the conversation');

function errorsOf(error: unknown, conv: string, message?: string): never {
  if (isTwilioError(error)) {
    const e = toFlexconvError(error);
    if (error.code === 50377)
      throw new FlexconvError('CONVERSATION_CLOSED', `Conversation ${conv} is closed; a closed conversation takes no more messages`, {
        twilio: e.twilio,
        hints: ['a closed conversation is final: start a new one with `flexconv conversations create`', `see it with \`flexconv conversations get ${conv}\``],
        cause: error,
      });
    if (error.status === 404)
      notFound(
        error,
        message ? `No message ${message} in conversation ${conv}` : `No conversation matches "${conv}" (looked up as a SID or a unique name)`,
        message ? `list them with \`flexconv messages list ${conv}\`` : 'list what exists with `flexconv conversations list`',
      );
  }
  throw error;
}

export async function listMessages(client: TwilioClient, conv: string, opts: PageOptions & {order?: 'asc' | 'desc'} = {}): Promise<Listed<Message>> {
  const list = client.conversations.v1.conversations(convKey(conv)).messages;
  try {
    return await collect((pageSize) => list.page(given({order: opts.order, pageSize})), {...opts, max: MAX_PAGE.messages}, (i) => wire<Message>(i));
  } catch (error) {
    return errorsOf(error, conv);
  }
}

export interface SendInput extends WebhookOption {
  body?: string;
  author?: string;
  attributes?: string;
  mediaSid?: string;
  contentSid?: string;
}

export async function sendMessage(client: TwilioClient, conv: string, input: SendInput): Promise<Message> {
  if (!input.body && !input.mediaSid && !input.contentSid) throw usageError('Nothing to send: give --body (or --media-sid ME…, --content-sid HX…)');
  bodyText('--body', input.body);
  jsonText('--attributes', input.attributes);
  if (input.mediaSid !== undefined) requireSid('ME', input.mediaSid, '--media-sid');
  if (input.contentSid !== undefined) requireSid('HX', input.contentSid, '--content-sid');
  try {
    return wire(
      await client.conversations.v1.conversations(convKey(conv)).messages.create(
        given({
          ...(input.webhooks ? {xTwilioWebhookEnabled: 'true' as const} : {}),
          body: input.body,
          author: input.author,
          attributes: input.attributes,
          mediaSid: input.mediaSid,
          contentSid: input.contentSid,
        }),
      ),
    );
  } catch (error) {
    return errorsOf(error, conv);
  }
}

export async function getMessage(client: TwilioClient, conv: string, sid: string): Promise<Message> {
  requireSid('IM', sid, 'the message');
  try {
    return wire(await client.conversations.v1.conversations(convKey(conv)).messages(sid).fetch());
  } catch (error) {
    return errorsOf(error, conv, sid);
  }
}

export async function deleteMessage(client: TwilioClient, conv: string, sid: string, opts: WebhookOption = {}): Promise<void> {
  try {
    await client.conversations.v1.conversations(convKey(conv)).messages(sid).remove(opts.webhooks ? {xTwilioWebhookEnabled: 'true'} : {});
  } catch (error) {
    errorsOf(error, conv, sid);
  }
}

/**
 * Follow a conversation: the last `backlog` messages, then each new one as it arrives (polling
 * every `intervalMs`), oldest first, until `signal` aborts. A message is shown once (by index).
 */
export async function followMessages(
  client: TwilioClient,
  conv: string,
  opts: {backlog: number; intervalMs: number; signal: AbortSignal; onMessage: (m: Message) => void},
): Promise<number> {
  let last = -1;
  let shown = 0;
  let first = true;
  while (!opts.signal.aborted) {
    // newest first, one page: enough unless more than a page arrives within one interval
    const size = first ? Math.max(1, Math.min(opts.backlog || 1, MAX_PAGE.messages)) : 50;
    const {items} = await listMessages(client, conv, {order: 'desc', limit: size, pageSize: size});
    const fresh = items.filter((m) => m.index > last).reverse();
    for (const m of first ? fresh.slice(Math.max(0, fresh.length - opts.backlog)) : fresh) {
      opts.onMessage(m);
      shown++;
    }
    if (items.length) last = Math.max(last, items[0].index);
    first = false;
    await sleep(opts.intervalMs, opts.signal);
  }
  return shown;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, {once: true});
  });
}

/** One line per message: `#3 12:04:05 +15551234567: hello [2 media]`. */
export function messageLine(m: Message): string {
  const media = m.media?.length ? ` [${m.media.length} media]` : '';
  return `#${m.index} ${m.date_created ?? ''} ${m.author ?? '(no author)'}: ${m.body ?? ''}${media}`;
}
