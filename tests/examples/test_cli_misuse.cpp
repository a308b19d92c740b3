// The seed example's command line on bad input: one line on stderr, exit status 2 (bad
// argument, file or config too large for memory), never an uncaught exception, and the
// library's own reason rather than a generic one.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "qwen3_scope2_cli.hpp"

using Catch::Contains;
using namespace qwen3_scope2;

namespace {

// run_cli with stderr captured to a file: {status, what it printed there}.
std::pair<int, std::string> run(std::vector<std::string> args)
{
    args.insert(args.begin(), "qwen3_32b_prefill_scope2");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    const auto log = std::filesystem::temp_directory_path() / "ptoref_test_cli_misuse.log";
    std::fflush(stderr);
    const int saved = ::dup(2);
    const int fd = ::open(log.string().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE((saved >= 0 && fd >= 0));
    ::dup2(fd, 2);
    ::close(fd);
    const int status = run_cli(static_cast<int>(argv.size()), argv.data(), {});
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::string text;
    if (FILE* f = std::fopen(log.string().c_str(), "r")) {
        char buf[4096];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
            text.append(buf, n);
        std::fclose(f);
    }
    std::filesystem::remove(log);
    return {status, text};
}

} // namespace

TEST_CASE("--schedule threads:100000 gives the library's reason")
{
    const auto [status, err] = run({"--schedule", "threads:100000"});
    CHECK(status == 2);
    CHECK_THAT(err, Contains("--schedule: ptoref::pl::schedule: thread count 100000 is above 1024"));
    CHECK_THAT(run({"--schedule", "bogus"}).second, Contains("unknown schedule \"bogus\""));
}

TEST_CASE("a config too large for memory is exit 2 with the size, not std::bad_alloc")
{
    const auto [status, err] = run({"--batch", "4096", "--max-seq", "1048576"});
    CHECK(status == 2);
    CHECK_THAT(err, Contains("error: make_inputs: cannot allocate") && Contains("size cap"));
    CHECK(err.find('\n') == err.size() - 1); // one line
}

TEST_CASE("an input that is a directory is reported as one, not as bad magic")
{
    const auto dir = std::filesystem::temp_directory_path() / "ptoref_test_cli_misuse_inputs";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "q_proj.npy");
    const auto [status, err] = run({"--inputs", dir.string()});
    CHECK(status == 2);
    CHECK_THAT(err, Contains("q_proj.npy: cannot open: is a directory, not a .npy file"));
    CHECK(err.find('\n') == err.size() - 1);
    std::filesystem::remove_all(dir);
    CHECK_THAT(run({"--inputs", dir.string()}).second, Contains("No such file or directory"));
}

TEST_CASE("arguments are quoted escaped and bounded")
{
    const auto [status, err] = run({"--bogus\x1b[2J" + std::string(500, 'x')});
    CHECK(status == 2);
    CHECK_THAT(err, Contains("unknown argument '--bogus\\x1b[2J") && Contains("more bytes)'"));
    CHECK(err.find('\x1b') == std::string::npos);
    CHECK(run({"--batch", "99999999999999999999"}).first == 2);
}
