// {{banner}}
// What the co-simulation harnesses share: the stall pattern (the same xorshift32 as
// src/cosim/stall.ts, so the RTL and the cycle model see the same inputs), reading fields of
// Verilator's packed ports, failing with a message, and reading a text stimulus. Each harness is
// one translation unit that defines kHarnessName and includes this file once.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

uint32_t rng_state = 1;
uint32_t stall_threshold = 0;

// One draw per decision; a draw stalls when its top 16 bits fall below the threshold.
bool stall() {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return (rng_state >> 16) < stall_threshold;
}

// Bits lo .. lo + w − 1 of a port (w ≤ 32), narrow or wide.
template <typename T>
uint32_t field(const T& v, int lo, int w) {
  return static_cast<uint32_t>((static_cast<uint64_t>(v) >> lo) & ((1ull << w) - 1));
}
template <std::size_t N>
uint32_t field(const VlWide<N>& v, int lo, int w) {
  uint32_t r = 0;
  for (int b = 0; b < w; b++) r |= ((v[(lo + b) / 32] >> ((lo + b) % 32)) & 1u) << b;
  return r;
}

[[noreturn]] void die(const char* msg) {
  std::fprintf(stderr, "%s: %s\n", kHarnessName, msg);
  std::exit(3);
}

// The wm harnesses' stimulus: one hex word a line.
FILE* in_file = nullptr;
[[maybe_unused]] uint32_t next_word() {
  unsigned v;
  if (std::fscanf(in_file, "%x", &v) != 1) die("stimulus file ends early");
  return v;
}

}  // namespace
