# Thin wrapper over CMake. Every target installs missing Debian packages first.
#   make run    build, run every shipped scenario, write the report to sg17tb-report/
#   make test   build, run the whole test suite (ctest) and a 30 s smoke run of every fuzz target
#   make bench  build and run the benchmarks (RESULT lines with same-run baselines)
#   make fuzz   build the libFuzzer targets; FUZZ_SECONDS=N each (default 30)
#   make asan   the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer
#   make format-check  every tracked *.c/*.h as clang-format 14 formats it (.clang-format)
#   make lint   clang-tidy 14 static analysis of core/ and modules/ (.clang-tidy); fails on findings
#   make install PREFIX=/usr/local
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 30
PREFIX ?= /usr/local
OUT ?= sg17tb-report

.PHONY: deps build run test unit bench fuzz fuzz-build asan format-check lint install clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset default -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --build build -j $(JOBS)

run: build
	./build/bin/sg17tb run --jobs $(JOBS) --out $(OUT) scenarios/

unit: build
	ctest --test-dir build --output-on-failure -j $(JOBS)

test: unit fuzz

bench: build
	@bash scripts/bench.sh build

fuzz-build: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

fuzz: fuzz-build
	@bash scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

format-check: deps
	@bash scripts/format-check.sh

lint: build
	@bash scripts/lint.sh build $(JOBS)

install: build
	cmake --install build

clean:
	rm -rf build build-asan build-fuzz
