#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz/) with clang 14 and runs each for a bounded time
# from the checked-in seed corpus. Invariant of every target: each input returns or throws
# ptoref::error; ASan and UBSan stay silent. A crash leaves its input as
# $BUILD/crash-<target>-*; add it to tests/fuzz/corpus/<target>/ (the replay tests run it).
#   FUZZ_SECONDS (default 60) per target, BUILD (default build-fuzz), FUZZ_JOBS (default 1).
set -eu
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build=${BUILD:-build-fuzz}
scripts/install-deps.sh clang-14 libclang-rt-14-dev
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS=-O1 \
  -DPTOREF_BUILD_FUZZ=ON -DPTOREF_BUILD_TESTS=OFF -DPTOREF_BUILD_EXAMPLES=OFF -DPTOREF_BUILD_PYTHON=OFF -DPTOREF_INSTALL=OFF
cmake --build "$build" -j "$(nproc)" --target fuzz_npy fuzz_ops
for target in npy ops; do
  # New inputs go to a scratch corpus; the checked-in seeds are only read.
  work="$build/corpus-$target"
  mkdir -p "$work"
  echo "== fuzz_$target: $seconds s"
  "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -artifact_prefix="$build/crash-$target-" "$work" "tests/fuzz/corpus/$target"
done
