// ptoref_digest: the digests of .npy outputs, for pinning goldens in CI.
//   ptoref_digest FILE.npy...                         prints "<sha256>  FILE" per file
//   ptoref_digest --check DIGESTS [--dir DIR] [--only PREFIX]
//                                                     verifies DIR/<name> for every entry of DIGESTS
//                                                     (those whose name starts with PREFIX)
// The digest covers the elements (little-endian, row-major), not the file's header: it equals
// ptoref::testing::digest() of the loaded tensor. Exit status: 0 all match, 1 a mismatch or a
// missing file, 2 bad arguments or an unreadable digests file.
#include <ptoref/testing/digest_file.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace {

const char* usage = "usage: %s FILE.npy...\n"
                    "       %s --check DIGESTS [--dir DIR] [--only PREFIX]\n";

int print_digests(const std::vector<std::string>& files)
{
    int status = 0;
    for (const std::string& f : files) {
        try {
            std::printf("%s\n", ptoref::testing::digest_line(ptoref::testing::digest_npy(f).sha256, f).c_str());
        } catch (const std::exception& e) { // this file is bad: report it, go on with the next
            std::fprintf(stderr, "error: %s\n", e.what());
            status = 1;
        }
    }
    return status;
}

int check(const std::string& digests, const std::string& dir, const std::string& only)
{
    std::vector<ptoref::testing::digest_entry> want;
    try {
        for (auto& e : ptoref::testing::read_digests(digests))
            if (e.name.rfind(only, 0) == 0)
                want.push_back(e);
    } catch (const ptoref::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    if (want.empty()) {
        std::fprintf(stderr, "error: %s has no entries%s\n", digests.c_str(),
                     only.empty() ? "" : (" starting with '" + only + "'").c_str());
        return 2;
    }
    std::map<std::string, std::string> got;
    for (const auto& e : want) {
        const std::string path = (std::filesystem::path(dir) / e.name).string();
        try {
            got[e.name] = ptoref::testing::digest_npy(path).sha256;
        } catch (const std::exception& err) {
            std::fprintf(stderr, "%s\n", err.what()); // reported below as missing
        }
    }
    const auto bad = ptoref::testing::compare_digests(want, got);
    std::printf("%s", ptoref::testing::digest_report(bad, want.size()).c_str());
    return bad.empty() ? 0 : 1;
}

int run(int argc, char** argv);

} // namespace

// Every failure is one line and an exit status, never an uncaught exception (a file's payload
// can be larger than memory).
int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}

namespace {

int run(int argc, char** argv)
{
    std::vector<std::string> files;
    std::string digests, dir = ".", only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "error: %s needs a value\n", a.c_str());
                return false;
            }
            out = argv[++i];
            return true;
        };
        if (a == "--check" || a == "--dir" || a == "--only") {
            if (!value(a == "--check" ? digests : a == "--dir" ? dir : only)) {
                std::fprintf(stderr, usage, argv[0], argv[0]);
                return 2;
            }
        } else if (a == "-h" || a == "--help") {
            std::printf(usage, argv[0], argv[0]);
            return 0;
        } else if (a.rfind("--", 0) == 0) {
            std::fprintf(stderr, "error: unknown option '%s'\n", ptoref::escape_excerpt(a, 100).c_str());
            std::fprintf(stderr, usage, argv[0], argv[0]);
            return 2;
        } else {
            files.push_back(a);
        }
    }
    if (!digests.empty() && files.empty())
        return check(digests, dir, only);
    if (digests.empty() && !files.empty())
        return print_digests(files);
    std::fprintf(stderr, usage, argv[0], argv[0]);
    return 2;
}

} // namespace
