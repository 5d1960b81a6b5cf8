/**
 * Reading a resources file: `-f FILE`, else flexconv.yaml (or .yml) in the working directory,
 * else the `resources:` key of the project config. The YAML is validated against one JSON Schema
 * composed from the kinds (ajv), then each entry gets its kind's offline checks, duplicate keys
 * are refused, and `definition_file` / `configuration_file` are read relative to the file. Every
 * problem names the file, the line and column, and the field — all of them at once, before any
 * request is made.
 */
import {existsSync, readFileSync} from 'node:fs';
import {dirname, isAbsolute, join, relative} from 'node:path';
import type {Document, LineCounter} from 'yaml';
import {FlexconvError} from '../../errors.js';
import {KINDS} from './registry.js';
import type {Entry, KindName, Located, ResourceFile} from './types.js';

export const DEFAULT_FILES = ['flexconv.yaml', 'flexconv.yml'];
/** The file format's version; `version:` may be left out. */
export const FILE_VERSION = 1;

type Path = (string | number)[];

/** The one JSON Schema of a resources file: one section per kind (a list, or an object for a singleton). */
export function fileSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {version: {const: FILE_VERSION}, workspace: {type: 'string', minLength: 1}};
  for (const k of KINDS) properties[k.name] = k.singleton ? k.schema : {type: 'array', items: k.schema};
  return {type: 'object', additionalProperties: false, properties};
}

/** `addresses[3].auto_creation.type` */
export const pathText = (path: Path) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('') || 'the top level';

interface Source {
  /** Path for messages (relative to cwd when inside it). */
  file: string;
  /** Where the resources sit in the document (`['resources']` in a project config). */
  base: Path;
  doc?: Document;
  lc?: LineCounter;
  /** Directory `*_file` paths are relative to. */
  dir: string;
}

/** `file:line:col` of a path in the document: the value's position, else its nearest parent's. */
function position(src: Source, path: Path, key?: string): string {
  if (!src.doc || !src.lc) return src.file;
  const full = [...src.base, ...path];
  let range: [number, number] | undefined;
  if (key !== undefined) {
    // an unknown key: point at the key itself
    const map = src.doc.getIn(full, true) as {items?: {key?: {value?: unknown; range?: [number, number]}}[]} | undefined;
    range = map?.items?.find((p) => p.key?.value === key)?.key?.range;
  }
  for (let n = full.length; !range && n >= 0; n--) {
    const node = (n ? src.doc.getIn(full.slice(0, n), true) : src.doc.contents) as {range?: [number, number]} | undefined;
    range = node?.range;
  }
  if (!range) return src.file;
  const {line, col} = src.lc.linePos(range[0]);
  return `${src.file}:${line}:${col}`;
}

/** Problems in the order of the file (by line, then column). */
const lineOrder = (a: string, b: string) => {
  const pos = (p: string) => (/^[^:]+:(\d+):(\d+):/.exec(p) ?? [0, 1e9, 0]).slice(1).map(Number);
  const [la, ca] = pos(a);
  const [lb, cb] = pos(b);
  return la - lb || ca - cb;
};

const invalid = (src: Source, unsorted: string[], problems = [...unsorted].sort(lineOrder)) =>
  new FlexconvError('RESOURCES_INVALID', `${src.file} is not a valid resources file (nothing was sent):\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`, {
    hints: ['the format: `flexconv export` writes one from an existing account; see `flexconv plan --help`'],
  });

const shown = (file: string) => {
  const r = relative(process.cwd(), file);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : file;
};

/** Parse YAML (JSON is YAML too) keeping positions; a syntax error names its line. */
async function parse(text: string, file: string): Promise<{doc: Document; lc: LineCounter; value: unknown}> {
  const {LineCounter, parseDocument} = await import('yaml');
  const lc = new LineCounter();
  const doc = parseDocument(text, {lineCounter: lc, prettyErrors: false, uniqueKeys: true});
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0] ?? (e.pos ? lc.linePos(e.pos[0]) : undefined);
    throw new FlexconvError('RESOURCES_INVALID', `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`, {
      hints: [`fix the syntax in ${file}`],
    });
  }
  return {doc, lc, value: doc.toJS()};
}

/** What ajv says, as one line per problem with its position. */
function schemaProblems(src: Source, errors: {instancePath: string; keyword: string; message?: string; params: Record<string, unknown>}[]): string[] {
  const out = new Set<string>();
  // oneOf reports its branches' errors too: the branch errors say it better, unless it is all there is
  const branchless = errors.filter((e) => e.keyword !== 'oneOf');
  for (const e of branchless.length ? branchless : errors) {
    const path: Path = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
    if (e.keyword === 'additionalProperties') {
      const key = String(e.params.additionalProperty);
      const known = KINDS.map((k) => k.name);
      const hint = path.length === 0 ? ` (sections: version, workspace, ${known.join(', ')})` : '';
      out.add(`${position(src, path, key)}: ${pathText([...path, key])} is not a known field${hint}`);
    } else if (e.keyword === 'required') {
      const missing = String(e.params.missingProperty);
      if (missing === 'definition_file' || missing === 'configuration_file') continue; // the oneOf's other branch
      out.add(`${position(src, path)}: ${pathText([...path, missing])} is missing`);
    } else if (e.keyword === 'enum') {
      out.add(`${position(src, path)}: ${pathText(path)} must be one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`);
    } else if (e.keyword === 'oneOf') {
      out.add(`${position(src, path)}: ${pathText(path)} must give exactly one of definition / definition_file (configuration / configuration_file), not both`);
    } else {
      out.add(`${position(src, path)}: ${pathText(path)} ${e.message ?? 'is invalid'}`);
    }
  }
  return [...out];
}

type Validator = ((v: unknown) => boolean) & {errors?: {instancePath: string; keyword: string; message?: string; params: Record<string, unknown>}[] | null};
let validator: Validator | undefined;
async function validate(value: unknown): Promise<Validator> {
  if (!validator) {
    const {Ajv} = await import('ajv');
    // the schema is ours and fixed (the tests exercise it): skipping its meta-schema check and
    // ajv's code optimiser makes the compile ~4× cheaper, which every plan and apply pays
    validator = new Ajv({allErrors: true, strict: false, validateSchema: false, code: {optimize: false}}).compile(fileSchema()) as unknown as Validator;
  }
  validator(value);
  return validator;
}

/** Read a `*_file` reference (JSON or YAML) relative to the resources file. */
async function readRef(src: Source, path: Path, ref: string, problems: string[]): Promise<unknown> {
  const file = isAbsolute(ref) ? ref : join(src.dir, ref);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${position(src, path)}: ${pathText(path)}: cannot read ${shown(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return undefined;
  }
  try {
    const {value} = await parse(text, shown(file));
    return value;
  } catch (error) {
    problems.push(`${position(src, path)}: ${pathText(path)}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Validate the document, read its file references and run each kind's checks: the ResourceFile, or every problem at once. */
async function toResourceFile(src: Source, value: unknown, label: string): Promise<ResourceFile> {
  if (value === null || value === undefined) value = {};
  const v = await validate(value);
  if (v.errors?.length) throw invalid(src, schemaProblems(src, v.errors));
  const doc = value as Record<string, unknown>;
  const problems: string[] = [];
  const kinds: ResourceFile['kinds'] = {};
  for (const kind of KINDS) {
    const section = doc[kind.name];
    if (section === undefined) continue;
    const list = (kind.singleton ? [section] : section) as Entry[];
    const seen = new Map<string, string>();
    const located: Located[] = [];
    for (const [i, raw] of list.entries()) {
      const path: Path = kind.singleton ? [kind.name] : [kind.name, i];
      const entry = {...raw};
      for (const [refField, into] of [['definition_file', 'definition'], ['configuration_file', 'configuration']] as const) {
        if (typeof entry[refField] !== 'string') continue;
        entry[into] = await readRef(src, [...path, refField], entry[refField] as string, problems);
        delete entry[refField];
      }
      const at = position(src, path);
      if (!kind.singleton) {
        const key = kind.key(entry);
        const first = seen.get(key);
        if (first) problems.push(`${at}: ${pathText(path)}: a second ${kind.label} "${key}" (the first is at ${first})`);
        seen.set(key, at);
      }
      try {
        kind.check?.(entry);
      } catch (error) {
        // the flows' messages name their CLI flags (--webhook-url): say the file's field instead
        problems.push(`${at}: ${pathText(path)}: ${(error as Error).message.replace(/--([a-z-]+)/g, (_m, f: string) => f.replace(/-/g, '_'))}`);
      }
      located.push({entry, at});
    }
    kinds[kind.name as KindName] = located;
  }
  if (problems.length) throw invalid(src, problems);
  return {source: label, workspace: doc.workspace as string | undefined, kinds};
}

/** A resources text (what `-f` points at), for tests and tools. */
export async function parseResources(text: string, file: string): Promise<ResourceFile> {
  const {doc, lc, value} = await parse(text, file);
  return toResourceFile({file, base: [], doc, lc, dir: dirname(file)}, value, file);
}

/**
 * The resources to provision: `file` when given; else flexconv.yaml in `cwd`; else the project
 * config's `resources` (from `config`, whose file is re-read for positions when it is YAML or
 * JSON). Neither: a usage error that says how to start one.
 */
export async function loadResources(opts: {file?: string; cwd?: string; config?: {resources?: unknown; filepath?: string}}): Promise<ResourceFile> {
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ?? DEFAULT_FILES.map((f) => join(cwd, f)).find((f) => existsSync(f));
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new FlexconvError('USAGE', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return parseResources(text, shown(file));
  }
  if (opts.config?.resources !== undefined && opts.config.filepath) {
    const cfg = opts.config.filepath;
    const label = `${shown(cfg)} (resources)`;
    if (/\.(ya?ml|json)$|rc$/.test(cfg) && !/package\.json$/.test(cfg)) {
      const {doc, lc} = await parse(readFileSync(cfg, 'utf8'), shown(cfg));
      return toResourceFile({file: shown(cfg), base: ['resources'], doc, lc, dir: dirname(cfg)}, opts.config.resources, label);
    }
    return toResourceFile({file: shown(cfg), base: ['resources'], dir: dirname(cfg)}, opts.config.resources, label);
  }
  throw new FlexconvError('USAGE', `No resources file: no -f FILE given, no ${DEFAULT_FILES[0]} in ${cwd}, and no \`resources:\` in a project config`, {
    hints: ['start one from what the account has: `flexconv export --out flexconv.yaml`', 'or point at one with -f FILE'],
  });
}
