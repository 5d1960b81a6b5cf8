import {createRequire} from 'node:module';

export interface TokenInput {
  accountSid: string;
  apiKey: {sid: string; secret: string};
  identity: string;
  chatServiceSid: string;
  ttlSeconds: number;
}

/**
 * A real Conversations access token: `twilio.jwt.AccessToken` with a ChatGrant on the chat
 * service, signed with an API key of the account [docs: Conversations access tokens] — what the
 * Flex webchat app's server mints for its guest. `twilio` is the package's peer dependency,
 * loaded on first use.
 */
export function conversationsToken(input: TokenInput): string {
  const twilio = createRequire(import.meta.url)('twilio') as typeof import('twilio');
  const {AccessToken} = twilio.jwt;
  const token = new AccessToken(input.accountSid, input.apiKey.sid, input.apiKey.secret, {
    identity: input.identity,
    ttl: input.ttlSeconds,
  });
  token.addGrant(new AccessToken.ChatGrant({serviceSid: input.chatServiceSid}));
  return token.toJwt();
}
