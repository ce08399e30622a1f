// {{banner}}
// Verilator co-simulation harness for tans_engine. Reads a stimulus file written by hwsim
// (src/cosim/tans-cosim.ts): per layer the load-port words and the layer's DRAM words. Drives the
// engine with the stall pattern both sides generate from the same xorshift32 (src/cosim/stall.ts),
// and writes every output transfer (stream, symbol, weight, cycle) and each layer's cycle counts.
#include "V{{top}}.h"
#include "verilated.h"

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

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
  std::fprintf(stderr, "tans_harness: %s\n", msg);
  std::exit(3);
}

uint32_t read_u32(FILE* f) {
  unsigned long v;
  if (std::fscanf(f, "%lx", &v) != 1) die("stimulus file is truncated");
  return static_cast<uint32_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) die("usage: Vtans_cosim STIMULUS OUTPUT");
  FILE* in = std::fopen(argv[1], "r");
  if (!in) die("cannot open the stimulus file");
  FILE* out = std::fopen(argv[2], "w");
  if (!out) die("cannot open the output file");

  const uint32_t streams = read_u32(in);
  const uint32_t symbol_bits = read_u32(in);
  rng_state = read_u32(in);
  stall_threshold = read_u32(in);
  const uint64_t max_cycles = read_u32(in);
  const uint32_t layers = read_u32(in);

  VerilatedContext ctx;
  V{{top}} top{&ctx};
  auto tick = [&]() {
    top.clk_i = 1;
    top.eval();
    top.clk_i = 0;
    top.eval();
  };
  top.clk_i = 0;
  top.rst_ni = 0;
  top.cfg_valid_i = 0;
  top.in_valid_i = 0;
  top.out_ready_i = 0;
  top.eval();
  tick();
  tick();
  top.rst_ni = 1;
  top.eval();

  std::vector<uint8_t> ready(streams);
  uint64_t total_cycles = 0;
  for (uint32_t l = 0; l < layers; l++) {
    const uint32_t n_load = read_u32(in);
    const uint32_t n_words = read_u32(in);
    std::vector<uint32_t> load(n_load), words(n_words);
    for (auto& w : load) w = read_u32(in);
    for (auto& w : words) w = read_u32(in);

    // Load port: one word per cycle, the engine must accept every one.
    uint32_t load_cycles = 0;
    top.in_valid_i = 0;
    for (uint32_t i = 0; i < n_load; i++) {
      top.cfg_valid_i = 1;
      top.cfg_data_i = load[i];
      top.eval();
      if (!top.cfg_ready_o) die("cfg_ready_o dropped during a layer load");
      tick();
      load_cycles++;
    }
    top.cfg_valid_i = 0;
    top.eval();

    uint64_t cyc = 0;
    uint32_t wi = 0;
    bool hang = false;
    for (;;) {
      top.eval();
      if (top.done_o) break;
      if (cyc >= max_cycles) { hang = true; break; }
      const bool in_valid = !stall() && wi < n_words;
      uint64_t ready_mask = 0;
      for (uint32_t k = 0; k < streams; k++) {
        ready[k] = !stall();
        if (ready[k]) ready_mask |= 1ull << k;
      }
      top.in_valid_i = in_valid;
      top.in_data_i = in_valid ? words[wi] : 0;
      top.out_ready_i = ready_mask;
      top.eval();
      const bool accepted = in_valid && top.in_ready_o;
      for (uint32_t k = 0; k < streams; k++) {
        if (field(top.out_valid_o, k, 1) && ready[k]) {
          const uint32_t sym = field(top.out_symbol_o, k * symbol_bits, symbol_bits);
          const int weight = static_cast<int8_t>(field(top.out_weight_o, k * 8, 8));
          std::fprintf(out, "s %u %u %d %" PRIu64 "\n", k, sym, weight, cyc);
        }
      }
      tick();
      if (accepted) wi++;
      cyc++;
    }
    top.in_valid_i = 0;
    total_cycles += load_cycles + cyc;
    std::fprintf(out, "layer %u load %u run %" PRIu64 " words %u error %u hang %u\n", l, load_cycles, cyc, wi,
                 static_cast<unsigned>(top.error_o), hang ? 1u : 0u);
    if (hang) break;
  }
  std::fprintf(out, "end %" PRIu64 "\n", total_cycles);
  std::fclose(out);
  std::fclose(in);
  top.final();
  return 0;
}
