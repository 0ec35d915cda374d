// Standalone driver for the fuzz targets in the normal (gcc) build: runs every corpus file, then
// a fixed number of deterministic mutations of them. CTest runs it as a smoke test so the
// targets keep building and the corpus keeps passing; libFuzzer proper uses the `fuzz` preset.
//   replay CORPUS_DIR_OR_FILE... [--mutations N] [--seed S]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <random>
#include <string>
#include <sys/stat.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static void collect(const std::string& path, std::vector<std::string>& files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  if (!S_ISDIR(st.st_mode)) return files.push_back(path);
  if (DIR* d = opendir(path.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') collect(path + "/" + e->d_name, files);
    closedir(d);
  }
}

int main(int argc, char** argv) {
  std::vector<std::string> files;
  long mutations = 10000;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mutations") && i + 1 < argc)
      mutations = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 0);
    else
      collect(argv[i], files);
  }
  std::sort(files.begin(), files.end());
  std::vector<std::vector<uint8_t>> corpus;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    corpus.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(corpus.back().data(), corpus.back().size());
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "replay: no corpus files\n");
    return 2;
  }
  std::mt19937_64 rng(seed);
  for (long m = 0; m < mutations; ++m) {
    std::vector<uint8_t> in = corpus[rng() % corpus.size()];
    const int edits = 1 + rng() % 8;
    for (int e = 0; e < edits; ++e) {
      const unsigned op = rng() % 4;
      if (in.empty() || op == 0)
        in.insert(in.begin() + (in.empty() ? 0 : rng() % in.size()), uint8_t(rng()));
      else if (op == 1)
        in[rng() % in.size()] ^= uint8_t(1u << (rng() % 8));
      else if (op == 2)
        in[rng() % in.size()] = uint8_t(rng());
      else
        in.erase(in.begin() + rng() % in.size());
    }
    LLVMFuzzerTestOneInput(in.data(), in.size());
  }
  std::printf("replay: %zu corpus files, %ld mutations, no failures\n", corpus.size(), mutations);
  return 0;
}
