#!/bin/sh
# scripts-tcp/ wall time, serial and 8 at a time, and timing failures over
# five repeated -j 8 runs.   sh bench/corpus.sh
cd "$(dirname "$0")/.."
t0=$(date +%s.%N); node bin/pktdrill.js run -j 1 scripts-tcp/ > /tmp/pktdrill-bench-serial.txt; t1=$(date +%s.%N)
echo "serial: $(tail -1 /tmp/pktdrill-bench-serial.txt), wall $(echo "$t1 - $t0" | bc) s"
for i in 1 2 3 4 5; do
  t0=$(date +%s.%N); node bin/pktdrill.js run -j 8 scripts-tcp/ > /tmp/pktdrill-bench-j8.txt; t1=$(date +%s.%N)
  echo "-j 8 run $i: $(tail -1 /tmp/pktdrill-bench-j8.txt), wall $(echo "$t1 - $t0" | bc) s, timing failures: $(grep -c 'timing error\|timed out' /tmp/pktdrill-bench-j8.txt)"
  grep -h "timing error\|timed out" /tmp/pktdrill-bench-j8.txt | sed "s/^/    /"
done
