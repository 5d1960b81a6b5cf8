#!/usr/bin/env node
// Baseline for bench/emulator.js: a bare node:http server answering every request with a small
// JSON body, on loopback, in its own process. Prints {"url", "pid"} on stdout like
// serve-emulator.js, and exits on SIGTERM/SIGINT or when stdin closes.
import {createServer} from 'node:http';

const body = JSON.stringify({hello: 'world', ok: true});
const server = createServer((req, res) => {
  // Drain any request body before answering, as a real API server must.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body)});
    res.end(body);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const {port} = server.address();
  process.stdout.write(JSON.stringify({url: `http://127.0.0.1:${port}`, pid: process.pid}) + '\n');
});

const shutdown = () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();
