# calib: the two commands a newcomer runs, and the rest.
#   make demo   fit the bundled fixtures, measure their samples, print tables
#   make test   run the test suite
#   make bench  speed and memory figures of a release build, beside calibr8 (JSON)
#   make install  calib into $(PREFIX)/bin (default /usr/local), a release build
#   make lint   swift-format lint (the toolchain's) with .swift-format: 100 columns
#   make format reflow every Swift file with .swift-format
#   make fuzz   libFuzzer on the CSV reader, the formula parser and the instrument-file reader
#   make sanitize  the test suite under AddressSanitizer
#   make cluster-test  a one-node Slurm on loopback measures shards as a job array (root;
#               installs slurm-wlm and munge when missing; docs/cluster.md)
# Both install GSL first when it is missing (Debian: apt-get, with sudo when not root).

SWIFT ?= $(shell command -v swift || echo /opt/swift/usr/bin/swift)
CALIB  = .build/debug/calib
SUDO   = $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: all deps build test demo bench clean fuzz fuzz-build fuzz-corpus sanitize install \
  uninstall lint format cluster-test

all: build

deps:
	@if ! pkg-config --exists gsl; then \
	  echo "GSL not found: installing libgsl-dev and pkg-config"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y libgsl-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build

# The plot tests render SVG with rsvg-convert and read the PNG with python3's standard library;
# the report tests open the HTML page in headless Chromium.
test: deps
	@if [ -z "$$(command -v rsvg-convert)" ] || [ -z "$$(command -v python3)" ] \
	  || [ -z "$$(command -v chromium)" ]; then \
	  echo "rsvg-convert, python3 or chromium not found: installing librsvg2-bin, python3, chromium"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y librsvg2-bin python3 chromium; \
	fi
	$(SWIFT) test

# The demo's files go to a folder of its own (mktemp -d), removed when it ends.
demo: build
	@set -e; d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; \
	echo "== Pontius load cell (NIST StRD), quadratic, sigma estimated"; \
	$(CALIB) fit Fixtures/pontius-load-cell.csv --x load --y deflection --model poly:2 -o "$$d"/pontius.json; \
	$(CALIB) show "$$d"/pontius.json; \
	$(CALIB) measure "$$d"/pontius.json Fixtures/pontius-observations.csv --y deflection --id id --format table; \
	echo; \
	echo "== Absorbance line, replicate standards; samples in duplicate and beyond the standards"; \
	$(CALIB) fit Fixtures/absorbance-line.csv --x concentration --y absorbance --group standard -o "$$d"/absorbance.json; \
	$(CALIB) show "$$d"/absorbance.json; \
	$(CALIB) measure "$$d"/absorbance.json Fixtures/absorbance-observations.csv --y absorbance --group sample --format table; \
	echo; \
	echo "== Quadratic detector with its vertex inside the calibrated range, known u(y)"; \
	$(CALIB) fit Fixtures/quadratic-vertex.csv --x x --y reading --sy u_reading --model poly:2 -o "$$d"/quadratic.json; \
	$(CALIB) show "$$d"/quadratic.json; \
	$(CALIB) measure "$$d"/quadratic.json Fixtures/quadratic-observations.csv --y reading --id id --sy u_reading --format table; \
	echo; \
	echo "== Pressure transducer calibrated at both ends of its range only"; \
	$(CALIB) fit Fixtures/pressure-gap.csv --x pressure_kPa --y output_mV -o "$$d"/pressure.json; \
	$(CALIB) measure "$$d"/pressure.json Fixtures/pressure-observations.csv --y output_mV --id sample --format table; \
	echo; \
	echo "== ELISA-like 4PL assay, self-starting fit; samples beyond either asymptote"; \
	$(CALIB) fit Fixtures/elisa-4pl.csv --x conc_ng_mL --y od --model 4pl -o "$$d"/elisa.json; \
	$(CALIB) show "$$d"/elisa.json; \
	$(CALIB) measure "$$d"/elisa.json Fixtures/elisa-samples.csv --y od --id sample --format table; \
	echo; \
	echo "== Two-channel sensor: two correlated outputs, one unknown; S4's channels disagree"; \
	$(CALIB) fit Fixtures/two-channel-sensor.csv --x conc --y signal,reference -o "$$d"/sensor.json; \
	$(CALIB) show "$$d"/sensor.json; \
	$(CALIB) measure "$$d"/sensor.json Fixtures/two-channel-observations.csv --y signal,reference --id sample --format table; \
	echo; \
	echo "== Two-component mixture read at three wavelengths: both concentrations at once"; \
	$(CALIB) fit Fixtures/two-component-mixture.csv --x c1,c2 --y A420,A520,A610 --model "b0 + b1*c1 + b2*c2" -o "$$d"/mixture.json; \
	$(CALIB) measure "$$d"/mixture.json Fixtures/two-component-observations.csv --y A420,A520,A610 --id sample --format table; \
	echo; \
	echo "== The DIN 32645 example: critical value, detection and quantification limits (alpha = beta = 0.01)"; \
	$(CALIB) fit Fixtures/din32645.csv --x x --y y -o "$$d"/din.json; \
	$(CALIB) limits "$$d"/din.json --alpha 0.01 --beta 0.01 --method din; \
	echo; \
	echo "== Saturating detector whose standards stop short of the asymptote"; \
	$(CALIB) fit Fixtures/saturating-detector.csv --x dose --y counts --model mm -o "$$d"/detector.json; \
	$(CALIB) measure "$$d"/detector.json Fixtures/saturating-observations.csv --y counts --id id --format table; \
	echo; \
	echo "== Scatter that grows with the signal: constant noise (calib suggests another), then linear"; \
	$(CALIB) fit Fixtures/heteroscedastic-line.csv --x conc --y signal -o "$$d"/constant.json; \
	$(CALIB) measure "$$d"/constant.json Fixtures/heteroscedastic-observations.csv --y signal --id sample --format table; \
	$(CALIB) fit Fixtures/heteroscedastic-line.csv --x conc --y signal --noise linear -o "$$d"/linear.json; \
	$(CALIB) show "$$d"/linear.json; \
	$(CALIB) measure "$$d"/linear.json Fixtures/heteroscedastic-observations.csv --y signal --id sample --format table; \
	echo; \
	echo "== The same standards, the noise from the scatter of the triplicates alone"; \
	$(CALIB) fit Fixtures/heteroscedastic-line.csv --x conc --y signal --noise replicates -o "$$d"/replicates.json; \
	$(CALIB) measure "$$d"/replicates.json Fixtures/heteroscedastic-observations.csv --y signal --id sample --format table; \
	echo; \
	echo "== A plate reader with the occasional outlier: Student-t noise, nu fixed at 3"; \
	$(CALIB) fit Fixtures/plate-reader-outliers.csv --x conc --y signal --noise student:proportional --df 3 -o "$$d"/student.json; \
	$(CALIB) show "$$d"/student.json; \
	echo; \
	echo "== The lab's report of the absorbance line and its samples (calib report)"; \
	mkdir -p .build/demo; \
	$(CALIB) fit Fixtures/absorbance-line.csv --x concentration --y absorbance --group standard -o .build/demo/absorbance.json; \
	$(CALIB) report .build/demo/absorbance.json Fixtures/absorbance-observations.csv --y absorbance --group sample -o .build/demo/absorbance-report.html; \
	echo "The HTML report is in $$(pwd)/.build/demo/absorbance-report.html: open it in a browser."

# swift-format ships with the toolchain (`swift format`); .swift-format holds the style.
lint:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Package.swift Sources Tests

format:
	$(SWIFT) format format --in-place --recursive --configuration .swift-format Package.swift Sources Tests

# A release build of calib into $(DESTDIR)$(PREFIX)/bin, with the Swift runtime linked in so
# that it runs without the toolchain's libraries (GSL stays a shared library).
PREFIX ?= /usr/local
INSTALL_BUILD = .build-install

install: deps
	$(SWIFT) build -c release --product calib --static-swift-stdlib --build-path $(INSTALL_BUILD)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(INSTALL_BUILD)/release/calib $(DESTDIR)$(PREFIX)/bin/calib

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/calib

# Speed and memory of whole `calib measure` processes (release build, NDJSON out), with calibr8
# measured on the same instrument and readings in a virtual environment of its own, and
# callgrind's instructions per reading; the JSON goes to $(BENCH_JSON) (docs/benchmarks.md).
# The counts are variables: `make bench BENCH_MEMORY_READINGS=10000000`.
BENCH_VENV                 ?= .build/bench-venv
BENCH_JSON                 ?= .build/bench/bench.json
BENCH_THREADS              ?= 2
BENCH_LINE_READINGS        ?= 200000
BENCH_TRIPLICATES          ?= 20000
BENCH_KNOWN_U_READINGS     ?= 200000
BENCH_LINEARIZED_READINGS  ?= 20000
BENCH_SAMPLES_READINGS     ?= 20
BENCH_SAMPLES_MAP_READINGS ?= 20000
BENCH_INTEGRATION_READINGS ?= 4
BENCH_INTEGRATION_MAP_READINGS ?= 20000
BENCH_MAP_SCALE_READINGS   ?= 200000
BENCH_MEMORY_READINGS      ?= 10000000
BENCH_CALIBR8_READINGS     ?= 20
BENCH_CALLGRIND_READINGS   ?= 1001
BENCH_CALLGRIND_MAP_READINGS ?= 10001
HAS_CALIBR8 = import importlib.util, sys; sys.exit(importlib.util.find_spec("calibr8") is None)

bench: deps bench-venv
	@if [ -z "$$(command -v valgrind)" ] || [ -z "$$(command -v strip)" ]; then \
	  echo "valgrind or strip not found: installing valgrind, binutils"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y valgrind binutils; \
	fi
	$(SWIFT) build -c release --product calib
	$(SWIFT) build -c release --product calib-bench
	.build/release/calib-bench --fixtures Fixtures --calib .build/release/calib \
	  --python $(BENCH_VENV)/bin/python --script Tests/Bench/calibr8_bench.py \
	  --swift $(SWIFT) --output $(BENCH_JSON) --threads $(BENCH_THREADS) \
	  --line-readings $(BENCH_LINE_READINGS) --triplicates $(BENCH_TRIPLICATES) \
	  --known-u-readings $(BENCH_KNOWN_U_READINGS) \
	  --linearized-readings $(BENCH_LINEARIZED_READINGS) \
	  --samples-readings $(BENCH_SAMPLES_READINGS) \
	  --samples-map-readings $(BENCH_SAMPLES_MAP_READINGS) \
	  --integration-readings $(BENCH_INTEGRATION_READINGS) \
	  --integration-map-readings $(BENCH_INTEGRATION_MAP_READINGS) \
	  --map-scale-readings $(BENCH_MAP_SCALE_READINGS) \
	  --memory-readings $(BENCH_MEMORY_READINGS) --calibr8-readings $(BENCH_CALIBR8_READINGS) \
	  --callgrind-readings $(BENCH_CALLGRIND_READINGS) \
	  --callgrind-map-readings $(BENCH_CALLGRIND_MAP_READINGS)

# calibr8 (pip) in $(BENCH_VENV), made only when it is missing; python3-venv from apt when
# python3 cannot make one.
.PHONY: bench-venv
bench-venv:
	@if [ ! -x $(BENCH_VENV)/bin/python ] || ! $(BENCH_VENV)/bin/python -c '$(HAS_CALIBR8)'; then \
	  if [ -z "$$(command -v python3)" ] || ! python3 -c 'import ensurepip, venv'; then \
	    echo "python3 or its venv module not found: installing python3, python3-venv"; \
	    $(SUDO) apt-get update && $(SUDO) apt-get install -y python3 python3-venv; \
	  fi; \
	  python3 -m venv $(BENCH_VENV) && $(BENCH_VENV)/bin/pip install calibr8; \
	fi

# Fuzzing (docs/testing.md): one libFuzzer binary, the target chosen by CALIB_FUZZ_TARGET; a
# seed corpus from Fixtures, Tests/FuzzSeeds and instrument files fitted to the fixtures; each
# target runs FUZZ_SECONDS on one core. Crashing inputs land in $(FUZZ_DIR)/artifacts.
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= csv formula instrument
FUZZ_BUILD    = .build-fuzz
FUZZ_DIR     ?= $(FUZZ_BUILD)/work
FUZZ_BINARY   = $(FUZZ_BUILD)/debug/calib-fuzz

fuzz-build: deps
	$(SWIFT) build -c debug --product calib-fuzz --build-path $(FUZZ_BUILD) \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DCALIB_FUZZING \
	  -Xswiftc -use-ld=lld

fuzz-corpus: build
	@mkdir -p $(FUZZ_DIR)/corpus/csv $(FUZZ_DIR)/corpus/formula $(FUZZ_DIR)/corpus/instrument $(FUZZ_DIR)/artifacts
	@cp Fixtures/*.csv Tests/Reference/published/*.csv $(FUZZ_DIR)/corpus/csv/
	@i=0; while IFS= read -r spec; do i=$$((i+1)); printf '%s' "$$spec" > $(FUZZ_DIR)/corpus/formula/seed-$$i; done < Tests/FuzzSeeds/formulas.txt
	@c=$(FUZZ_DIR)/corpus/instrument; \
	$(CALIB) fit Fixtures/pontius-load-cell.csv --x load --y deflection --model poly:2 -o $$c/pontius.json && \
	$(CALIB) fit Fixtures/absorbance-line.csv --x concentration --y absorbance --group standard -o $$c/absorbance.json && \
	$(CALIB) fit Fixtures/quadratic-vertex.csv --x x --y reading --sy u_reading --model poly:2 -o $$c/quadratic.json && \
	$(CALIB) fit Fixtures/elisa-4pl.csv --x conc_ng_mL --y od --model 4pl -o $$c/elisa.json && \
	$(CALIB) fit Fixtures/saturating-detector.csv --x dose --y counts --model mm --posterior mcmc -o $$c/detector-mcmc.json && \
	$(CALIB) fit Fixtures/saturating-detector.csv --x dose --y counts --model mm --posterior laplace -o $$c/detector.json
	@echo "seed corpus in $(FUZZ_DIR)/corpus: $$(find $(FUZZ_DIR)/corpus -type f | wc -l) files"

fuzz: fuzz-build fuzz-corpus
	@for target in $(FUZZ_TARGETS); do \
	  echo "== fuzzing $$target for $(FUZZ_SECONDS) s"; \
	  CALIB_FUZZ_TARGET=$$target $(FUZZ_BINARY) $(FUZZ_DIR)/corpus/$$target \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=60 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/artifacts/$$target- || exit 1; \
	done

# The whole test suite under AddressSanitizer, in its own build folder.
sanitize: deps
	$(SWIFT) test --sanitize=address --build-path .build-asan

# `calib measure --shard K/N` as a Slurm job array (docs/cluster.md): the script starts
# munged, slurmctld and slurmd on loopback in a folder of its own, submits
# Tests/Cluster/measure-array.sbatch, compares the merged parts with the single run, and stops
# every daemon it started. Needs root.
cluster-test: deps
	SWIFT="$(SWIFT)" Tests/Cluster/cluster-test.sh

clean:
	rm -rf .build .build-fuzz .build-asan $(INSTALL_BUILD)
