"""Errors-in-variables fits, computed independently (ErrorsInVariablesTests).

On Fixtures/uncertain-standards.csv (standards `dose` with u(x) `u_dose`, readings `signal`
with u(y) `u_signal`): minimize Σ (y − f(ξ; β))²/u(y)² + (x − ξ)²/u(x)² over β and the true
doses ξ (weighted orthogonal distance regression, Boggs & Rogers 1990), for the saturating
curve b1·(1 − exp(−b2·x)) from (10, 0.3) and the quadratic b0 + b1·x + b2·x² from (0, 3, −0.2).

Two solvers: MINPACK's Levenberg–Marquardt (scipy.optimize.least_squares, method "lm", all
tolerances 1e-15) on the stacked residuals, with the covariance (JᵀJ)⁻¹ of the full (β, ξ) at
the solution; and ODRPACK (scipy.odr, sstol and partol 1e-15; `cov_beta`, the covariance with
the u taken as known). Printed: β to 12 significant digits, the standard errors to 10, and χ².
They agree on the saturating curve; on the quadratic, whose χ² of 101 on 7 degrees of freedom
says the curve is wrong, ODRPACK stops 4e-6 standard errors short of MINPACK's minimum.

    python3 errors_in_variables.py

scipy 1.17 (scipy.odr is deprecated there, and still ODRPACK).
"""
import warnings

import numpy as np
from scipy.optimize import least_squares

warnings.simplefilter("ignore", DeprecationWarning)
from scipy import odr  # noqa: E402

data = np.genfromtxt(
    __file__.rsplit("/", 4)[0] + "/Fixtures/uncertain-standards.csv", delimiter=",", names=True)
x, ux, y, uy = data["dose"], data["u_dose"], data["signal"], data["u_signal"]
fits = {
    "saturating": (lambda b, x: b[0] * (1 - np.exp(-b[1] * x)), [10.0, 0.3]),
    "quadratic": (lambda b, x: b[0] + b[1] * x + b[2] * x**2, [0.0, 3.0, -0.2]),
}
for name, (f, start) in fits.items():
    p = len(start)

    def residuals(theta):
        return np.concatenate([(y - f(theta[:p], theta[p:])) / uy, (x - theta[p:]) / ux])

    lm = least_squares(residuals, np.concatenate([start, x]), method="lm", xtol=1e-15,
                       ftol=1e-15, gtol=1e-15)
    se = np.sqrt(np.diag(np.linalg.inv(lm.jac.T @ lm.jac)))[:p]
    print(name, "MINPACK", " ".join(f"{v:.12g}" for v in lm.x[:p]),
          "se", " ".join(f"{v:.10g}" for v in se), "chi2", f"{(lm.fun**2).sum():.12g}")
    run = odr.ODR(odr.RealData(x, y, sx=ux, sy=uy), odr.Model(f), beta0=start,
                  sstol=1e-15, partol=1e-15, maxit=1000).run()
    print(name, "ODRPACK", " ".join(f"{v:.12g}" for v in run.beta),
          "se", " ".join(f"{v:.10g}" for v in np.sqrt(np.diag(run.cov_beta))),
          "chi2", f"{run.sum_square:.12g}")
