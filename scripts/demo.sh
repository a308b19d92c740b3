#!/bin/sh
# The seed scenario (simpler issue #663): is qwen3_32b_prefill_scope2 legal at BATCH=2, and are
# its bits independent of the iteration order? Then the same program with a real race.
set -u
bin=${1:-build}/examples
build=${1:-build}
echo "== 1. the seed program, checked (sequential schedule) =="
"$bin/qwen3_32b_prefill_scope2" || exit 1
echo
echo "== 2. the same program under every schedule: one digest =="
for s in sequential reverse shuffled:7 threads:2; do
  d=$("$bin/qwen3_32b_prefill_scope2" --schedule "$s" | sed -n 's/^sha256(attn_out) = //p')
  printf '  %-12s %s\n' "$s" "$d"
  echo "$d" >> "${TMPDIR:-/tmp}/ptoref_demo_digests.$$"
done
n=$(sort -u "${TMPDIR:-/tmp}/ptoref_demo_digests.$$" | wc -l)
rm -f "${TMPDIR:-/tmp}/ptoref_demo_digests.$$"
[ "$n" -eq 1 ] && echo "  -> identical across schedules" || { echo "  -> DIGESTS DIFFER"; exit 1; }
echo
echo "== 3. the racy variant: the cache row ignores the batch index =="
"$bin/qwen3_prefill_scope2_racy"
status=$?
echo "(exit status $status: the checker refuses the racy program)"
[ "$status" -eq 1 ] || exit 1
echo
echo "== 4. a pl program file, unmodified, through the Python front end =="
echo "\$ ptoref run examples/python/cache_attention.py --footprints k_cache"
"$build/bin/ptoref" run "$(dirname "$0")/../examples/python/cache_attention.py" --footprints k_cache || exit 1
exit 0
