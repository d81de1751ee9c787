# Thin wrapper over CMake. `make test` and `make run` are all a new user needs: both install
# missing Debian packages first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure
# `make run` shows where each offload's time goes (traced samples among the timed rounds).
RUN_FLAGS ?= --breakdown --time-budget 25
BENCH_FLAGS ?=
GATE_RUNS ?= 50

# `make fuzz`: seconds each libFuzzer target runs (CI: at least 60).
FUZZ_SECONDS ?= 60

.PHONY: all deps build test run bench gate-quality html-screenshot tsan asan fuzz clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS) -j $(JOBS)

# The default scenario suite (built into the binary); a table on stdout, JSON in results/.
run: build
	$(BUILD_DIR)/src/offload-bench run $(RUN_FLAGS)

# Google Benchmark micro-benchmarks of the runtime primitives (bench/, docs/bench.md): aggregates
# on the console, every repetition in results/micro-<UTC timestamp>.json (for `offload-bench compare`).
bench: build
	@mkdir -p results
	$(BUILD_DIR)/bench/offload-micro --benchmark_repetitions=10 --benchmark_display_aggregates_only=true \
	  --benchmark_out=results/micro-$$(date -u +%Y%m%dT%H%M%SZ).json --benchmark_out_format=json $(BENCH_FLAGS)

# The README's picture of the HTML report (docs/html_report.png): the browser test's fixed reports,
# drawn by `offload-bench report` and photographed by headless Chromium.
html-screenshot: build
	$(BUILD_DIR)/src/offload-bench report tests/report/data/report.json.golden \
	  tests/report/data/html/small_sweep.json --html $(BUILD_DIR)/html_screenshot.html
	python3 tests/report/browser_test.py $(BUILD_DIR)/html_screenshot.html --screenshot docs/html_report.png \
	  --screenshot-from '#r1-s0' --screenshot-height 1300

# The CI gates' false-alarm and detection rates on real scenarios, for ab and compare (README,
# "The gate's quality"); GATE_RUNS=50 gated runs per experiment and gate.
gate-quality: build
	scripts/gate-quality.sh $(GATE_RUNS) $(BUILD_DIR)

# The concurrent code's tests (runtime, strategies, workloads, peer drivers) under ThreadSanitizer, and every
# test under AddressSanitizer + UBSan, each in its own build directory.
tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOFFLOAD_SANITIZER=thread -DOFFLOAD_BUILD_BENCH=OFF
	cmake --build build-tsan -j $(JOBS) --target runtime_tests strategy_tests scenario_tests drivers_tests
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest $(CTEST_FLAGS) -L 'runtime|strategy|scenario|drivers'

asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOFFLOAD_SANITIZER=address -DOFFLOAD_BUILD_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1" ctest $(CTEST_FLAGS) -j $(JOBS)

# The parsers of hostile input under libFuzzer + ASan + UBSan (clang), FUZZ_SECONDS each
# (docs/fuzzing.md). A finding stops with the input's path; it then belongs in
# tests/fuzz/regressions/<target>/, which every `make test` replays.
fuzz:
	@scripts/install-deps.sh --fuzz
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOFFLOAD_SANITIZER=address \
	  -DOFFLOAD_FUZZ=ON -DOFFLOAD_BUILD_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS) --target scenario_loader_fuzzer report_reader_fuzzer
	scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-slowdown build-tsan build-asan build-fuzz
