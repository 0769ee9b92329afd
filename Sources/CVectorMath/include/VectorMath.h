// Exponentials and square roots of many values at once: the engine's sums over posterior
// samples and quadrature nodes spend most of their time in them. The exponentials come from
// the GNU C library's vector math library (libmvec) on x86-64 Linux. The engine calls this
// module through Sources/CalibCore/Numerics/Elementary.swift alone (and its tests directly).
#ifndef CALIB_VECTOR_MATH_H
#define CALIB_VECTOR_MATH_H

#include <stddef.h>

/// Replaces each of the `count` values at `values` by its exponential. On x86-64 with glibc
/// each pair is taken by libmvec's two-lane exp (`_ZGVbN2v_exp`, within 4 ulp), a lone last
/// value in both lanes; elsewhere, the C library's exp one at a time. Each result depends on
/// its own value alone, never on its neighbours or on `count`.
void calib_exp_each(double *values, ptrdiff_t count);

/// The exponential of `value`, bit for bit as `calib_exp_each` gives it.
double calib_exp(double value);

/// The square roots of the `count` values at `values` into `roots`, correctly rounded (the
/// same bits as `sqrt`), two at a time on x86-64 (SSE2's `sqrtpd`); NaN for a negative value.
/// Swift's `squareRoot()` calls the C library's `sqrt` where the result is NaN, for `errno`:
/// the branch keeps the compiler from taking the values two at a time.
void calib_sqrt_each(double *roots, const double *values, ptrdiff_t count);

#endif
