/**
 * The one URL rule between Twilio and the emulator, shared by the CLI's SDK binding and the
 * emulator's own (`emu.twilio()`): https://{domain}[.{edge}][.{region}].twilio.com/{path} is
 * {emulator}/{domain}/{path}. Only the first host label counts, so regions and edges work.
 * Imports nothing.
 */
export const TWILIO_HOST_RE = /^https:\/\/([a-z0-9-]+)(?:\.[a-z0-9-]+)*\.twilio\.com(?=\/|\?|$)/i;

/** https://conversations.twilio.com/v1/X → {base}/conversations/v1/X; other URLs untouched. */
export function toEmulatorUrl(baseUrl: string, uri: string): string {
  return uri.replace(TWILIO_HOST_RE, (_m, domain: string) => `${baseUrl.replace(/\/$/, '')}/${domain.toLowerCase()}`);
}
