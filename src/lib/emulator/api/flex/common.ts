import {errors} from '../../errors.js';
import {INTERACTION_CHANNELS, INTERACTIONS, type InteractionChannelDoc, type InteractionDoc} from '../../model/flex.js';
import {tablePage} from '../../paging.js';
import {RawJson, type Ctx} from '../../router.js';
import type {TableDecl} from '../../store/table.js';
import {Tx} from '../../store/tx.js';

export const KD = '/v1/Interactions/:InteractionSid';
export const UO = `${KD}/Channels/:ChannelSid`;
export const MAX_PAGE = 1000;

export const reader = (ctx: Ctx): Tx => new Tx(ctx.store, ctx.accountSid, ctx.clock.now());
export const interactionPath = (kd: string) => `/v1/Interactions/${kd}`;
export const channelsPath = (kd: string) => `${interactionPath(kd)}/Channels`;
export const channelPath = (ch: InteractionChannelDoc) => `${channelsPath(ch.interaction_sid)}/${ch.sid}`;

export function interactionOf(ctx: Ctx, sid = ctx.params.InteractionSid ?? ctx.params.Sid): InteractionDoc {
  const doc = ctx.store.repo(INTERACTIONS).get(ctx.accountSid, sid);
  if (!doc) throw errors.notFound(interactionPath(sid));
  return doc;
}

export function channelOf(ctx: Ctx, sid = ctx.params.ChannelSid ?? ctx.params.Sid): InteractionChannelDoc {
  const kd = interactionOf(ctx);
  const doc = ctx.store.repo(INTERACTION_CHANNELS).get(ctx.accountSid, sid, kd.sid);
  if (!doc) throw errors.notFound(`${channelsPath(kd.sid)}/${sid}`);
  return doc;
}

export function render<T extends {sid: string}>(ctx: Ctx, decl: TableDecl<T>, doc: T, collection: string): RawJson {
  return new RawJson(ctx.store.repo(decl).render(doc, ctx.urls(collection)));
}

export function list<T extends {sid: string}>(ctx: Ctx, decl: TableDecl<T>, collection: string, key: string, parent: string): RawJson {
  return tablePage(ctx, decl, ctx.urls(collection), {key, max: MAX_PAGE, parent});
}

/** A JSON body, or (for clients that send a form) the form's fields with lower-case first letters. */
export function jsonOrForm(ctx: Ctx): unknown {
  if (ctx.json !== undefined && ctx.json !== null) return ctx.json;
  const out: Record<string, unknown> = {};
  for (const name of ctx.form.names()) {
    const v = ctx.form.str(name);
    if (v === undefined) continue;
    const key = name.replace(/^[A-Z]/, (c) => c.toLowerCase()).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    let parsed: unknown = v;
    if (/^[[{]/.test(v.trim())) {
      try {
        parsed = JSON.parse(v);
      } catch {
        parsed = v;
      }
    }
    out[key] = parsed;
  }
  return out;
}
