import {readFileSync} from 'node:fs';
const prof = JSON.parse(readFileSync(process.argv[2]));
const maxDepth = Number(process.argv[3] || 6), min = Number(process.argv[4] || 2);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const dt = new Map();
prof.samples.forEach((id, i) => dt.set(id, (dt.get(id) || 0) + (prof.timeDeltas[i] || 0)));
const incl = new Map();
function tot(n) { let t = dt.get(n.id) || 0; for (const c of n.children || []) t += tot(byId.get(c)); incl.set(n.id, t); return t; }
tot(prof.nodes[0]);
function show(n, d) {
  const t = incl.get(n.id) / 1000; if (t < min || d > maxDepth) return;
  const f = n.callFrame; console.log(' '.repeat(d * 2) + t.toFixed(1) + ' ' + (f.functionName || '(anon)') + ' ' + f.url.replace(/.*\//, '') + ':' + f.lineNumber);
  for (const c of (n.children || []).map((c) => byId.get(c)).sort((a, b) => incl.get(b.id) - incl.get(a.id))) show(c, d + 1);
}
show(prof.nodes[0], 0);
