import {isoSeconds} from '../../engine/clock.js';
import {errors} from '../../errors.js';
import {ADDRESSES, type AddressConfigurationDoc, type AutoCreation} from '../../model/conversations.js';
import {pageBody, readPaging} from '../../paging.js';
import type {Params} from '../../params.js';
import {created, defineResource, noContent, ok, RawJson, type Ctx} from '../../router.js';
import {newSid} from '../../sid.js';
import {
  ADDRESS_LIST_MAX_PAGE_SIZE,
  ADDRESS_MAX,
  ADDRESS_TYPES,
  AUTO_CREATION_TYPES,
  checkAddress,
  COUNTRY_RE,
  FRIENDLY_NAME_MAX,
  WEBHOOK_FILTERS,
  WEBHOOK_METHODS,
  WEBHOOK_URL_RE,
} from '../../../spec/conversations.js';

/** conversations.v1.configuration_address — enums from the spec. */
export {ADDRESS_TYPES, AUTO_CREATION_TYPES, WEBHOOK_FILTERS, WEBHOOK_METHODS} from '../../../spec/conversations.js';
export type {AddressConfigurationDoc, AutoCreation} from '../../model/conversations.js';

const BASE = '/v1/Configuration/Addresses';
/** The address as stored (WhatsApp as whatsapp:+E164), or Twilio's 400: the limits and formats of src/lib/spec, which the CLI checks too. */
function validateAddress(type: AddressConfigurationDoc['type'], address: string, raw: string): string {
  // A literal '+' in a form body is a space (curl -d 'Address=+1555...'): say so instead of a bare "invalid".
  const plusHint = /^ +\d/.test(raw) ? " (a literal '+' in a form body decodes to a space: send %2B, or use curl --data-urlencode)" : '';
  const r = checkAddress(type, address);
  if (r.problem) throw errors.invalid('Address', `'${address}' ${r.problem.why}${plusHint}`);
  return r.address;
}

/**
 * Read AutoCreation.* over an existing configuration (update) or nothing (create), and keep only
 * the keys that belong to the resulting type, as Twilio's responses do.
 */
function readAutoCreation(form: Params, previous?: AutoCreation): AutoCreation {
  const type = form.enum('AutoCreation.Type', AUTO_CREATION_TYPES) ?? previous?.type ?? 'default';
  const enabled = form.bool('AutoCreation.Enabled') ?? previous?.enabled ?? false;
  const service = form.sid('AutoCreation.ConversationServiceSid', 'IS') ?? previous?.conversation_service_sid;
  const ac: AutoCreation = {enabled, type};
  if (service) ac.conversation_service_sid = service;

  if (type === 'webhook') {
    const url = form.str('AutoCreation.WebhookUrl') || previous?.webhook_url;
    if (!url) throw errors.missing('AutoCreation.WebhookUrl');
    if (!WEBHOOK_URL_RE.test(url))
      throw errors.invalid('AutoCreation.WebhookUrl', `'${url}' is not an absolute http(s) URL`);
    const method = form.enum('AutoCreation.WebhookMethod', WEBHOOK_METHODS, {ignoreCase: true});
    const filters = form.list('AutoCreation.WebhookFilters');
    for (const f of filters ?? [])
      if (!(WEBHOOK_FILTERS as readonly string[]).includes(f))
        throw errors.invalid('AutoCreation.WebhookFilters', `'${f}' is not one of ${WEBHOOK_FILTERS.join(', ')}`);
    ac.webhook_url = url;
    ac.webhook_method = method ?? previous?.webhook_method ?? 'POST';
    ac.webhook_filters = filters ?? previous?.webhook_filters ?? [];
  } else if (type === 'studio') {
    const flow = form.sid('AutoCreation.StudioFlowSid', 'FW') ?? previous?.studio_flow_sid;
    if (!flow) throw errors.missing('AutoCreation.StudioFlowSid');
    ac.studio_flow_sid = flow;
    const retries = form.int('AutoCreation.StudioRetryCount', {min: 0}) ?? previous?.studio_retry_count;
    if (retries !== undefined) ac.studio_retry_count = retries;
  }
  return ac;
}

function find(ctx: Ctx): AddressConfigurationDoc {
  const key = ctx.params.Sid;
  const repo = ctx.store.repo(ADDRESSES);
  const doc = /^IG[0-9a-fA-F]{32}$/.test(key) ? repo.get(ctx.accountSid, key) : repo.findBy(ctx.accountSid, {address: key});
  if (!doc) throw errors.notFound(ctx.path);
  return doc;
}

function render(ctx: Ctx, doc: AddressConfigurationDoc): RawJson {
  return new RawJson(ctx.store.repo(ADDRESSES).render(doc, ctx.urls(BASE)));
}

export default defineResource({
  domain: 'conversations',
  routes: {
    [`GET ${BASE}`](ctx) {
      const paging = readPaging(ctx.query, ADDRESS_LIST_MAX_PAGE_SIZE);
      const type = ctx.query.enum('Type', ADDRESS_TYPES, {ignoreCase: true});
      const urls = ctx.urls(BASE);
      const result = ctx.store.repo(ADDRESSES).page(ctx.accountSid, type ? {where: {type}} : {}, paging.start, paging.size, urls);
      return ok(pageBody(urls.base, 'address_configurations', result, paging, type ? {Type: type} : {}));
    },

    [`POST ${BASE}`](ctx) {
      const {form} = ctx;
      // Type is case-insensitive on Twilio (spec example createWhatsappCaseInsensitive sends
      // "whAtsAPP"); we store the canonical lower-case spelling [unverified: the example echoes it as sent].
      const type = form.enum('Type', ADDRESS_TYPES, {required: true, ignoreCase: true});
      const rawAddress = form.str('Address', {required: true, max: ADDRESS_MAX});
      const trimmed = rawAddress.trim();
      if (trimmed === '') throw errors.missing('Address');
      const address = validateAddress(type, trimmed, rawAddress);
      const country = form.str('AddressCountry');
      if (country !== undefined && country !== '' && !COUNTRY_RE.test(country))
        throw errors.invalid('AddressCountry', `'${country}' is not an ISO 3166-1 alpha-2 country code`);
      const now = isoSeconds(ctx.clock.now());
      const doc: AddressConfigurationDoc = {
        sid: newSid('IG'),
        account_sid: ctx.accountSid,
        type,
        address,
        friendly_name: form.str('FriendlyName', {max: FRIENDLY_NAME_MAX}) ?? null,
        auto_creation: readAutoCreation(form),
        date_created: now,
        date_updated: now,
        address_country: country ? country.toUpperCase() : null,
      };
      // a second configuration of the address is refused by the table's unique constraint (409)
      ctx.tx((tx) => tx.repo(ADDRESSES).insert(doc));
      return created(render(ctx, doc));
    },

    [`GET ${BASE}/:Sid`](ctx) {
      return ok(render(ctx, find(ctx)));
    },

    [`POST ${BASE}/:Sid`](ctx) {
      const doc = ctx.store.tx(() => {
        const current = find(ctx);
        const next: AddressConfigurationDoc = {
          ...current,
          friendly_name: ctx.form.has('FriendlyName')
            ? ctx.form.str('FriendlyName', {max: FRIENDLY_NAME_MAX}) || null
            : current.friendly_name,
          auto_creation: readAutoCreation(ctx.form, current.auto_creation),
          date_updated: isoSeconds(ctx.clock.now()),
        };
        ctx.store.repo(ADDRESSES).update(ctx.accountSid, next);
        return next;
      });
      return ok(render(ctx, doc));
    },

    [`DELETE ${BASE}/:Sid`](ctx) {
      ctx.store.tx(() => ctx.store.repo(ADDRESSES).delete(ctx.accountSid, find(ctx).sid));
      return noContent();
    },
  },
});
