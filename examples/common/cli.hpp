// Small command-line helpers shared by the example programs: strict option parsing (a bad
// argument is a one-line error plus a usage hint, exit status 2), and a seeded input
// generator whose bits do not depend on the compiler or its flags.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <ptoref/core/checked.hpp>
#include <ptoref/testing/random.hpp>

namespace ptoref_examples {

// An argument quoted in a message: escaped and bounded, so it cannot garble the terminal.
inline std::string quote_arg(const std::string& a)
{
    return "'" + ptoref::escape_excerpt(a, 100) + "'";
}

// A command-line usage error: the program prints it with the usage hint and exits with 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class arg_parser {
public:
    // An option taking a value ("--batch 2" or "--batch=2").
    void value(const std::string& name, std::function<void(const std::string&)> set) { values_[name] = std::move(set); }
    // An option without a value ("--fused").
    void flag(const std::string& name, std::function<void()> set) { flags_[name] = std::move(set); }

    void parse(int argc, char** argv) const
    {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            std::string v;
            bool has_inline = false;
            if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
                v = a.substr(eq + 1);
                a = a.substr(0, eq);
                has_inline = true;
            }
            if (auto f = flags_.find(a); f != flags_.end()) {
                if (has_inline)
                    throw usage_error("option " + quote_arg(a) + " takes no value");
                f->second();
                continue;
            }
            auto it = values_.find(a);
            if (it == values_.end())
                throw usage_error("unknown argument " + quote_arg(a));
            if (!has_inline) {
                if (i + 1 >= argc)
                    throw usage_error("option " + quote_arg(a) + " needs a value");
                v = argv[++i];
            }
            it->second(v);
        }
    }

private:
    std::map<std::string, std::function<void(const std::string&)>> values_;
    std::map<std::string, std::function<void()>> flags_;
};

// A positive integer in [lo, hi], or a usage error naming the option.
inline long long parse_int(const std::string& option, const std::string& text, long long lo, long long hi)
{
    if (text.empty() || text.size() > 18)
        throw usage_error(option + " expects an integer, got " + quote_arg(text));
    long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            throw usage_error(option + " expects an integer, got " + quote_arg(text));
        v = v * 10 + (c - '0');
    }
    if (v < lo || v > hi)
        throw usage_error(option + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                          quote_arg(text));
    return v;
}

using ptoref::testing::splitmix64;

} // namespace ptoref_examples
