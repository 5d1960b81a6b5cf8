/**
 * The one error path of the emulator: handlers throw TwilioApiError, the router turns it into
 * Twilio's wire body {code, message, more_info, status} (plus `detail` where Twilio sends one).
 */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly detail?: string,
    /** Response headers this error needs (Allow on a 405, WWW-Authenticate on a 401). */
    readonly headers: Record<string, string> = {},
    /** `details` of the body, where Twilio sends one (Studio's list of a definition's faults). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }

  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
    if (this.detail) body.detail = this.detail;
    if (this.details) body.details = this.details;
    return body;
  }
}

/** Twilio error codes shared by the emulator (and mirrored in the CLI's hint catalog). */
export const CODES = {
  INVALID_PARAMETER: 20001,
  AUTHENTICATE: 20003,
  METHOD_NOT_ALLOWED: 20004,
  NOT_FOUND: 20404,
  CONFLICT: 20409,
  FORBIDDEN: 20403,
  INTERNAL: 20500,
  /** [emulator] Twilio has no code for "not implemented here"; 20501 keeps the 20xxx family of generic errors. */
  NOT_IMPLEMENTED: 20501,
  /**
   * [unverified] Twilio's error dictionary has no code for a duplicate address configuration
   * (50353 is a duplicate Conversation UniqueName), so the generic 409 code is our guess.
   */
  ADDRESS_EXISTS: 20409,
} as const;

export const errors = {
  notFound(path: string): TwilioApiError {
    return new TwilioApiError(404, CODES.NOT_FOUND, `The requested resource ${path} was not found`);
  },
  invalid(param: string, why: string): TwilioApiError {
    return new TwilioApiError(400, CODES.INVALID_PARAMETER, `Invalid parameter ${param}: ${why}`);
  },
  missing(param: string, where: 'post body' | 'query' = 'post body'): TwilioApiError {
    return new TwilioApiError(400, CODES.INVALID_PARAMETER, `Missing required parameter ${param} in the ${where}`);
  },
  conflict(code: number, message: string): TwilioApiError {
    return new TwilioApiError(409, code, message);
  },
  unauthorized(): TwilioApiError {
    return new TwilioApiError(401, CODES.AUTHENTICATE, 'Authenticate', 'Your AccountSid or AuthToken was incorrect.', {
      'WWW-Authenticate': 'Basic realm="Twilio API"',
    });
  },
  methodNotAllowed(method: string, path: string, allow: string): TwilioApiError {
    return new TwilioApiError(405, CODES.METHOD_NOT_ALLOWED, `Method ${method} is not allowed on ${path}`, undefined, {
      Allow: allow,
    });
  },
  /** A part of Twilio's API the emulator does not implement: 501, never a 404 that looks like a missing resource. */
  notImplemented(what: string, path: string): TwilioApiError {
    return new TwilioApiError(501, CODES.NOT_IMPLEMENTED, `The flexconv emulator does not implement ${what} (${path}); use real Twilio for it`);
  },
  internal(message = 'Internal server error'): TwilioApiError {
    return new TwilioApiError(500, CODES.INTERNAL, message);
  },
};
