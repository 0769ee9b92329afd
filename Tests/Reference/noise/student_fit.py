"""Maximum-likelihood fits of a line with Student-t noise, by scipy (NoiseModelTests).

On Fixtures/plate-reader-outliers.csv: μ = b0 + b1·x, each reading t_ν(μ, σ) with scipy.stats.t's
scale σ = σ(μ; η). Nelder–Mead twice, from the starting values below, to 1e-12 in θ; printed
with 10 significant digits, with the maximized log-likelihood. The profile log-likelihood of
the constant scale in ν shows that it keeps rising to the normal limit (no finite maximum).

    python3 student_fit.py

numpy 2 and scipy 1.17.
"""
import numpy as np
from scipy import optimize, stats

data = np.loadtxt(
    __file__.rsplit("/", 4)[0] + "/Fixtures/plate-reader-outliers.csv", delimiter=",",
    skiprows=1)
X, Y = data[:, 0], data[:, 1]


def negative_log(theta, scale, fixed_nu):
    mu = theta[0] + theta[1] * X
    if scale == "linear":
        sigma = theta[2] + theta[3] * np.abs(mu)
    elif scale == "proportional":
        sigma = theta[2] * np.abs(mu)
    else:
        sigma = np.full_like(X, theta[2])
    nu = fixed_nu if fixed_nu is not None else theta[-1]
    if np.any(sigma <= 0) or nu <= 0:
        return 1e300
    return -stats.t.logpdf(Y, nu, loc=mu, scale=sigma).sum()


def fit(scale, start, fixed_nu=None):
    result = None
    for _ in range(3):
        result = optimize.minimize(
            negative_log, start, args=(scale, fixed_nu), method="Nelder-Mead",
            options=dict(xatol=1e-12, fatol=1e-14, maxiter=100000, maxfev=200000))
        start = result.x
    return result


for scale, start, nu in [
    ("linear", [0.2, 1.5, 0.05, 0.04, 5.0], None),
    ("proportional", [0.2, 1.5, 0.04, 5.0], None),
    ("proportional", [0.2, 1.5, 0.04], 3.0),
]:
    result = fit(scale, start, nu)
    print(scale, "df fixed" if nu else "df estimated",
          " ".join(f"{v:.10g}" for v in result.x), f"logL {-result.fun:.10g}")
for nu in [3.0, 10.0, 100.0, 1e4]:
    result = fit("constant", [0.2, 1.5, 0.3], nu)
    print("constant, profile at df", nu, f"logL {-result.fun:.10g}")

# Student-t noise with a known scale (`student:known`): the same standards with
# u(y) = 0.05 + 0.04·(0.2 + 1.5·x) rounded to 4 decimals (the scale they were simulated with),
# ν estimated; θ = (b0, b1, ν).
U = np.round(0.05 + 0.04 * (0.2 + 1.5 * X), 4)


def negative_log_known(theta):
    if theta[2] <= 0:
        return 1e300
    return -stats.t.logpdf(Y, theta[2], loc=theta[0] + theta[1] * X, scale=U).sum()


start = [0.2, 1.5, 5.0]
for _ in range(3):
    result = optimize.minimize(negative_log_known, start, method="Nelder-Mead",
                               options=dict(xatol=1e-12, fatol=1e-14, maxiter=100000))
    start = result.x
print("known df estimated", " ".join(f"{v:.10g}" for v in result.x),
      f"logL {-result.fun:.10g}")
