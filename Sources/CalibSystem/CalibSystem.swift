/// The C library of the platform, imported once for every target of calib.
///
/// `import CalibSystem` gives the C standard library and POSIX (`open`, `write`, `signal`,
/// `strerror`, `errno`, the elementary functions `exp`, `log`, …) of whichever platform the
/// package is built on: Glibc (Linux), Musl (static Linux), Darwin (macOS). It holds no code of
/// its own; it only re-exports, as swift-system and swift-numerics keep their platform imports
/// in one place. The engine imports it with `internal import CalibSystem`, so none of the C
/// library appears in `CalibCore`'s public API.
#if canImport(Glibc)
  @_exported import Glibc
#elseif canImport(Musl)
  @_exported import Musl
#elseif canImport(Darwin)
  @_exported import Darwin
#else
  #error("calib needs the platform's C library: Glibc, Musl or Darwin")
#endif
