/**
 * The CLI's one error type. Every failure a user can meet becomes a FlexconvError with a stable
 * code, a message, hints that name the next command to run, and the exit code its code has in
 * ERROR_CODES — the one written rule:
 *   2  usage and local configuration: flags, arguments, commands, missing, half-given or
 *      malformed credentials, unreadable or invalid config and profile files;
 *   1  API and runtime errors: whatever the API answered, the network, ports, processes, the
 *      emulator's database, Ctrl-C at a prompt, anything unexpected.
 */
export const Exit = {OK: 0, FAIL: 1, USAGE: 2} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];

/** Every error code, its exit code and what it means (the README lists them; a test checks it). */
export const ERROR_CODES = {
  // 2: usage and local configuration
  USAGE: {exit: 2, summary: 'a flag, argument or command is wrong or missing'},
  CONFIG_INVALID: {exit: 2, summary: 'the project config or profiles.json cannot be read or holds a wrong value'},
  PROFILE_NOT_FOUND: {exit: 2, summary: '--profile, FLEXCONV_PROFILE or the project config names no known profile'},
  PROFILE_READ_ONLY: {exit: 2, summary: 'a twilio-cli profile cannot be changed or removed here'},
  NO_CREDENTIALS: {exit: 2, summary: 'target twilio, but no Twilio credentials are configured'},
  INCOMPLETE_CREDENTIALS: {exit: 2, summary: 'half a credential pair (an Account SID without a token, an API key without its secret, …)'},
  BAD_CREDENTIALS: {exit: 2, summary: 'a malformed Account SID, API key SID, region or edge'},
  BAD_HOST: {exit: 2, summary: '`emulator start --host` names no address of this machine'},
  RESOURCES_INVALID: {exit: 2, summary: 'a resources file (flexconv.yaml, -f FILE, `resources:` in the project config) fails its schema or checks'},
  EMULATOR_ONLY: {exit: 2, summary: 'an emulator-only command (simulate, webhooks) run with target twilio'},
  // 1: API and runtime
  AUTH_FAILED: {exit: 1, summary: 'the API refused the credentials (Twilio 20003)'},
  NOT_FOUND: {exit: 1, summary: 'the resource does not exist (Twilio 20404)'},
  ADDRESS_EXISTS: {exit: 1, summary: 'an address configuration for that address exists already'},
  ALREADY_EXISTS: {exit: 1, summary: 'a resource with that unique name exists already'},
  CONVERSATION_CLOSED: {exit: 1, summary: 'the conversation is closed, which is final (Twilio 50377)'},
  BINDING_IN_USE: {exit: 1, summary: 'that address + proxy address pair is in another conversation that is not closed (Twilio 50416)'},
  PARTICIPANT_EXISTS: {exit: 1, summary: 'that participant is in the conversation already (Twilio 50433)'},
  INBOUND_DROPPED: {exit: 1, summary: 'the emulator dropped a simulated inbound message (no address configuration, auto-creation off, …)'},
  VERSION_MISMATCH: {exit: 1, summary: 'the resource changed since the version given with --if-match (Twilio 20412)'},
  INVALID_PARAMETER: {exit: 1, summary: 'the API refused a parameter (Twilio 20001)'},
  REFUSED: {exit: 1, summary: 'a Flex flow refused what would break the interaction (that agent is in it already, an invite is pending); --force overrides'},
  TRANSFER_FAILED: {exit: 1, summary: 'the transfer target declined or did not answer: the first agent keeps the interaction'},
  TIMEOUT: {exit: 1, summary: '--wait gave up before the interaction (or transfer) got where it was going'},
  RATE_LIMITED: {exit: 1, summary: 'too many requests (Twilio 20429), after the retries'},
  APPLY_INCOMPLETE: {exit: 1, summary: '`flexconv apply` made some changes but not all (the rest failed or depended on a failure); run it again'},
  TWILIO_API_ERROR: {exit: 1, summary: 'any other error the API answered'},
  NETWORK: {exit: 1, summary: 'the API or the emulator could not be reached'},
  NOT_AN_EMULATOR: {exit: 1, summary: 'something else than a flexconv emulator answers at the emulator URL'},
  NOT_RUNNING: {exit: 1, summary: 'no emulator is running (stop, status, reset)'},
  NOT_RESPONDING: {exit: 1, summary: 'the recorded emulator process runs but does not answer'},
  ALREADY_RUNNING: {exit: 1, summary: 'an emulator is already running for this state directory'},
  START_IN_PROGRESS: {exit: 1, summary: 'another `emulator start --detach` is still starting'},
  PORT_IN_USE: {exit: 1, summary: 'the emulator port is taken'},
  PORT_NOT_ALLOWED: {exit: 1, summary: 'not allowed to listen on that port'},
  DB_ERROR: {exit: 1, summary: 'the emulator database cannot be opened or used'},
  EMULATOR_START_FAILED: {exit: 1, summary: 'the emulator did not start'},
  STOP_FAILED: {exit: 1, summary: 'the emulator process could not be stopped'},
  RESET_FAILED: {exit: 1, summary: 'the emulator refused the reset'},
  CANCELLED: {exit: 1, summary: 'Ctrl-C at a prompt'},
  UNEXPECTED: {exit: 1, summary: 'a bug: rerun with DEBUG=flexconv* and report it'},
} as const satisfies Record<string, {exit: ExitCode; summary: string}>;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface TwilioErrorInfo {
  code: number;
  status: number;
  moreInfo?: string;
}

export interface NetworkInfo {
  host: string;
  cause: NetworkCause;
  errno: string;
}

export class FlexconvError extends Error {
  readonly code: ErrorCode;
  readonly hints: string[];
  readonly twilio?: TwilioErrorInfo;
  /** A network failure: the host that failed, why, and the system's code (ECONNREFUSED, …). */
  readonly network?: NetworkInfo;
  readonly exitCode: ExitCode;

  constructor(
    code: ErrorCode,
    message: string,
    opts: {hints?: string[]; twilio?: TwilioErrorInfo; network?: NetworkInfo; cause?: unknown} = {},
  ) {
    super(message, {cause: opts.cause});
    this.name = 'FlexconvError';
    this.code = code;
    this.hints = opts.hints ?? [];
    this.twilio = opts.twilio;
    this.network = opts.network;
    this.exitCode = ERROR_CODES[code].exit;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.twilio ? {twilio: this.twilio} : {}),
      ...(this.network ? {network: this.network} : {}),
      hints: this.hints,
      exit: this.exitCode,
    };
  }
}

/** What a declined confirmation or Ctrl-C at a prompt says, the same for every command. */
export const CANCELLED_MESSAGE = 'Cancelled; nothing was changed';

export const usageError = (message: string, hints: string[] = []) =>
  new FlexconvError('USAGE', message, {hints});

export type NetworkCause = 'dns' | 'refused' | 'timeout' | 'tls' | 'reset' | 'unreachable';

/** Node/axios error codes → the cause a user can act on. */
const NETWORK_CAUSES: Record<string, NetworkCause> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NONAME: 'dns',
  EAI_FAIL: 'dns',
  ECONNREFUSED: 'refused',
  ECONNABORTED: 'timeout', // axios (the SDK's own RequestClient): its timeout fired
  // ETIMEDOUT: also what the CLI's transport (src/lib/twilio/transport.ts) says when its timeout fires
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  // fetch (undici): the server went away mid-request (a killed emulator), or its own timeouts
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
};

/** TLS failures: certificate problems (OpenSSL's names) and handshakes that went wrong. */
const TLS_CODE = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH)/;

const CAUSE_WORDS: Record<NetworkCause, string> = {
  dns: 'its name does not resolve (DNS)',
  refused: 'connection refused',
  timeout: 'no answer in time',
  tls: 'the TLS handshake failed',
  reset: 'the connection was reset',
  unreachable: 'the network or host is unreachable',
};

export function networkCause(code: string | undefined): NetworkCause | undefined {
  if (!code) return undefined;
  return NETWORK_CAUSES[code] ?? (TLS_CODE.test(code) ? 'tls' : undefined);
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`);

/**
 * A network failure as NETWORK: the host, the cause (DNS, refused, timeout, TLS, reset,
 * unreachable) and the system's code, with a hint for that cause.
 */
function networkError(error: unknown, code: string, cause: NetworkCause, ctx: {baseUrl?: string; target?: string}): FlexconvError {
  const err = error as NodeJS.ErrnoException & {
    cause?: NodeJS.ErrnoException & {hostname?: string};
    config?: {url?: string};
    flexconv?: {url: string; timeoutMs: number};
    hostname?: string;
    message: string;
  };
  // The URL that failed (the request layer and axios keep it), else the base URL; never the {domain} pattern.
  const url = err.flexconv?.url ?? err.config?.url;
  const where = originOf(url) ?? ctx.baseUrl?.replace('{domain}', '*') ?? 'the API';
  const host = hostOf(url) ?? err.hostname ?? err.cause?.hostname ?? hostOf(ctx.baseUrl?.replace('{domain}', 'api')) ?? 'the API';
  const emulator = ctx.target === 'emulator';
  const timeoutMs = err.flexconv?.timeoutMs ?? Number(/timeout of (\d+)ms/.exec(err.message ?? '')?.[1] ?? NaN);
  let message: string;
  const hints: string[] = [];
  switch (cause) {
    case 'timeout':
      message = `No answer from ${where} within ${Number.isFinite(timeoutMs) ? seconds(timeoutMs) : 'the timeout'} (timeout, ${code})`;
      hints.push('allow longer with --timeout (e.g. --timeout 60s) or FLEXCONV_TIMEOUT', emulator ? 'is the emulator process stuck? `flexconv emulator status`' : 'check your network connection and proxy settings');
      break;
    case 'refused':
      message = emulator ? `No emulator is answering at ${where} (${CAUSE_WORDS.refused}, ${code})` : `Cannot reach ${where}: ${CAUSE_WORDS.refused} (${code})`;
      if (emulator) hints.push('start one with `flexconv emulator start`', 'or point at a running one with --emulator-url URL');
      else hints.push('check your proxy settings (HTTP_PROXY)');
      break;
    case 'dns':
      message = `Cannot reach ${where}: ${CAUSE_WORDS.dns}, ${code}`;
      hints.push(
        emulator
          ? 'check the emulator URL (--emulator-url, FLEXCONV_EMULATOR_URL or the project config)'
          : 'check --region/--edge (TWILIO_REGION, TWILIO_EDGE, the profile): regions are like us1, ie1, au1; edges like ashburn, dublin, sydney',
        'and your network connection (DNS)',
      );
      break;
    case 'tls':
      message = `Cannot reach ${where}: ${CAUSE_WORDS.tls} (${code}${err.message && !err.message.includes(code) ? `: ${err.message}` : ''})`;
      hints.push('a proxy or antivirus that intercepts TLS? point TWILIO_CA_BUNDLE (or NODE_EXTRA_CA_CERTS) at its CA certificate');
      break;
    default:
      message = emulator && cause === 'reset' ? `No emulator is answering at ${where} (${CAUSE_WORDS[cause]}, ${code})` : `Cannot reach ${where}: ${CAUSE_WORDS[cause]} (${code})`;
      hints.push(...(emulator ? ['start one with `flexconv emulator start`', 'or point at a running one with --emulator-url URL'] : ['check your network connection, proxy settings and --region/--edge']));
  }
  return new FlexconvError('NETWORK', message, {hints, network: {host, cause, errno: code}, cause: error});
}

const SERVER_ERROR_HINT =
  'a server error (after the retries that were safe): a create may have happened anyway, so list before running it again';

/** Hints keyed by Twilio error code; the emulator answers the same codes, so hints fire on both targets. */
const CATALOG: Record<number, {code: ErrorCode; message?: string; hints?: string[]}> = {
  20001: {code: 'INVALID_PARAMETER'},
  20003: {
    code: 'AUTH_FAILED',
    message: 'Authentication failed: the Account SID and Auth Token (or API key and secret) were not accepted',
    hints: [
      'check which credentials won with `flexconv whoami`',
      'for the emulator, the default test account is shown by `flexconv emulator status`',
    ],
  },
  20404: {code: 'NOT_FOUND', hints: ['list what exists with `flexconv addresses list`']},
  20412: {code: 'VERSION_MISMATCH'},
  20429: {code: 'RATE_LIMITED', hints: ['slow down or retry later']},
  50353: {code: 'ALREADY_EXISTS'}, // a Conversation with that UniqueName already exists
  50377: {code: 'CONVERSATION_CLOSED'},
  50416: {code: 'BINDING_IN_USE'},
  50433: {code: 'PARTICIPANT_EXISTS'},
};

interface RestExceptionLike {
  status: number;
  code?: number;
  message: string;
  moreInfo?: string;
}

export function isRestException(e: unknown): e is RestExceptionLike {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as RestExceptionLike).status === 'number' &&
    ((e as Error).name === 'RestException' || (e as {constructor?: {name?: string}}).constructor?.name === 'RestException')
  );
}

/**
 * An HTTP error whose body was Twilio's error shape ({code, message, more_info, status}), as
 * Twilio and the emulator send. Without one (an HTML or empty 404, say) the SDK's RestException
 * has no numeric `code`: whatever answered was not the Twilio API.
 */
export function isTwilioError(e: unknown): e is RestExceptionLike & {code: number} {
  return isRestException(e) && typeof e.code === 'number';
}

/**
 * Map anything thrown below a command to a FlexconvError. `baseUrl` names where requests went,
 * for network failures.
 */
export function toFlexconvError(error: unknown, ctx: {baseUrl?: string; target?: string} = {}): FlexconvError {
  if (error instanceof FlexconvError) return error;
  if (isRestException(error) && !isTwilioError(error) && ctx.target === 'emulator' && ctx.baseUrl) {
    // Some other HTTP server at the emulator URL (a dev server, a proxy): say so, not "[HTTP 404]".
    return new FlexconvError(
      'NOT_AN_EMULATOR',
      `The server at ${ctx.baseUrl} did not answer like a flexconv emulator (HTTP ${error.status} without a Twilio error body)`,
      {
        hints: [
          `see what answers there: \`flexconv emulator status --emulator-url ${ctx.baseUrl}\``,
          'start an emulator with `flexconv emulator start`, or point at one with --emulator-url URL',
        ],
        cause: error,
      },
    );
  }
  if (isRestException(error)) {
    const code = error.code ?? error.status;
    const known = CATALOG[code];
    // a create is not retried on a 5xx (src/lib/twilio/request.ts): it may have happened anyway
    const serverError = error.status >= 500 && error.status !== 501 ? [SERVER_ERROR_HINT] : [];
    return new FlexconvError(known?.code ?? 'TWILIO_API_ERROR', known?.message ?? error.message, {
      twilio: {code, status: error.status, moreInfo: error.moreInfo},
      hints: [...(known?.hints ?? []), ...serverError],
      cause: error,
    });
  }
  if (error instanceof SyntaxError && ctx.target === 'emulator' && ctx.baseUrl) {
    // a 2xx whose body is not JSON (the SDK parses it): some other server answers there
    return new FlexconvError('NOT_AN_EMULATOR', `The server at ${ctx.baseUrl} did not answer like a flexconv emulator (a success answer that is not JSON)`, {
      hints: [
        `see what answers there: \`flexconv emulator status --emulator-url ${ctx.baseUrl}\``,
        'start an emulator with `flexconv emulator start`, or point at one with --emulator-url URL',
      ],
      cause: error,
    });
  }
  if ((error as Error)?.name === 'ExitPromptError' || (error as Error)?.name === 'AbortPromptError') {
    // Ctrl-C at a prompt: the user chose to stop.
    return new FlexconvError('CANCELLED', CANCELLED_MESSAGE, {cause: error});
  }
  const err = error as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException};
  const netCode = err?.code ?? err?.cause?.code;
  const cause = networkCause(netCode) ?? networkCause(err?.cause?.code);
  if (netCode && cause) return networkError(error, netCode, cause, ctx);
  return new FlexconvError('UNEXPECTED', 'unexpected error, rerun with DEBUG=flexconv* for details', {
    cause: error,
  });
}
