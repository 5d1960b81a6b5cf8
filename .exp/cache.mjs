import vm from 'node:vm'; import {readFileSync} from 'node:fs';
const src = '(function (exports, require, module, __filename, __dirname, __flexconvImport) {' + readFileSync(process.argv[2], 'latin1') + '\n})';
let t = performance.now(); const s = new vm.Script(src, {filename: 'x.cjs'}); const tc = performance.now() - t;
const d = s.createCachedData(); console.log('cold compile', tc.toFixed(1), 'ms; top-level-only cache', d.length);
const ex = process.argv[3] ? readFileSync(process.argv[3]) : null;
for (const [name, data] of [['toplevel', d], ...(ex ? [['existing', ex.subarray(ex.indexOf(10) + 1)]] : [])]) {
  const times = []; for (let i = 0; i < 5; i++) { t = performance.now(); const s2 = new vm.Script(src, {filename: 'y' + i + '.cjs', cachedData: data}); times.push(performance.now() - t); if (s2.cachedDataRejected) console.log('rejected'); }
  console.log(name, data.length, times.map((x) => x.toFixed(1)).join(' '));
}
