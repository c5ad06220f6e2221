# Liaison's two front doors: `make up` and `make test`. Both install missing Debian packages
# first (scripts/install-deps.sh), then build with CMake + Ninja.
.PHONY: up test lint build build-asan deps deps-test npm bench fuzz format clean

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 120
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja
BROWSER    := tests/browser
CONFORM    := tests/conformance

# `make up` needs only the build packages: it configures without tests and benchmarks (which
# need GoogleTest and Google Benchmark) and builds the one binary it starts.
up: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release \
	  -DLIAISON_TESTS=OFF -DLIAISON_BENCHMARKS=OFF >/dev/null
	cmake --build $(BUILD) --target liaison -j $(JOBS)
	./$(BUILD)/liaison up

# Runs every test tier that needs no internet: unit, integration, browser and SDK conformance
# tests in the release build, then unit and integration tests again under ASan+UBSan. CTest's summary is
# the last thing printed.
test: deps-test npm build build-asan
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j2 -LE 'browser|conformance'
	ctest --test-dir $(BUILD) --output-on-failure -j2

# clang-format on changed lines and the layering rules (scripts/lint.sh says which).
lint:
	@scripts/install-deps.sh lint
	scripts/lint.sh

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

build:
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release \
	  -DLIAISON_TESTS=ON -DLIAISON_BENCHMARKS=ON >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan:
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLIAISON_SANITIZE=ON -DLIAISON_TESTS=ON -DLIAISON_BENCHMARKS=OFF >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# npm packages from the committed lock files: playwright-core (drives Debian's chromium, never
# a download) and Constant Contact's SDK for the conformance suite.
npm: $(BROWSER)/node_modules/.package-lock.json $(CONFORM)/node_modules/.package-lock.json

$(BROWSER)/node_modules/.package-lock.json: $(BROWSER)/package-lock.json
	cd $(BROWSER) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

$(CONFORM)/node_modules/.package-lock.json: $(CONFORM)/package-lock.json
	cd $(CONFORM) && npm ci --no-audit --no-fund --loglevel=error

bench:
	@scripts/install-deps.sh bench
	$(MAKE) build
	cd bench/prism && npm ci --no-audit --no-fund --loglevel=error
	bench/run.sh
	bench/v3.sh
	bench/memory.sh
	bench/proxy.sh
	bench/store.sh

# libFuzzer (clang) on request parsing and contact validation, for FUZZ_SECONDS. New inputs land
# in $(FUZZ_BUILD)/corpus; `make test` replays tests/fuzz/corpus (copy keepers there).
fuzz:
	@scripts/install-deps.sh fuzz
	@cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DLIAISON_FUZZ=ON -DLIAISON_BENCHMARKS=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) --target sandbox_fuzzer -j $(JOBS)
	mkdir -p $(FUZZ_BUILD)/corpus
	$(FUZZ_BUILD)/tests/fuzz/sandbox_fuzzer $(FUZZ_BUILD)/corpus tests/fuzz/corpus \
	  -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
