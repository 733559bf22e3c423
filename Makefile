# The two entry points of the README: `make demo` and `make test`. Both install missing
# Debian packages, configure and build Release with -j2, then run.
BUILD ?= build
JOBS ?= 2
DEMO ?= /tmp/ddbg-demo

.PHONY: all deps configure build demo test bench clean

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	rm -rf $(DEMO)
	$(BUILD)/ddbg simulate --out $(DEMO)/input --services 8 --traces 2000 --seed 42 \
	  --fault latency:payment,magnitude=5 --fault error:inventory
	$(BUILD)/ddbg ingest --data $(DEMO)/data $(DEMO)/input
	$(BUILD)/ddbg stats --data $(DEMO)/data
	$(BUILD)/ddbg debug "checkout is slow and failing" --data $(DEMO)/data

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	./scripts/install-deps.sh --bench
	./bench/run.sh

clean:
	rm -rf $(BUILD)
