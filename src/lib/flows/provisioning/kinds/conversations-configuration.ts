/**
 * The account's Conversations configuration (one per account): the default Conversation
 * Service by friendly name and the default timers. Changed through the conversations flow.
 */
import {setConfig} from '../../conversations.js';
import {wire} from '../../../cli/index.js';
import type {Kind, Raw, Ref} from '../types.js';
import {compact, nonEmpty} from './util.js';

const duration = {type: 'string', pattern: '^(P(?!$)(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?)?$'};

export const conversationsConfiguration: Kind = {
  name: 'conversations_configuration',
  label: 'Conversations configuration',
  singleton: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {default_service: nonEmpty, default_inactive_timer: duration, default_closed_timer: duration},
  },
  key: () => 'configuration',
  keyOf: () => 'configuration',
  read: async (ctx) => [wire<Raw>(await ctx.client.conversations.v1.configuration().fetch())],
  toEntry: (r, index) =>
    compact({
      default_service: index.name('services', r.default_chat_service_sid as string),
      default_inactive_timer: r.default_inactive_timer || undefined,
      default_closed_timer: r.default_closed_timer || undefined,
    }),
  fields: (e) => ({...e}),
  refs: (e) => (typeof e.default_service === 'string' && !/^IS[0-9a-fA-F]{32}$/.test(e.default_service) ? [{kind: 'services', key: e.default_service, field: 'default_service'} as Ref] : []),
  async update(ctx, _current, e) {
    const {configuration} = await setConfig(
      ctx.client,
      compact({
        defaultServiceSid: e.default_service === undefined ? undefined : ctx.index.need('services', String(e.default_service), 'IS'),
        inactiveTimer: e.default_inactive_timer as string | undefined,
        closedTimer: e.default_closed_timer as string | undefined,
      }),
      {},
    );
    return configuration as unknown as Raw;
  },
};

