// libmvec's two-lane exponential, declared here as the vector ABI names it: glibc ships it
// (libmvec.so, beside libm) but declares it in no header of its own. Two lanes (SSE4.1) on
// every x86-64 machine: the four- and eight-lane variants would need AVX2 or AVX-512 and give
// other bits, so that a report would depend on the processor it was computed on.
#include "VectorMath.h"

#include <math.h>

#if defined(__x86_64__) && defined(__linux__)
#include <emmintrin.h>

__m128d _ZGVbN2v_exp(__m128d);

void calib_exp_each(double *values, long count) {
  long i = 0;
  for (; i + 1 < count; i += 2) {
    _mm_storeu_pd(values + i, _ZGVbN2v_exp(_mm_loadu_pd(values + i)));
  }
  if (i < count) {
    values[i] = calib_exp(values[i]);
  }
}

double calib_exp(double value) {
  return _mm_cvtsd_f64(_ZGVbN2v_exp(_mm_set1_pd(value)));
}

void calib_sqrt_each(double *roots, const double *values, long count) {
  long i = 0;
  for (; i + 1 < count; i += 2) {
    _mm_storeu_pd(roots + i, _mm_sqrt_pd(_mm_loadu_pd(values + i)));
  }
  if (i < count) {
    roots[i] = _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(values[i])));
  }
}

#else

void calib_exp_each(double *values, long count) {
  for (long i = 0; i < count; i++) {
    values[i] = exp(values[i]);
  }
}

double calib_exp(double value) { return exp(value); }

void calib_sqrt_each(double *roots, const double *values, long count) {
  for (long i = 0; i < count; i++) {
    roots[i] = sqrt(values[i]);
  }
}

#endif
