// .npy load and save throughput (io/npy.hpp) for contiguous FP32 and BF16 arrays, side by side
// with a plain fwrite/fread of the same bytes into a fresh buffer (the memcpy baseline: what the
// page cache and the allocator allow). Files live in the page cache (each is written, then read
// back at once). A loaded tensor is a fresh buffer, so its first touch (page faults) is part of
// every load; the JSON gives that cost (a memset of a fresh buffer) and fread into a warm buffer
// apart. One JSON object.
//
// usage: bench_npy_io [--mib N] [--reps N] [--dir DIR]
#include <ptoref/io/npy.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0)
{
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct result {
    double save_s, load_s, fwrite_s, fread_s, fread_warm_s, first_touch_s;
    bool same;
};

template <class T>
result run(const std::string& dir, std::size_t bytes, int reps)
{
    const auto n = static_cast<ptoref::index>(bytes / sizeof(T));
    std::vector<T> values(static_cast<std::size_t>(n));
    std::uint64_t s = 0x9e3779b97f4a7c15ull;
    for (auto& v : values) { // splitmix64 bits
        s += 0x9e3779b97f4a7c15ull;
        std::uint64_t z = s;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        v = ptoref::dtype_traits<T>::from_bits(static_cast<typename ptoref::dtype_traits<T>::bits_type>(z));
    }
    const auto t = ptoref::tensor_from<T>({n / 1024, 1024}, values);
    const std::string npy = dir + "/bench_npy_io.npy", raw = dir + "/bench_npy_io.raw";
    std::vector<double> save, load, fw, fr, frw, touch;
    std::unique_ptr<char[]> warm(new char[bytes]);
    std::memset(warm.get(), 0, bytes);
    bool same = true;
    for (int rep = 0; rep < reps; ++rep) {
        auto t0 = clock_type::now();
        ptoref::io::save_npy(npy, t);
        save.push_back(seconds_since(t0));

        t0 = clock_type::now();
        {
            const auto back = ptoref::io::load_npy<T>(npy);
            load.push_back(seconds_since(t0));
            same = same && std::memcmp(back.storage().data(), values.data(), bytes) == 0;
        }

        t0 = clock_type::now();
        {
            std::FILE* f = std::fopen(raw.c_str(), "wb");
            if (!f || std::fwrite(values.data(), 1, bytes, f) != bytes || std::fclose(f) != 0)
                std::abort();
        }
        fw.push_back(seconds_since(t0));

        t0 = clock_type::now();
        {
            std::unique_ptr<char[]> buf(new char[bytes]); // fresh, as a loaded tensor's buffer is
            std::FILE* f = std::fopen(raw.c_str(), "rb");
            if (!f || std::fread(buf.get(), 1, bytes, f) != bytes)
                std::abort();
            std::fclose(f);
            fr.push_back(seconds_since(t0));
            same = same && std::memcmp(buf.get(), values.data(), bytes) == 0;
        }

        t0 = clock_type::now();
        {
            std::FILE* f = std::fopen(raw.c_str(), "rb");
            if (!f || std::fread(warm.get(), 1, bytes, f) != bytes)
                std::abort();
            std::fclose(f);
        }
        frw.push_back(seconds_since(t0));

        t0 = clock_type::now();
        {
            std::unique_ptr<char[]> buf(new char[bytes]);
            std::memset(buf.get(), rep, bytes);
            touch.push_back(seconds_since(t0));
            same = same && buf[bytes / 2] == static_cast<char>(rep);
        }
    }
    std::filesystem::remove(npy);
    std::filesystem::remove(raw);
    return {median(save), median(load), median(fw), median(fr), median(frw), median(touch), same};
}

void print(const char* name, const result& r, std::size_t bytes, bool last)
{
    const double gb = static_cast<double>(bytes) / 1e9;
    std::printf("\"%s\": {\"save_gb_per_s\": %.2f, \"load_gb_per_s\": %.2f, \"fwrite_gb_per_s\": %.2f, "
                "\"fread_gb_per_s\": %.2f, \"fread_into_warm_buffer_gb_per_s\": %.2f, "
                "\"first_touch_of_fresh_buffer_gb_per_s\": %.2f, \"save_over_fwrite_time\": %.2f, "
                "\"load_over_fread_time\": %.2f, \"round_trip_identical\": %s}%s",
                name, gb / r.save_s, gb / r.load_s, gb / r.fwrite_s, gb / r.fread_s, gb / r.fread_warm_s,
                gb / r.first_touch_s, r.save_s / r.fwrite_s, r.load_s / r.fread_s, r.same ? "true" : "false",
                last ? "" : ", ");
}

} // namespace

int main(int argc, char** argv)
{
    std::size_t mib = 256;
    int reps = 5;
    std::string dir = std::filesystem::temp_directory_path().string();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--mib")
            mib = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--reps")
            reps = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--dir")
            dir = argv[i + 1];
    }
    const std::size_t bytes = std::max<std::size_t>(mib, 1) << 20;
    const result f32 = run<float>(dir, bytes, reps);
    const result b16 = run<ptoref::bf16>(dir, bytes, reps);
    std::printf("{\"benchmark\": \"npy_io\", \"bytes\": %zu, \"reps\": %d, \"target_gb_per_s\": 1.0, ", bytes, reps);
    print("fp32", f32, bytes, false);
    print("bf16", b16, bytes, true);
    std::printf("}\n");
    return f32.same && b16.same ? 0 : 1;
}
