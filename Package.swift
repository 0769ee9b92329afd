// swift-tools-version:6.0
//
// calib: a calibration-and-measurement inference engine on the GNU Scientific Library.

import PackageDescription

let package = Package(
  name: "calib",
  products: [
    .executable(name: "calib", targets: ["calib"]),
    .library(name: "CalibCore", targets: ["CalibCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
  ],
  targets: [
    // The GNU Scientific Library as a system library: a module map and one shim header.
    .systemLibrary(
      name: "CGSL",
      pkgConfig: "gsl",
      providers: [.apt(["libgsl-dev"])]
    ),
    // The platform's C library (Glibc, Musl or Darwin), re-exported: the one `#if canImport`.
    .target(name: "CalibSystem"),
    // Exponentials many at a time from glibc's vector math library (libmvec, x86-64 Linux):
    // the sums over posterior samples and quadrature nodes spend most of their time in them.
    .target(
      name: "CVectorMath",
      linkerSettings: vectorMathLinking
    ),
    // The GSL layer: the only target that imports CGSL; its wrappers are `package`, not public.
    .target(
      name: "CalibGSL",
      dependencies: ["CGSL"]
    ),
    // The engine: reading, models, fitting, the instrument file. Never prints, never exits.
    .target(
      name: "CalibCore",
      dependencies: [
        "CalibGSL",
        "CalibSystem",
        "CVectorMath",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    // The command line: argument parsing, file I/O, exit codes.
    .executableTarget(
      name: "calib",
      dependencies: [
        "CalibCore",
        "CalibGSL",
        "CalibSystem",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // `make bench`: speed and memory figures of a release build.
    .executableTarget(
      name: "calib-bench",
      dependencies: ["CalibCore", "CalibSystem"]
    ),
    // `make fuzz`: libFuzzer targets for the CSV reader, the formula parser and the
    // instrument-file reader (docs/testing.md). Built plainly, it replays inputs given as files.
    .executableTarget(
      name: "calib-fuzz",
      dependencies: ["CalibCore", "CalibSystem"]
    ),
    .testTarget(
      name: "CalibCoreTests",
      dependencies: ["CalibCore", "CalibGSL", "CVectorMath"]
    ),
    .testTarget(
      name: "CalibCLITests",
      dependencies: ["calib", "CalibSystem"]
    ),
  ],
  swiftLanguageModes: [.v6]
)

/// libmvec is linked where its exponential is called: glibc on x86-64 (glibc on other
/// processors ships it from 2.38 only, or not at all, and Musl has none). The manifest runs
/// on the machine that builds: right for a native build.
var vectorMathLinking: [LinkerSetting] {
  #if os(Linux) && arch(x86_64) && canImport(Glibc)
    return [.linkedLibrary("mvec")]
  #else
    return []
  #endif
}
