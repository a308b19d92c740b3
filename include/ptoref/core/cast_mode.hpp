// The seven rounding modes of pl.cast, with the DSL's default (round = ties away from zero).
#pragma once

#include <string>
#include <string_view>

#include "ptoref/core/checked.hpp"
#include "ptoref/core/error.hpp"

namespace ptoref {

// Values match pypto's CAST_MODE_NAMES indices so they can be read from IR dumps.
enum class cast_mode : int {
    none = 0,  // the device's default case: rint into a float type, trunc into an integer type
    rint = 1,  // round to nearest, ties to even (IEEE default, torch's .to())
    round = 2, // round to nearest, ties away from zero — the DSL default
    floor = 3, // toward -infinity
    ceil = 4,  // toward +infinity
    trunc = 5, // toward zero
    odd = 6,   // round to odd (von Neumann): truncate, set the last bit if inexact
};

inline constexpr cast_mode default_cast_mode = cast_mode::round;

inline constexpr cast_mode all_cast_modes[] = {cast_mode::none, cast_mode::rint,  cast_mode::round, cast_mode::floor,
                                               cast_mode::ceil, cast_mode::trunc, cast_mode::odd};

constexpr std::string_view to_string(cast_mode m) noexcept
{
    switch (m) {
    case cast_mode::none:
        return "none";
    case cast_mode::rint:
        return "rint";
    case cast_mode::round:
        return "round";
    case cast_mode::floor:
        return "floor";
    case cast_mode::ceil:
        return "ceil";
    case cast_mode::trunc:
        return "trunc";
    case cast_mode::odd:
        return "odd";
    }
    return "?";
}

// A cast_mode is an int underneath: a value read from an IR dump or a binding may be none of
// the seven, and every conversion routine would silently pick some rounding for it.
inline void check_cast_mode(cast_mode m, std::string_view op, source_location loc)
{
    const int v = static_cast<int>(m);
    if (v < static_cast<int>(cast_mode::none) || v > static_cast<int>(cast_mode::odd))
        throw error(std::string(op),
                    "cast mode value " + std::to_string(v) +
                        " is not a mode (0..6: none, rint, round, floor, ceil, trunc, odd)",
                    loc);
}

// Parses the DSL spelling (mode="rint"); unknown names are an error, never a silent default.
inline cast_mode parse_cast_mode(std::string_view name, source_location loc = source_location::current())
{
    for (cast_mode m : all_cast_modes)
        if (to_string(m) == name)
            return m;
    throw error("pl::cast",
                "unknown cast mode \"" + escape_excerpt(name, 40) +
                    "\" (expected none, rint, round, floor, ceil, trunc or odd)",
                loc);
}

} // namespace ptoref
