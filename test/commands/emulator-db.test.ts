/**
 * `emulator start --db` where the database cannot be: a hint about the directory when the
 * directory is the problem (never "move the file away" for a file that does not exist), and a
 * corrupt file's advice said once. Foreground and --detach, the built CLI as a child process.
 */
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';
import {runCli, useSandbox, type Sandbox} from '../helpers/cli.js';

let box: Sandbox;
useSandbox((b) => (box = b));
const start = (db: string, detach: boolean) =>
  runCli(['emulator', 'start', '--port', '0', '--db', db, ...(detach ? ['--detach'] : [])], {env: box.env, cwd: box.cwd, timeout: 30_000});
const count = (s: string, needle: string) => s.split(needle).length - 1;

describe('commands: emulator start --db in a bad place', function () {
  this.timeout(60_000);

  for (const detach of [false, true]) {
    const how = detach ? '--detach' : 'foreground';

    it(`${how}: a directory that cannot be created → a hint about the directory`, async () => {
      const file = join(box.root, 'a-file');
      writeFileSync(file, 'x');
      const db = join(file, 'sub', 'emulator.db');
      const r = await start(db, detach);
      expect(r.exitCode, r.stderr).to.equal(1);
      expect(r.stderr).to.match(/^✖ DB_ERROR: /);
      expect(r.stderr).to.contain(`→ the directory ${join(file, 'sub')} cannot be created: part of its path is a file`);
      expect(r.stderr).not.to.match(/move .* away/);
    });

    it(`${how}: a directory that is not writable → says so`, async function () {
      if (process.getuid?.() === 0) this.skip(); // root writes anywhere
      const dir = join(box.root, 'read-only');
      mkdirSync(dir);
      chmodSync(dir, 0o555);
      try {
        const r = await start(join(dir, 'emulator.db'), detach);
        expect(r.exitCode, r.stderr).to.equal(1);
        expect(r.stderr).to.contain(`→ the directory ${dir} is not writable`);
        expect(r.stderr).not.to.match(/move .* away/);
      } finally {
        chmodSync(dir, 0o755);
      }
    });

    it(`${how}: a corrupt file → "move it away" once`, async () => {
      const db = join(box.root, 'corrupt.db');
      writeFileSync(db, 'not a database at all '.repeat(200));
      const r = await start(db, detach);
      expect(r.exitCode, r.stderr).to.equal(1);
      expect(r.stderr).to.match(/^✖ DB_ERROR: Cannot use the emulator database .+: file is not a database\n/);
      expect(count(r.stderr, 'move '), r.stderr).to.equal(1);
      expect(count(r.stderr, '--db'), r.stderr).to.equal(2); // --db PATH (or --db :memory: …), in the one hint
      expect(r.stderr).to.contain(`→ ${db} is not a database the emulator can use: move ${db} away`);
    });
  }
});
