// ptoref::source_location — the caller's file and line, captured by default arguments.
//
// Why our own type: libstdc++ 12 only defines std::source_location when the compiler has
// __builtin_source_location, which clang 14 lacks. __builtin_FILE/__builtin_LINE work in
// both g++ 12 and clang 14, so every API entry point takes a ptoref::source_location that
// defaults to the call site. A std::source_location converts implicitly where it exists.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#if __has_include(<source_location>)
#include <source_location>
#endif

namespace ptoref {

class source_location {
public:
    static constexpr source_location current(const char* file = __builtin_FILE(),
                                             std::uint_least32_t line = __builtin_LINE(),
                                             const char* function = __builtin_FUNCTION()) noexcept
    {
        source_location loc;
        loc.file_ = file;
        loc.line_ = line;
        loc.function_ = function;
        return loc;
    }

    constexpr source_location() noexcept = default;

#if defined(__cpp_lib_source_location)
    constexpr source_location(const std::source_location& s) noexcept // NOLINT: implicit on purpose
        : file_(s.file_name()), line_(s.line()), function_(s.function_name())
    {
    }
#endif

    constexpr const char* file_name() const noexcept
    {
        return file_;
    }
    constexpr std::uint_least32_t line() const noexcept
    {
        return line_;
    }
    constexpr const char* function_name() const noexcept
    {
        return function_;
    }
    constexpr bool known() const noexcept
    {
        return line_ != 0;
    }

private:
    const char* file_ = "<unknown>";
    std::uint_least32_t line_ = 0;
    const char* function_ = "";
};

// "file.cpp:42": the base name only, so reports and golden texts do not depend on where the
// source tree lives.
inline std::string to_string(const source_location& loc)
{
    std::string_view f = loc.file_name();
    if (auto slash = f.find_last_of("/\\"); slash != std::string_view::npos)
        f.remove_prefix(slash + 1);
    std::string out(f);
    out += ':';
    out += std::to_string(loc.line());
    return out;
}

} // namespace ptoref
