/** The account's global Conversations webhooks (one per account): method, filters, pre/post URLs, target. */
import {setConfig} from '../../conversations.js';
import {wire} from '../../../cli/index.js';
import type {Kind, Raw} from '../types.js';
import {asSet, compact, url} from './util.js';

export const conversationsWebhooks: Kind = {
  name: 'conversations_webhooks',
  label: 'Conversations webhooks',
  singleton: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      method: {enum: ['GET', 'POST']},
      filters: {type: 'array', items: {type: 'string', pattern: '^on[A-Z][A-Za-z]+$'}},
      pre_webhook_url: url,
      post_webhook_url: url,
      target: {enum: ['webhook', 'flex']},
    },
  },
  key: () => 'webhooks',
  keyOf: () => 'webhooks',
  read: async (ctx) => [wire<Raw>(await ctx.client.conversations.v1.configuration.webhooks().fetch())],
  toEntry: (r) =>
    compact({
      method: r.method,
      filters: Array.isArray(r.filters) && r.filters.length ? r.filters : undefined,
      pre_webhook_url: r.pre_webhook_url || undefined,
      post_webhook_url: r.post_webhook_url || undefined,
      target: r.target,
    }),
  fields: (e) => compact({...e, method: typeof e.method === 'string' ? e.method.toUpperCase() : undefined, filters: asSet(e.filters)}),
  async update(ctx, _current, e) {
    const {webhooks} = await setConfig(
      ctx.client,
      {},
      compact({
        method: e.method as 'GET' | 'POST' | undefined,
        filters: e.filters as string[] | undefined,
        preWebhookUrl: e.pre_webhook_url as string | undefined,
        postWebhookUrl: e.post_webhook_url as string | undefined,
        target: e.target as 'webhook' | 'flex' | undefined,
      }),
    );
    return webhooks as unknown as Raw;
  },
};
