// The byte layer of NumPy's .npy format: read v1.0/v2.0/v3.0 headers, write exactly what
// numpy.save (numpy >= 1.23) writes. Independent of ptoref's tensors; io/npy.hpp adapts it.
//
// Files come from outside, so parsing is strict and never trusts a length: every malformed
// input is an npy_error naming the file and the problem, and memory grows only with bytes that
// actually arrive (a header claiming a terabyte payload costs nothing to reject).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <system_error>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ptoref/core/checked.hpp"
#include "ptoref/core/error.hpp"

namespace ptoref::io {

// The message is the whole story ("q_proj.npy: truncated payload: expected 32768 bytes, got 100").
// Parts from the file are escaped and cut where they are quoted; the whole message is bounded
// once more here, so no file can make a long or terminal-controlling message.
class npy_error : public error {
public:
    explicit npy_error(const std::string& msg) : error("", escape_excerpt(msg, 1000)) {}
};

struct npy_header {
    std::string descr;
    bool fortran_order = false;
    std::vector<std::int64_t> shape;
    std::size_t data_offset = 0; // bytes from the start of the file to the data
};

namespace detail {

// numpy refuses headers above 10000 bytes unless told to trust the file; we allow more (high
// ranks) but bound it, since a v2/v3 length field can claim 4 GiB.
inline constexpr std::size_t npy_max_header_len = std::size_t{1} << 24;
inline constexpr std::size_t npy_align = 64;         // numpy.lib.format.ARRAY_ALIGN
inline constexpr std::size_t npy_growth_digits = 21; // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS
inline constexpr char npy_magic[] = "\x93NUMPY";     // 6 bytes, then major, minor

// Reads up to n bytes into buf, growing it as data arrives (doubling, from 1 MiB), so that a
// lying length field cannot make us allocate what the stream does not hold. Returns the count.
template <class Buffer>
std::size_t read_up_to(std::istream& in, Buffer& buf, std::size_t n)
{
    constexpr std::size_t first_chunk = std::size_t{1} << 20;
    buf.clear();
    while (buf.size() < n) {
        const std::size_t have = buf.size();
        const std::size_t want = std::min(n - have, std::max(first_chunk, have));
        buf.resize(have + want);
        in.read(reinterpret_cast<char*>(buf.data() + have), static_cast<std::streamsize>(want));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got < want) {
            buf.resize(have + got);
            break;
        }
    }
    return buf.size();
}

// Product of the dimensions, or -1 if some dimension is negative, or -2 if the product of the
// non-zero dimensions overflows int64 (numpy also rejects (0, 2**40, 2**40): strides overflow).
inline std::int64_t npy_element_count(const std::vector<std::int64_t>& shape) noexcept
{
    std::int64_t nonzero = 1;
    bool any_zero = false;
    for (std::int64_t d : shape) {
        if (d < 0)
            return -1;
        if (d == 0) {
            any_zero = true;
            continue;
        }
        if (nonzero > std::numeric_limits<std::int64_t>::max() / d)
            return -2;
        nonzero *= d;
    }
    return any_zero ? 0 : nonzero;
}

// Python's repr of a tuple of ints: "()", "(5,)", "(2, 3)".
inline std::string npy_shape_repr(const std::vector<std::int64_t>& shape)
{
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + (shape.size() == 1 ? ",)" : ")");
}

// The shape as quoted in messages: a header can list a million dims.
inline std::string npy_shape_excerpt(const std::vector<std::int64_t>& shape)
{
    return escape_excerpt(npy_shape_repr(shape), 200);
}

// A file name as quoted in messages.
inline std::string npy_name(const std::string& what)
{
    return escape_excerpt(what, 300);
}

// A dtype string as numpy writes it for non-structured arrays: '<f4', '|u1', '<M8[ns]'.
// Printable ASCII without quotes, backslashes or spaces, so repr() of it is just '...'.
inline bool npy_descr_ok(const std::string& d) noexcept
{
    if (d.empty())
        return false;
    for (char c : d)
        if (c <= ' ' || c > '~' || c == '\'' || c == '"' || c == '\\')
            return false;
    return true;
}

// Parses the header dictionary, a Python literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 64, 512), }
// Accepts what numpy writes and reasonable hand-written variants (either quote, any key order,
// any whitespace, trailing commas, Python 2 "3L" in v1/v2 as numpy does); rejects anything else
// that ast.literal_eval would accept but is not a plain header (escapes, expressions, lists).
class npy_dict_parser {
public:
    npy_dict_parser(const std::string& text, const std::string& what, bool allow_long_suffix)
        : s_(text), what_(npy_name(what)), allow_long_(allow_long_suffix)
    {
    }

    npy_header parse()
    {
        npy_header h;
        bool have_descr = false, have_order = false, have_shape = false;
        expect('{', "expected '{' at the start of the header dictionary");
        while (peek() != '}') {
            const std::size_t key_at = i_;
            const std::string key = string_literal();
            bool* seen = key == "descr"           ? &have_descr
                         : key == "fortran_order" ? &have_order
                         : key == "shape"         ? &have_shape
                                                  : nullptr;
            if (seen == nullptr)
                fail("unexpected key '" + escape_excerpt(key, 200) + "'", key_at);
            if (*seen)
                fail("duplicate key '" + escape_excerpt(key, 200) + "'", key_at);
            *seen = true;
            expect(':', "expected ':' after '" + escape_excerpt(key, 200) + "'");
            if (key == "descr")
                h.descr = descr();
            else if (key == "fortran_order")
                h.fortran_order = boolean();
            else
                h.shape = tuple();
            if (peek() == ',')
                ++i_;
            else if (peek() != '}')
                fail("expected ',' or '}' after the value of '" + escape_excerpt(key, 200) + "'", i_);
        }
        ++i_;
        skip_ws();
        if (i_ != s_.size())
            fail("garbage after the header dictionary", i_);
        if (!have_descr || !have_order || !have_shape)
            fail(std::string("missing key '") +
                     (!have_descr   ? "descr"
                      : !have_order ? "fortran_order"
                                    : "shape") +
                     "' (a header has 'descr', 'fortran_order' and 'shape')",
                 i_);
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& msg, std::size_t at) const
    {
        throw npy_error(what_ + ": malformed header: " + msg + " (at header byte " + std::to_string(at) + ")");
    }
    void skip_ws() noexcept
    {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    // The next non-blank character; running out of header is always an error here.
    char peek()
    {
        skip_ws();
        if (i_ >= s_.size())
            fail("unexpected end of the header", i_);
        return s_[i_];
    }
    void expect(char c, const std::string& msg)
    {
        if (peek() != c)
            fail(msg, i_);
        ++i_;
    }
    std::string string_literal()
    {
        const std::size_t start = i_;
        const char q = peek();
        if (q != '\'' && q != '"')
            fail("expected a quoted string", i_);
        for (std::size_t j = i_ + 1; j < s_.size(); ++j) {
            if (s_[j] == q) {
                i_ = j + 1;
                return s_.substr(start + 1, j - start - 1);
            }
            if (s_[j] == '\\')
                fail("escape sequences in strings are not supported", j);
            if (s_[j] == '\n')
                break; // Python's quoted strings end at the line
        }
        fail("unterminated string", start);
    }
    std::string descr()
    {
        const std::size_t at = i_;
        if (peek() == '[')
            fail("structured dtypes (a list as 'descr') are not supported", i_);
        std::string d = string_literal();
        if (!npy_descr_ok(d))
            fail("'descr' is not a dtype string: '" + escape_excerpt(d, 200) + "'", at);
        return d;
    }
    static bool is_word_char(char c) noexcept
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    // The whole identifier, so that "Truest" is not read as True followed by garbage.
    bool boolean()
    {
        const std::size_t at = i_;
        peek();
        std::size_t end = i_;
        while (end < s_.size() && is_word_char(s_[end]))
            ++end;
        const std::string word = s_.substr(i_, end - i_);
        if (word != "True" && word != "False")
            fail("'fortran_order' must be True or False", at);
        i_ = end;
        return word == "True";
    }
    std::int64_t dimension()
    {
        const std::size_t at = i_;
        if (peek() == '-')
            fail("negative dimension in the shape", at);
        std::int64_t v = 0;
        std::size_t digits = 0;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
            const int digit = s_[i_++] - '0';
            if (v > (std::numeric_limits<std::int64_t>::max() - digit) / 10)
                fail("dimension does not fit in 64 bits", at);
            v = v * 10 + digit;
            ++digits;
        }
        if (digits == 0)
            fail("expected a non-negative integer dimension in the shape", at);
        if (digits > 1 && s_[at] == '0')
            fail("dimension with a leading zero", at);      // not a Python 3 integer literal
        if (allow_long_ && i_ < s_.size() && s_[i_] == 'L') // Python 2 long, as in old v1/v2 files
            ++i_;
        return v;
    }
    std::vector<std::int64_t> tuple()
    {
        const std::size_t at = i_;
        expect('(', "'shape' must be a tuple such as (2, 3) or (5,)");
        std::vector<std::int64_t> out;
        bool comma_after_last = false;
        while (peek() != ')') {
            out.push_back(dimension());
            comma_after_last = peek() == ',';
            if (comma_after_last)
                ++i_;
            else if (peek() != ')')
                fail("expected ',' or ')' in the shape", i_);
        }
        ++i_;
        if (out.size() == 1 && !comma_after_last)
            fail("'shape' (" + std::to_string(out[0]) + ") is an integer, not a tuple; a 1-D shape is (" +
                     std::to_string(out[0]) + ",)",
                 at);
        return out;
    }

    const std::string& s_;
    const std::string what_;
    bool allow_long_;
    std::size_t i_ = 0;
};

} // namespace detail

// Opens a .npy file for reading, or an npy_error saying why not. A directory opens as a stream
// on Linux and would read as "bad magic"; a missing file says so.
inline void open_npy_file(std::ifstream& in, const std::string& file)
{
    std::error_code ec;
    const auto st = std::filesystem::status(file, ec);
    if (std::filesystem::is_directory(st))
        throw npy_error(detail::npy_name(file) + ": cannot open: is a directory, not a .npy file");
    if (!std::filesystem::exists(st))
        throw npy_error(detail::npy_name(file) + ": cannot open: " + (ec ? ec.message() : "no such file"));
    in.open(file, std::ios::binary);
    if (!in)
        throw npy_error(detail::npy_name(file) + ": cannot open for reading");
}

// Reads the preamble and header; on return `in` is at the first payload byte.
inline npy_header parse_npy_header(std::istream& in, const std::string& file)
{
    const std::string what = detail::npy_name(file);
    std::string pre;
    const std::size_t got = detail::read_up_to(in, pre, 8);
    if (got < 6 || pre.compare(0, 6, detail::npy_magic) != 0)
        throw npy_error(what + ": not a .npy file (bad magic)");
    if (got < 8)
        throw npy_error(what + ": truncated preamble: the file ends after the magic string");
    const unsigned major = static_cast<unsigned char>(pre[6]), minor = static_cast<unsigned char>(pre[7]);
    if (minor != 0 || major < 1 || major > 3)
        throw npy_error(what + ": unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor) +
                        " (supported: 1.0, 2.0, 3.0)");

    // v1.0 has a 2-byte little-endian header length; v2.0/v3.0 a 4-byte one.
    const std::size_t len_bytes = major == 1 ? 2 : 4;
    std::string len_field;
    if (detail::read_up_to(in, len_field, len_bytes) != len_bytes)
        throw npy_error(what + ": truncated preamble: the header length field is cut off");
    std::size_t header_len = 0;
    for (std::size_t k = 0; k < len_bytes; ++k)
        header_len |= static_cast<std::size_t>(static_cast<unsigned char>(len_field[k])) << (8 * k);
    if (header_len > detail::npy_max_header_len)
        throw npy_error(what + ": header length " + std::to_string(header_len) + " exceeds the limit of " +
                        std::to_string(detail::npy_max_header_len) + " bytes");

    std::string text;
    const std::size_t have = detail::read_up_to(in, text, header_len);
    if (have != header_len)
        throw npy_error(what + ": truncated header: the length field says " + std::to_string(header_len) +
                        " bytes, but only " + std::to_string(have) + " follow");

    // numpy strips Python 2 "L" suffixes from v1.0/v2.0 headers only.
    npy_header h = detail::npy_dict_parser(text, file, major <= 2).parse();
    if (h.fortran_order)
        throw npy_error(what + ": Fortran-order arrays are not supported");
    const std::int64_t count = detail::npy_element_count(h.shape);
    if (count == -2)
        throw npy_error(what + ": element count of shape " + detail::npy_shape_excerpt(h.shape) + " overflows");
    h.data_offset = 8 + len_bytes + header_len;
    return h;
}

// Writes the preamble and header exactly as numpy.save does (numpy >= 1.23): the dict repr with
// sorted keys, spare spaces so the first axis can grow in place, spaces to a 64-byte boundary
// (a whole 64 when already aligned, as numpy's formula gives) and '\n'. Version 1.0 unless the
// header needs more than 65535 bytes, then 2.0, as numpy.save chooses.
inline void write_npy_header(std::ostream& out, const std::string& descr, const std::vector<std::int64_t>& shape)
{
    if (!detail::npy_descr_ok(descr))
        throw npy_error("write_npy_header: '" + escape_excerpt(descr, 200) + "' is not a dtype string such as '<f4'");
    const std::int64_t count = detail::npy_element_count(shape);
    if (count == -1)
        throw npy_error("write_npy_header: negative dimension in shape " + detail::npy_shape_excerpt(shape));
    if (count == -2)
        throw npy_error("write_npy_header: element count of shape " + detail::npy_shape_excerpt(shape) + " overflows");

    std::string dict =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + detail::npy_shape_repr(shape) + ", }";
    if (!shape.empty())
        dict.append(detail::npy_growth_digits - std::to_string(shape[0]).size(), ' ');

    std::size_t len_bytes = 2;
    std::size_t padded = 0; // header length after padding, including the final '\n'
    for (;;) {
        const std::size_t unpadded = 8 + len_bytes + dict.size() + 1;
        padded = dict.size() + 1 + (detail::npy_align - unpadded % detail::npy_align);
        if (len_bytes == 2 && padded > 0xffff)
            len_bytes = 4;
        else
            break;
    }
    if (padded > 0xffffffffu)
        throw npy_error("write_npy_header: header of " + std::to_string(padded) + " bytes is too large for .npy");

    std::string bytes(detail::npy_magic);
    bytes += static_cast<char>(len_bytes == 2 ? 1 : 2);
    bytes += '\0';
    for (std::size_t k = 0; k < len_bytes; ++k)
        bytes += static_cast<char>((padded >> (8 * k)) & 0xff);
    bytes += dict;
    bytes.append(padded - dict.size() - 1, ' ');
    bytes += '\n';
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Reads exactly prod(shape) * elem_size payload bytes (little or big endian is the caller's
// business, per h.descr). Bytes after the payload are left unread, as numpy ignores them.
// The payload's byte count, prod(shape) * elem_size, or an npy_error if it does not fit.
inline std::size_t npy_payload_bytes(const npy_header& h, std::size_t elem_size, const std::string& file)
{
    const std::string what = detail::npy_name(file);
    if (elem_size == 0)
        throw npy_error(what + ": element size 0 for dtype '" + escape_excerpt(h.descr, 200) + "'");
    const std::int64_t count = detail::npy_element_count(h.shape);
    if (count == -1)
        throw npy_error(what + ": negative dimension in shape " + detail::npy_shape_excerpt(h.shape));
    if (count == -2)
        throw npy_error(what + ": element count of shape " + detail::npy_shape_excerpt(h.shape) + " overflows");
    // The byte count must fit both size_t (the buffer) and streamsize (the read).
    const std::uintmax_t max_bytes =
        std::min<std::uintmax_t>(std::numeric_limits<std::size_t>::max(), std::numeric_limits<std::streamsize>::max());
    if (static_cast<std::uintmax_t>(count) > max_bytes / elem_size)
        throw npy_error(what + ": payload size of shape " + detail::npy_shape_excerpt(h.shape) + " times " +
                        std::to_string(elem_size) + " bytes overflows");
    return static_cast<std::size_t>(count) * elem_size;
}

// How many bytes the stream holds after its read position, if it can tell (files and string
// streams can; pipes cannot). Leaves the position where it was.
inline std::optional<std::size_t> npy_stream_remaining(std::istream& in)
{
    const std::istream::pos_type at = in.tellg();
    if (at == std::istream::pos_type(-1))
        return std::nullopt;
    in.seekg(0, std::ios::end);
    const std::istream::pos_type end = in.fail() ? std::istream::pos_type(-1) : in.tellg();
    in.clear();
    in.seekg(at);
    if (in.fail() || end == std::istream::pos_type(-1) || end < at)
        return std::nullopt;
    return static_cast<std::size_t>(static_cast<std::streamoff>(end - at));
}

// The truncation error: `got` of the `bytes` the header promises are there.
[[noreturn]] inline void npy_truncated_payload(const std::string& file, std::size_t bytes, std::size_t got)
{
    throw npy_error(detail::npy_name(file) + ": truncated payload: expected " + std::to_string(bytes) + " bytes, got " +
                    std::to_string(got));
}

inline std::vector<std::uint8_t> read_npy_payload(std::istream& in, const npy_header& h, std::size_t elem_size,
                                                  const std::string& file)
{
    const std::size_t bytes = npy_payload_bytes(h, elem_size, file);
    std::vector<std::uint8_t> data;
    const std::size_t got = detail::read_up_to(in, data, bytes);
    if (got != bytes)
        npy_truncated_payload(file, bytes, got);
    return data;
}

} // namespace ptoref::io
