/**
 * The one exit-code rule: every error code has one exit code (ERROR_CODES), the README lists each
 * with that number, and no code is used anywhere in src/ without being registered there.
 */
import {expect} from 'chai';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {ERROR_CODES, FlexconvError} from '../../src/lib/errors.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error codes and exit codes', () => {
  it('2 for usage and local configuration, 1 for API and runtime errors, taken from the code', () => {
    for (const code of ['USAGE', 'CONFIG_INVALID', 'NO_CREDENTIALS', 'INCOMPLETE_CREDENTIALS', 'BAD_CREDENTIALS', 'PROFILE_NOT_FOUND'] as const)
      expect(new FlexconvError(code, 'x').exitCode, code).to.equal(2);
    for (const code of ['NETWORK', 'AUTH_FAILED', 'NOT_FOUND', 'TWILIO_API_ERROR', 'DB_ERROR', 'UNEXPECTED', 'CANCELLED'] as const)
      expect(new FlexconvError(code, 'x').exitCode, code).to.equal(1);
  });

  it('the README lists every code with its exit code, and no other', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const listed = new Map([...readme.matchAll(/^\| `([A-Z_]+)` \| ([12]) \|/gm)].map((m) => [m[1], Number(m[2])]));
    expect(Object.fromEntries(listed)).to.deep.equal(Object.fromEntries(Object.entries(ERROR_CODES).map(([k, v]) => [k, v.exit])));
  });

  it('every code written in src/ (errors and the hooks’ own JSON) is a registered one', () => {
    const used = new Set<string>();
    for (const file of sources(join(ROOT, 'src'))) {
      if (file.includes(`${join('src', 'lib', 'emulator')}`)) continue; // the emulator speaks Twilio codes, not these
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/FlexconvError\(\s*'([A-Z_]+)'/g)) used.add(m[1]);
      // `code: 'X'` also spells Node's errno names (EADDRINUSE …): those are not ours
      for (const m of text.matchAll(/\bcode: '([A-Z_]+)'/g)) if (!/^E[A-Z]+$/.test(m[1])) used.add(m[1]);
    }
    expect(used.size).to.be.greaterThan(10);
    expect([...used].filter((c) => !(c in ERROR_CODES))).to.deep.equal([]);
  });
});
