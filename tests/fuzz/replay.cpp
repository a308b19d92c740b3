// Runs a fuzz target's LLVMFuzzerTestOneInput on files and on every file of directories, for
// builds without libFuzzer: the checked-in corpus and crash regressions run as ordinary tests
// (and so under the ASan + UBSan CI build).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int run_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", p.string().c_str());
        return 1;
    }
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    int failed = 0, count = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path arg(argv[i]);
        if (std::filesystem::is_directory(arg)) {
            for (const auto& e : std::filesystem::recursive_directory_iterator(arg))
                if (e.is_regular_file()) {
                    failed += run_file(e.path());
                    ++count;
                }
        } else {
            failed += run_file(arg);
            ++count;
        }
    }
    std::printf("replay: %d inputs, %d unreadable\n", count, failed);
    return failed == 0 && count > 0 ? 0 : 1;
}
