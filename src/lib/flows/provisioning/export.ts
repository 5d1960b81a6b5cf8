/**
 * `flexconv export`: a target's state as a resources file. Every kind the target serves, in the
 * registry's order; names instead of SIDs; run-time state (a worker's activity) left out. Planning
 * the result against the same account finds nothing to change, and applying it to a fresh one
 * makes an equal account.
 */
import {FILE_VERSION} from './load.js';
import {KINDS} from './registry.js';
import type {State} from './state.js';
import type {Entry} from './types.js';

export interface Exported {
  document: Record<string, unknown>;
  /** Kinds left out, and why (Studio not served, no workspace). */
  skipped: {kind: string; why: string}[];
}

export function exportDocument(state: State): Exported {
  const document: Record<string, unknown> = {version: FILE_VERSION};
  if (state.workspaceName) document.workspace = state.workspaceName;
  const skipped: Exported['skipped'] = [];
  for (const kind of KINDS) {
    const why = state.unavailable[kind.name];
    if (why) {
      skipped.push({kind: kind.name, why});
      continue;
    }
    const raw = state.raw[kind.name];
    if (!raw) continue;
    const entries = raw.map((r) => {
      const e: Entry = kind.toEntry(r, state.ctx.index);
      for (const f of kind.runtime ?? []) delete e[f];
      return e;
    });
    if (kind.singleton) {
      if (entries[0] && Object.keys(entries[0]).length) document[kind.name] = entries[0];
    } else document[kind.name] = entries.sort((a, b) => kind.key(a).localeCompare(kind.key(b)));
  }
  return {document, skipped};
}

/** The document as YAML, with a header saying where it came from. */
export async function toYaml(document: Record<string, unknown>, header: string[]): Promise<string> {
  const {stringify} = await import('yaml');
  return `${header.map((h) => `# ${h}`).join('\n')}\n${stringify(document, {lineWidth: 0, aliasDuplicateObjects: false})}`;
}
