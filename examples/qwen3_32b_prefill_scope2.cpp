// Command line for the seed program: see qwen3_scope2_cli.hpp and README.md.
#include "qwen3_scope2_cli.hpp"

int main(int argc, char** argv)
{
    return qwen3_scope2::run_cli(argc, argv, {});
}
