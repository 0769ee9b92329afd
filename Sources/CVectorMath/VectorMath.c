// libmvec's two-lane exponential, declared here as the vector ABI names it: glibc ships it
// (libmvec.so, beside libm) but declares it in no header of its own. libmvec chooses its code
// by the processor: SSE4.1 instructions where the processor has them (every x86-64 processor
// made since about 2010), a scalar exp per lane otherwise, which can give other bits. The
// four- and eight-lane variants would need AVX2 or AVX-512 and would also give other bits, so
// that a report would depend on the processor it was computed on.
#include "VectorMath.h"

#include <math.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#if defined(__x86_64__) && defined(__GLIBC__)

__m128d _ZGVbN2v_exp(__m128d);

void calib_exp_each(double *values, ptrdiff_t count) {
  ptrdiff_t i = 0;
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

#else

void calib_exp_each(double *values, ptrdiff_t count) {
  for (ptrdiff_t i = 0; i < count; i++) {
    values[i] = exp(values[i]);
  }
}

double calib_exp(double value) { return exp(value); }

#endif

#if defined(__x86_64__)

void calib_sqrt_each(double *roots, const double *values, ptrdiff_t count) {
  ptrdiff_t i = 0;
  for (; i + 1 < count; i += 2) {
    _mm_storeu_pd(roots + i, _mm_sqrt_pd(_mm_loadu_pd(values + i)));
  }
  if (i < count) {
    roots[i] = _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(values[i])));
  }
}

#else

void calib_sqrt_each(double *roots, const double *values, ptrdiff_t count) {
  for (ptrdiff_t i = 0; i < count; i++) {
    roots[i] = sqrt(values[i]);
  }
}

#endif
