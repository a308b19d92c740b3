// Misuse: every impossible shape, offset, size, mode or file is a ptoref::error naming the op,
// the shapes and the caller's line — never undefined behaviour, a crash or another exception.
// One test per reproducer of issue 13, and the classes around them. Runs under ASan + UBSan.
#include <catch2/catch.hpp>

#include <ptoref/io/npy.hpp>
#include <ptoref/kernels/prefill_scope2.hpp>
#include <ptoref/ptoref.hpp>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
using Catch::Contains;
using ptoref::dims;
using ix = ptoref::index;

// The allocator-failure test asks for 1 PiB: under ASan that must come back as std::bad_alloc
// (which the library converts), not as an ASan abort.
extern "C" const char* __asan_default_options()
{
    return "allocator_may_return_null=1";
}

// The op, a shape or offset text, and this file as the site. A macro: Catch2 v2's combined
// matchers hold references to their parts, which must live to the end of the assertion.
#define NAMES(op, what) (Contains(std::string(op) + ": ") && Contains(what) && Contains("(at test_misuse.cpp:"))

namespace {

constexpr ix i64max = std::numeric_limits<ix>::max();
constexpr ix p31 = ix{1} << 31, p32 = ix{1} << 32, p62 = ix{1} << 62;

pl::Tensor<float> t44()
{
    return pl::full({4, 4}, pl::FP32, 1.f);
}

struct cap_scope { // a size cap for one test, restored after it
    explicit cap_scope(std::uint64_t bytes) { ptoref::set_max_bytes(bytes); }
    ~cap_scope() { ptoref::set_max_bytes(0); }
};

} // namespace

TEST_CASE("checked arithmetic: results that fit, and nullopt for those that do not")
{
    CHECK(ptoref::checked_add(i64max - 1, 1) == i64max);
    CHECK_FALSE(ptoref::checked_add(i64max, 1));
    CHECK_FALSE(ptoref::checked_add(-i64max - 1, -1));
    CHECK(ptoref::checked_mul(p31, p31) == p62);
    CHECK_FALSE(ptoref::checked_mul(p32, p32));
    CHECK_FALSE(ptoref::checked_mul(-1, -i64max - 1));
    CHECK(ptoref::checked_product(dims{2, 3, 4}) == 24);
    CHECK(ptoref::checked_product(dims{}) == 1);
    CHECK(ptoref::checked_product(dims{p32, 0}) == 0);
    CHECK_FALSE(ptoref::checked_product(dims{p32, p32}));
    CHECK_FALSE(ptoref::checked_product(dims{0, p62, p62})); // numpy's rule: zeros do not excuse
    CHECK_FALSE(ptoref::checked_product(dims{2, -1}));
    CHECK_THROWS_WITH((dims{p32, p32}.product()), Contains("ptoref::dims::product") && Contains("test_misuse.cpp:"));
    CHECK_THROWS_WITH(ptoref::row_major_strides(dims{1, p62, p62}), Contains("overflow"));
}

TEST_CASE("create_tensor of 2^32 x 2^32 is refused, not a 0-element buffer")
{
    CHECK_THROWS_WITH(pl::create_tensor({p32, p32}, pl::FP32),
                      NAMES("pl::create_tensor", "[4294967296, 4294967296]") && Contains("more elements than int64"));
    CHECK_THROWS_WITH(pl::full({p32, p32}, pl::BF16, 0.f), NAMES("pl::full", "[4294967296, 4294967296]"));
    CHECK_THROWS_WITH(pl::create_tensor({2, 3, 0, p62, p62}, pl::INT32),
                      NAMES("pl::create_tensor", "4611686018427387904"));
    // An empty tensor with huge extents is fine: it has no elements and its strides fit.
    const auto empty = pl::create_tensor({p32, 0}, pl::FP32);
    CHECK(empty.numel() == 0);
    CHECK(empty.to_vector().empty());
}

TEST_CASE("reshape of a 0-element tensor to 2^32 x 2^32, and tensor_from, are refused")
{
    const auto empty = pl::create_tensor({0, 4}, pl::FP32);
    CHECK_THROWS_WITH(pl::reshape(empty, {p32, p32}), NAMES("pl::reshape", "[4294967296, 4294967296]"));
    CHECK_THROWS_WITH(ptoref::tensor_from<float>({p32, p32}, std::vector<float>{}),
                      NAMES("ptoref::tensor_from", "[4294967296, 4294967296]"));
    CHECK(pl::reshape(empty, {2, 0, 8}).numel() == 0);
}

TEST_CASE("reshape whose element count wraps to 16 is refused before reshape_strides")
{
    const auto t = t44();
    CHECK_THROWS_WITH(pl::reshape(t, {4611686018427387908LL, 4}), NAMES("pl::reshape", "4611686018427387908"));
    CHECK_THROWS_WITH(pl::reshape(t, {-4, -4}), NAMES("pl::reshape", "negative extent"));
    CHECK(pl::reshape(t, {2, 8}).to_vector() == std::vector<float>(16, 1.f));
}

TEST_CASE("slice windows whose end overflows are out of bounds")
{
    const auto t = t44();
    CHECK_THROWS_WITH(pl::slice(t, {2, 2}, {i64max, 0}), NAMES("pl::slice", "out of bounds"));
    CHECK_THROWS_WITH(pl::slice(t, {i64max, 1}, {1, 0}), NAMES("pl::slice", "out of bounds"));
    CHECK_THROWS_WITH(pl::slice(t, {1, 1}, {-1, 0}), NAMES("pl::slice", "out of bounds"));
    CHECK_THROWS_WITH(pl::slice(t, {2}, {i64max, 0}), NAMES("pl::slice", "out of bounds")); // a dropped dim
    CHECK_THROWS_WITH(pl::slice(t, {2, 2}, {0, 0}, {i64max, 1}), NAMES("pl::slice", "valid_shape"));
    // Nothing was written anywhere: the source is intact.
    CHECK(t.to_vector() == std::vector<float>(16, 1.f));
    // An empty window at the very end is legal.
    CHECK(pl::slice(t, {0, 4}, {4, 0}).numel() == 0);
}

TEST_CASE("assemble at an offset whose end overflows writes nothing")
{
    auto t = t44();
    const auto two = pl::full({2, 2}, pl::FP32, 2.f);
    CHECK_THROWS_WITH(pl::assemble(t, two, {i64max, 0}), NAMES("pl::assemble", "out of bounds"));
    CHECK_THROWS_WITH(pl::assemble(t, two, {0, i64max - 1}), NAMES("pl::assemble", "out of bounds"));
    CHECK_THROWS_WITH(pl::assemble(t, two, {-2, 0}), NAMES("pl::assemble", "out of bounds"));
    CHECK(t.to_vector() == std::vector<float>(16, 1.f));
    CHECK_THROWS_WITH(pl::write(t, {i64max, 0}, 3.f), NAMES("pl::write", "out of bounds"));
    CHECK_THROWS_WITH(pl::read(t, {0, -i64max - 1}), NAMES("pl::read", "out of bounds"));
}

TEST_CASE("matmul of [2^32, 0] by [0, 2^32] is refused before its 2^64 outputs are allocated")
{
    const auto a = pl::create_tensor({p32, 0}, pl::FP32);
    const auto b = pl::create_tensor({0, p32}, pl::FP32);
    CHECK_THROWS_WITH(pl::matmul(a, b), NAMES("pl::matmul", "[4294967296, 4294967296]"));
    CHECK_THROWS_WITH(pl::matmul(pl::cast(a, pl::BF16), pl::cast(b, pl::BF16), pl::FP32),
                      NAMES("pl::matmul", "4294967296"));
    CHECK_THROWS_WITH(pl::matmul_acc(pl::create_tensor({p32, 0}, pl::FP32), a, b),
                      NAMES("pl::matmul_acc", "4294967296"));
}

TEST_CASE("ops on empty tensors with huge extents return at once (found by fuzz_ops)")
{
    const ix p40 = ix{1} << 40;
    const auto a = pl::create_tensor({p40, 0}, pl::FP32); // undefined: the definedness pass runs too
    CHECK(pl::concat(a, a).shape() == dims{p40, 0});
    CHECK(pl::matmul(a, pl::create_tensor({0, 0}, pl::FP32)).shape() == dims{p40, 0});
    CHECK(pl::matmul(pl::create_tensor({0, p40}, pl::FP32), pl::create_tensor({0, 0}, pl::FP32), pl::FP32, true, false)
              .shape() == dims{p40, 0});
}

TEST_CASE("an empty view past its buffer's end is read without a pointer past it (found by fuzz_ops)")
{
    const auto t = t44();
    const auto end = pl::slice(t, {0, 4}, {4, 0}); // offset 16 of 16 elements
    CHECK(pl::exp(end).numel() == 0);
    const auto none = pl::create_tensor({0}, pl::FP32); // no storage at all
    const pl::Tensor<float> v(none.storage_ptr(), {0, 4}, {4, 1}, 16, {0, 4});
    CHECK(pl::add(v, v).numel() == 0);
    CHECK(pl::cast(v, pl::BF16).numel() == 0);
}

TEST_CASE("a zero-stride view is copied only within the size cap (found by fuzz_ops)")
{
    const auto t = t44();
    const pl::Tensor<float> wide(t.storage_ptr(), {ix{1} << 40, 1}, {0, 0}, 0, {ix{1} << 40, 1});
    CHECK_THROWS_WITH(pl::cast(wide, pl::INT32), NAMES("pl::cast", "cannot allocate 4 TiB for FP32[1099511627776, 1]"));
    const pl::Tensor<float> row(t.storage_ptr(), {3, 4}, {0, 1}, 0, {3, 4});
    CHECK(pl::cast(row, pl::INT32).to_vector() == std::vector<std::int32_t>(12, 1));
}

TEST_CASE("the fused kernel's config products are checked before they are compared with shapes")
{
    using namespace ptoref;
    Tensor<float> f;
    Tensor<std::int32_t> i;
    Tensor<bf16> h;
    const ix kv = ix{1} << 58; // 8 * kv heads fits; heads * head_dim does not
    CHECK_THROWS_WITH(kernels::prefill_scope2({1, 64, 8 * kv, kv, 64}, f, f, f, i, f, f, h, h, h),
                      Contains("kernels::prefill_scope2: the config's tensor sizes overflow int64"));
    CHECK_THROWS_WITH(kernels::prefill_scope2({1, 64, 8, 1, 64}, f, f, f, i, f, f, h, h, h),
                      Contains("q_proj is an empty tensor handle"));
}

TEST_CASE("the same matmul from two 128-byte .npy files")
{
    const auto dir = std::filesystem::temp_directory_path() / "ptoref_test_misuse_npy";
    std::filesystem::create_directories(dir);
    ptoref::io::save_npy((dir / "a.npy").string(), pl::create_tensor({p32, 0}, pl::FP32));
    ptoref::io::save_npy((dir / "b.npy").string(), pl::create_tensor({0, p32}, pl::FP32));
    CHECK(std::filesystem::file_size(dir / "a.npy") == 128);
    const auto a = ptoref::io::load_npy<float>((dir / "a.npy").string());
    const auto b = ptoref::io::load_npy<float>((dir / "b.npy").string());
    CHECK_THROWS_WITH(pl::matmul(a, b), NAMES("pl::matmul", "4294967296"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("concat whose column count overflows is refused with the shapes")
{
    const auto a = pl::create_tensor({0, i64max}, pl::FP32);
    const auto b = pl::create_tensor({0, 1}, pl::FP32);
    CHECK_THROWS_WITH(pl::concat(a, b), NAMES("pl::concat", "FP32[0, 9223372036854775807]") && Contains("overflows"));
    CHECK(pl::concat(b, b).shape() == dims{0, 2});
}

TEST_CASE("sizes past int64 bytes or the size cap are ptoref::error, not length_error or bad_alloc")
{
    // 2^62 elements fit in int64; 2^64 bytes do not.
    CHECK_THROWS_WITH(pl::create_tensor({p31, p31}, pl::FP32),
                      NAMES("pl::create_tensor", "cannot allocate more than 8 EiB for FP32[2147483648, 2147483648]"));
    CHECK_THROWS_WITH(pl::full({ix{1} << 20, ix{1} << 20}, pl::FP32, 1.f),
                      NAMES("pl::full", "cannot allocate 4 TiB for FP32[1048576, 1048576]") &&
                          Contains("size cap of 1 TiB"));
    {
        const cap_scope cap(1024);
        CHECK(ptoref::max_bytes() == 1024);
        CHECK_NOTHROW(pl::full({256}, pl::FP32, 0.f));
        CHECK_THROWS_WITH(pl::full({257}, pl::FP32, 0.f),
                          NAMES("pl::full", "cannot allocate 1.0 KiB (1028 bytes) for FP32[257]") &&
                              Contains("size cap of 1 KiB"));
        CHECK_THROWS_WITH(pl::matmul(pl::full({64, 1}, pl::FP32, 1.f), pl::full({1, 64}, pl::FP32, 1.f)),
                          NAMES("pl::matmul", "16 KiB for FP32[64, 64]"));
        CHECK_THROWS_WITH(pl::concat(pl::full({1, 200}, pl::FP32, 0.f), pl::full({1, 200}, pl::FP32, 0.f)),
                          NAMES("pl::concat", "FP32[1, 400]"));
    }
    CHECK(ptoref::max_bytes() == ptoref::default_max_bytes);
}

TEST_CASE("an allocation the allocator refuses is a ptoref::error naming op, dtype and shape")
{
    const cap_scope no_cap(~std::uint64_t{0});
    // 1 PiB: more than any x86-64 or aarch64 user address space maps.
    CHECK_THROWS_WITH(pl::full({ix{1} << 48, 1}, pl::FP32, 0.f),
                      NAMES("pl::full", "cannot allocate 1 PiB for FP32[281474976710656, 1]") &&
                          Contains("out of memory"));
    CHECK_THROWS_WITH(pl::create_tensor({ix{1} << 50}, pl::BF16), NAMES("pl::create_tensor", "cannot allocate 2 PiB"));
}

TEST_CASE("PTOREF_MAX_BYTES values")
{
    using ptoref::detail::parse_byte_count;
    CHECK(parse_byte_count("1073741824") == std::uint64_t{1} << 30);
    CHECK(parse_byte_count("64M") == std::uint64_t{64} << 20);
    CHECK(parse_byte_count("2G") == std::uint64_t{2} << 30);
    CHECK(parse_byte_count("1T") == std::uint64_t{1} << 40);
    CHECK(parse_byte_count("18446744073709551615") == ~std::uint64_t{0});
    for (const char* bad : {"", "0", "-1", "1.5G", "G", "12X", "18446744073709551616", "99999999999999999999T", "1 G"})
        CHECK_FALSE(parse_byte_count(bad));
}

TEST_CASE("cast modes and pad values outside the enum are errors, not wrong bits")
{
    const auto x = pl::full({2, 2}, pl::FP32, 1.5f);
    for (int m : {-1, 7, 1000})
        CHECK_THROWS_WITH(pl::cast(x, pl::BF16, static_cast<ptoref::cast_mode>(m)),
                          NAMES("pl::cast", "cast mode value " + std::to_string(m)));
    CHECK_THROWS_WITH(pl::cast(x, pl::INT32, static_cast<ptoref::cast_mode>(9)), NAMES("pl::cast", "not a mode"));
    CHECK_THROWS_WITH(pl::cast(x, pl::BF16, "bogus\x1b[31m"), Contains("\\x1b[31m"));
    CHECK_THROWS_WITH(pl::fillpad(x, static_cast<pl::PadValue>(3)), NAMES("pl::fillpad", "pad value 3"));
    CHECK(pl::cast(x, pl::INT32, ptoref::cast_mode::odd).to_vector() == std::vector<std::int32_t>(4, 1));
}

TEST_CASE("rank 9 is reported by the op that gets it, with its name and the caller's line")
{
    const auto t = t44();
    CHECK_THROWS_WITH(pl::create_tensor({1, 1, 1, 1, 1, 1, 1, 1, 1}, pl::FP32),
                      NAMES("pl::create_tensor", "the shape has 9 dims: rank exceeds the maximum of 8"));
    CHECK_THROWS_WITH(pl::full({1, 1, 1, 1, 1, 1, 1, 1, 1}, pl::INT32, 0), NAMES("pl::full", "9 dims"));
    CHECK_THROWS_WITH(pl::reshape(t, {1, 1, 1, 1, 1, 1, 1, 4, 4}), NAMES("pl::reshape", "9 dims"));
    CHECK_THROWS_WITH(pl::slice(t, {1, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0}), NAMES("pl::slice", "the offset has 9 dims"));
    CHECK_THROWS_WITH(pl::slice(t, {1, 1}, {0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1}), NAMES("pl::slice", "valid_shape"));
    CHECK_THROWS_WITH(pl::assemble(t, t, {0, 0, 0, 0, 0, 0, 0, 0, 0}), NAMES("pl::assemble", "the offset has 9"));
    CHECK_THROWS_WITH(pl::read(t, {0, 0, 0, 0, 0, 0, 0, 0, 0}), NAMES("pl::read", "the index has 9 dims"));
    CHECK_THROWS_WITH(pl::write(t, {0, 0, 0, 0, 0, 0, 0, 0, 0}, 1.f), NAMES("pl::write", "9 dims"));
    CHECK_THROWS_WITH(t.get({0, 0, 0, 0, 0, 0, 0, 0, 0}), NAMES("ptoref::Tensor::get", "9 dims"));
    CHECK_THROWS_WITH(ptoref::tensor_from<float>({1, 1, 1, 1, 1, 1, 1, 1, 1}, std::vector<float>{1.f}),
                      NAMES("ptoref::tensor_from", "9 dims"));
    dims d = dims::filled(8, 0);
    CHECK_THROWS_WITH(d.push_back(1), NAMES("ptoref::dims::push_back", "maximum of 8"));
}

TEST_CASE("schedules: the thread limit holds for the API too, and schedule text is escaped")
{
    CHECK_THROWS_WITH(pl::schedule::threads(100000), NAMES("ptoref::pl::schedule", "thread count 100000 is above 1024"));
    CHECK(pl::schedule::threads(1024).thread_count() == 1024);
    CHECK_THROWS_WITH(pl::schedule::parse("threads:\x1b[2J"), Contains("\\x1b[2J") && !Contains("\x1b"));
    CHECK_THROWS_WITH(pl::schedule::parse("bogus\x07"), Contains("unknown schedule \"bogus\\x07\""));
}

TEST_CASE("dims::filled checks its rank")
{
    CHECK_THROWS_WITH(dims::filled(9, 0), NAMES("ptoref::dims::filled", "rank 9 is outside [0, 8]"));
    CHECK_THROWS_WITH(dims::filled(-1, 0), NAMES("ptoref::dims::filled", "rank -1"));
    CHECK(dims::filled(8, 3) == dims{3, 3, 3, 3, 3, 3, 3, 3});
    CHECK(dims::filled(0, 3).empty());
}

TEST_CASE("Tensor::get and is_defined out of range name the site")
{
    const auto t = t44();
    CHECK_THROWS_WITH(t.get({4, 0}), NAMES("ptoref::Tensor::get", "index [4, 0] is outside"));
    CHECK_THROWS_WITH(t.get({0, i64max}), NAMES("ptoref::Tensor::get", "9223372036854775807"));
    CHECK_THROWS_WITH(t.is_defined({-1, 0}), NAMES("ptoref::Tensor::is_defined", "[-1, 0]"));
    CHECK_THROWS_WITH(t.get({0}), NAMES("ptoref::Tensor::get", "[0]"));
    CHECK_THROWS_WITH(pl::Tensor<float>().get({0}), NAMES("ptoref::Tensor::get", "empty tensor handle"));
}

TEST_CASE("a hand-made view outside its buffer cannot exist")
{
    const auto t = t44();
    using T = pl::Tensor<float>;
    CHECK_THROWS_WITH(T(t.storage_ptr(), {2, 2}, {4, 1}, -4, {2, 2}), NAMES("ptoref::Tensor", "impossible view"));
    CHECK_THROWS_WITH(T(t.storage_ptr(), {i64max, 1}, {1, 1}, 4, {i64max, 1}), Contains("impossible view"));
    CHECK_THROWS_WITH(T(t.storage_ptr(), {5, 4}, {4, 1}, 0, {5, 4}), Contains("impossible view"));
    CHECK_THROWS_WITH(T(t.storage_ptr(), {2, 2}, {i64max, 1}, 0, {2, 2}), Contains("impossible view"));
    CHECK_THROWS_WITH(T(t.storage_ptr(), {2, 2}, {4, 1}, 0, {3, 2}), Contains("impossible view"));
    CHECK_NOTHROW(T(t.storage_ptr(), {4, 4}, {-4, -1}, 15, {4, 4}));
    CHECK_NOTHROW(T(t.storage_ptr(), {0, 4}, {i64max, 1}, 99, {0, 4})); // empty: addresses nothing
}

namespace {

// A .npy v1.0 (or v2.0 for long headers) image with the given header text.
std::string npy_image(const std::string& header, const std::string& payload = {})
{
    std::string s = "\x93NUMPY";
    const bool v2 = header.size() > 0xffff;
    s += static_cast<char>(v2 ? 2 : 1);
    s += '\0';
    for (int k = 0; k < (v2 ? 4 : 2); ++k)
        s += static_cast<char>((header.size() >> (8 * k)) & 0xff);
    return s + header + payload;
}

std::string load_error(const std::string& image)
{
    std::istringstream in(image);
    try {
        (void)ptoref::io::read_npy<float>(in, "x.npy");
    } catch (const ptoref::error& e) {
        return e.what();
    }
    return "no error";
}

bool printable(const std::string& s)
{
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            return false;
    return true;
}

} // namespace

TEST_CASE(".npy errors escape the file's bytes and stay short")
{
    const std::string esc = load_error(npy_image("{'\x1b[2J\x07\xff': 1}\n"));
    CHECK_THAT(esc, Contains("unexpected key '\\x1b[2J\\x07\\xff'"));
    CHECK(printable(esc));
    // A 16 MiB header whose descr is one long string: the message quotes ~200 characters of it.
    const std::string huge = load_error(npy_image("{'descr': '<" + std::string((1u << 24) - 64, 'f') + " '}"));
    CHECK_THAT(huge, Contains("is not a dtype string") || Contains("does not match"));
    CHECK(huge.size() < 1200);
    std::string long_shape = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
    for (int i = 0; i < 20000; ++i)
        long_shape += "4294967296, ";
    const std::string overflow = load_error(npy_image(long_shape + ")}"));
    CHECK_THAT(overflow, Contains("overflows") && Contains("more bytes"));
    CHECK(overflow.size() < 1200);
    // A name with control bytes is escaped too.
    std::istringstream in("not npy");
    CHECK_THROWS_WITH(ptoref::io::read_npy<float>(in, "a\x1b]0;title\x07.npy"),
                      Contains("a\\x1b]0;title\\x07.npy: not a .npy file (bad magic)"));
}

TEST_CASE(".npy: a shape past the size cap, or a huge claimed payload, is an error before allocation")
{
    const std::string big = npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 4), }\n");
    CHECK_THAT(load_error(big), Contains("truncated payload"));
    const cap_scope cap(64);
    const std::string ok17 =
        npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (17,), }\n", std::string(68, '\0'));
    CHECK_THAT(load_error(ok17), Contains("ptoref::io::load_npy: cannot allocate 68 bytes for FP32[17]"));
}

TEST_CASE("load_npy of a directory or a missing file says so")
{
    const auto dir = std::filesystem::temp_directory_path() / "ptoref_test_misuse_dir.npy";
    std::filesystem::create_directories(dir);
    CHECK_THROWS_WITH(ptoref::io::load_npy<float>(dir.string()),
                      NAMES("ptoref::io::load_npy", "is a directory, not a .npy file"));
    std::filesystem::remove_all(dir);
    CHECK_THROWS_WITH(ptoref::io::load_npy<float>(dir.string()),
                      NAMES("ptoref::io::load_npy", "cannot open: No such file or directory"));
}

TEST_CASE("escape_excerpt and format_bytes")
{
    CHECK(ptoref::escape_excerpt("plain") == "plain");
    CHECK(ptoref::escape_excerpt(std::string("a\0b\n", 4)) == "a\\x00b\\x0a");
    CHECK(ptoref::escape_excerpt(std::string(300, 'x'), 200) == std::string(200, 'x') + "... (100 more bytes)");
    CHECK(ptoref::escape_excerpt(ptoref::escape_excerpt("\x01")) == "\\x01"); // idempotent
    CHECK(ptoref::format_bytes(100) == "100 bytes");
    CHECK(ptoref::format_bytes(1536) == "1.5 KiB (1536 bytes)");
    CHECK(ptoref::format_bytes(std::uint64_t{4} << 40) == "4 TiB");
}
