// Stand-alone co-simulation driver until `agilemmu cosim` is wired to run_cli.
#include "cosim/cosim.h"

int main(int argc, char** argv) { return agilemmu::cosim::run_cli(argc, argv); }
