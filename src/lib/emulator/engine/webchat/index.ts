import {errors} from '../../errors.js';
import {SERVICES} from '../../model/conversations.js';
import {created, type Handler} from '../../router.js';
import type {ServerOptions} from '../../server.js';
import {Tx} from '../../store/tx.js';
import {controlAccount, field} from '../../control/core.js';
import {accountConfig} from '../conversations/ops.js';
import type {Engine} from '../index.js';
import {conversationsToken} from './token.js';

/**
 * Webchat: POST /v2/WebChats is a Flex v2 route (api/flex/webchats.ts); this engine adds the
 * guest's token server the webchat app would run, as a control route.
 */
export const webchatEngine: Engine = {
  name: 'webchat',
  install() {},
  controlRoutes(opts: ServerOptions): Record<string, Handler> {
    return {
      /**
       * POST /_emulator/tokens (Identity, ChatServiceSid = the default service, Ttl = 3600 s):
       * a Conversations access token for that identity, signed with an API key of the account
       * (one is made when the account has none).
       */
      'POST /tokens': (ctx) => {
        const accountSid = controlAccount(ctx);
        const identity = field(ctx, 'Identity');
        if (!identity) throw errors.missing('Identity');
        const ttlText = field(ctx, 'Ttl');
        const ttl = ttlText === undefined ? 3600 : Number(ttlText);
        if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) throw errors.invalid('Ttl', `'${ttlText}' is not a whole number of seconds from 1 to 86400`);
        const tx = new Tx(opts.store, accountSid, opts.clock.now());
        const serviceSid = field(ctx, 'ChatServiceSid') || accountConfig(tx).default_chat_service_sid;
        if (!tx.repo(SERVICES).get(serviceSid)) throw errors.invalid('ChatServiceSid', `${serviceSid} is not a Conversation Service of this account`);
        const apiKey = opts.store.apiKeyOf(accountSid);
        const token = conversationsToken({accountSid, apiKey, identity, chatServiceSid: serviceSid, ttlSeconds: ttl});
        return created({token, identity, account_sid: accountSid, chat_service_sid: serviceSid, api_key_sid: apiKey.sid, ttl});
      },
    };
  },
};
