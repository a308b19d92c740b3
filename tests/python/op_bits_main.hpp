// What the C++ sides of the Python bit checks share (op_bits*.cpp, dtype_bits.cpp): each runs as
// `NAME DIR`, writes its fixed inputs into DIR as .npy and prints "<name> <sha256>" per result,
// which tests/python/conftest.py's cpp_and_python_digests compares with the Python side.
#pragma once

#include <ptoref/testing/digest.hpp>

#include <cstdio>
#include <optional>
#include <string>

namespace op_bits {

template <class T>
void out(const std::string& name, const ptoref::Tensor<T>& t)
{
    std::printf("%s %s\n", name.c_str(), ptoref::testing::digest(t).c_str());
}

// The DIR argument; nullopt (after the usage line) when there is not exactly one.
inline std::optional<std::string> dir_argument(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return std::nullopt;
    }
    return std::string(argv[1]);
}

} // namespace op_bits
