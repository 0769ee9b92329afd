"""Brute-force posterior over x for an instrument with a noise that varies (NoiseModelTests).

p(x | y*) ∝ ∫ N(y*; b0 + b1·x, σ(μ; η)²) · exp(−L(θ)) dθ,  L = Σ log σᵢ + rᵢ²/(2σᵢ²),

over θ = (b0, b1, η) with a flat prior, on Fixtures/heteroscedastic-line.csv. The integral
over θ is a Gauss–Legendre product rule on the box ±WIDTH sd of the Laplace posterior in
coordinates (b0, b1, log σ ...) where the posterior has no boundary: proportional φ = log s1,
linear φ = (log σ(m_lo), log σ(m_hi)) with m the smallest and largest |μ̂| of the standards
(with the Jacobian of the change of variables); the integral over x is Simpson's rule.
The calib instrument file gives only where to put the box (its estimates and covariance).

    python3 brute_force_posterior.py INSTRUMENT.json READING POINTS X_LO X_HI [WIDTH]
    -> median, sd, 2.5% and 97.5% quantiles

WIDTH is 8 unless given. With four parameters (linear) the posterior reaches beyond 8 sd in
the log σ coordinates: ±8 moved the median by 3e-4 sd and the upper quantile by 4e-4 sd
against ±12. NoiseModelTests' linear figures are `INSTRUMENT.json 12.3 48 3 14 12` (x in
[3, 14], where calib measures them too: the posterior's tails in x are t-like, and its sd
depends on the range).

numpy 2 and scipy 1.17.
"""
import json
import sys

import numpy as np
from scipy.integrate import cumulative_simpson, simpson

WIDTH = float(sys.argv[6]) if len(sys.argv) > 6 else 8.0
data = np.loadtxt(
    __file__.rsplit("/", 3)[0] + "/../Fixtures/heteroscedastic-line.csv", delimiter=",",
    skiprows=1)
X, Y = data[:, 0], data[:, 1]
instrument = json.load(open(sys.argv[1]))
kind = instrument["noise"]["model"]
est = np.array([p["estimate"] for p in instrument["parameters"]]
               + [p["estimate"] for p in instrument["noise"]["parameters"]])
cov = np.array(instrument["noise"]["joint_covariance"])
reading, points = float(sys.argv[2]), int(sys.argv[3])
x_lo, x_hi = float(sys.argv[4]), float(sys.argv[5])
k = len(est)
magnitudes = np.abs(est[0] + est[1] * X)
m_lo, m_hi = magnitudes.min(), magnitudes.max()


def to_phi(t):
    if kind == "linear":
        return np.array([t[0], t[1], np.log(t[2] + t[3] * m_lo), np.log(t[2] + t[3] * m_hi)])
    return np.array([t[0], t[1], np.log(t[2])])


def from_phi(phi):
    if kind == "linear":
        lo, hi = np.exp(phi[:, 2]), np.exp(phi[:, 3])
        s1 = (hi - lo) / (m_hi - m_lo)
        return np.stack([phi[:, 0], phi[:, 1], lo - s1 * m_lo, s1], 1), np.log(lo * hi / (m_hi - m_lo))
    return np.stack([phi[:, 0], phi[:, 1], np.exp(phi[:, 2])], 1), phi[:, 2]


def sigma(theta, mu):
    if kind == "linear":
        return theta[:, 2:3] + theta[:, 3:4] * np.abs(mu)
    return theta[:, 2:3] * np.abs(mu)


jac = np.zeros((k, k))
for j in range(k):
    step = np.zeros(k)
    step[j] = 1e-7 * max(1.0, abs(est[j]))
    jac[:, j] = (to_phi(est + step) - to_phi(est - step)) / (2 * step[j])
sd_phi = np.sqrt(np.diag(jac @ cov @ jac.T))
center = to_phi(est)
nodes, weights = np.polynomial.legendre.leggauss(points)
grid = np.meshgrid(*[center[j] + WIDTH * sd_phi[j] * nodes for j in range(k)], indexing="ij")
phi = np.stack([g.ravel() for g in grid], 1)
log_w = np.meshgrid(*[np.log(WIDTH * sd_phi[j] * weights) for j in range(k)], indexing="ij")
log_w = np.sum(np.stack([g.ravel() for g in log_w], 1), 1)
theta, log_jacobian = from_phi(phi)
mu = theta[:, 0:1] + theta[:, 1:2] * X[None, :]
s = sigma(theta, mu)
inside = np.all(s > 0, 1)
s = np.where(s > 0, s, 1.0)
L = np.sum(np.log(s) + (Y[None, :] - mu) ** 2 / (2 * s**2), 1)
log_weight = np.where(inside, log_w + log_jacobian - L, -np.inf)
weight = np.exp(log_weight - log_weight.max())
theta, weight = theta[weight > 1e-300], weight[weight > 1e-300]
xs = np.linspace(x_lo, x_hi, 4001)
density = []
for x in xs:
    m = theta[:, 0] + theta[:, 1] * x
    sg = sigma(theta, m[:, None])[:, 0]
    ok = sg > 0
    sg = np.where(ok, sg, 1.0)
    density.append(np.sum(np.where(ok, weight * np.exp(-0.5 * ((reading - m) / sg) ** 2) / sg, 0)))
density = np.array(density)
mass = simpson(density, x=xs)
mean = simpson(xs * density, x=xs) / mass
sd = np.sqrt(simpson((xs - mean) ** 2 * density, x=xs) / mass)
cdf = cumulative_simpson(density, x=xs, initial=0) / mass
q = lambda p: np.interp(p, cdf, xs)
print("median %.8f sd %.8f q025 %.7f q975 %.7f" % (q(0.5), sd, q(0.025), q(0.975)))
