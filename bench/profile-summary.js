#!/usr/bin/env node
// Summarise V8 .cpuprofile files (from `node --cpu-prof`, e.g. BENCH_CPU_PROF=<dir> with
// bench/emulator.js): self time by package/area and the top functions by self time, plus
// inclusive time of a few functions of interest.
//
//   node bench/profile-summary.js <file.cpuprofile>... [--top 25] [--focus name,name]
import {readFileSync} from 'node:fs';

const args = process.argv.slice(2);
let top = 25;
let focus = ['run', 'authenticate', 'pageBody', 'page', 'insert', 'findBy', 'tx', 'render', 'serialize', 'stringify', 'parse'];
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--focus') focus = args[++i].split(',');
  else files.push(args[i]);
}
if (!files.length) {
  console.error('usage: node bench/profile-summary.js <file.cpuprofile>... [--top N] [--focus a,b]');
  process.exit(2);
}

function area(url, name) {
  if (!url) {
    if (name === '(garbage collector)') return '(gc)';
    if (name === '(idle)' || name === '(program)' || name === '(root)') return name;
    return '(native/builtin)';
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node:${m ? m[1] : url}`;
  }
  const d = /\/dist\/(.*)$/.exec(url) || /\/src\/(.*)$/.exec(url);
  if (d) return `flexconv:${d[1]}`;
  return url;
}

for (const file of files) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // self time per node from samples × timeDeltas
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const idleUs = [...self].filter(([id]) => nodes.get(id).callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  const busyUs = totalUs - idleUs;

  const byArea = new Map();
  const byFn = new Map();
  for (const [id, t] of self) {
    const {functionName, url, lineNumber} = nodes.get(id).callFrame;
    if (functionName === '(idle)') continue;
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + t);
    const key = `${functionName || '(anonymous)'}  ${a}${url ? `:${lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  // inclusive time for focus functions (flexconv code only), counted once per sample stack
  const incl = new Map();
  for (const [id, t] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const {functionName, url} = nodes.get(cur).callFrame;
      if (!focus.includes(functionName)) continue;
      const key = `${functionName}  ${area(url, functionName)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + t);
    }
  }

  const pct = (t) => `${((t / busyUs) * 100).toFixed(1).padStart(5)} %`;
  const ms = (t) => `${(t / 1000).toFixed(0).padStart(7)} ms`;
  console.log(`\n== ${file}`);
  console.log(`   sampled ${ms(totalUs)}, busy ${ms(busyUs)} (${((busyUs / totalUs) * 100).toFixed(0)} % of wall); percentages are of busy time`);
  console.log('\n   self time by area');
  for (const [a, t] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`   ${pct(t)} ${ms(t)}  ${a}`);
  console.log(`\n   top ${top} functions by self time`);
  for (const [f, t] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`   ${pct(t)} ${ms(t)}  ${f}`);
  console.log('\n   inclusive time of functions of interest');
  for (const [f, t] of [...incl].sort((x, y) => y[1] - x[1])) console.log(`   ${pct(t)} ${ms(t)}  ${f}`);
}
