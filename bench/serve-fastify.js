#!/usr/bin/env node
// Informational second baseline for bench/emulator.js: the same JSON hello-world as
// serve-bare.js, but through fastify (the emulator's framework, same version, logger off), so
// the report can separate framework overhead from the emulator's own per-request work.
// Prints {"url", "pid"} on stdout; exits on SIGTERM/SIGINT or when stdin closes.
import Fastify from 'fastify';

const app = Fastify({logger: false});
const body = {hello: 'world', ok: true};
app.all('/*', async () => body);
await app.listen({port: 0, host: '127.0.0.1'});
const {port} = app.server.address();
process.stdout.write(JSON.stringify({url: `http://127.0.0.1:${port}`, pid: process.pid}) + '\n');

const shutdown = () => {
  app.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();
