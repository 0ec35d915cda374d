#include <cstdio>
int main() { std::puts("agilemmu: under construction"); return 0; }
