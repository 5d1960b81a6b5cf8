/**
 * Reading a target's state for the kinds a plan or an export needs: every kind's list at once,
 * the Conversation Services (looked up by name, not managed), and the index of natural keys and
 * SIDs. TaskRouter kinds need the workspace (flag > file > project config > the only one).
 * Studio is detected, not assumed: a target whose `GET /v2/Flows` answers 501 or 404 (Twilio
 * always lists) serves no Studio, and its flows are reported as unavailable.
 */
import {collect, wire} from '../../cli/index.js';
import {isTwilioError} from '../../errors.js';
import type {TwilioClient} from '../../twilio/client.js';
import {MAX_PAGE as CONV_MAX_PAGE} from '../conversations.js';
import {getWorkspace, resolveWorkspace} from '../taskrouter.js';
import {kindOf} from './registry.js';
import {SidIndex, type KindContext, type KindName, type Raw} from './types.js';

export interface State {
  ctx: KindContext;
  /** The workspace's friendly name, when TaskRouter kinds were read. */
  workspaceName?: string;
  raw: Partial<Record<KindName, Raw[]>>;
  /** Kinds the target cannot serve, and why. */
  unavailable: Partial<Record<KindName, string>>;
}

export interface ReadOptions {
  kinds: KindName[];
  /** --workspace, else the file's `workspace`, else the project config's. */
  workspace?: string;
  configWorkspace?: string;
  /** Export: no workspace at all makes the TaskRouter kinds unavailable instead of an error. */
  lenient?: boolean;
}

/** Does this error mean "the target serves no Studio"? */
export const noStudio = (error: unknown) => isTwilioError(error) && (error.status === 501 || error.status === 404);

export async function readState(client: TwilioClient, opts: ReadOptions): Promise<State> {
  const index = new SidIndex();
  const ctx: KindContext = {client, index};
  const unavailable: State['unavailable'] = {};
  const kinds = opts.kinds.map(kindOf);
  // one request first, alone: a failing one (credentials, network) is then the only one sent
  const services = client.conversations.v1.services;
  const serviceList = await collect((pageSize) => services.page({pageSize}), {max: CONV_MAX_PAGE.services}, (i) => wire<Raw>(i));
  let workspaceName: string | undefined;
  if (kinds.some((k) => k.taskrouter)) {
    try {
      ctx.ws = await resolveWorkspace(client, opts.workspace, opts.configWorkspace);
      workspaceName = (await getWorkspace(client, ctx.ws)).friendly_name;
    } catch (error) {
      if (!opts.lenient || opts.workspace) throw error;
      for (const k of kinds) if (k.taskrouter) unavailable[k.name] = `no TaskRouter workspace to read (${(error as Error).message})`;
    }
  }
  const raw: State['raw'] = {};
  await Promise.all(
    kinds
      .filter((k) => !unavailable[k.name])
      .map(async (k) => {
        try {
          raw[k.name] = await k.read(ctx);
        } catch (error) {
          if (k.studio && noStudio(error)) unavailable[k.name] = `the target does not serve Studio (HTTP ${(error as {status: number}).status})`;
          else throw error;
        }
      }),
  );
  for (const s of serviceList.items) index.set('services', String(s.friendly_name), String(s.sid));
  for (const k of kinds) for (const r of raw[k.name] ?? []) if (r.sid) index.set(k.name, k.keyOf(r), String(r.sid));
  return {ctx, workspaceName, raw, unavailable};
}
