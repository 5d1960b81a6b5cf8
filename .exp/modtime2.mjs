import {readFileSync} from 'node:fs';
const prof = JSON.parse(readFileSync(process.argv[2]));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const dt = new Map();
prof.samples.forEach((id, i) => dt.set(id, (dt.get(id) || 0) + (prof.timeDeltas[i] || 0)));
const isMod = (n) => /\/|\.json$/.test(n.callFrame.functionName) && n.callFrame.url.includes('fast.cjs');
const acc = new Map();
function walk(n, owner) {
  const own = isMod(n) ? n.callFrame.functionName : owner;
  acc.set(own, (acc.get(own) || 0) + (dt.get(n.id) || 0));
  for (const c of n.children || []) walk(byId.get(c), own);
}
walk(prof.nodes[0], '(outside)');
for (const [k, v] of [...acc].sort((a, b) => b[1] - a[1]).slice(0, +process.argv[3] || 40)) console.log((v / 1000).toFixed(1).padStart(7), k);
