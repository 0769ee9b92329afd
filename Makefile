# calib: the two commands a newcomer runs, and the rest.
#   make demo   fit (and show) the bundled fixtures
#   make test   run the test suite
# Both install GSL first when it is missing (Debian: apt-get, with sudo when not root).

SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
CALIB  = .build/debug/calib
SUDO   = $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: all deps build test demo clean

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

demo: build
	@echo "== Pontius load cell (NIST StRD), quadratic, sigma estimated"
	@$(CALIB) fit Fixtures/pontius-load-cell.csv --x load --y deflection --model poly:2 -o /tmp/calib-demo-pontius.json
	@$(CALIB) show /tmp/calib-demo-pontius.json
	@echo
	@echo "== Absorbance line, replicate standards"
	@$(CALIB) fit Fixtures/absorbance-line.csv --x concentration --y absorbance --group standard -o /tmp/calib-demo-absorbance.json
	@$(CALIB) show /tmp/calib-demo-absorbance.json
	@echo
	@echo "== Quadratic detector with its vertex inside the calibrated range, known u(y)"
	@$(CALIB) fit Fixtures/quadratic-vertex.csv --x x --y reading --sy u_reading --model poly:2 -o /tmp/calib-demo-quadratic.json
	@$(CALIB) show /tmp/calib-demo-quadratic.json
	@rm -f /tmp/calib-demo-pontius.json /tmp/calib-demo-absorbance.json /tmp/calib-demo-quadratic.json

clean:
	rm -rf .build
