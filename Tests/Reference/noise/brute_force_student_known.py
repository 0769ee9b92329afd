"""Brute-force posterior over x for `student:known` with ν estimated (StudentNoiseTests).

p(x | y*) ∝ ∫ t_ν(y*; b0 + b1·x, u*) · Πᵢ t_ν(yᵢ; b0 + b1·xᵢ, uᵢ) · p(ν) dθ over θ = (b0, b1, ν),
flat in (b0, b1), p(ν) the Gamma(2, rate 0.1) prior ∝ ν·e^(−ν/10), on
Fixtures/plate-reader-outliers.csv with uᵢ = 0.05 + 0.04·(0.2 + 1.5·xᵢ) (to 4 decimals). The
integral over θ is a Gauss–Legendre product rule on the box ±WIDTH sd of the Laplace posterior
in (b0, b1, log ν) (the Jacobian ν included); the integral over x is Simpson's rule. The calib
instrument file gives only where to put the box.

    python3 brute_force_student_known.py INSTRUMENT.json READING U POINTS X_LO X_HI
    -> median, sd, 2.5% and 97.5% quantiles

numpy 2 and scipy 1.17.
"""
import json
import sys

import numpy as np
from scipy import stats
from scipy.integrate import cumulative_simpson, simpson

WIDTH = 12.0
data = np.loadtxt(
    __file__.rsplit("/", 4)[0] + "/Fixtures/plate-reader-outliers.csv", delimiter=",",
    skiprows=1)
X, Y = data[:, 0], data[:, 1]
U = np.array([float(f"{0.05 + 0.04 * (0.2 + 1.5 * x):.4f}") for x in X])
instrument = json.load(open(sys.argv[1]))
est = np.array([p["estimate"] for p in instrument["parameters"]]
               + [p["estimate"] for p in instrument["noise"]["parameters"]])
cov = np.array(instrument["noise"]["joint_covariance"])
reading, u_reading, points = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
x_lo, x_hi = float(sys.argv[5]), float(sys.argv[6])

jac = np.diag([1.0, 1.0, 1.0 / est[2]])
sd_phi = np.sqrt(np.diag(jac @ cov @ jac.T))
center = np.array([est[0], est[1], np.log(est[2])])
nodes, weights = np.polynomial.legendre.leggauss(points)
grid = np.meshgrid(*[center[j] + WIDTH * sd_phi[j] * nodes for j in range(3)], indexing="ij")
phi = np.stack([g.ravel() for g in grid], 1)
log_w = np.meshgrid(*[np.log(WIDTH * sd_phi[j] * weights) for j in range(3)], indexing="ij")
log_w = np.sum(np.stack([g.ravel() for g in log_w], 1), 1)
b0, b1, nu = phi[:, 0], phi[:, 1], np.exp(phi[:, 2])
mu = b0[:, None] + b1[:, None] * X[None, :]
log_l = np.sum(stats.t.logpdf(Y[None, :], nu[:, None], loc=mu, scale=U[None, :]), 1)
log_prior = np.log(nu) - nu / 10
log_weight = log_w + phi[:, 2] + log_l + log_prior
weight = np.exp(log_weight - log_weight.max())
keep = weight > 1e-300
b0, b1, nu, weight = b0[keep], b1[keep], nu[keep], weight[keep]
xs = np.linspace(x_lo, x_hi, 4001)
density = np.array([
    np.sum(weight * stats.t.pdf(reading, nu, loc=b0 + b1 * x, scale=u_reading)) for x in xs])
mass = simpson(density, x=xs)
mean = simpson(xs * density, x=xs) / mass
sd = np.sqrt(simpson((xs - mean) ** 2 * density, x=xs) / mass)
cdf = cumulative_simpson(density, x=xs, initial=0) / mass
q = lambda p: np.interp(p, cdf, xs)
print("median %.8f sd %.8f q025 %.7f q975 %.7f" % (q(0.5), sd, q(0.025), q(0.975)))
