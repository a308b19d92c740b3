# The two commands of README.md. Both install missing Debian packages, configure and build.
BUILD ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test demo bench repro fuzz clean format

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: configure
	cmake --build $(BUILD) -j $(JOBS) --target qwen3_32b_prefill_scope2 qwen3_prefill_scope2_racy ptoref_python
	scripts/demo.sh $(BUILD)

# Benchmarks (docs/performance.md); each prints one JSON object, also kept in $(BUILD)/bench_*.json.
# The PyTorch comparison uses Debian's python3-torch, installed here (make test does not need it).
bench: deps
	scripts/install-deps.sh python3-torch python3-numpy libopenblas0-pthread
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DPTOREF_BUILD_BENCH=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS) --target bench_check_overhead bench_peak bench_attention bench_digest bench_npy_io bench_task_ordering qwen3_32b_prefill_scope2 cache_attention ptoref_python
	$(BUILD)/bench/bench_peak | tee $(BUILD)/bench_peak.json
	$(BUILD)/bench/bench_check_overhead --reps 20 | tee $(BUILD)/bench_check_overhead.json
	$(BUILD)/bench/bench_attention --reps 3 | tee $(BUILD)/bench_attention.json
	$(BUILD)/bench/bench_digest | tee $(BUILD)/bench_digest.json
	$(BUILD)/bench/bench_npy_io | tee $(BUILD)/bench_npy_io.json
	/usr/bin/python3 bench/compare_torch.py $(BUILD)/examples/qwen3_32b_prefill_scope2 --config seed --reps 5 | tee $(BUILD)/bench_torch_seed.json
	/usr/bin/python3 bench/compare_torch.py $(BUILD)/examples/qwen3_32b_prefill_scope2 --config mid --reps 5 | tee $(BUILD)/bench_torch_mid.json
	/usr/bin/python3 bench/compare_torch.py $(BUILD)/examples/qwen3_32b_prefill_scope2 --config mid1024 --reps 3 | tee $(BUILD)/bench_torch_mid1024.json
	$(BUILD)/bench/bench_task_ordering --reps 11 | tee $(BUILD)/bench_task_ordering.json
	/usr/bin/python3 bench/frontend_overhead.py $(BUILD)/bin/ptoref $(BUILD)/examples/cache_attention | tee $(BUILD)/bench_frontend.json
	/usr/bin/python3 bench/targets.py $(BUILD) | tee $(BUILD)/bench_targets.json

# The reproducibility matrix: compilers x flags x SIMD paths x schedules x aarch64 (qemu), every
# cell against tests/digests.txt (docs/reproducibility.md).
repro: deps
	scripts/repro.sh

# libFuzzer targets (clang 14), 60 s each from the seed corpus (docs/semantics.md §4.1).
fuzz: deps
	scripts/fuzz.sh

format:
	clang-format -i $$(git ls-files '*.hpp' '*.cpp')

clean:
	rm -rf $(BUILD)
