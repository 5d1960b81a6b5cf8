import * as ops from '../../engine/flex/ops.js';
import {errors} from '../../errors.js';
import {defineResource, ok, type Ctx} from '../../router.js';
import {reader} from './common.js';

function rendered(ctx: Ctx, doc: Record<string, unknown>) {
  return {...doc, url: ctx.url('/v1/Configuration')};
}

/** The account's Flex Configuration: fetch, and update with a JSON body (POST). */
export default defineResource({
  domain: 'flex-api',
  routes: {
    ['GET /v1/Configuration'](ctx) {
      const doc = ops.flexConfig(reader(ctx));
      if (!doc) throw errors.notFound('/v1/Configuration');
      return ok(rendered(ctx, doc));
    },
    ['POST /v1/Configuration'](ctx) {
      const body = ctx.json;
      const doc = ctx.tx((tx) => ops.updateFlexConfig(tx, body));
      return ok(rendered(ctx, doc));
    },
  },
});
