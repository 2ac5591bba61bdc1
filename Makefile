# The two quick-start commands (README.md): `make demo` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=
ifdef CI
CMAKE_FLAGS += -DSTRAITS_WERROR=ON
endif
STRAITS = $(BUILD)/src/cli/straits

.PHONY: all deps build build-asan demo test test-fast bench clean
.PHONY: build-tsan build-fuzz test-tsan test-fuzz

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Second build for the sanitizers: no benchmarks, -O1 keeps it quick.
build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-O1 \
	  -DSTRAITS_SANITIZE=ON -DSTRAITS_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# Build only the command, quietly (one status line; the build's output only if it
# fails), then run the default scenario end to end: the summary, straits.db and its
# report straits.html.
demo: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@printf 'building straits... ' && \
	  if cmake --build $(BUILD) -j $(JOBS) --target straits >$(BUILD)/demo-build.log 2>&1; \
	  then echo done; else echo failed; cat $(BUILD)/demo-build.log; exit 1; fi
	@$(STRAITS) run --db straits.db

# Build twice (plain and ASan+UBSan) and run every test in both; then the thread
# runner under TSan, and (when clang is installed) a short libFuzzer run per target.
test: build build-asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory test-fuzz

# ThreadSanitizer: the thread runner's unit test (threads, resume, failures, claimed
# shares) and a short threaded run and sweep of the shipped scenario, so this third
# build stays small and quick.  It leaves MPI out, which also checks that straits
# builds and runs without it (threads only).
build-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	  "-DCMAKE_C_FLAGS=-O1 -g -fsanitize=thread" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
	  -DSTRAITS_BENCH=OFF -DSTRAITS_MPI=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target test_mc test_store straits

test-tsan: build-tsan
	cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure -j $(JOBS) -R '^(test_mc|test_store)$$'
	rm -f $(TSAN_BUILD)/tsan.db*
	TSAN_OPTIONS=halt_on_error=1 $(TSAN_BUILD)/src/cli/straits run -q --no-report -n 60 -j 2 \
	  --db $(TSAN_BUILD)/tsan.db scenarios/taiwan-strait.yaml
	TSAN_OPTIONS=halt_on_error=1 $(TSAN_BUILD)/src/cli/straits sweep -q -j 2 -n 10 \
	  --db $(TSAN_BUILD)/tsan.db tests/mc/data/sweep_factorial.yaml

# Whether clang can link a libFuzzer target (clang and its runtime are installed).
HAVE_LIBFUZZER = echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' \
  | clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1

# libFuzzer (clang only; skipped with a note otherwise): every library instrumented
# for coverage, each fuzz target run for FUZZ_SECONDS (label "fuzz", fuzz/README.md).
build-fuzz: deps
	@if $(HAVE_LIBFUZZER); then \
	  cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	    -DCMAKE_BUILD_TYPE=Debug \
	    "-DCMAKE_C_FLAGS=-O1 -fsanitize=fuzzer-no-link" -DSTRAITS_SANITIZE=ON \
	    -DSTRAITS_BENCH=OFF -DSTRAITS_FUZZ=ON -DSTRAITS_FUZZ_SECONDS=$(FUZZ_SECONDS) \
	    $(CMAKE_FLAGS) >/dev/null && \
	  cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_scenario fuzz_quantity fuzz_sweep fuzz_netcdf; \
	else echo "build-fuzz: no clang with libFuzzer (clang, libclang-rt-14-dev): no fuzzing"; fi

test-fuzz: build-fuzz
	@if [ -d $(FUZZ_BUILD) ] && $(HAVE_LIBFUZZER); then \
	  cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS) -L '^fuzz$$'; fi

# The plain build's tests only (quick iteration).
test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/bench_calendar
	$(BUILD)/bench/bench_mmc

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
