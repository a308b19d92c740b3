// The byte layer of NumPy's .npy format (read v1/v2/v3, write v1.0 exactly as numpy.save does).
// Independent of ptoref's tensors; io/npy.hpp adapts it. Parsing is strict: every malformed
// input is an npy_error naming the file and the problem.
#pragma once

#include <cstdint>
#include <istream>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "ptoref/core/error.hpp"

namespace ptoref::io {

class npy_error : public error {
public:
    explicit npy_error(const std::string& msg) : error("", msg) {}
};

struct npy_header {
    std::string descr;
    bool fortran_order = false;
    std::vector<std::int64_t> shape;
    std::size_t data_offset = 0; // bytes from the start of the file to the data
};

namespace detail {

class dict_parser {
public:
    dict_parser(const std::string& text, const std::string& what) : s_(text), what_(what) {}

    npy_header parse()
    {
        npy_header h;
        bool have_descr = false, have_order = false, have_shape = false;
        expect('{');
        skip_ws();
        while (peek() != '}') {
            const std::string key = string_literal();
            expect(':');
            if (key == "descr") {
                h.descr = string_literal();
                have_descr = true;
            } else if (key == "fortran_order") {
                h.fortran_order = boolean();
                have_order = true;
            } else if (key == "shape") {
                h.shape = tuple();
                have_shape = true;
            } else {
                fail("unexpected key '" + key + "' in the header");
            }
            skip_ws();
            if (peek() == ',') {
                ++i_;
                skip_ws();
            } else if (peek() != '}') {
                fail("expected ',' or '}' in the header");
            }
        }
        ++i_;
        skip_ws();
        if (i_ != s_.size())
            fail("garbage after the header dictionary");
        if (!have_descr || !have_order || !have_shape)
            fail("the header lacks one of 'descr', 'fortran_order', 'shape'");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& msg) const { throw npy_error(what_ + ": malformed header: " + msg); }
    void skip_ws()
    {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    char peek()
    {
        skip_ws();
        if (i_ >= s_.size())
            fail("unexpected end of the header");
        return s_[i_];
    }
    void expect(char c)
    {
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++i_;
    }
    std::string string_literal()
    {
        const char q = peek();
        if (q != '\'' && q != '"')
            fail("expected a quoted string");
        const std::size_t end = s_.find(q, i_ + 1);
        if (end == std::string::npos)
            fail("unterminated string");
        std::string out = s_.substr(i_ + 1, end - i_ - 1);
        i_ = end + 1;
        return out;
    }
    bool boolean()
    {
        peek();
        if (s_.compare(i_, 4, "True") == 0) {
            i_ += 4;
            return true;
        }
        if (s_.compare(i_, 5, "False") == 0) {
            i_ += 5;
            return false;
        }
        fail("expected True or False");
    }
    std::vector<std::int64_t> tuple()
    {
        expect('(');
        std::vector<std::int64_t> out;
        while (peek() != ')') {
            std::int64_t v = 0;
            std::size_t digits = 0;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
                if (v > (std::numeric_limits<std::int64_t>::max() - 9) / 10)
                    fail("dimension too large");
                v = v * 10 + (s_[i_++] - '0');
                ++digits;
            }
            if (digits == 0)
                fail("expected a non-negative integer dimension");
            if (i_ < s_.size() && s_[i_] == 'L') // Python 2 longs
                ++i_;
            out.push_back(v);
            if (peek() == ',')
                ++i_;
            else if (peek() != ')')
                fail("expected ',' or ')' in the shape");
        }
        ++i_;
        return out;
    }

    const std::string& s_;
    const std::string& what_;
    std::size_t i_ = 0;
};

} // namespace detail

inline npy_header parse_npy_header(std::istream& in, const std::string& what)
{
    char magic[8];
    if (!in.read(magic, 8) || std::string(magic, 6) != "\x93NUMPY")
        throw npy_error(what + ": not a .npy file (bad magic)");
    const int major = static_cast<unsigned char>(magic[6]);
    std::size_t header_len = 0, prefix = 0;
    if (major == 1) {
        unsigned char l[2];
        if (!in.read(reinterpret_cast<char*>(l), 2))
            throw npy_error(what + ": truncated header length");
        header_len = static_cast<std::size_t>(l[0]) | static_cast<std::size_t>(l[1]) << 8;
        prefix = 10;
    } else if (major == 2 || major == 3) {
        unsigned char l[4];
        if (!in.read(reinterpret_cast<char*>(l), 4))
            throw npy_error(what + ": truncated header length");
        header_len = static_cast<std::size_t>(l[0]) | static_cast<std::size_t>(l[1]) << 8 |
                     static_cast<std::size_t>(l[2]) << 16 | static_cast<std::size_t>(l[3]) << 24;
        prefix = 12;
    } else {
        throw npy_error(what + ": unsupported .npy version " + std::to_string(major));
    }
    if (header_len > (std::size_t{1} << 24))
        throw npy_error(what + ": header length " + std::to_string(header_len) + " is implausibly large");
    std::string text(header_len, '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(header_len)))
        throw npy_error(what + ": truncated header: expected " + std::to_string(header_len) + " bytes");
    npy_header h = detail::dict_parser(text, what).parse();
    if (h.fortran_order)
        throw npy_error(what + ": Fortran-order arrays are not supported");
    h.data_offset = prefix + header_len;
    return h;
}

inline void write_npy_header(std::ostream& out, const std::string& descr, const std::vector<std::int64_t>& shape)
{
    std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        dict += std::to_string(shape[i]);
        dict += shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : "");
    }
    dict += "), }";
    while ((10 + dict.size() + 1) % 64 != 0)
        dict += ' ';
    dict += '\n';
    out.write("\x93NUMPY\x01\x00", 8);
    const char len[2] = {static_cast<char>(dict.size() & 0xff), static_cast<char>((dict.size() >> 8) & 0xff)};
    out.write(len, 2);
    out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
}

inline std::vector<std::uint8_t> read_npy_payload(std::istream& in, const npy_header& h, std::size_t elem_size,
                                                  const std::string& what)
{
    std::uint64_t count = 1;
    for (std::int64_t d : h.shape) {
        if (d < 0)
            throw npy_error(what + ": negative dimension");
        if (d != 0 && count > std::numeric_limits<std::uint64_t>::max() / static_cast<std::uint64_t>(d))
            throw npy_error(what + ": element count overflows");
        count *= static_cast<std::uint64_t>(d);
    }
    if (count > (std::uint64_t{1} << 40) / elem_size)
        throw npy_error(what + ": array of " + std::to_string(count) + " elements is too large");
    const std::size_t bytes = static_cast<std::size_t>(count) * elem_size;
    std::vector<std::uint8_t> data(bytes);
    in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(bytes));
    if (static_cast<std::size_t>(in.gcount()) != bytes)
        throw npy_error(what + ": truncated payload: expected " + std::to_string(bytes) + " bytes, got " +
                        std::to_string(in.gcount()));
    return data;
}

} // namespace ptoref::io
