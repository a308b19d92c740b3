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

namespace ptoref_examples {

// A command-line usage error: the program prints it with the usage hint and exits with 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class arg_parser {
public:
    // An option taking a value ("--batch 2" or "--batch=2").
    void value(const std::string &name, std::function<void(const std::string &)> set)
    {
        values_[name] = std::move(set);
    }
    // An option without a value ("--fused").
    void flag(const std::string &name, std::function<void()> set) { flags_[name] = std::move(set); }

    void parse(int argc, char **argv) const
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
                    throw usage_error("option " + a + " takes no value");
                f->second();
                continue;
            }
            auto it = values_.find(a);
            if (it == values_.end())
                throw usage_error("unknown argument '" + a + "'");
            if (!has_inline) {
                if (i + 1 >= argc)
                    throw usage_error("option " + a + " needs a value");
                v = argv[++i];
            }
            it->second(v);
        }
    }

private:
    std::map<std::string, std::function<void(const std::string &)>> values_;
    std::map<std::string, std::function<void()>> flags_;
};

// A positive integer in [lo, hi], or a usage error naming the option.
inline long long parse_int(const std::string &option, const std::string &text, long long lo, long long hi)
{
    if (text.empty() || text.size() > 18)
        throw usage_error(option + " expects an integer, got '" + text + "'");
    long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            throw usage_error(option + " expects an integer, got '" + text + "'");
        v = v * 10 + (c - '0');
    }
    if (v < lo || v > hi)
        throw usage_error(option + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + text);
    return v;
}

// splitmix64: the same sequence on every platform and with every flag.
class splitmix64 {
public:
    explicit splitmix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [-1, 1) on a grid of 2^-23: integer arithmetic, then exact float scaling.
    float uniform()
    {
        const auto k = static_cast<std::int32_t>(next() >> 40) - (1 << 23); // [-2^23, 2^23)
        return static_cast<float>(k) * 0x1p-23f;
    }

private:
    std::uint64_t state_;
};

} // namespace ptoref_examples
