// A temporary directory for a test case's files, removed with everything in it at scope exit.
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

struct TmpDir {
  std::string path;
  TmpDir() {
    char t[] = "/tmp/sweep-unit-XXXXXX";
    path = mkdtemp(t);
  }
  ~TmpDir() { std::system(("rm -rf " + path).c_str()); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/" + name) << text;
    return path + "/" + name;
  }
};
