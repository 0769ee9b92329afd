# calib: the two commands a newcomer runs, and the rest.
#   make demo   fit the bundled fixtures, measure their samples, print tables
#   make test   run the test suite
#   make bench  speed and memory figures of a release build
# Both install GSL first when it is missing (Debian: apt-get, with sudo when not root).

SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
CALIB  = .build/debug/calib
SUDO   = $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: all deps build test demo bench clean

all: build

deps:
	@if ! pkg-config --exists gsl 2>/dev/null; then \
	  echo "GSL not found: installing libgsl-dev and pkg-config"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y libgsl-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) test

DEMO = $(or $(TMPDIR),/tmp)/calib-demo

demo: build
	@mkdir -p $(DEMO)
	@echo "== Pontius load cell (NIST StRD), quadratic, sigma estimated"
	@$(CALIB) fit Fixtures/pontius-load-cell.csv --x load --y deflection --model poly:2 -o $(DEMO)/pontius.json
	@$(CALIB) show $(DEMO)/pontius.json
	@$(CALIB) measure $(DEMO)/pontius.json Fixtures/pontius-observations.csv --y deflection --id id --format table
	@echo
	@echo "== Absorbance line, replicate standards; samples in duplicate and beyond the standards"
	@$(CALIB) fit Fixtures/absorbance-line.csv --x concentration --y absorbance --group standard -o $(DEMO)/absorbance.json
	@$(CALIB) show $(DEMO)/absorbance.json
	@$(CALIB) measure $(DEMO)/absorbance.json Fixtures/absorbance-observations.csv --y absorbance --group sample --format table
	@echo
	@echo "== Quadratic detector with its vertex inside the calibrated range, known u(y)"
	@$(CALIB) fit Fixtures/quadratic-vertex.csv --x x --y reading --sy u_reading --model poly:2 -o $(DEMO)/quadratic.json
	@$(CALIB) show $(DEMO)/quadratic.json
	@$(CALIB) measure $(DEMO)/quadratic.json Fixtures/quadratic-observations.csv --y reading --id id --sy u_reading --format table
	@echo
	@echo "== Pressure transducer calibrated at both ends of its range only"
	@$(CALIB) fit Fixtures/pressure-gap.csv --x pressure_kPa --y output_mV -o $(DEMO)/pressure.json
	@$(CALIB) measure $(DEMO)/pressure.json Fixtures/pressure-observations.csv --y output_mV --id sample --format table
	@echo
	@echo "== ELISA-like 4PL assay, self-starting fit; samples beyond either asymptote"
	@$(CALIB) fit Fixtures/elisa-4pl.csv --x conc_ng_mL --y od --model 4pl -o $(DEMO)/elisa.json
	@$(CALIB) show $(DEMO)/elisa.json
	@$(CALIB) measure $(DEMO)/elisa.json Fixtures/elisa-samples.csv --y od --id sample --format table
	@echo
	@echo "== Saturating detector whose standards stop short of the asymptote"
	@$(CALIB) fit Fixtures/saturating-detector.csv --x dose --y counts --model mm -o $(DEMO)/detector.json
	@$(CALIB) measure $(DEMO)/detector.json Fixtures/saturating-observations.csv --y counts --id id --format table
	@rm -rf $(DEMO)

# Speed and memory, release build (figures in the closing notes and docs/benchmarks.md).
bench: deps
	$(SWIFT) build -c release --product calib
	$(SWIFT) build -c release --product calib-bench
	.build/release/calib-bench Fixtures .build/release/calib

clean:
	rm -rf .build
