/**
 * Validate emulator responses against Twilio's own OpenAPI specs (test/fixtures/twilio-oai, a copy of shared/twilio-oai).
 *
 *   expectValid('POST', `${emu.url}/conversations/v1/Configuration/Addresses`, 201, body)
 *
 * finds the operation whose path template matches the URL, fails if the spec does not declare
 * that status for it, and validates the raw wire body (parsed JSON) against the declared
 * response schema with ajv. OpenAPI 3.0 is turned into JSON Schema on load: `nullable` becomes a
 * type union (or anyOf with null), `#/components/schemas/...` refs point into the spec's
 * components (registered once under an $id), Twilio's own formats are no-ops.
 *
 * Twilio's specs declare no `required` at all; by default (`strict`) this helper adds what
 * Twilio always sends: every property of a resource schema is present (null when empty), no
 * property outside the schema, and the list envelope {<key>: [...], meta: {all 7 fields}} with
 * meta.key naming the array. Error bodies are not in the specs: see expectTwilioError.
 */
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {AssertionError} from 'chai';
import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; depending on the loader the default import is the plugin or its namespace.
const addFormats = ((addFormatsModule as unknown as {default?: unknown}).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

/** Directory of the specs; FLEXCONV_OAI_DIR overrides (default: the copy in test/fixtures/twilio-oai). */
export const OAI_DIR =
  process.env.FLEXCONV_OAI_DIR ?? fileURLToPath(new URL('../fixtures/twilio-oai/', import.meta.url));

/** `{domain}/{version}` → spec file. Domains as in the emulator URL (first path segment). */
export const SPEC_FILES: Record<string, string> = {
  'conversations/v1': 'twilio_conversations_v1.json',
  'flex-api/v1': 'twilio_flex_v1.json',
  'flex-api/v2': 'twilio_flex_v2.json',
  'taskrouter/v1': 'twilio_taskrouter_v1.json',
  'studio/v2': 'twilio_studio_v2.json',
};

const DOMAINS = ['conversations', 'flex-api', 'taskrouter', 'studio'];

/** Twilio's non-standard formats (plus any other unknown format found in a spec): accepted as-is. */
const NOOP_FORMATS = [
  'uri-map',
  'int64',
  'int32',
  'decimal',
  'phone-number',
  'date-time-rfc-2822',
  'http-method',
  'currency',
  'sid',
  'sid<AC>',
];

type Json = null | boolean | number | string | Json[] | {[k: string]: Json};
type SchemaObj = Record<string, unknown>;

interface Operation {
  specFile: string;
  template: string;
  method: string;
  operationId: string;
  responses: Record<string, {content?: Record<string, {schema?: SchemaObj}>}>;
}

interface PathEntry {
  template: string;
  re: RegExp;
  literals: number;
  ops: Record<string, SchemaObj>;
}

interface LoadedSpec {
  file: string;
  id: string;
  ajv: Ajv;
  paths: PathEntry[];
  validators: Map<string, ValidateFunction>;
  strict: boolean;
}

const loaded = new Map<string, LoadedSpec>();

export interface OaiOptions {
  /** Add Twilio's always-present fields / no extra fields / full list envelope (default true). */
  strict?: boolean;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 → JSON Schema

const MAP_KEYS = new Set(['properties', 'patternProperties']);
const SCHEMA_KEYS = new Set(['items', 'additionalProperties', 'not']);
const LIST_KEYS = new Set(['allOf', 'anyOf', 'oneOf']);
const DROP_KEYS = new Set(['example', 'examples', 'xml', 'discriminator', 'externalDocs']);

/** Convert one OpenAPI 3.0 schema (recursively) into JSON Schema; refs are re-pointed at `id`. */
export function toJsonSchema(schema: unknown, id: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, id));
  if (!schema || typeof schema !== 'object') return schema;
  const src = schema as SchemaObj;
  const out: SchemaObj = {};
  for (const [k, v] of Object.entries(src)) {
    if (DROP_KEYS.has(k) || k.startsWith('x-') || k === 'nullable') continue;
    if (k === '$ref' && typeof v === 'string') {
      out.$ref = v.startsWith('#/components/schemas/') ? `${id}#/definitions/${v.slice(21)}` : v;
    } else if (MAP_KEYS.has(k) && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as SchemaObj).map(([n, s]) => [n, toJsonSchema(s, id)]));
    } else if (SCHEMA_KEYS.has(k) && v && typeof v === 'object') {
      out[k] = toJsonSchema(v, id);
    } else if (LIST_KEYS.has(k) && Array.isArray(v)) {
      out[k] = v.map((s) => toJsonSchema(s, id));
    } else {
      out[k] = v;
    }
  }
  if (src.nullable !== true) return out;
  // nullable: true → also accept null
  if (out.$ref !== undefined) {
    const {$ref, description, ...rest} = out;
    return {...(description ? {description} : {}), anyOf: [{$ref, ...rest}, {type: 'null'}]};
  }
  if (typeof out.type === 'string' || Array.isArray(out.type)) {
    const types = Array.isArray(out.type) ? (out.type as string[]) : [out.type as string];
    if (!types.includes('null')) out.type = [...types, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  const {description, ...rest} = out;
  return {...(description ? {description} : {}), anyOf: [rest, {type: 'null'}]};
}

/** Strict mode for a component: all properties required, nothing else allowed. */
function strictResource(schema: SchemaObj): SchemaObj {
  if (schema.type !== 'object' || !schema.properties || schema.required || schema.additionalProperties !== undefined)
    return schema;
  return {
    ...schema,
    required: Object.keys(schema.properties as SchemaObj),
    additionalProperties: false,
  };
}

/** Strict mode for a response: a list envelope must carry its array and a complete meta. */
function strictEnvelope(schema: SchemaObj): SchemaObj {
  const props = schema.properties as SchemaObj | undefined;
  const meta = props?.meta as SchemaObj | undefined;
  if (!props || !meta || !meta.properties) return schema;
  const arrays = Object.keys(props).filter((k) => (props[k] as SchemaObj).type === 'array');
  return {
    ...schema,
    required: ['meta', ...arrays],
    properties: {
      ...props,
      meta: {
        ...meta,
        required: Object.keys(meta.properties as SchemaObj),
        additionalProperties: false,
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Loading

function collectFormats(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) for (const n of node) collectFormats(n, into);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'example' || k === 'examples') continue;
      if (k === 'format' && typeof v === 'string') into.add(v);
      else collectFormats(v, into);
    }
  }
}

function templateRegex(template: string): RegExp {
  const parts = template.split(/(\{[^}]+\})/).map((p) =>
    p.startsWith('{') ? '([^/]+)' : p.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
  );
  return new RegExp(`^${parts.join('')}$`);
}

function loadSpec(file: string, strict: boolean): LoadedSpec {
  const key = `${file}|${strict}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  const spec = JSON.parse(readFileSync(`${OAI_DIR.replace(/\/?$/, '/')}${file}`, 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
    components?: {schemas?: Record<string, unknown>};
  };
  const id = `https://flexconv.test/oai/${file}`;
  const ajv = new Ajv({strict: false, allErrors: true, validateFormats: true});
  addFormats(ajv);
  const formats = new Set<string>(NOOP_FORMATS);
  collectFormats(spec, formats);
  for (const f of formats) {
    // keep ajv-formats' real checks (uri, date-time, email, ...); everything else is a no-op
    if (!(ajv.formats as Record<string, unknown>)[f]) ajv.addFormat(f, true);
  }
  const definitions: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(spec.components?.schemas ?? {})) {
    const converted = toJsonSchema(s, id) as SchemaObj;
    definitions[name] = strict ? strictResource(converted) : converted;
  }
  ajv.addSchema({$id: id, definitions});
  const paths: PathEntry[] = Object.entries(spec.paths).map(([template, ops]) => ({
    template,
    re: templateRegex(template),
    literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
    ops: ops as Record<string, SchemaObj>,
  }));
  // most literal segments first: /v1/Configuration/Addresses beats /v1/Configuration/{X}
  paths.sort((a, b) => b.literals - a.literals);
  const result: LoadedSpec = {file, id, ajv, paths, validators: new Map(), strict};
  loaded.set(key, result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Finding the operation

export interface ResolvedUrl {
  domain: string;
  version: string;
  /** The Twilio path, without domain prefix and query: /v1/Configuration/Addresses/IG… */
  path: string;
  specFile: string;
}

/**
 * Accepts an emulator URL (http://127.0.0.1:4010/conversations/v1/...), a path with the domain
 * prefix (/conversations/v1/...), or a Twilio URL (https://conversations.twilio.com/v1/...).
 */
export function resolveUrl(url: string): ResolvedUrl {
  let domain: string | undefined;
  let path: string;
  const twilio = /^https?:\/\/([a-z0-9-]+)(?:\.[a-z0-9-]+)*\.twilio\.com(?::\d+)?(\/[^?#]*)?/i.exec(url);
  if (twilio) {
    domain = twilio[1].toLowerCase();
    path = twilio[2] ?? '/';
  } else {
    path = /^https?:\/\//i.test(url) ? new URL(url).pathname : url.split(/[?#]/)[0];
    const m = /^\/([a-z-]+)(\/.*)$/.exec(path);
    if (!m || !DOMAINS.includes(m[1])) throw new Error(`oai: cannot tell the Twilio domain of ${url}`);
    domain = m[1];
    path = m[2];
  }
  if (path.length > 1) path = path.replace(/\/+$/, ''); // the emulator ignores a trailing slash
  const version = /^\/(v\d+)(?:\/|$)/.exec(path)?.[1];
  const specFile = version ? SPEC_FILES[`${domain}/${version}`] : undefined;
  if (!version || !specFile) throw new Error(`oai: no spec for ${domain} ${version ?? '(no version)'} (${url})`);
  return {domain, version, path, specFile};
}

export function findOperation(method: string, url: string, opts: OaiOptions = {}): Operation | undefined {
  const {path, specFile} = resolveUrl(url);
  const spec = loadSpec(specFile, opts.strict ?? true);
  const m = method.toLowerCase();
  for (const entry of spec.paths) {
    if (!entry.re.test(path)) continue;
    const op = entry.ops[m] as SchemaObj | undefined;
    if (!op) continue;
    return {
      specFile,
      template: entry.template,
      method: m,
      operationId: String(op.operationId ?? `${m} ${entry.template}`),
      responses: (op.responses ?? {}) as Operation['responses'],
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Validation

export interface ValidationResult {
  ok: boolean;
  operation?: string;
  errors: string[];
}

function isEmpty(body: unknown): boolean {
  return body === undefined || body === null || body === '';
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as {additionalProperty: string}).additionalProperty})`
        : e.keyword === 'enum'
          ? ` (${JSON.stringify((e.params as {allowedValues: unknown}).allowedValues)})`
          : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });
}

/** Like expectValid, but returns the problems instead of throwing. */
export function validateResponse(
  method: string,
  url: string,
  status: number,
  rawBody: unknown,
  opts: OaiOptions = {},
): ValidationResult {
  const strict = opts.strict ?? true;
  const op = findOperation(method, url, {strict});
  if (!op) return {ok: false, errors: [`no operation ${method.toUpperCase()} ${resolveUrl(url).path} in the spec`]};
  const label = `${op.operationId} (${method.toUpperCase()} ${op.template})`;
  const response = op.responses[String(status)];
  if (!response) {
    return {
      ok: false,
      operation: label,
      errors: [`status ${status} is not declared (declared: ${Object.keys(op.responses).join(', ') || 'none'})`],
    };
  }
  let body = rawBody;
  if (typeof rawBody === 'string' && rawBody !== '') {
    try {
      body = JSON.parse(rawBody);
    } catch {
      return {ok: false, operation: label, errors: [`body is not JSON: ${rawBody.slice(0, 200)}`]};
    }
  }
  const schema = response.content?.['application/json']?.schema;
  if (!schema) {
    return isEmpty(body)
      ? {ok: true, operation: label, errors: []}
      : {ok: false, operation: label, errors: [`status ${status} has no body in the spec, got ${JSON.stringify(body).slice(0, 200)}`]};
  }
  if (isEmpty(body)) return {ok: false, operation: label, errors: ['expected a JSON body, got none']};

  const spec = loadSpec(op.specFile, strict);
  const cacheKey = `${op.method} ${op.template} ${status}`;
  let validate = spec.validators.get(cacheKey);
  if (!validate) {
    let converted = toJsonSchema(schema, spec.id) as SchemaObj;
    if (strict) converted = strictEnvelope(converted);
    validate = spec.ajv.compile(converted);
    spec.validators.set(cacheKey, validate);
  }
  const errors = validate(body) ? [] : formatErrors(validate.errors);
  // the SDK reads records from payload[meta.key]: it must name the array
  const meta = (body as {meta?: {key?: unknown}}).meta;
  if (strict && meta && typeof meta === 'object' && !Array.isArray((body as Record<string, unknown>)[String(meta.key)]))
    errors.push(`/meta/key '${String(meta.key)}' does not name an array property of the body`);
  return {ok: errors.length === 0, operation: label, errors};
}

/**
 * Assert that a response is one the spec declares: status listed for the operation, body valid
 * against its schema (204/no-content: empty body). Pass the raw wire body (string or parsed JSON).
 */
export function expectValid(method: string, url: string, status: number, body: unknown, opts: OaiOptions = {}): void {
  const r = validateResponse(method, url, status, body, opts);
  if (r.ok) return;
  const shown = typeof body === 'string' ? body : JSON.stringify(body);
  throw new AssertionError(
    `response does not match the Twilio spec: ${method.toUpperCase()} ${url} → ${status}` +
      `${r.operation ? ` [${r.operation}]` : ''}\n  - ${r.errors.join('\n  - ')}\n  body: ${(shown ?? '').slice(0, 600)}`,
  );
}

/**
 * Twilio's error body (not in the specs): {code:int, message:string, more_info:url, status:int
 * equal to the HTTP status}, optional `detail`; never `type`+`title` (twilio-node 6 would parse
 * it as RFC 9457 and throw a different exception).
 */
export function expectTwilioError(status: number, rawBody: unknown, code?: number): {code: number; message: string} {
  let body = rawBody;
  if (typeof rawBody === 'string') {
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new AssertionError(`error body is not JSON: ${rawBody.slice(0, 200)}`);
    }
  }
  const problems: string[] = [];
  const b = (body ?? {}) as Record<string, Json>;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) problems.push('not a JSON object');
  if (!Number.isInteger(b.code)) problems.push('code is not an integer');
  if (typeof b.message !== 'string' || b.message === '') problems.push('message is not a non-empty string');
  if (typeof b.more_info !== 'string' || !/^https:\/\/www\.twilio\.com\/docs\/errors\/\d+$/.test(b.more_info))
    problems.push('more_info is not https://www.twilio.com/docs/errors/<code>');
  else if (Number.isInteger(b.code) && !b.more_info.endsWith(`/${b.code}`)) problems.push('more_info does not end with the code');
  if (b.status !== status) problems.push(`status ${JSON.stringify(b.status)} ≠ HTTP status ${status}`);
  if (typeof b.type === 'string' && typeof b.title === 'string') problems.push('carries type+title (RFC 9457 shape)');
  const allowed = new Set(['code', 'message', 'more_info', 'status', 'detail', 'details']);
  for (const k of Object.keys(b)) if (!allowed.has(k)) problems.push(`unexpected field ${k}`);
  if (code !== undefined && b.code !== code) problems.push(`code ${JSON.stringify(b.code)} ≠ expected ${code}`);
  if (problems.length)
    throw new AssertionError(`not a Twilio error body (HTTP ${status}):\n  - ${problems.join('\n  - ')}\n  body: ${JSON.stringify(body)}`);
  return {code: b.code as number, message: b.message as string};
}
