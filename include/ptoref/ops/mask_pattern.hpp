// pl::MaskPattern (pypto's pl.tile.MaskPattern): the fixed column patterns of the mask forms of
// gather and scatter. Names read right to left: P0101 keeps columns 0, 2, 4, ... (ops-semantics-2.md §3).
#pragma once

#include <string>

#include "ptoref/core/error.hpp"
#include "ptoref/core/shape.hpp"

namespace ptoref {
namespace pl {
enum class MaskPattern { P0101 = 1, P1010 = 2, P0001 = 3, P0010 = 4, P0100 = 5, P1000 = 6, P1111 = 7 };
} // namespace pl

namespace detail {

struct mask_geometry {
    index stride; // one kept column per `stride` columns
    index phase;  // the kept column's position within its group
};

inline mask_geometry mask_of(pl::MaskPattern p, std::string_view op, const source_location& loc)
{
    switch (p) {
    case pl::MaskPattern::P0101:
        return {2, 0};
    case pl::MaskPattern::P1010:
        return {2, 1};
    case pl::MaskPattern::P0001:
        return {4, 0};
    case pl::MaskPattern::P0010:
        return {4, 1};
    case pl::MaskPattern::P0100:
        return {4, 2};
    case pl::MaskPattern::P1000:
        return {4, 3};
    case pl::MaskPattern::P1111:
        return {1, 0};
    }
    throw error(std::string(op),
                "mask pattern " + std::to_string(static_cast<int>(p)) + " is not one of 1..7 (P0101 .. P1111)", loc);
}

// How many of the first `valid` columns a pattern keeps.
inline index kept_columns(index valid, mask_geometry m) noexcept
{
    return valid <= m.phase ? 0 : (valid - m.phase + m.stride - 1) / m.stride;
}

} // namespace detail
} // namespace ptoref
