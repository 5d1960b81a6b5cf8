import {homedir} from 'node:os';
import {join} from 'node:path';
import type {AccountCredentials} from './store/index.js';

/**
 * The documented default test account of the emulator. Anything that talks to an emulator with
 * no other configuration uses these; override them with startEmulator({accounts}) or the
 * FLEXCONV_EMULATOR_ACCOUNT_SID / _AUTH_TOKEN / _API_KEY / _API_SECRET environment variables.
 */
export const DEFAULT_ACCOUNT: Required<Omit<AccountCredentials, 'friendlyName'>> = {
  accountSid: 'ACf1ec0000000000000000000000000001',
  authToken: 'f1ec0000000000000000000000000001',
  apiKey: 'SKf1ec0000000000000000000000000001',
  apiSecret: 'f1ec-emulator-api-secret-00000001',
};

export const DEFAULT_PORT = 4010;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * The default account, with any FLEXCONV_EMULATOR_* overrides from the environment applied. The
 * documented API key belongs to the documented account only: another account SID gets the key
 * the environment names, or none (the CLI's `emulator start` makes it one of its own).
 */
export function defaultAccount(env: NodeJS.ProcessEnv = process.env): AccountCredentials {
  const accountSid = env.FLEXCONV_EMULATOR_ACCOUNT_SID || DEFAULT_ACCOUNT.accountSid;
  const documented = accountSid.toLowerCase() === DEFAULT_ACCOUNT.accountSid.toLowerCase();
  return {
    accountSid,
    authToken: env.FLEXCONV_EMULATOR_AUTH_TOKEN || DEFAULT_ACCOUNT.authToken,
    apiKey: env.FLEXCONV_EMULATOR_API_KEY || (documented ? DEFAULT_ACCOUNT.apiKey : undefined),
    apiSecret: env.FLEXCONV_EMULATOR_API_SECRET || (documented ? DEFAULT_ACCOUNT.apiSecret : undefined),
    friendlyName: 'flexconv default test account',
  };
}

/** Where `flexconv emulator start` keeps its database unless --db says otherwise (the state dir). */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLEXCONV_STATE_DIR) return join(env.FLEXCONV_STATE_DIR, 'emulator.db');
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'flexconv', 'emulator.db');
}

/**
 * What the emulator serves today, per Twilio domain: the resources, named by the literal segments
 * of their paths (`/v1/Services/:ChatServiceSid/Users` → Services, Users). `emulator start --help`
 * and the README are written from this list, and test/emulator/implemented.test.ts derives the same
 * from the routes the router registers, so a domain or resource that lands without updating it
 * fails the tests. Kept here, not derived at run time: this module is the only part of the emulator
 * in the CLI's start-up bundle.
 */
export const IMPLEMENTED: Readonly<Record<string, {name: string; resources: readonly string[]}>> = {
  conversations: {
    name: 'Conversations',
    resources: [
      'Addresses', 'Configuration', 'ConversationWithParticipants', 'Conversations', 'Messages',
      'ParticipantConversations', 'Participants', 'Receipts', 'Roles', 'Services', 'Users', 'Webhooks',
    ],
  },
  taskrouter: {
    name: 'TaskRouter',
    resources: [
      'Activities', 'Channels', 'CumulativeStatistics', 'Events', 'RealTimeStatistics', 'Reservations', 'Statistics',
      'TaskChannels', 'TaskQueues', 'Tasks', 'Workers', 'Workflows', 'Workspaces',
    ],
  },
  'flex-api': {
    name: 'Flex Interactions',
    resources: ['Channels', 'Configuration', 'Interactions', 'Invites', 'Participants', 'Transfers', 'WebChats'],
  },
  studio: {
    name: 'Studio',
    resources: ['Context', 'Executions', 'Flows', 'Revisions', 'Steps', 'Validate'],
  },
};

/** Domains the emulator routes by name (`/studio/...`) but serves nothing of yet: their paths answer Twilio's 404. */
export const NOT_IMPLEMENTED: Readonly<Record<string, string>> = {};

const andList = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

/** One sentence on what the emulator implements, for `emulator start --help` and the README. */
export function implementedSummary(): string {
  const served = Object.values(IMPLEMENTED).map((d) => `${d.name} (${d.resources.join(', ')})`);
  const missing = Object.values(NOT_IMPLEMENTED);
  return `Implemented today: ${andList(served)}; the operations of these APIs it does not do answer Twilio-shaped 501s.${missing.length ? ` Not yet: ${andList(missing)}; their paths answer Twilio's 404.` : ''}`;
}

/**
 * `--rate-limit N/s` (the emulator's, and the CLI flag's): requests per second per account.
 * Accepts `N/s`, `N/m` (per minute) or a bare N (per second); undefined for anything else.
 */
export function parseRateLimit(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]) / (m[2] && /^m/i.test(m[2]) ? 60 : 1);
  return n > 0 ? n : undefined;
}
