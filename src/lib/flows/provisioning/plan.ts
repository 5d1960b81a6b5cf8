/**
 * The diff: the file's entries against the target's state, per kind, as changes (create /
 * update / delete with field-level differences) and the dependency edges apply follows. Only
 * the fields an entry declares are compared (what a file leaves out is not managed). Deletes
 * exist only with `prune`, and only for kinds the file declares (a section, even `[]`): a file
 * of addresses never prunes queues. References are checked here: a name that is neither in the
 * file nor on the target is refused, with the entry's line, before anything changes.
 */
import {FlexconvError} from '../../errors.js';
import {KINDS, kindOf} from './registry.js';
import type {State} from './state.js';
import type {Change, Entry, FieldChange, KindName, Plan, Raw, Ref, ResourceFile} from './types.js';

/** JSON with sorted keys: the one equality of the diff. */
export function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

/** The kinds a file needs read: its own, and those its entries refer to. */
export function kindsToRead(file: ResourceFile): KindName[] {
  const need = new Set<KindName>();
  for (const k of KINDS) {
    const located = file.kinds[k.name];
    if (!located) continue;
    need.add(k.name);
    for (const {entry} of located) for (const r of k.refs?.(entry) ?? []) if (r.kind !== 'services') need.add(r.kind);
  }
  return KINDS.map((k) => k.name).filter((n) => need.has(n));
}

export function makePlan(file: ResourceFile, state: State, opts: {prune?: boolean} = {}): Plan {
  const {index} = state.ctx;
  const changes: Change[] = [];
  const warnings: string[] = [];
  const unmanaged: Plan['unmanaged'] = [];
  const problems: string[] = [];
  let unchanged = 0;
  /** kind:key of everything the file declares (references to them resolve). */
  const declared = new Set<string>();
  for (const k of KINDS) for (const {entry} of file.kinds[k.name] ?? []) declared.add(`${k.name}:${k.key(entry)}`);

  for (const kind of KINDS) {
    const located = file.kinds[kind.name];
    if (!located) continue;
    const why = state.unavailable[kind.name];
    if (why) {
      if (located.length) problems.push(`${located[0].at}: ${kind.name}: cannot be provisioned here: ${why}`);
      continue;
    }
    const current = new Map<string, Raw>();
    for (const r of state.raw[kind.name] ?? []) {
      const key = kind.keyOf(r);
      if (current.has(key)) warnings.push(`two ${kind.label}s on the target are named "${key}": the file's entry is compared with the first (${current.get(key)!.sid})`);
      else current.set(key, r);
    }
    const wanted = new Set<string>();
    for (const {entry} of located) {
      const key = kind.key(entry);
      wanted.add(key);
      const cur = current.get(key);
      const id = `${kind.name}:${key}`;
      const desired = kind.fields(entry);
      if (!cur) {
        if (kind.singleton) throw new FlexconvError('UNEXPECTED', `the target returned no ${kind.label}`);
        changes.push({id, kind: kind.name, key, action: 'create', fields: Object.entries(desired).map(([field, after]) => ({field, after})), after: [], entry});
        continue;
      }
      const have = kind.fields(kind.toEntry(cur, index));
      const fields: FieldChange[] = [];
      for (const [field, after] of Object.entries(desired)) {
        if (stable(after) === stable(have[field])) continue;
        if (kind.createOnly?.includes(field)) {
          warnings.push(`${kind.label} "${key}": ${field} is ${stable(have[field])} on the target, ${stable(after)} in the file; it cannot be changed in place (delete the ${kind.label} and apply again)`);
          continue;
        }
        fields.push({field, before: have[field], after});
      }
      if (fields.length) changes.push({id, kind: kind.name, key, action: 'update', sid: cur.sid, fields, after: [], entry, current: cur});
      else unchanged++;
    }
    if (kind.singleton) continue;
    for (const [key, cur] of current) {
      if (wanted.has(key)) continue;
      if (opts.prune) changes.push({id: `${kind.name}:${key}`, kind: kind.name, key, action: 'delete', sid: cur.sid, fields: [], after: [], current: cur});
      else unmanaged.push({kind: kind.name, key});
    }
  }

  const byId = new Map(changes.map((c) => [c.id, c]));
  const deleting = (kind: string, key: string) => byId.get(`${kind}:${key}`)?.action === 'delete';
  // references: each must name something declared or existing, and not something this plan deletes
  for (const kind of KINDS)
    for (const {entry, at} of file.kinds[kind.name] ?? [])
      for (const r of kind.refs?.(entry) ?? []) {
        const known = declared.has(`${r.kind}:${r.key}`) || index.sid(r.kind, r.key) !== undefined;
        const what = r.kind === 'services' ? 'Conversation Service' : kindOf(r.kind).label;
        if (r.kind !== 'services' && state.unavailable[r.kind] && !declared.has(`${r.kind}:${r.key}`))
          problems.push(`${at}: ${kind.name} "${kind.key(entry)}": ${r.field} names ${what} "${r.key}", which cannot be looked up: ${state.unavailable[r.kind]}`);
        else if (!known) problems.push(`${at}: ${kind.name} "${kind.key(entry)}": ${r.field} names ${what} "${r.key}", which is neither in the file nor on the target`);
        else if (deleting(r.kind, r.key)) problems.push(`${at}: ${kind.name} "${kind.key(entry)}": ${r.field} names ${what} "${r.key}", which --prune would delete`);
      }
  if (problems.length)
    throw new FlexconvError('RESOURCES_INVALID', `${file.source} cannot be applied to this target (nothing was changed):\n  ${problems.join('\n  ')}`, {
      hints: ['declare what it names in the file, or fix the name'],
    });

  // edges: a change after the changes of what its entry names; a delete after the changes that drop references to it
  const refsOf = (kindName: KindName, entry: Entry | undefined): Ref[] => (entry ? (kindOf(kindName).refs?.(entry) ?? []) : []);
  for (const c of changes) {
    if (c.action !== 'delete') {
      for (const r of refsOf(c.kind, c.entry)) {
        const dep = byId.get(`${r.kind}:${r.key}`);
        if (dep && dep.action !== 'delete') c.after.push(dep.id);
      }
    } else {
      for (const other of changes) {
        if (other === c || other.action === 'create' || !other.current) continue;
        const was = refsOf(other.kind, kindOf(other.kind).toEntry(other.current, index));
        if (was.some((r) => `${r.kind}:${r.key}` === c.id)) c.after.push(other.id);
      }
    }
    c.after = [...new Set(c.after)];
  }
  return {source: file.source, changes, unchanged, unmanaged, warnings};
}

/** Counts for a summary line. */
export function counts(plan: Plan): Record<'create' | 'update' | 'delete', number> {
  const n = {create: 0, update: 0, delete: 0};
  for (const c of plan.changes) n[c.action]++;
  return n;
}
