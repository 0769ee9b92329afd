// The parts of the GNU Scientific Library that calib uses. Only the engine's GSL layer
// imports this module.
#ifndef CALIB_CGSL_SHIM_H
#define CALIB_CGSL_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

// GSL exports its method tables as mutable globals, which Swift's strict concurrency checking
// refuses to read; these accessors return them as the constants they are.
static inline const gsl_min_fminimizer_type *calib_gsl_min_brent(void) {
  return gsl_min_fminimizer_brent;
}
static inline const gsl_integration_fixed_type *calib_gsl_fixed_laguerre(void) {
  return gsl_integration_fixed_laguerre;
}
static inline const gsl_multifit_nlinear_type *calib_gsl_nlinear_trust(void) {
  return gsl_multifit_nlinear_trust;
}
static inline const gsl_multifit_nlinear_trs *calib_gsl_nlinear_trs_lmaccel(void) {
  return gsl_multifit_nlinear_trs_lmaccel;
}
static inline const gsl_multifit_nlinear_trs *calib_gsl_nlinear_trs_lm(void) {
  return gsl_multifit_nlinear_trs_lm;
}
static inline const gsl_multifit_nlinear_trs *calib_gsl_nlinear_trs_ddogleg(void) {
  return gsl_multifit_nlinear_trs_ddogleg;
}
static inline const gsl_multifit_nlinear_scale *calib_gsl_nlinear_scale_more(void) {
  return gsl_multifit_nlinear_scale_more;
}
static inline const gsl_multifit_nlinear_solver *calib_gsl_nlinear_solver_qr(void) {
  return gsl_multifit_nlinear_solver_qr;
}
static inline const gsl_integration_fixed_type *calib_gsl_fixed_hermite(void) {
  return gsl_integration_fixed_hermite;
}
static inline const gsl_rng_type *calib_gsl_rng_mt19937(void) {
  return gsl_rng_mt19937;
}

#endif
