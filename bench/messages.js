#!/usr/bin/env node
// A conversation with 100,000 messages lists a page at ≥ 80 % of the rate of one with 10 (issue 8).
//
//   node bench/messages.js [--messages 100000] [--seconds 5]
//
// Starts the built emulator (bench/serve-emulator.js, file database), creates two conversations,
// adds 10 messages to one and --messages to the other over HTTP, then measures GET of the first
// page of each (default PageSize 50, ascending), and the last page by Order=desc, with autocannon
// (10 connections). Server CPU per request is reported too (robust to other load on the machine).
// A page asked again while its conversation is unchanged is served from the repository's page
// memo (as polling clients such as `conversations tail` do); a write to the conversation drops it.
import {Agent, request} from 'node:http';
import {parseArgs} from 'node:util';
import autocannon from 'autocannon';
import {basicAuth, cpuSample, cpuSeconds, foreignCores, spawnServer, table} from './lib.js';

const {values} = parseArgs({options: {messages: {type: 'string', default: '100000'}, seconds: {type: 'string', default: '5'}}});
const MESSAGES = Number(values.messages);
const SECONDS = Number(values.seconds);
const AUTH = basicAuth('ACf1ec0000000000000000000000000001', 'f1ec0000000000000000000000000001');

const server = await spawnServer(new URL('./serve-emulator.js', import.meta.url).pathname);
const base = new URL(server.url);
const agent = new Agent({keepAlive: true, maxSockets: 16});
function call(method, path, form) {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      {host: base.hostname, port: base.port, method, path, agent, headers: {Authorization: AUTH, ...(body ? {'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body)} : {})}},
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({status: res.statusCode, body: Buffer.concat(chunks).toString()}));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
async function conversation(n) {
  const r = await call('POST', '/conversations/v1/Conversations', {FriendlyName: `bench ${n}`});
  if (r.status !== 201) throw new Error(`create conversation: ${r.status} ${r.body}`);
  const sid = JSON.parse(r.body).sid;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({length: 16}, async () => {
      while (next < n) {
        const i = next++;
        const m = await call('POST', `/conversations/v1/Conversations/${sid}/Messages`, {Author: 'bench', Body: `message ${i} ${'x'.repeat(40)}`});
        if (m.status !== 201) throw new Error(`message: ${m.status} ${m.body}`);
      }
    }),
  );
  if (n > 1000) process.stderr.write(`seeded ${n.toLocaleString()} messages at ${Math.round(n / ((performance.now() - t0) / 1000))}/s\n`);
  return sid;
}
const small = await conversation(10);
const large = await conversation(MESSAGES);

async function measure(label, path) {
  await autocannon({url: server.url, connections: 10, duration: 1, headers: {Authorization: AUTH}, requests: [{method: 'GET', path}]});
  const before = cpuSample([server.pid]);
  const r = await autocannon({url: server.url, connections: 10, duration: SECONDS, headers: {Authorization: AUTH}, requests: [{method: 'GET', path}]});
  const after = cpuSample([server.pid]);
  const cpu = cpuSeconds(before, after, server.pid);
  return {label, rps: r.requests.average, cpuUs: cpu === undefined ? NaN : (cpu * 1e6) / r.requests.total, bytes: r.throughput.total / Math.max(r.requests.total, 1), non2xx: r.non2xx + r.errors, other: foreignCores(before, after)};
}
const path = (sid, q = '') => `/conversations/v1/Conversations/${sid}/Messages${q}`;
const rows = [
  await measure('10 messages, first page', path(small)),
  await measure(`${MESSAGES.toLocaleString()} messages, first page`, path(large)),
  await measure(`${MESSAGES.toLocaleString()} messages, Order=desc`, path(large, '?Order=desc')),
];
await server.stop();
agent.destroy();
const [ref] = rows;
console.log(
  '\n' +
    table(
      ['case', 'req/s', 'vs 10', 'by CPU', 'server CPU/req', 'bytes/resp', 'non-2xx', 'other CPU'],
      rows.map((r) => [r.label, r.rps.toFixed(0), `${((r.rps / ref.rps) * 100).toFixed(1)} %`, `${((ref.cpuUs / r.cpuUs) * 100).toFixed(1)} %`, `${r.cpuUs.toFixed(0)} µs`, r.bytes.toFixed(0), r.non2xx, r.other?.toFixed(2)]),
    ),
);
// the target is the first page; Order=desc is shown for information
const ok = rows[1].rps >= ref.rps * 0.8 && rows.every((r) => r.non2xx === 0);
console.log(`\ntarget: a page of the ${MESSAGES.toLocaleString()}-message conversation at ≥ 80 % of the 10-message one: ${ok ? 'PASS' : 'FAIL'}`);
process.exitCode = ok ? 0 : 1;
