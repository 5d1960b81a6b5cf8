/**
 * The usage error of the hooks (they run before any command, so without the command base's
 * renderer): JSON on stdout under --json, else `✖ USAGE: …` and `→ hint` lines on stderr; exit 2.
 * The same shape FlexconvCommand.catch() gives every other usage error.
 */
export function failUsage(json: boolean, message: string, hints: string[]): never {
  if (json) {
    process.stdout.write(JSON.stringify({status: 2, error: {code: 'USAGE', message, hints, exit: 2}, warnings: []}, null, 2) + '\n');
  } else {
    process.stderr.write(`✖ USAGE: ${message}\n${hints.map((h) => `  → ${h}`).join('\n')}\n`);
  }
  process.exit(2);
}

/** Is --json among the words before `--`? */
export function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}
