// ptoref version. A change to any canonical numeric definition (reduction order, exp, matmul
// accumulation, cast policy) changes golden digests and bumps the minor version at least.
#pragma once

#define PTOREF_VERSION_MAJOR 0
#define PTOREF_VERSION_MINOR 2
#define PTOREF_VERSION_PATCH 0

namespace ptoref {
inline constexpr const char* version_string = "0.1.0";
}
