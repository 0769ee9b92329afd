"""The `replicates` noise model, computed independently (ReplicateNoiseTests).

On Fixtures/heteroscedastic-line.csv (seven standards in triplicate): the sample variance
s_j² of each group, on d_j = 2 degrees of freedom, regressed as log σ² = c0 + c1·log|ȳ_j| by
statsmodels' gamma GLM with log link, var_weights d_j and the dispersion fixed at 2 (so that
var(s²) = 2σ⁴/d, the χ² law of a sample variance); then s0 = exp(c0/2), k = c1/2 with the
covariance carried by the Jacobian diag(s0/2, 1/2). The line is fitted by weighted least
squares with weights 1/σ(μ̂)², σ = s0·|μ̂|^k, iterated with numpy until the weights settle;
its covariance is (XᵀWX)⁻¹.

    python3 replicates_fit.py

numpy 2, statsmodels 0.15.
"""
import numpy as np
import statsmodels.api as sm

data = np.loadtxt(
    __file__.rsplit("/", 4)[0] + "/Fixtures/heteroscedastic-line.csv", delimiter=",",
    skiprows=1)
x, y = data[:, 0], data[:, 1]
levels = np.unique(x)
means = np.array([y[x == v].mean() for v in levels])
variances = np.array([y[x == v].var(ddof=1) for v in levels])
dof = np.array([(x == v).sum() - 1 for v in levels], dtype=float)
design = np.column_stack([np.ones_like(means), np.log(np.abs(means))])
glm = sm.GLM(variances, design, family=sm.families.Gamma(sm.families.links.Log()),
             var_weights=dof).fit(scale=2.0, tol=1e-14, maxiter=200)
c = glm.params
s0, k = np.exp(c[0] / 2), c[1] / 2
jac = np.diag([s0 / 2, 0.5])
cov_eta = jac @ glm.cov_params() @ jac.T
X = np.column_stack([np.ones_like(x), x])
start = np.array([means[np.searchsorted(levels, v)] for v in x])
sigma = s0 * np.abs(start) ** k
for _ in range(200):
    w = 1 / sigma**2
    beta = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (w * y))
    new = s0 * np.abs(X @ beta) ** k
    if np.max(np.abs(new / sigma - 1)) < 1e-15:
        break
    sigma = new
cov_beta = np.linalg.inv(X.T @ ((1 / sigma**2)[:, None] * X))
print("s0 %.12g k %.12g se %.10g %.10g" % (s0, k, *np.sqrt(np.diag(cov_eta))))
print("b0 %.12g b1 %.12g se %.10g %.10g" % (*beta, *np.sqrt(np.diag(cov_beta))))
