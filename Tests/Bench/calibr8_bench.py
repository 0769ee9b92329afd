"""calibr8 on the instrument and readings `make bench` gives calib (docs/benchmarks.md).

Fits calibr8's polynomial model with Student-t noise (BasePolynomialModelT, a straight
line: mu_degree=1, scale_degree=0) to the calibration standards with calibr8.fit_scipy,
then times calibr8's posterior over the independent variable (infer_independent, a uniform
prior on [lower, upper], 95% intervals) for each of the first COUNT readings, one reading
an observation. Writes a JSON object: calibr8's version, the fitted parameters, seconds per
reading and, for each reading, the posterior median and the 95% equal-tailed interval.

Run by calib-bench with the bench virtual environment's python; alone:

    python calibr8_bench.py --standards Fixtures/absorbance-line.csv --x concentration \
        --y absorbance --readings readings.csv --count 20 --lower -10 --upper 20 \
        --output calibr8.json
"""

import argparse
import csv
import json
import logging
import time

import calibr8
import numpy


class LinearModelT(calibr8.BasePolynomialModelT):
    """A straight line with a constant Student-t scale, the kind calibr8 documents."""

    def __init__(self, independent_key="x", dependent_key="y"):
        super().__init__(
            independent_key=independent_key,
            dependent_key=dependent_key,
            mu_degree=1,
            scale_degree=0,
        )


def read_column(path, name, count=None):
    """The float values of column `name` in the CSV file `path`, the first `count` of them."""
    with open(path, newline="") as handle:
        values = [float(row[name]) for row in csv.DictReader(handle)]
    return values if count is None else values[:count]


def fit(x, y, x_name, y_name):
    """The line fitted by calibr8.fit_scipy, started from least squares."""
    model = LinearModelT(x_name, y_name)
    slope, intercept = numpy.polyfit(x, y, 1)
    spread = float(numpy.std(y - (intercept + slope * numpy.asarray(x)), ddof=2))
    guess = [intercept, slope, spread, 5.0]
    bounds = [
        (intercept - 1.0, intercept + 1.0),
        (slope / 10.0, slope * 10.0),
        (spread / 100.0, spread * 100.0),
        (1.0, 1000.0),
    ]
    calibr8.fit_scipy(
        model, independent=x, dependent=y, theta_guess=guess, theta_bounds=bounds
    )
    return model


def measure(model, readings, lower, upper):
    """calibr8's posterior for each reading; the seconds and processor seconds they took."""
    results = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for reading in readings:
        results.append(
            model.infer_independent(reading, lower=lower, upper=upper, ci_prob=0.95)
        )
    return results, time.perf_counter() - start, time.process_time() - cpu_start


def main():
    """Parse the arguments, fit, measure, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standards", required=True)
    parser.add_argument("--x", required=True)
    parser.add_argument("--y", required=True)
    parser.add_argument("--readings", required=True)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--lower", type=float, required=True)
    parser.add_argument("--upper", type=float, required=True)
    parser.add_argument("--output", required=True)
    arguments = parser.parse_args()
    logging.getLogger("calibr8").setLevel(logging.ERROR)

    x = read_column(arguments.standards, arguments.x)
    y = read_column(arguments.standards, arguments.y)
    fit_start = time.perf_counter()
    model = fit(x, y, arguments.x, arguments.y)
    fit_seconds = time.perf_counter() - fit_start
    readings = read_column(arguments.readings, arguments.y, arguments.count)
    model.infer_independent(readings[0], lower=arguments.lower, upper=arguments.upper)
    results, seconds, cpu_seconds = measure(model, readings, arguments.lower, arguments.upper)
    report = {
        "calibr8_version": calibr8.__version__,
        "numpy_version": numpy.__version__,
        "theta": {n: float(v) for n, v in zip(model.theta_names, model.theta_fitted)},
        "fit_seconds": fit_seconds,
        "readings": len(readings),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "per_reading_seconds": seconds / len(readings),
        "lower": arguments.lower,
        "upper": arguments.upper,
        "medians": [float(r.median) for r in results],
        "eti": [[float(r.eti_lower), float(r.eti_upper)] for r in results],
    }
    with open(arguments.output, "w") as handle:
        json.dump(report, handle, indent=1)


if __name__ == "__main__":
    main()
