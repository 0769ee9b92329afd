"""Brute-force posterior over x for an instrument with Student-t noise (StudentNoiseTests).

p(x | y*) ∝ ∫ t_ν(y*; b0 + b1·x, s1·|μ|) · exp(−L(θ)) dθ,  L = −Σ log t_ν(yᵢ; μᵢ, s1·|μᵢ|),

ν fixed, over θ = (b0, b1, s1) with a flat prior, on Fixtures/plate-reader-outliers.csv. The
integral over θ is a Gauss–Legendre product rule on the box ±WIDTH sd of the Laplace posterior
in coordinates (b0, b1, log s1), with the Jacobian of the change of variables; the integral
over x is Simpson's rule. The calib instrument file gives only where to put the box (its
estimates and covariance) and ν.

    python3 brute_force_student.py INSTRUMENT.json READING POINTS X_LO X_HI
    -> median, sd, 2.5% and 97.5% quantiles

numpy 2 and scipy 1.17.
"""
import json
import sys

import numpy as np
from scipy import stats
from scipy.integrate import cumulative_simpson, simpson

WIDTH = 8.0
data = np.loadtxt(
    __file__.rsplit("/", 4)[0] + "/Fixtures/plate-reader-outliers.csv", delimiter=",",
    skiprows=1)
X, Y = data[:, 0], data[:, 1]
instrument = json.load(open(sys.argv[1]))
assert instrument["noise"]["model"] == "proportional"
nu = instrument["noise"]["fixed_df"]
est = np.array([p["estimate"] for p in instrument["parameters"]]
               + [p["estimate"] for p in instrument["noise"]["parameters"]])
cov = np.array(instrument["noise"]["joint_covariance"])
reading, points = float(sys.argv[2]), int(sys.argv[3])
x_lo, x_hi = float(sys.argv[4]), float(sys.argv[5])

# (b0, b1, log s1): the Jacobian of the change of coordinates is diag(1, 1, 1/s1).
jac = np.diag([1.0, 1.0, 1.0 / est[2]])
sd_phi = np.sqrt(np.diag(jac @ cov @ jac.T))
center = np.array([est[0], est[1], np.log(est[2])])
nodes, weights = np.polynomial.legendre.leggauss(points)
grid = np.meshgrid(*[center[j] + WIDTH * sd_phi[j] * nodes for j in range(3)], indexing="ij")
phi = np.stack([g.ravel() for g in grid], 1)
log_w = np.meshgrid(*[np.log(WIDTH * sd_phi[j] * weights) for j in range(3)], indexing="ij")
log_w = np.sum(np.stack([g.ravel() for g in log_w], 1), 1)
b0, b1, s1 = phi[:, 0], phi[:, 1], np.exp(phi[:, 2])
mu = b0[:, None] + b1[:, None] * X[None, :]
scale = s1[:, None] * np.abs(mu)
log_l = np.sum(stats.t.logpdf(Y[None, :], nu, loc=mu, scale=scale), 1)
log_weight = log_w + phi[:, 2] + log_l
weight = np.exp(log_weight - log_weight.max())
keep = weight > 1e-300
b0, b1, s1, weight = b0[keep], b1[keep], s1[keep], weight[keep]
xs = np.linspace(x_lo, x_hi, 4001)
density = []
for x in xs:
    m = b0 + b1 * x
    density.append(np.sum(weight * stats.t.pdf(reading, nu, loc=m, scale=s1 * np.abs(m))))
density = np.array(density)
mass = simpson(density, x=xs)
mean = simpson(xs * density, x=xs) / mass
sd = np.sqrt(simpson((xs - mean) ** 2 * density, x=xs) / mass)
cdf = cumulative_simpson(density, x=xs, initial=0) / mass
q = lambda p: np.interp(p, cdf, xs)
print("median %.8f sd %.8f q025 %.7f q975 %.7f" % (q(0.5), sd, q(0.025), q(0.975)))
