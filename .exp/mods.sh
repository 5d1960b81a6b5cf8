# usage: mods.sh <flexconv args...>  → modules evaluated, biggest first (source bytes)
cd /work/main && cp dist/fast.cjs /tmp/fast.orig.cjs && node -e '
const fs=require("fs");let s=fs.readFileSync("dist/fast.cjs","latin1");
s=s.replace("var __esm=(fn,res,err)=>function __init(){","var __esm=(fn,res,err)=>function __init(){if(fn)(globalThis.__mods??=[]).push(__getOwnPropNames(fn)[0]);");
s=s.replace("var __commonJS=(cb,mod)=>function __require(){","var __commonJS=(cb,mod)=>function __require(){if(!mod)(globalThis.__mods??=[]).push(__getOwnPropNames(cb)[0]);");
s=s.replace(/^\/\/ flexconv-fast [0-9a-f]+/, "// flexconv-fast 0000000000000000");
s+="\nprocess.on(\"exit\",()=>require(\"fs\").writeFileSync(\"/tmp/mods.txt\",globalThis.__mods.join(\"\\n\")));";
fs.writeFileSync("dist/fast.cjs",s)'
(cd /tmp/cwd1 && HOME=/tmp/hmods node /work/main/bin/run.js "$@" >/dev/null)
cp /tmp/fast.orig.cjs dist/fast.cjs
node -e '
const fs=require("fs");const mods=fs.readFileSync("/tmp/mods.txt","utf8").split("\n");
const src=fs.readFileSync("/tmp/fast.orig.cjs","latin1");
const re=/(?:__commonJS|__esm)\(\{"([^"]+)"\(/g;let m;const pos=[];while((m=re.exec(src)))pos.push([m[1],m.index]);
const size=new Map();pos.forEach(([n,i],k)=>size.set(n,(k+1<pos.length?pos[k+1][1]:src.length)-i));
let tot=0;const by=new Map();for(const n of mods){const z=size.get(n)||0;tot+=z;const k=n.startsWith("node_modules/")?n.split("/").slice(0,n.split("/")[1].startsWith("@")?3:2).join("/"):n.split("/").slice(0,3).join("/");by.set(k,(by.get(k)||0)+z)}
console.log("modules",mods.length,"of",pos.length,"bytes",tot,"of",src.length);
for(const [k,v] of [...by].sort((a,b)=>b[1]-a[1]).slice(0,+process.env.TOP||25))console.log((v/1024).toFixed(1).padStart(8),k)'
