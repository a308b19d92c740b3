// The seed program with a bug: the KV-cache row ignores the batch index, so every batch
// iteration writes the same rows. The checker must report the race and exit non-zero.
#include "qwen3_scope2_cli.hpp"

int main(int argc, char** argv)
{
    return qwen3_scope2::run_cli(argc, argv, {.racy_cache_row = true});
}
