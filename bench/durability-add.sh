#!/bin/bash
# Paired `trove add` of N small files (1-16 KiB) in fresh repositories, page cache
# dropped before each run (needs root), alternating: this build without syncs
# (TROVE_FSYNC=0), this build with syncs, and an OLD build with syncs.
# usage: OLD=/path/to/other/dist/src/cli/bin.js bench/durability-add.sh N ROUNDS
# prints: N round variant seconds
set -u
N=$1; R=$2
B=${BENCH_TMP:-/tmp/trove-durability}
NEW=$(cd "$(dirname "$0")/.." && pwd)/dist/cli/trove.cjs
OLD=${OLD:-$NEW}
if [ ! -d $B/data$N ]; then
  mkdir -p $B/data$N
  python3 - "$B/data$N" "$N" <<'PY'
import os,sys,random
d,n=sys.argv[1],int(sys.argv[2]); r=random.Random(7)
for i in range(n):
    sub=os.path.join(d,'d%03d'%(i//500)); os.makedirs(sub,exist_ok=True)
    open(os.path.join(sub,'f%06d.bin'%i),'wb').write(os.urandom(r.randint(1024,16384)))
PY
fi
one() { # variant bin fsync
  local w=$B/w; rm -rf $w; mkdir -p $w; cp -r $B/data$N $w/data
  (cd $w && git init -q && node $2 init >/dev/null 2>&1)
  sync; echo 3 > /proc/sys/vm/drop_caches
  local t0=$(date +%s.%N)
  (cd $w && TROVE_FSYNC=$3 node $2 add data >/dev/null 2>$B/err.log) || { echo "FAIL $1"; cat $B/err.log; }
  local t1=$(date +%s.%N)
  echo "$N $r $1 $(echo "$t1 - $t0" | bc)"
}
for r in $(seq 1 $R); do
  if [ $((r % 2)) = 1 ]; then one nosync $NEW 0; one new $NEW 1; one old $OLD 1
  else one old $OLD 1; one new $NEW 1; one nosync $NEW 0; fi
done
