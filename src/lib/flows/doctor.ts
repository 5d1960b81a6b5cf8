/**
 * `flexconv doctor`: every check a broken setup fails, each with what was found and the fix.
 * Checks run in order and never stop the run: a check that cannot run (no credentials, say) is
 * `skip` with the reason. Read-only: doctor changes nothing (webhook URLs get a HEAD request).
 */
import {readFileSync} from 'node:fs';
import {loadProjectConfig, type ProjectConfig} from '../config/project.js';
import type {ResolvedContext} from '../config/resolve.js';
import {isTwilioError, toFlexconvError} from '../errors.js';
import type {TwilioClient} from '../twilio/client.js';
import {listAddresses, type AddressConfiguration} from './addresses.js';
import {emulatorStatus} from './emulator.js';
import {ageText, findOrphans} from './interactions.js';
import {POWER_TEXT, checkCredentials, conversationServices, studioAvailable, studioFlow, taskChannels, workflows, workspaces, type CredentialCheck, type Named} from './flex-setup.js';
import {describeContext} from './whoami.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** How to fix it (fail/warn). */
  fix?: string[];
  /** The file and line a fix goes to, when there is one. */
  file?: string;
  line?: number;
}

export interface DoctorReport {
  ok: boolean;
  counts: Record<CheckStatus, number>;
  checks: Check[];
}

export interface DoctorDeps {
  /** Resolve target and credentials exactly as every command does (throws what they would). */
  resolve(): Promise<ResolvedContext>;
  connect(ctx: ResolvedContext): Promise<TwilioClient>;
  cwd: string;
  /** The CLI's version, to compare with the emulator's. */
  version: string;
  nodeVersion?: string;
  /** ms for each webhook URL (default 3000). */
  webhookTimeout?: number;
}

/** The lowest Node the package supports (package.json engines). */
export const MIN_NODE = '20.19.0';

export async function runDoctor(d: DoctorDeps): Promise<DoctorReport> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  add(nodeCheck(d.nodeVersion ?? process.versions.node));
  const config = await configCheck(d.cwd);
  add(config.check);

  let ctx: ResolvedContext | undefined;
  try {
    ctx = await d.resolve();
    add(credentialSources(ctx));
  } catch (error) {
    const e = toFlexconvError(error);
    add({id: 'credentials', title: 'Credentials in effect', status: 'fail', detail: `${e.code}: ${e.message}`, fix: e.hints.length ? e.hints : undefined});
  }
  if (!ctx) return finish(checks, ['emulator', 'auth', 'flex-setup', 'addresses', 'webhooks']);

  // Whether the credentials work is asked at once with the emulator's health (doctor's time is
  // mostly round trips); its answer counts only when the emulator check passed.
  const resolved = ctx;
  const connecting = (async () => {
    const client = await d.connect(resolved);
    const cred = await checkCredentials(client, {target: resolved.target, accountSid: resolved.accountSid, apiKey: resolved.apiKey && resolved.apiSecret ? resolved.apiKey : undefined});
    return {client, cred};
  })();
  connecting.catch(() => undefined); // reported below, or not needed
  if (ctx.target === 'emulator') add(await emulatorCheck(ctx, d.version));
  else add({id: 'emulator', title: 'Emulator', status: 'skip', detail: 'the target is Twilio'});
  if (checks.at(-1)!.status === 'fail') return finish(checks, ['auth', 'flex-setup', 'addresses', 'webhooks']);

  let client: TwilioClient;
  let cred: CredentialCheck;
  try {
    ({client, cred} = await connecting);
    add({id: 'auth', title: 'Credentials work', status: 'ok', detail: `accepted for account ${ctx.accountSid}: ${POWER_TEXT[cred.power]}`});
  } catch (error) {
    const e = toFlexconvError(error, {baseUrl: ctx.baseUrl, target: ctx.target});
    const fix = [...(e.hints.length ? e.hints : ['see which credentials are used with `flexconv whoami`']), ...byFlags(ctx)];
    add({id: 'auth', title: 'Credentials work', status: 'fail', detail: `${e.code}: ${e.message}`, fix});
    return finish(checks, ['flex-setup', 'addresses', 'webhooks']);
  }

  // The three read independent things: ask for them at once (doctor's time is mostly round trips).
  const addressList = listAddresses(client, {limit: 200}).then((l) => l.items);
  addressList.catch(() => undefined); // a failure is reported by the checks below
  const [flexSetup, addresses, webhooks, orphans] = await Promise.all([
    guarded('flex-setup', 'Flex setup', () => flexSetupCheck(client, cred, config.config, config.file)),
    guarded('addresses', 'Addresses', async () => addressChecks(client, ctx!, await addressList, config.config, config.file)),
    guarded('webhooks', 'Webhook URLs answer', async () => webhookCheck(client, await addressList, d.webhookTimeout ?? 3000)),
    guarded('orphans', 'Orphaned conversations', () => orphanCheck(client, config.config.workspace)),
  ]);
  add(flexSetup);
  if (Array.isArray(addresses)) checks.push(...addresses);
  else add(addresses);
  add(webhooks);
  add(orphans);
  return finish(checks, []);
}

function finish(checks: Check[], skipped: string[]): DoctorReport {
  const titles: Record<string, string> = {
    emulator: 'Emulator',
    auth: 'Credentials work',
    'flex-setup': 'Flex setup',
    addresses: 'Addresses',
    webhooks: 'Webhook URLs answer',
  };
  for (const id of skipped)
    if (!checks.some((c) => c.id === id)) checks.push({id, title: titles[id], status: 'skip', detail: 'not checked: a check above failed'});
  const counts = {ok: 0, warn: 0, fail: 0, skip: 0};
  for (const c of checks) counts[c.status]++;
  return {ok: counts.fail === 0, counts, checks};
}

/**
 * Conversations left open with no task or no agent (the Flex best-practice traps): a warning
 * with their count and the command that lists them. Skipped where there is no Flex setup.
 */
async function orphanCheck(client: TwilioClient, workspace: string | undefined): Promise<Check> {
  const title = 'Orphaned conversations';
  let found: Awaited<ReturnType<typeof findOrphans>>;
  try {
    found = await findOrphans(client, {workspace, scanLimit: 500});
  } catch (error) {
    const e = toFlexconvError(error);
    if (e.code === 'NOT_FOUND') return {id: 'orphans', title, status: 'skip', detail: 'no Flex setup to check conversations against'};
    throw error;
  }
  const {orphans, scanned, more} = found;
  const of = `${scanned}${more ? '+' : ''} open conversation${scanned === 1 ? '' : 's'} looked at`;
  if (!orphans.length) return {id: 'orphans', title, status: 'ok', detail: `none (${of})`};
  const oldest = Math.max(...orphans.map((o) => o.age_seconds));
  return {
    id: 'orphans',
    title,
    status: 'warn',
    detail: `${orphans.length} conversation${orphans.length === 1 ? '' : 's'} open with no task or no agent (oldest ${ageText(oldest)}; ${of})`,
    fix: ['list them: `flexconv conversations orphans`', 'close them: `flexconv conversations prune --orphans`'],
  };
}

/** A check that throws (the API, the network) becomes a failed check, not a failed doctor. */
async function guarded<T extends Check | Check[]>(id: string, title: string, run: () => Promise<T>): Promise<T | Check> {
  try {
    return await run();
  } catch (error) {
    const e = toFlexconvError(error);
    return {id, title, status: 'fail', detail: `could not check: ${e.code}: ${e.message}`, fix: e.hints.length ? e.hints : ['rerun with DEBUG=flexconv* for details']};
  }
}

// ---------------------------------------------------------------------------------------------

export function nodeCheck(version: string): Check {
  const [a, b] = version.split('.').map(Number);
  const [ma, mb] = MIN_NODE.split('.').map(Number);
  const ok = a > ma || (a === ma && b >= mb);
  return ok
    ? {id: 'node', title: 'Node.js', status: 'ok', detail: `v${version} (flexconv needs ≥ ${MIN_NODE})`}
    : {id: 'node', title: 'Node.js', status: 'fail', detail: `v${version} is older than ${MIN_NODE}`, fix: [`install Node.js ${MIN_NODE} or newer (https://nodejs.org), e.g. \`nvm install 20\``]};
}

async function configCheck(cwd: string): Promise<{check: Check; config: ProjectConfig; file?: string}> {
  try {
    const {config, filepath} = await loadProjectConfig(cwd);
    if (!filepath) return {check: {id: 'config', title: 'Project config', status: 'ok', detail: 'none found (defaults apply); `flexconv init` writes one'}, config};
    const keys = Object.keys(config);
    return {check: {id: 'config', title: 'Project config', status: 'ok', detail: `${filepath}: valid (${keys.length ? keys.join(', ') : 'empty'})`, file: filepath}, config, file: filepath};
  } catch (error) {
    const e = toFlexconvError(error);
    const where = locate(e.message);
    return {
      check: {
        id: 'config',
        title: 'Project config',
        status: 'fail',
        detail: where.line && !/line \d+/.test(e.message) ? `${e.message} (line ${where.line})` : e.message,
        fix: e.hints.length ? e.hints : ['fix it, or move it away'],
        ...where,
      },
      config: {},
    };
  }
}

/** The file and line of a CONFIG_INVALID message: the line it names, else the line of the key it names. */
function locate(message: string): {file?: string; line?: number} {
  const file = /(\/[^\s:()]+?\.(?:ya?ml|json|js|cjs|mjs)|\/\S*\.flexconvrc)/.exec(message)?.[1];
  const line = /line (\d+)/.exec(message)?.[1];
  if (line) return {file, line: Number(line)};
  const key = /(?:unknown setting|")"?([A-Za-z]+)"/.exec(message.replace(/^[^:]*: /, ''))?.[1];
  if (!file || !key) return {file};
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    const n = lines.findIndex((l) => new RegExp(`^\\s*["']?${key}["']?\\s*:`).test(l));
    return n >= 0 ? {file, line: n + 1} : {file};
  } catch {
    return {file};
  }
}

function credentialSources(ctx: ResolvedContext): Check {
  const who = describeContext(ctx);
  const s = who.sources;
  const auth = who.api_key ? `API key ${who.api_key} (${s.api_key ?? '?'})` : `auth token ${who.auth_token} (${s.auth_token ?? '?'})`;
  const fix = byFlags(ctx);
  return {
    id: 'credentials',
    title: 'Credentials in effect',
    // Twilio only because credential flags were given: likely a mistake, said as every command says it.
    status: fix.length ? 'warn' : 'ok',
    detail: `target ${who.target} (${s.target}); account ${who.account_sid} (${s.account_sid ?? '?'}); ${auth}${who.profile ? `; profile ${who.profile}` : ''}; ${who.base_url}`,
    ...(fix.length ? {fix} : {}),
  };
}

const byFlags = (ctx: ResolvedContext) => (ctx.twilioByFlags ? [`${ctx.twilioByFlags}: for the emulator, add --target emulator`] : []);

async function emulatorCheck(ctx: ResolvedContext, version: string): Promise<Check> {
  try {
    const st = await emulatorStatus({url: ctx.baseUrl});
    const same = st.version === version;
    return {
      id: 'emulator',
      title: 'Emulator',
      status: same ? 'ok' : 'warn',
      detail: `answers at ${st.url}: version ${st.version}, pid ${st.pid}, db ${st.db}`,
      ...(same ? {} : {fix: [`the CLI is ${version}: restart the emulator with this version (\`flexconv emulator stop\`, then \`flexconv emulator start --detach\`)`]}),
    };
  } catch (error) {
    const e = toFlexconvError(error);
    return {id: 'emulator', title: 'Emulator', status: 'fail', detail: `${e.message}`, fix: ['start one with `flexconv emulator start --detach` (or `flexconv init`)', ...e.hints.filter((h) => !/start one/.test(h))]};
  }
}

async function flexSetupCheck(client: TwilioClient, cred: CredentialCheck, config: ProjectConfig, file?: string): Promise<Check> {
  const flex = cred.flex;
  const named = (['workspace', 'workflow', 'taskChannel', 'chatService'] as const).filter((k) => config[k]);
  const title = 'Flex setup';
  if (!named.length) {
    if (!flex)
      return {id: 'flex-setup', title, status: 'warn', detail: 'the account has no Flex Configuration (Flex is not set up on it), and the project config names no Flex setup', fix: ['set up Flex on the account (Console → Flex), then run `flexconv init`']};
    return {id: 'flex-setup', title, status: 'ok', detail: `Flex Configuration found (workspace ${flex.workspace_sid}, workflow ${flex.workflow_sid}, service ${flex.chat_service_sid}); the project config names none: \`flexconv init\` records it`};
  }
  const problems: string[] = [];
  const found: string[] = [];
  const spaces = await workspaces(client);
  const ws = byKey(spaces, config.workspace);
  if (config.workspace) (ws ? found : problems).push(ws ? `workspace ${ws.friendly_name}` : `workspace "${config.workspace}" does not exist`);
  const wsSid = ws?.sid ?? (config.workspace ? undefined : flex?.workspace_sid ?? undefined);
  if (config.workflow || config.taskChannel) {
    if (!wsSid) problems.push(`workflow/task channel not checked: no workspace`);
    else {
      if (config.workflow) {
        const wf = byKey(await workflows(client, wsSid), config.workflow);
        (wf ? found : problems).push(wf ? `workflow ${wf.friendly_name}` : `workflow "${config.workflow}" does not exist in workspace ${wsSid}`);
      }
      if (config.taskChannel) {
        const tc = (await taskChannels(client, wsSid)).find((c) => c.unique_name === config.taskChannel || c.sid === config.taskChannel);
        (tc ? found : problems).push(tc ? `task channel ${tc.unique_name}` : `task channel "${config.taskChannel}" does not exist in workspace ${wsSid}`);
      }
    }
  }
  if (config.chatService) {
    const svc = byKey(await conversationServices(client), config.chatService);
    (svc ? found : problems).push(svc ? `service ${svc.friendly_name}` : `conversation service "${config.chatService}" does not exist`);
  }
  const keyLine = file ? lineOf(file, problems.length ? firstBadKey(problems) : undefined) : undefined;
  if (problems.length)
    return {
      id: 'flex-setup',
      title,
      status: 'fail',
      detail: problems.join('; '),
      fix: [`pick the Flex setup again with \`flexconv init\`, or correct ${file ?? 'the project config'}${keyLine ? ` (line ${keyLine})` : ''}`],
      ...(file ? {file} : {}),
      ...(keyLine ? {line: keyLine} : {}),
    };
  return {id: 'flex-setup', title, status: 'ok', detail: `the project's Flex setup exists: ${found.join(', ')}`};
}

const firstBadKey = (problems: string[]) => {
  const p = problems[0];
  return p.startsWith('workspace') ? 'workspace' : p.startsWith('workflow') ? 'workflow' : p.startsWith('task channel') ? 'taskChannel' : 'chatService';
};

function lineOf(file: string, key: string | undefined): number | undefined {
  if (!key) return undefined;
  try {
    const n = readFileSync(file, 'utf8').split('\n').findIndex((l) => new RegExp(`^\\s*["']?${key}["']?\\s*:`).test(l));
    return n >= 0 ? n + 1 : undefined;
  } catch {
    return undefined;
  }
}

const byKey = (items: Named[], key: string | undefined) =>
  key ? (items.find((i) => i.sid === key) ?? items.find((i) => i.friendly_name.toLowerCase() === key.toLowerCase())) : undefined;

/**
 * One check per address configuration that needs attention (and one summary when all are fine):
 * its Studio flow or conversation service is missing, its flow has no Send to Flex, or (Twilio)
 * its phone number also has a Messaging webhook (SmsUrl), so each message is handled twice.
 */
async function addressChecks(client: TwilioClient, ctx: ResolvedContext, items: AddressConfiguration[], config: ProjectConfig, file?: string): Promise<Check[]> {
  const out: Check[] = [];
  if (config.address && !items.some((a) => a.sid === config.address || a.address === config.address))
    out.push({
      id: 'address-missing',
      title: 'Address of the project config',
      status: 'fail',
      detail: `address "${config.address}" does not exist`,
      fix: ['create it again with `flexconv init`, or remove "address" from the project config'],
      ...(file ? {file} : {}),
      ...(file && lineOf(file, 'address') ? {line: lineOf(file, 'address')} : {}),
    });
  const [serviceList, studio, numbers] = await Promise.all([
    conversationServices(client),
    items.some((a) => a.auto_creation?.type === 'studio') ? studioAvailable(client) : undefined,
    ctx.target === 'twilio' ? smsUrls(client, ctx.accountSid, items) : new Map<string, string>(),
  ]);
  const services = new Set(serviceList.map((s) => s.sid));
  for (const a of items) out.push(...(await addressProblems(client, a, services, studio, numbers)));
  if (!out.length)
    out.push({
      id: 'addresses',
      title: 'Addresses',
      status: items.length ? 'ok' : 'warn',
      detail: items.length ? `${items.length} address${items.length === 1 ? '' : 'es'}, each wired to an existing flow or service` : 'no Conversations address: inbound messages create no conversations',
      ...(items.length ? {} : {fix: ['create one with `flexconv init` or `flexconv addresses create`']}),
    });
  return out;
}

async function addressProblems(
  client: TwilioClient,
  a: AddressConfiguration,
  services: Set<string>,
  studio: Awaited<ReturnType<typeof studioAvailable>> | undefined,
  numbers: Map<string, string>,
): Promise<Check[]> {
  const out: Check[] = [];
  const ac = a.auto_creation;
  const title = `Address ${a.type} ${a.address} (${a.sid})`;
  const id = `address:${a.sid}`;
  if (ac?.conversation_service_sid && !services.has(ac.conversation_service_sid))
    out.push({id, title, status: 'fail', detail: `its conversation service ${ac.conversation_service_sid} does not exist`, fix: [`point it at an existing service: \`flexconv addresses update ${a.sid} --conversation-service IS…\` (see \`flexconv services list\`)`]});
  if (ac?.enabled && ac.type === 'studio') {
    if (!ac.studio_flow_sid)
      out.push({id, title, status: 'fail', detail: 'auto-creation is studio, but no Studio flow is set', fix: [`\`flexconv addresses update ${a.sid} --studio-flow FW…\``]});
    else if (studio && !studio.ok)
      out.push({id, title, status: 'skip', detail: `its Studio flow ${ac.studio_flow_sid} was not checked: ${studio.why}`});
    else {
      const flow = await studioFlow(client, ac.studio_flow_sid);
      if (!flow)
        out.push({id, title, status: 'fail', detail: `its Studio flow ${ac.studio_flow_sid} does not exist`, fix: [`deploy a flow with Send to Flex (\`flexconv init\` deploys a starter one) and \`flexconv addresses update ${a.sid} --studio-flow FW…\``]});
      else if (!flow.send_to_flex)
        out.push({id, title, status: 'fail', detail: `its Studio flow ${flow.sid} ("${flow.friendly_name}") has no Send to Flex widget: conversations never reach Flex`, fix: ['add a Send to Flex widget to the flow (Studio → Flows), or point the address at a flow that has one']});
    }
  }
  const smsUrl = numbers.get(a.address);
  if (smsUrl && ac?.enabled)
    out.push({
      id,
      title,
      status: 'fail',
      detail: `the number ${a.address} also has a Messaging webhook (SmsUrl ${smsUrl}): every message is handled by it and by Conversations`,
      fix: ['remove the number\'s "A message comes in" webhook (Console → Phone Numbers → the number → Messaging), or its SmsUrl with the API'],
    });
  return out;
}

/** The SmsUrl of each incoming phone number that is an sms address here (Twilio only). */
async function smsUrls(client: TwilioClient, accountSid: string, items: AddressConfiguration[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const a of items.filter((x) => x.type === 'sms')) {
    const numbers = await client.api.v2010.accounts(accountSid).incomingPhoneNumbers.list({phoneNumber: a.address, limit: 20});
    const hit = numbers.find((n) => n.phoneNumber === a.address && n.smsUrl && n.smsUrl.trim() !== '');
    if (hit) out.set(a.address, hit.smsUrl);
  }
  return out;
}

/** Every webhook URL the account's Conversations setup calls (addresses, the global webhooks) answers something. */
async function webhookCheck(client: TwilioClient, items: AddressConfiguration[], timeout: number): Promise<Check> {
  const urls = new Map<string, string>();
  for (const a of items) if (a.auto_creation?.type === 'webhook' && a.auto_creation.webhook_url) urls.set(a.auto_creation.webhook_url, `address ${a.address}`);
  try {
    const hooks = await client.conversations.v1.configuration.webhooks().fetch();
    if (hooks.preWebhookUrl) urls.set(hooks.preWebhookUrl, 'Conversations pre-event webhook');
    if (hooks.postWebhookUrl) urls.set(hooks.postWebhookUrl, 'Conversations post-event webhook');
  } catch (error) {
    if (!(isTwilioError(error) && error.status === 404)) throw error;
  }
  if (!urls.size) return {id: 'webhooks', title: 'Webhook URLs answer', status: 'ok', detail: 'no webhook URLs configured'};
  const dead: string[] = [];
  const ok: string[] = [];
  await Promise.all(
    [...urls].map(async ([url, who]) => {
      const r = await probe(url, timeout);
      (r.ok ? ok : dead).push(`${url} (${who}): ${r.what}`);
    }),
  );
  if (dead.length)
    return {id: 'webhooks', title: 'Webhook URLs answer', status: 'fail', detail: `not answering: ${dead.sort().join('; ')}`, fix: ['start the server behind each URL (a tunnel such as ngrok for a local one), or change the URL: `flexconv addresses update ADDRESS --webhook-url URL`']};
  return {id: 'webhooks', title: 'Webhook URLs answer', status: 'ok', detail: ok.sort().join('; ')};
}

/** A HEAD request: any HTTP answer below 500 counts (Twilio POSTs; a 405 to HEAD still means a server is there). */
async function probe(url: string, timeout: number): Promise<{ok: boolean; what: string}> {
  try {
    const res = await fetch(url, {method: 'HEAD', signal: AbortSignal.timeout(timeout), redirect: 'manual'});
    return res.status < 500 ? {ok: true, what: `HTTP ${res.status}`} : {ok: false, what: `HTTP ${res.status}`};
  } catch (error) {
    const e = error as Error & {cause?: {code?: string}};
    const why = e.name === 'TimeoutError' ? `no answer within ${timeout / 1000}s` : (e.cause?.code ?? e.message);
    return {ok: false, what: why};
  }
}
