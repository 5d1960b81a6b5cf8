import os, sys, time, statistics, subprocess
n = int(sys.argv[1]); cmd = sys.argv[2:]
walls, cpus = [], []
for i in range(n + 2):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    w = (time.perf_counter() - t) * 1000
    if i >= 2: walls.append(w); cpus.append((ru.ru_utime + ru.ru_stime) * 1000)
print(f"wall {statistics.median(walls):6.1f} ms (min {min(walls):6.1f})  cpu {statistics.median(cpus):6.1f} ms (min {min(cpus):6.1f})  {' '.join(cmd[-3:])}")
