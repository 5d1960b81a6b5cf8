# usage: bench1.sh N cmd...   -> median ms
N=$1; shift
node -e '
const {spawnSync}=require("child_process");const N=+process.argv[1];const a=process.argv.slice(2);const t=[];
for(let i=0;i<N+2;i++){const s=process.hrtime.bigint();spawnSync(process.execPath,a,{stdio:"ignore"});if(i>=2)t.push(Number(process.hrtime.bigint()-s)/1e6)}
t.sort((x,y)=>x-y);console.log("median",t[t.length>>1].toFixed(1),"min",t[0].toFixed(1))' "$N" "$@"
