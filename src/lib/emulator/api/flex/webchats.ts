import {createWebChat} from '../../engine/webchat/ops.js';
import {created, defineResource, notImplemented} from '../../router.js';

/**
 * Flex v2: WebChats (a chat address → a conversation with the guest; 201 {conversation_sid,
 * identity} [OAI]); the v2 Flex users answer 501.
 */
export default defineResource({
  domain: 'flex-api',
  routes: {
    ['POST /v2/WebChats'](ctx) {
      const f = ctx.form;
      const out = ctx.tx((tx) =>
        createWebChat(tx, {
          address_sid: f.sid('AddressSid', 'IG') ?? (f.str('AddressSid', {required: true}), ''),
          chat_friendly_name: f.str('ChatFriendlyName', {max: 256}) || undefined,
          customer_friendly_name: f.str('CustomerFriendlyName', {max: 256}) || undefined,
          pre_engagement_data: f.str('PreEngagementData') || undefined,
          identity: f.str('Identity', {max: 256}) || undefined,
        }),
      );
      return created({conversation_sid: out.conversation.sid, identity: out.identity});
    },
    ['GET /v2/Instances/:InstanceSid/Users/:FlexUserSid']: notImplemented('Flex v2 users'),
    ['POST /v2/Instances/:InstanceSid/Users/:FlexUserSid']: notImplemented('Flex v2 users'),
  },
});
