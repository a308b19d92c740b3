// libFuzzer target: the .npy loader. Invariant: every input loads or throws ptoref::error, with
// a message of printable ASCII and bounded length; ASan and UBSan stay silent.
#include <ptoref/io/npy.hpp>
#include <ptoref/testing/digest.hpp>

#include <cstdint>
#include <sstream>
#include <string>

namespace {

void check_message(const ptoref::error& e)
{
    const std::string m = e.what();
    if (m.size() > 2000)
        __builtin_trap(); // unbounded message
    for (char c : m)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            __builtin_trap(); // raw bytes from the file reached the message
}

template <ptoref::element_type T>
void load(const std::string& bytes)
{
    std::istringstream in(bytes);
    try {
        const auto t = ptoref::io::read_npy<T>(in, "fuzz.npy");
        (void)ptoref::testing::digest(t); // touches every element
    } catch (const ptoref::error& e) {
        check_message(e);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // Well below libFuzzer's 2 GiB malloc limit: larger shapes must be refused by the cap.
    static const bool capped = (ptoref::set_max_bytes(std::uint64_t{64} << 20), true);
    (void)capped;
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    load<float>(bytes);
    load<ptoref::bf16>(bytes);
    load<ptoref::fp16>(bytes);
    load<std::int32_t>(bytes);
    load<std::int8_t>(bytes);
    load<std::int64_t>(bytes);
    load<std::uint8_t>(bytes);
    load<std::uint32_t>(bytes);
    load<ptoref::fp8e4m3fn>(bytes);
    load<ptoref::fp8e5m2>(bytes);
    return 0;
}
