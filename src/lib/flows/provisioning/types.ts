/**
 * The shapes of declarative provisioning (`flexconv export`, `plan`, `apply`): a resource kind
 * (one module per kind under ./kinds, listed in ./registry.ts), the state read from a target, a
 * planned change. Entries are what the file holds — snake_case like Twilio's wire, references by
 * natural key (a flow's, queue's or activity's friendly name), never a SID.
 */
import type {TwilioClient} from '../../twilio/client.js';

export type Entry = Record<string, unknown>;
/** A resource as the API returned it (wire shape). */
export type Raw = Record<string, unknown> & {sid?: string};

/** The kinds a file can declare, by their section name in the file. */
export type KindName =
  | 'conversations_configuration'
  | 'conversations_webhooks'
  | 'studio_flows'
  | 'addresses'
  | 'activities'
  | 'task_channels'
  | 'task_queues'
  | 'workflows'
  | 'workers';

/** Kinds that are looked up by name but not managed (the Conversation Services a file may name). */
export type LookupName = KindName | 'services';

/** A reference from one entry to another resource, by its natural key. */
export interface Ref {
  kind: KindName | 'services';
  key: string;
  /** The entry's field that holds it, for messages. */
  field: string;
}

/**
 * Natural key ↔ SID of every resource known so far (read from the target, then filled in as
 * apply creates): how a name in the file becomes the SID the API wants, and a SID in the API's
 * answer the name the file writes.
 */
export class SidIndex {
  private readonly bySid = new Map<string, string>();
  private readonly byKey = new Map<string, string>();

  set(kind: LookupName, key: string, sid: string): void {
    this.byKey.set(`${kind}\u0000${key}`, sid);
    this.bySid.set(`${kind}\u0000${sid}`, key);
  }
  sid(kind: LookupName, key: string): string | undefined {
    return this.byKey.get(`${kind}\u0000${key}`);
  }
  key(kind: LookupName, sid: string | null | undefined): string | undefined {
    return sid ? this.bySid.get(`${kind}\u0000${sid}`) : undefined;
  }
  /** The SID for a name; a value that already is a SID of that kind passes through (resources made outside the file). */
  need(kind: LookupName, key: string, prefix: string): string {
    if (new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(key)) return key;
    const sid = this.sid(kind, key);
    if (!sid) throw new Error(`no ${kind} "${key}" is known on the target`);
    return sid;
  }
  /** The name for a SID, else the SID itself (export of a reference to something that cannot be named). */
  name(kind: LookupName, sid: string | null | undefined): string | undefined {
    return sid ? (this.key(kind, sid) ?? sid) : undefined;
  }
}

export interface KindContext {
  client: TwilioClient;
  /** The TaskRouter workspace (WS…), when TaskRouter kinds are in play. */
  ws?: string;
  index: SidIndex;
}

/**
 * One resource kind. Adding a kind is one module implementing this, listed in the registry.
 * `toEntry` turns what the API returned into what the file would say (export), and the diff
 * compares `fields(entry)` of the file's entry with `fields(toEntry(current))`: so exporting an
 * account and planning that file against it always finds nothing to change.
 */
export interface Kind {
  name: KindName;
  /** Singular, for messages: "address", "task queue". */
  label: string;
  /** One object per account (configuration), not a list: no create, no delete. */
  singleton?: boolean;
  /** Needs the TaskRouter workspace. */
  taskrouter?: boolean;
  /** Needs Studio (which the emulator may not serve yet). */
  studio?: boolean;
  /** JSON Schema of one entry. */
  schema: Record<string, unknown>;
  /** The natural key of an entry (singletons: a constant). */
  key(entry: Entry): string;
  /** Every resource of the kind on the target. */
  read(ctx: KindContext): Promise<Raw[]>;
  /** The natural key of a resource read from the target. */
  keyOf(raw: Raw): string;
  /** The file's entry for a resource read from the target (names for SIDs, defaults left out where Twilio has none). */
  toEntry(raw: Raw, index: SidIndex): Entry;
  /** The compared fields, flattened (`auto_creation.type`), each normalised (lists that are sets sorted, methods upper-case). */
  fields(entry: Entry): Record<string, unknown>;
  /** State that changes at run time (a worker's activity): left out of an export, compared only when the file sets it. */
  runtime?: string[];
  /** Fields that can only be given at creation: a difference is reported, not applied. */
  createOnly?: string[];
  /** What the entry names, by natural key (its dependencies). */
  refs?(entry: Entry): Ref[];
  /** Offline checks beyond the schema (the same checks the commands make); throw an Error whose message names the field. */
  check?(entry: Entry): void;
  create?(ctx: KindContext, entry: Entry): Promise<Raw>;
  update(ctx: KindContext, current: Raw, entry: Entry): Promise<Raw>;
  remove?(ctx: KindContext, current: Raw): Promise<void>;
}

/** An entry of the file with where it was written. */
export interface Located {
  entry: Entry;
  /** `flexconv.yaml:12:5`, or the file alone when the position is unknown. */
  at: string;
}

/** What was loaded: the entries per kind (a kind present as a section is managed, even when empty). */
export interface ResourceFile {
  /** Where it came from, for messages: a path, or `<config file> (resources)`. */
  source: string;
  workspace?: string;
  kinds: Partial<Record<KindName, Located[]>>;
}

export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

export type Action = 'create' | 'update' | 'delete';

export interface Change {
  /** `kind:key`: the node of the dependency graph. */
  id: string;
  kind: KindName;
  key: string;
  action: Action;
  /** The resource's SID when it exists. */
  sid?: string;
  fields: FieldChange[];
  /** Ids of the changes that must succeed first. */
  after: string[];
  /** Set for create/update. */
  entry?: Entry;
  /** Set for update/delete. */
  current?: Raw;
}

export interface Plan {
  source: string;
  changes: Change[];
  /** Resources in the file that match the target. */
  unchanged: number;
  /** Resources on the target that the file does not declare, left alone (without --prune). */
  unmanaged: {kind: KindName; key: string}[];
  /** Differences that cannot be applied in place, kinds that could not be read, … */
  warnings: string[];
}
