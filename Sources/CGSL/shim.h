// The parts of the GNU Scientific Library that calib uses. Only the engine's GSL layer
// imports this module.
#ifndef CALIB_CGSL_SHIM_H
#define CALIB_CGSL_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_cdf.h>

#endif
