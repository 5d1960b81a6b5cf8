import * as ops from '../../engine/flex/ops.js';
import {
  CHANNEL_PARTICIPANTS,
  INTERACTION_CHANNELS,
  INTERACTIONS,
  INVITES,
  PARTICIPANT_TYPES,
  TRANSFERS,
  type ParticipantType,
} from '../../model/flex.js';
import {defineResource, ok, created} from '../../router.js';
import {errors} from '../../errors.js';
import {channelOf, channelPath, channelsPath, interactionOf, jsonOrForm, KD, list, render, UO} from './common.js';

const PARTICIPANT_STATUS = ['closed', 'wrapup'] as const;
const CHANNEL_STATUS = ['closed', 'inactive'] as const;

/** Flex v1 Interactions (flex-api.twilio.com): interactions, channels, participants, invites, transfers. */
export default defineResource({
  domain: 'flex-api',
  routes: {
    // create answers 200, as the spec says
    ['POST /v1/Interactions'](ctx) {
      const f = ctx.form;
      const channel = ops.parseChannel(f.str('Channel', {required: true}));
      const routing = ops.parseRouting(f.str('Routing'));
      const input: ops.InteractionInput = {
        channel,
        routing,
        interaction_context_sid: f.sid('InteractionContextSid', 'HQ'),
        webhook_ttid: f.str('WebhookTtid', {max: 256}) || undefined,
      };
      const out = ctx.tx((tx) => ops.createInteraction(tx, input));
      return ok(render(ctx, INTERACTIONS, out.interaction, '/v1/Interactions'));
    },
    ['GET /v1/Interactions/:Sid'](ctx) {
      return ok(render(ctx, INTERACTIONS, interactionOf(ctx), '/v1/Interactions'));
    },
    ['POST /v1/Interactions/:Sid'](ctx) {
      const kd = interactionOf(ctx);
      const ttid = ctx.form.str('WebhookTtid', {max: 256});
      const next = ctx.tx((tx) => ops.updateInteraction(tx, kd, ttid));
      return ok(render(ctx, INTERACTIONS, next, '/v1/Interactions'));
    },

    [`GET ${KD}/Channels`](ctx) {
      const kd = interactionOf(ctx);
      return ok(list(ctx, INTERACTION_CHANNELS, channelsPath(kd.sid), 'channels', kd.sid));
    },
    [`GET ${KD}/Channels/:Sid`](ctx) {
      const ch = channelOf(ctx);
      return ok(render(ctx, INTERACTION_CHANNELS, ch, channelsPath(ch.interaction_sid)));
    },
    [`POST ${KD}/Channels/:Sid`](ctx) {
      const ch = channelOf(ctx);
      const status = ctx.form.enum('Status', CHANNEL_STATUS, {required: true});
      const routing = ops.parseRouting(ctx.form.str('Routing'));
      const next = ctx.tx((tx) => ops.updateChannelStatus(tx, ch, status, routing));
      return ok(render(ctx, INTERACTION_CHANNELS, next, channelsPath(ch.interaction_sid)));
    },

    [`GET ${UO}/Participants`](ctx) {
      const ch = channelOf(ctx);
      return ok(list(ctx, CHANNEL_PARTICIPANTS, `${channelPath(ch)}/Participants`, 'participants', ch.sid));
    },
    [`POST ${UO}/Participants`](ctx) {
      const ch = channelOf(ctx);
      const f = ctx.form;
      const type = f.enum('Type', PARTICIPANT_TYPES, {required: true}) as ParticipantType;
      const media = ops.parseJsonObject(f.str('MediaProperties', {required: true}), 'MediaProperties')!;
      const routing = ops.parseJsonObject(f.str('RoutingProperties'), 'RoutingProperties');
      const p = ctx.tx((tx) => ops.createParticipant(tx, ch, {type, media, routing}));
      return ok(render(ctx, CHANNEL_PARTICIPANTS, p, `${channelPath(ch)}/Participants`));
    },
    [`POST ${UO}/Participants/:Sid`](ctx) {
      const ch = channelOf(ctx);
      const status = ctx.form.enum('Status', PARTICIPANT_STATUS, {required: true});
      const p = ctx.store.repo(CHANNEL_PARTICIPANTS).get(ctx.accountSid, ctx.params.Sid, ch.sid);
      if (!p) throw errors.notFound(`${channelPath(ch)}/Participants/${ctx.params.Sid}`);
      const next = ctx.tx((tx) => ops.updateParticipantStatus(tx, ch, p, status));
      return ok(render(ctx, CHANNEL_PARTICIPANTS, next, `${channelPath(ch)}/Participants`));
    },

    [`GET ${UO}/Invites`](ctx) {
      const ch = channelOf(ctx);
      return ok(list(ctx, INVITES, `${channelPath(ch)}/Invites`, 'invites', ch.sid));
    },
    [`POST ${UO}/Invites`](ctx) {
      const ch = channelOf(ctx);
      const routing = ops.parseRouting(ctx.form.str('Routing', {required: true}));
      if (!routing) throw errors.missing('Routing');
      const inv = ctx.tx((tx) => ops.createInvite(tx, ch, routing));
      return ok(render(ctx, INVITES, inv, `${channelPath(ch)}/Invites`));
    },

    // [unverified] the spec documents no request body: {type, from, to, …} as JSON (or a form)
    [`POST ${UO}/Transfers`](ctx) {
      const ch = channelOf(ctx);
      const input = ops.parseTransfer(jsonOrForm(ctx));
      const x = ctx.tx((tx) => ops.createTransfer(tx, ch, input));
      return created(render(ctx, TRANSFERS, x, `${channelPath(ch)}/Transfers`));
    },
    [`GET ${UO}/Transfers/:Sid`](ctx) {
      const ch = channelOf(ctx);
      const x = ctx.store.repo(TRANSFERS).get(ctx.accountSid, ctx.params.Sid, ch.sid);
      if (!x) throw errors.notFound(`${channelPath(ch)}/Transfers/${ctx.params.Sid}`);
      return ok(render(ctx, TRANSFERS, x, `${channelPath(ch)}/Transfers`));
    },
    [`POST ${UO}/Transfers/:Sid`](ctx) {
      const ch = channelOf(ctx);
      const x = ctx.store.repo(TRANSFERS).get(ctx.accountSid, ctx.params.Sid, ch.sid);
      if (!x) throw errors.notFound(`${channelPath(ch)}/Transfers/${ctx.params.Sid}`);
      const body = jsonOrForm(ctx);
      const next = ctx.tx((tx) => ops.updateTransfer(tx, ch, x, body));
      return ok(render(ctx, TRANSFERS, next, `${channelPath(ch)}/Transfers`));
    },
  },
});

