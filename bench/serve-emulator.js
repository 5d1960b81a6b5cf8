#!/usr/bin/env node
// Start the built emulator (dist/) in this process with a file database in a fresh temp dir,
// then print one JSON line on stdout: {"url", "pid", "db", "dir"}. Used as the server child of
// bench/emulator.js and bench/startup.js so the load generator never shares its event loop.
//
//   node bench/serve-emulator.js            # temp dir under os.tmpdir() (or $BENCH_DB_DIR)
//
// Stops gracefully on SIGTERM/SIGINT or when stdin closes (drain, WAL checkpoint, close DB),
// removes the temp dir and exits 0 — exiting normally is what lets `node --cpu-prof` write
// its profile.
import {mkdtempSync, rmSync} from 'node:fs';
import {getHeapStatistics} from 'node:v8';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

let startEmulator;
try {
  ({startEmulator} = await import('../dist/lib/emulator/index.js'));
} catch (error) {
  console.error(`cannot load ../dist/lib/emulator/index.js (run \`npx tsc -p tsconfig.json\` first): ${error.message}`);
  process.exit(2);
}

const dir = mkdtempSync(join(process.env.BENCH_DB_DIR || tmpdir(), 'flexconv-bench-'));
const db = join(dir, 'emulator.db');
// BENCH_EMULATOR_CLOCK=manual: timers fire only when the clock is advanced (bench/interactions)
const emu = await startEmulator({db, port: 0, host: '127.0.0.1', ...(process.env.BENCH_EMULATOR_CLOCK === 'manual' ? {clock: 'manual'} : {})});
process.stdout.write(JSON.stringify({url: emu.url, pid: process.pid, db, dir}) + '\n');

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  try {
    await emu.stop();
  } finally {
    rmSync(dir, {recursive: true, force: true});
    process.exit(0);
  }
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// bench/lib.js heapStats(): report how the process sees its own memory (V8 heap vs the rest).
process.on('message', (m) => {
  if (m !== 'memory') return;
  const h = getHeapStatistics();
  process.send?.({
    type: 'memory',
    memory: {...process.memoryUsage(), v8Committed: h.total_physical_size, v8Used: h.used_heap_size},
  });
});
process.channel?.unref();

// The parent keeps our stdin open; if it dies without signalling us, we go too.
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();
