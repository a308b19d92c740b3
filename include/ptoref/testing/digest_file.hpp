// Pinning goldens by digest: the SHA-256 of a .npy file's elements, and files of expected
// digests to compare against (the format of `sha256sum`: "<64 hex digits>  <name>", '#' comments).
//
// The digest of a .npy file is the digest of its *elements*, not of the file: each element's
// bytes in little-endian order, row-major — exactly testing::digest() of the tensor that
// io::load_npy returns. Headers (which differ between numpy versions) do not matter; a
// big-endian file gives the same digest as its little-endian twin.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "ptoref/core/error.hpp"
#include "ptoref/io/npy_format.hpp"
#include "ptoref/testing/sha256.hpp"

namespace ptoref::testing {

struct npy_digest {
    std::string sha256;
    std::string descr;
    std::vector<std::int64_t> shape;
};

namespace detail {

// Bytes per element of a plain numeric dtype string ('<f4', '|u1', '>i8'); 0 if it is not one.
inline std::size_t npy_item_size(const std::string& descr) noexcept
{
    if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '>' && descr[0] != '|' && descr[0] != '='))
        return 0;
    if (std::string("fiubc").find(descr[1]) == std::string::npos)
        return 0;
    std::size_t n = 0;
    for (std::size_t i = 2; i < descr.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(descr[i])) || n > 64)
            return 0;
        n = n * 10 + static_cast<std::size_t>(descr[i] - '0');
    }
    return n;
}

inline bool is_hex_digest(const std::string& s) noexcept
{
    return s.size() == 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace detail

// Digest of the elements of the .npy file at `path`. Throws ptoref::error (io::npy_error for a
// malformed file) naming the file.
inline npy_digest digest_npy(const std::string& path)
{
    std::ifstream in;
    io::open_npy_file(in, path);
    const io::npy_header h = io::parse_npy_header(in, path);
    const std::size_t item = detail::npy_item_size(h.descr);
    if (item == 0)
        throw io::npy_error(path + ": dtype '" + escape_excerpt(h.descr, 40) + "' is not a plain numeric type");
    if (h.fortran_order && h.shape.size() > 1)
        throw io::npy_error(path + ": Fortran-order arrays are not supported (save with C order)");
    // read_npy_payload checks the shape and reads exactly the payload, in bounded chunks.
    std::vector<std::uint8_t> data = io::read_npy_payload(in, h, item, path);
    if (h.descr[0] == '>' && item > 1)
        for (std::size_t i = 0; i < data.size(); i += item)
            std::reverse(data.begin() + static_cast<std::ptrdiff_t>(i),
                         data.begin() + static_cast<std::ptrdiff_t>(i + item));
    sha256 s;
    s.update(data.data(), data.size());
    std::string d = h.descr;
    if (d[0] == '>' || d[0] == '=')
        d[0] = item > 1 ? '<' : '|';
    return {to_hex(s.finish()), d, h.shape};
}

// One line of a digest file.
struct digest_entry {
    std::string sha256;
    std::string name;
    int line = 0;
};

// Parses "<64 lowercase hex>  <name>" lines; blank lines and lines starting with '#' are skipped.
// A malformed line or a repeated name is an error naming the file and line.
inline std::vector<digest_entry> parse_digests(std::istream& in, const std::string& what)
{
    std::vector<digest_entry> out;
    std::map<std::string, int> seen;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#')
            continue;
        const std::string where = what + ":" + std::to_string(n);
        if (line.size() < 67 || line.compare(64, 2, "  ") != 0 || !detail::is_hex_digest(line.substr(0, 64)))
            throw error("", where + ": expected \"<64 lowercase hex digits>  <name>\", got \"" + line + "\"");
        digest_entry e{line.substr(0, 64), line.substr(66), n};
        if (auto [it, fresh] = seen.emplace(e.name, n); !fresh)
            throw error("", where + ": '" + e.name + "' already has a digest at line " + std::to_string(it->second));
        out.push_back(std::move(e));
    }
    return out;
}

inline std::vector<digest_entry> read_digests(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw error("", path + ": cannot open");
    return parse_digests(in, path);
}

inline std::string digest_line(const std::string& sha, const std::string& name)
{
    return sha + "  " + name;
}

// Expected entries against what was computed (name -> digest). `actual` empty means missing.
struct digest_mismatch {
    std::string name;
    std::string expected;
    std::string actual;
};

inline std::vector<digest_mismatch> compare_digests(const std::vector<digest_entry>& expected,
                                                    const std::map<std::string, std::string>& actual)
{
    std::vector<digest_mismatch> out;
    for (const digest_entry& e : expected) {
        auto it = actual.find(e.name);
        if (it == actual.end())
            out.push_back({e.name, e.sha256, ""});
        else if (it->second != e.sha256)
            out.push_back({e.name, e.sha256, it->second});
    }
    return out;
}

// One line per mismatch ("MISMATCH name: expected …, got …" / "MISSING name"), then a summary.
inline std::string digest_report(const std::vector<digest_mismatch>& m, std::size_t checked)
{
    std::string s;
    for (const digest_mismatch& x : m)
        s += x.actual.empty() ? "MISSING  " + x.name + " (expected " + x.expected + ")\n"
                              : "MISMATCH " + x.name + ": expected " + x.expected + ", got " + x.actual + "\n";
    s += std::to_string(checked - m.size()) + " of " + std::to_string(checked) + " digests match\n";
    return s;
}

} // namespace ptoref::testing
