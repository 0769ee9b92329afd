// Exponentials and square roots of many values at once: the engine's sums over posterior
// samples and quadrature nodes spend most of their time in them. The exponentials come from
// the GNU C library's vector math library (libmvec). Only the engine imports this module.
#ifndef CALIB_VECTOR_MATH_H
#define CALIB_VECTOR_MATH_H

/// Replaces each of the `count` values at `values` by its exponential. On x86-64 Linux each
/// pair is taken by libmvec's two-lane exp (`_ZGVbN2v_exp`, SSE4.1, within 4 ulp), a lone
/// last value in both lanes; elsewhere, the C library's exp one at a time. Each result
/// depends on its own value alone, never on its neighbours or on `count`.
void calib_exp_each(double *values, long count);

/// The exponential of `value`, bit for bit as `calib_exp_each` gives it.
double calib_exp(double value);

/// The square roots of the `count` values at `values` into `roots`, correctly rounded (the
/// same bits as `sqrt`), two at a time on x86-64 (SSE2's `sqrtpd`); NaN for a negative value.
/// Swift's `squareRoot()` goes through the C library's `sqrt` one value at a time, a branch
/// and a call each, for `errno`.
void calib_sqrt_each(double *roots, const double *values, long count);

#endif
