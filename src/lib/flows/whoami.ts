import type {ResolvedContext, Source} from '../config/resolve.js';
import {mask} from '../render/index.js';

export interface WhoAmI {
  target: string;
  base_url: string;
  account_sid: string;
  auth_token?: string;
  api_key?: string;
  api_secret?: string;
  region?: string;
  edge?: string;
  profile?: string;
  config_file?: string;
  /** Human description of where each setting came from: "env TWILIO_ACCOUNT_SID", "profile prod". */
  sources: Record<string, string>;
}

/** One phrase per source, to read as "(…)" after a value: see Source. */
const describe = (s?: Source) =>
  s ? (s.from === 'default' ? `default: ${s.detail}` : s.from === 'emulator' ? s.detail : `${s.from} ${s.detail}`.trim()) : undefined;

/** The resolved context as shown to users: secrets masked, sources spelled out. */
export function describeContext(c: ResolvedContext): WhoAmI {
  const sources: Record<string, string> = {};
  const map: Record<string, keyof ResolvedContext['sources']> = {
    target: 'target',
    base_url: 'baseUrl',
    account_sid: 'accountSid',
    auth_token: 'authToken',
    api_key: 'apiKey',
    api_secret: 'apiSecret',
    region: 'region',
    edge: 'edge',
  };
  const usesKey = Boolean(c.apiKey && c.apiSecret);
  for (const [k, v] of Object.entries(map)) {
    // Report the sources of the credentials in use only (a stray TWILIO_API_KEY beside a token isn't used).
    if (usesKey ? v === 'authToken' : v === 'apiKey' || v === 'apiSecret') continue;
    const d = describe(c.sources[v]);
    if (d) sources[k] = d;
  }
  return {
    target: c.target,
    base_url: c.baseUrl,
    account_sid: c.accountSid,
    // As the client authenticates: with the API key when key and secret are both there, else the auth token.
    ...(c.apiKey && c.apiSecret ? {api_key: c.apiKey, api_secret: mask(c.apiSecret)} : {auth_token: mask(c.authToken)}),
    ...(c.region ? {region: c.region} : {}),
    ...(c.edge ? {edge: c.edge} : {}),
    ...(c.profile ? {profile: c.profile} : {}),
    ...(c.configFile ? {config_file: c.configFile} : {}),
    sources,
  };
}
