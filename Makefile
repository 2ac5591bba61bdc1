# The two quick-start commands (README.md): `make demo` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=
ifdef CI
CMAKE_FLAGS += -DSTRAITS_WERROR=ON
endif
STRAITS = $(BUILD)/src/cli/straits

.PHONY: all deps build build-asan demo test test-fast bench clean

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

# Build, run the default scenario end to end, print the summary, write straits.db.
demo: build
	$(STRAITS) run --db straits.db

# Build twice (plain and ASan+UBSan) and run every test in both.
test: build build-asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# The plain build's tests only (quick iteration).
test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/bench_calendar
	$(BUILD)/bench/bench_mmc

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
