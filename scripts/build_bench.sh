#!/bin/sh
# pf build at scale and for one app: the benchmarks of issue 24 (see BENCHMARKS.md).
#
#   cargo build --release -p pf && cargo build --release -p pf-compiler --example gen_program
#   scripts/build_bench.sh [PF] [RUNS]
#
# Each large build writes into a new, empty folder, and the folders are removed only at the end:
# on ext4, creating thousands of files right after deleting thousands costs seconds of kernel
# time (recently deleted inodes are skipped one by one), which would measure the previous run.
set -eu
PF=${1:-target/release/pf}
RUNS=${2:-5}
GEN=target/release/examples/gen_program
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$GEN" 1000 3 > "$WORK/apps1000.pf"
"$GEN" 2000 3 > "$WORK/apps2000.pf"
for apps in 1000 2000; do
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        /usr/bin/time -f "$apps apps: %e s wall (user %U, sys %S), %M KB peak" \
            "$PF" build "$WORK/apps$apps.pf" -o "$WORK/out$apps-$i" 2>&1 | grep apps:
        i=$((i + 1))
        sleep 1
    done
done
# One app, the whole process, into a folder that is up to date (the CI case) and into a new one.
"$PF" build examples/go-service.pf -o "$WORK/go" > /dev/null 2>&1
perf stat -r 200 "$PF" build examples/go-service.pf -o "$WORK/go" 2>&1 > /dev/null |
    grep -E "task-clock|elapsed" | sed 's/^/go-service, up to date: /'
perf stat -r 20 "$PF" --version 2>&1 > /dev/null | grep -E "task-clock|elapsed" | sed 's/^/pf --version: /'
