#pragma once
namespace agilemmu::cli {
int walk_cmd(int argc, char** argv);
int run_cmd(int argc, char** argv);
int trace_cmd(int argc, char** argv);
int sweep_cmd(int argc, char** argv);
}  // namespace agilemmu::cli
