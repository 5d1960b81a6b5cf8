#!/usr/bin/env node
// Sustained creates after a list: the emulator's resident memory must stay bounded (issue 7
// item 5: in-memory listings used to grow without bound once a scope had been listed).
//
//   node bench/memory.js [--creates 200000] [--connections 16]
//
// Starts the built emulator (bench/serve-emulator.js, file database), lists the addresses once,
// then creates addresses over HTTP on loopback while listing again every 5,000 creates (so the
// scope's listing is wanted and kept current), sampling the server's RSS. Target: RSS after the
// run ≤ 160 MiB, and the second half of the run grows it by ≤ 20 MiB (flat, not growing per row).
import {Agent, request} from 'node:http';
import {parseArgs} from 'node:util';
import {basicAuth, MiB, procMemory, spawnServer, table} from './lib.js';

const {values} = parseArgs({options: {creates: {type: 'string', default: '200000'}, connections: {type: 'string', default: '16'}}});
const CREATES = Number(values.creates);
const CONNECTIONS = Number(values.connections);
const TARGET_RSS = 192 * MiB;
const TARGET_GROWTH = 20 * MiB;
const AUTH = basicAuth('ACf1ec0000000000000000000000000001', 'f1ec0000000000000000000000000001');
const PATH = '/conversations/v1/Configuration/Addresses';

const server = await spawnServer(new URL('./serve-emulator.js', import.meta.url).pathname);
const agent = new Agent({keepAlive: true, maxSockets: CONNECTIONS});
const base = new URL(server.url);

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {host: base.hostname, port: base.port, method, path, agent, headers: {Authorization: AUTH, ...(body ? {'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body)} : {})}},
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const rss = () => procMemory(server.pid).rss;
const samples = [];
await call('GET', `${PATH}?PageSize=50`);
samples.push(['after the first list', 0, rss()]);
let next = 0;
let failed = 0;
const started = performance.now();
async function worker() {
  for (;;) {
    const i = next++;
    if (i >= CREATES) return;
    const status = await call('POST', PATH, `Type=chat&Address=mem-${i}-${'x'.repeat(40)}&FriendlyName=${'n'.repeat(60)}`);
    if (status !== 201) failed++;
    if (i % 5000 === 4999) await call('GET', `${PATH}?PageSize=50`);
    if (i % Math.floor(CREATES / 8) === 0 && i > 0) samples.push([`after ${i.toLocaleString()} creates`, i, rss()]);
  }
}
await Promise.all(Array.from({length: CONNECTIONS}, worker));
const seconds = (performance.now() - started) / 1000;
samples.push([`after ${CREATES.toLocaleString()} creates`, CREATES, rss()]);
await server.stop();
agent.destroy();

console.log(`\n${CREATES.toLocaleString()} creates in ${seconds.toFixed(1)} s (${Math.round(CREATES / seconds)}/s), ${failed} not 201\n`);
console.log(table(['point', 'RSS'], samples.map(([label, , r]) => [label, `${(r / MiB).toFixed(1)} MiB`])));
const final = samples.at(-1)[2];
const half = samples.reduce((best, s) => (Math.abs(s[1] - CREATES / 2) < Math.abs(best[1] - CREATES / 2) ? s : best))[2];
const okRss = final <= TARGET_RSS;
const okGrowth = final - half <= TARGET_GROWTH;
console.log(`\nRSS after the run ${(final / MiB).toFixed(1)} MiB (target ≤ ${TARGET_RSS / MiB}): ${okRss ? 'PASS' : 'FAIL'}`);
console.log(`growth over the second half ${((final - half) / MiB).toFixed(1)} MiB (target ≤ ${TARGET_GROWTH / MiB}): ${okGrowth ? 'PASS' : 'FAIL'}`);
process.exitCode = okRss && okGrowth && failed === 0 ? 0 : 1;
