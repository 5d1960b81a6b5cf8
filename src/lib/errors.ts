/**
 * The CLI's one error type. Every failure a user can meet becomes a FlexconvError with a stable
 * code, a message, hints that name the next command to run, and an exit code:
 * 0 ok, 1 API/runtime error, 2 usage error.
 */
export const Exit = {OK: 0, FAIL: 1, USAGE: 2} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];

export interface TwilioErrorInfo {
  code: number;
  status: number;
  moreInfo?: string;
}

export class FlexconvError extends Error {
  readonly code: string;
  readonly hints: string[];
  readonly twilio?: TwilioErrorInfo;
  readonly exitCode: ExitCode;

  constructor(
    code: string,
    message: string,
    opts: {hints?: string[]; twilio?: TwilioErrorInfo; exit?: ExitCode; cause?: unknown} = {},
  ) {
    super(message, {cause: opts.cause});
    this.name = 'FlexconvError';
    this.code = code;
    this.hints = opts.hints ?? [];
    this.twilio = opts.twilio;
    this.exitCode = opts.exit ?? Exit.FAIL;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.twilio ? {twilio: this.twilio} : {}),
      hints: this.hints,
      exit: this.exitCode,
    };
  }
}

/** What a declined confirmation or Ctrl-C at a prompt says, the same for every command. */
export const CANCELLED_MESSAGE = 'Cancelled; nothing was changed';

export const usageError = (message: string, hints: string[] = []) =>
  new FlexconvError('USAGE', message, {hints, exit: Exit.USAGE});

const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNABORTED', 'EPIPE'];

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Hints keyed by Twilio error code; the emulator answers the same codes, so hints fire on both targets. */
const CATALOG: Record<number, {code: string; message?: string; hints?: string[]; exit?: ExitCode}> = {
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
  20429: {code: 'RATE_LIMITED', hints: ['slow down or retry later']},
  50353: {code: 'ALREADY_EXISTS'}, // a Conversation with that UniqueName already exists
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
    return new FlexconvError(known?.code ?? 'TWILIO_API_ERROR', known?.message ?? error.message, {
      twilio: {code, status: error.status, moreInfo: error.moreInfo},
      hints: known?.hints,
      exit: known?.exit ?? Exit.FAIL,
      cause: error,
    });
  }
  if ((error as Error)?.name === 'ExitPromptError' || (error as Error)?.name === 'AbortPromptError') {
    // Ctrl-C at a prompt: the user chose to stop.
    return new FlexconvError('CANCELLED', CANCELLED_MESSAGE, {cause: error});
  }
  const err = error as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException; config?: {url?: string}};
  const netCode = err?.code ?? err?.cause?.code;
  if (netCode && NETWORK_CODES.includes(netCode)) {
    // The URL that failed (axios keeps it), else the base URL; never the {domain} pattern.
    const where = originOf(err?.config?.url) ?? ctx.baseUrl?.replace('{domain}', '*') ?? 'the API';
    const emulator = ctx.target === 'emulator';
    const timedOut = netCode === 'ECONNABORTED' || netCode === 'ETIMEDOUT';
    return new FlexconvError(
      'NETWORK',
      timedOut
        ? `No answer from ${where} in time (${netCode})`
        : emulator
          ? `No emulator is answering at ${where} (${netCode})`
          : `Cannot reach ${where} (${netCode})`,
      {
        hints: emulator
          ? ['start one with `flexconv emulator start`', 'or point at a running one with --emulator-url URL']
          : ['check your network connection, proxy settings and --region/--edge'],
        cause: error,
      },
    );
  }
  return new FlexconvError('UNEXPECTED', 'unexpected error, rerun with DEBUG=flexconv* for details', {
    cause: error,
  });
}
