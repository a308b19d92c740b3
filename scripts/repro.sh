#!/bin/bash
# The reproducibility matrix (docs/reproducibility.md): build the seed example, the digest tool
# and the op-level goldens under several compilers, flag sets and architectures, run them under
# every SIMD path, schedule and thread count, and require every output digest to equal the
# checked-in tests/digests.txt. Prints a table (cell, result, seconds); exits 1 on any mismatch.
#   scripts/repro.sh [--update]     --update rewrites tests/digests.txt from the reference cell
# Environment: REPRO_DIR (default build-repro), REPRO_JOBS (parallel builds, default 2).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
out=${REPRO_DIR:-build-repro}
jobs=${REPRO_JOBS:-2}
digests=tests/digests.txt
mkdir -p "$out"

scripts/install-deps.sh clang-14 g++-aarch64-linux-gnu qemu-user >/dev/null || {
    echo "repro: cannot install the cross toolchain / emulator" >&2
    exit 1
}

# The two configs of tests/digests.txt.
seed_args="--batch 2 --max-seq 64 --num-heads 8 --num-kv-heads 1 --head-dim 64"
mid_args="--batch 2 --max-seq 256 --num-heads 16 --num-kv-heads 2 --head-dim 128"
warn="-Wall -Wextra -Werror"

# build NAME COMPILER FLAGS...: the three programs of a cell, into $out/NAME (log in build.log).
build() {
    local name=$1 cxx=$2
    shift 2
    local dir="$out/$name" flags="-std=c++20 $warn $*" extra=""
    mkdir -p "$dir"
    # GCC 12's known false positives, silenced for GCC as in CMakeLists.txt.
    case "$cxx" in g++* | *-g++*) extra="-Wno-restrict -Wno-maybe-uninitialized" ;; esac
    {
        echo "$cxx $flags $extra"
        $cxx $flags $extra -Iinclude -Iexamples examples/qwen3_32b_prefill_scope2.cpp -o "$dir/example" -pthread &&
            $cxx $flags $extra -Iinclude examples/ptoref_digest.cpp -o "$dir/ptoref_digest" &&
            $cxx $flags $extra -Iinclude tests/repro/op_goldens.cpp -o "$dir/op_goldens" -pthread
    } >"$dir/build.log" 2>&1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
since() { local ms=$(($(now_ms) - $1)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

has_flag() { grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -qx "$1"; }
path_available() {
    case "$1" in
    default | scalar) return 0 ;;
    avx2) has_flag avx2 && has_flag fma ;;
    avx512) has_flag avx512f && has_flag avx512bw && has_flag avx512vl ;;
    avx512bf16) path_available avx512 && has_flag avx512_bf16 ;;
    esac
}

results="$out/results.txt"
: >"$results"
failed=0
row() { printf '%-44s %-8s %6s s  %s\n' "$1" "$2" "$3" "$4" | tee -a "$results"; }

# run CELL DIR PATH RUNNER [example options...]: op goldens (when asked) and both configs' outputs,
# under PTOREF_SIMD=PATH (default: the best the CPU has), compared with tests/digests.txt.
run() {
    local cell=$1 dir=$2 path=$3 runner=$4
    shift 4
    local simd_env=() start status=0 note=""
    [ "$path" != default ] && simd_env=(PTOREF_SIMD="$path")
    if ! path_available "$path"; then
        row "$cell" SKIPPED 0 "this CPU has no $path"
        return
    fi
    start=$(now_ms)
    local work="$dir/run-$(printf '%s' "$cell" | tr -c 'A-Za-z0-9_.-' '_')"
    rm -rf "$work" && mkdir -p "$work"
    for config in seed mid; do
        local args=$seed_args
        [ $config = mid ] && args=$mid_args
        if ! env "${simd_env[@]}" PTOREF_CHECK=off $runner "$dir/example" $args "$@" --outputs "$work/$config" \
            >"$work/$config.log" 2>&1; then
            status=1 note="$config: example failed (see $work/$config.log)"
            break
        fi
    done
    for config in seed mid; do
        [ $status = 0 ] || break
        if ! $runner "$dir/ptoref_digest" --check "$digests" --dir "$work" --only "$config/" >"$work/check-$config.log" 2>&1; then
            status=1 note="$(grep -E 'MISMATCH|MISSING' "$work/check-$config.log" | head -3 | tr '\n' ' ')"
        fi
    done
    local secs
    secs=$(since "$start")
    if [ $status = 0 ]; then row "$cell" ok "$secs" ""; else row "$cell" FAIL "$secs" "$note"; failed=1; fi
}

goldens() {
    local cell=$1 dir=$2 path=$3 runner=$4 start status=0
    if ! path_available "$path"; then
        row "$cell" SKIPPED 0 "this CPU has no $path"
        return
    fi
    start=$(now_ms)
    if [ "$path" = default ]; then
        $runner "$dir/op_goldens" --check "$digests" >"$dir/goldens-$path.log" 2>&1 || status=1
    else
        env PTOREF_SIMD="$path" $runner "$dir/op_goldens" --check "$digests" >"$dir/goldens-$path.log" 2>&1 || status=1
    fi
    local secs
    secs=$(since "$start")
    if [ $status = 0 ]; then
        row "$cell" ok "$secs" "$(tail -1 "$dir/goldens-$path.log")"
    else
        row "$cell" FAIL "$secs" "$(grep -E 'MISMATCH|MISSING|UNPINNED|error' "$dir/goldens-$path.log" | head -2 | tr '\n' ' ')"
        failed=1
    fi
}

# --- builds, two at a time ---------------------------------------------------------------
t0=$(date +%s)
declare -A build_cmd=(
    [gcc-O2]="g++ -O2"
    [gcc-O0]="g++ -O0"
    [gcc-O3-native-fpcontract-fast]="g++ -O3 -march=native -ffp-contract=fast"
    [clang14-O2-fpcontract-off]="clang++-14 -O2 -ffp-contract=off"
    [clang14-O3-native-fpcontract-fast]="clang++-14 -O3 -march=native -ffp-contract=fast"
    [aarch64-gcc-O2]="aarch64-linux-gnu-g++ -O2 -static"
)
order=(gcc-O2 gcc-O0 gcc-O3-native-fpcontract-fast clang14-O2-fpcontract-off clang14-O3-native-fpcontract-fast aarch64-gcc-O2)
declare -A build_ok build_secs
running=0
for name in "${order[@]}"; do
    (
        s=$(date +%s)
        # shellcheck disable=SC2086
        build "$name" ${build_cmd[$name]}
        echo $? "$(($(date +%s) - s))" >"$out/$name/build.status"
    ) &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
echo "builds: $(($(date +%s) - t0)) s"
for name in "${order[@]}"; do
    read -r st secs <"$out/$name/build.status"
    build_ok[$name]=$st
    if [ "$st" = 0 ]; then row "build $name" ok "$secs" "${build_cmd[$name]}"; else
        row "build $name" FAIL "$secs" "see $out/$name/build.log"
        failed=1
    fi
done

if [ "${1:-}" = --update ]; then
    [ "${build_ok[gcc-O2]}" = 0 ] || exit 1
    ref="$out/gcc-O2"
    work="$out/update"
    rm -rf "$work" && mkdir -p "$work"
    "$ref/example" $seed_args --outputs "$work/seed" >/dev/null
    "$ref/example" $mid_args --outputs "$work/mid" >/dev/null
    {
        echo "# SHA-256 digests that every cell of the reproducibility matrix must reproduce (scripts/repro.sh)."
        echo "# Element bits, little-endian, row-major (ptoref::testing::digest / ptoref_digest), not file bytes."
        echo "# seed/: examples/qwen3_32b_prefill_scope2 $seed_args --seed 0"
        echo "# mid/:  examples/qwen3_32b_prefill_scope2 $mid_args --seed 0"
        echo "# op/:   tests/repro/op_goldens.cpp"
        echo "# Regenerate with scripts/repro.sh --update only for an intended change of semantics (a version bump)."
        (cd "$work" && "$root/$ref/ptoref_digest" seed/*.npy mid/*.npy)
        "$ref/op_goldens"
    } >"$digests"
    echo "wrote $digests ($(grep -vc '^#' "$digests") digests)"
    exit 0
fi

# --- runs ----------------------------------------------------------------------------------
qemu="qemu-aarch64 -L /usr/aarch64-linux-gnu"
for name in "${order[@]}"; do
    [ "${build_ok[$name]}" = 0 ] || continue
    dir="$out/$name"
    runner=""
    [ "$name" = aarch64-gcc-O2 ] && runner=$qemu
    goldens "$name: op goldens" "$dir" default "$runner"
    run "$name: op by op" "$dir" default "$runner"
    run "$name: fused" "$dir" default "$runner" --fused
done
ref="$out/gcc-O2"
if [ "${build_ok[gcc-O2]}" = 0 ]; then
    for p in scalar avx2 avx512 avx512bf16; do
        goldens "gcc-O2 PTOREF_SIMD=$p: op goldens" "$ref" $p ""
        run "gcc-O2 PTOREF_SIMD=$p: op by op" "$ref" $p ""
        run "gcc-O2 PTOREF_SIMD=$p: fused" "$ref" $p "" --fused
    done
    for s in reverse shuffled:7 shuffled:12345 threads:1 threads:2 threads:8; do
        run "gcc-O2 op by op --schedule $s" "$ref" default "" --schedule "$s"
    done
    for t in 1 2 8; do
        run "gcc-O2 fused --schedule threads:$t" "$ref" default "" --fused --schedule "threads:$t"
    done
fi
echo "matrix: $(($(date +%s) - t0)) s, $(grep -c ' ok ' "$results") ok, $(grep -c ' SKIPPED ' "$results") skipped, $(grep -c ' FAIL ' "$results") failed"
exit $failed
