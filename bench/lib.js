// Shared helpers for the benchmarks in bench/ (plain ESM, no build step).
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';

export {sleep};

export const MiB = 1024 * 1024;

/**
 * Spawn `node [nodeArgs] script` as a server child that prints one JSON line ({url, pid, ...})
 * on stdout when it is listening. Resolves to that info plus the child and a stop() that
 * signals it and waits for a normal exit (so --cpu-prof can write its profile).
 */
export function spawnServer(script, {nodeArgs = [], env = process.env, timeoutMs = 20_000} = {}) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
    env,
  });
  child.unref();
  child.channel?.unref();
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not report its URL within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited early (code ${code}, signal ${signal})`));
    };
    child.once('exit', onExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.stdout.setEncoding('utf8');
    const onData = (chunk) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', onData);
      child.stdout.resume(); // discard anything else
      let info;
      try {
        info = JSON.parse(buf.slice(0, nl));
      } catch (error) {
        child.kill('SIGKILL');
        reject(new Error(`${script} printed something other than its JSON info line: ${buf.slice(0, nl)}`));
        return;
      }
      let exited = child.exitCode !== null || child.signalCode !== null;
      const exitPromise = new Promise((res) => child.once('exit', () => ((exited = true), res())));
      resolve({
        ...info,
        child,
        /** The child's own view of its memory (serve-emulator.js answers), or undefined. */
        heapStats(timeoutMs = 2000) {
          return new Promise((res) => {
            if (exited || !child.connected) return res(undefined);
            const t = setTimeout(() => (child.off('message', on), res(undefined)), timeoutMs);
            const on = (m) => {
              if (m?.type !== 'memory') return;
              clearTimeout(t);
              child.off('message', on);
              res(m.memory);
            };
            child.on('message', on);
            child.send('memory');
          });
        },
        async stop(graceMs = 10_000) {
          if (exited) return;
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exitPromise;
          clearTimeout(t);
        },
      });
    };
    child.stdout.on('data', onData);
  });
}

/**
 * VmRSS / VmHWM (peak) / RssAnon / RssFile of a process from /proc, in bytes (undefined where
 * /proc is unavailable). RssFile is mostly the node binary's own pages (shared, file-backed).
 */
export function procMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : undefined;
    };
    return {rss: kib('VmRSS'), hwm: kib('VmHWM'), anon: kib('RssAnon'), file: kib('RssFile')};
  } catch {
    return {};
  }
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function basicAuth(user, pass) {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

/** Render rows (arrays of cells) as a fixed-width text table with a header row. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export const fmt = {
  int: (n) => (n === undefined || Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US')),
  pct: (r) => (r === undefined || Number.isNaN(r) ? 'n/a' : `${(r * 100).toFixed(1)} %`),
  mib: (b) => (b === undefined ? 'n/a' : `${(b / MiB).toFixed(1)} MiB`),
  ms: (n) => (n === undefined || Number.isNaN(n) ? 'n/a' : `${n.toFixed(n < 10 ? 2 : 1)} ms`),
};

/**
 * CPU accounting from /proc, to flag measurements disturbed by other work on the machine:
 * sample() before and after a case, then foreignCores(a, b) = CPU used by processes other than
 * `pids` (in cores, averaged over the interval). Undefined where /proc is unavailable.
 */
export function cpuSample(pids) {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice
    const busy = line[0] + line[1] + line[2] + line[5] + line[6] + line[7];
    let own = 0;
    const perPid = {};
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      perPid[pid] = Number(f[11]) + Number(f[12]); // utime stime (fields 14, 15)
      own += perPid[pid];
    }
    return {t: performance.now(), busy, own, perPid, steal: line[7]};
  } catch {
    return undefined;
  }
}

const CLK_TCK = 100; // USER_HZ on Linux

/** CPU seconds one of the sampled pids used between two samples. */
export function cpuSeconds(a, b, pid) {
  if (!a || !b) return undefined;
  return (b.perPid[pid] - a.perPid[pid]) / CLK_TCK;
}
export function foreignCores(a, b) {
  if (!a || !b) return undefined;
  const secs = (b.t - a.t) / 1000;
  return Math.max(0, (b.busy - b.own - (a.busy - a.own)) / CLK_TCK / secs);
}
