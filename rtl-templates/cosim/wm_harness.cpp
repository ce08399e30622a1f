// {{banner}}
// Verilator co-simulation harness for wm_query_unit. Reads a stimulus file written by hwsim
// (src/cosim/wm-cosim.ts), one hex word a line: Lanes, LoadWords, the layer count, then per layer
// its stall-pattern state, stall threshold, cycle limit, config writes (count, then address and
// data pairs; the go write last) and payload words (count, then the words). Per layer it writes the
// config (one write a cycle), then runs the unit until done_o or error_o: each cycle in which the
// unit is busy (phase_o != 0) takes one xorshift32 draw for the input (a stall lowers in_valid_i)
// and one per lane for out_ready_i, the order the cycle model's driver uses (src/cosim/wm-cosim.ts).
// Out: per transfer "w lane symbol cycle", per layer "l load start decode done error code
// violations", with cycles counted from the first busy cycle of the layer. A layer still running
// after its cycle limit is reported neither done nor in error, and the unit is reset. Protocol check: a lane
// whose out_valid_o is high and not taken must hold out_valid_o and out_symbol_o the next cycle.
#include "V{{top}}.h"
#include "verilated.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

constexpr const char* kHarnessName = "wm_harness";
#include "cosim_common.h"

namespace {

template <typename T>
void set_word(T& v, int k, uint32_t x) {
  uint64_t m = 0xffffffffull << (32 * k);
  v = static_cast<T>((static_cast<uint64_t>(v) & ~m) | (static_cast<uint64_t>(x) << (32 * k)));
}
template <std::size_t N>
void set_word(VlWide<N>& v, int k, uint32_t x) { v[k] = x; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) die("usage: Vwm_cosim <stimulus> <out>");
  in_file = std::fopen(argv[1], "r");
  FILE* out = std::fopen(argv[2], "w");
  if (!in_file || !out) die("cannot open the stimulus or the output file");
  VerilatedContext ctx;
  V{{top}} top(&ctx);
  const uint32_t lanes = next_word();
  const uint32_t load_words = next_word();
  const uint32_t sym_bits = next_word();
  const uint32_t nlayers = next_word();

  auto tick = [&]() {
    top.clk_i = 0;
    top.eval();
    top.clk_i = 1;
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
  tick();

  std::vector<uint32_t> payload;
  for (uint32_t l = 0; l < nlayers; l++) {
    rng_state = next_word();
    stall_threshold = next_word();
    const uint64_t limit = next_word();
    const uint32_t ncfg = next_word();
    for (uint32_t i = 0; i < ncfg; i++) {
      const uint32_t a = next_word();
      const uint32_t d = next_word();
      top.cfg_valid_i = 1;
      top.cfg_addr_i = a;
      top.cfg_data_i = d;
      top.eval();
      if (!top.cfg_ready_o) die("cfg_ready_o low while the unit should be idle");
      tick();
    }
    top.cfg_valid_i = 0;
    const uint32_t nwords = next_word();
    payload.resize(nwords);
    for (uint32_t i = 0; i < nwords; i++) payload[i] = next_word();

    uint64_t cyc = 0, phase_cycles[4] = {0, 0, 0, 0}, guard = 0;
    uint32_t fed = 0, violations = 0;
    std::vector<uint32_t> held_sym(lanes, 0);
    std::vector<bool> held(lanes, false);
    for (;;) {
      top.clk_i = 0;
      top.eval();
      if (top.done_o || top.error_o) break;
      if (++guard > limit) break;
      const uint32_t phase = top.phase_o;
      uint32_t ready = 0;
      bool in_stall = false;
      if (phase != 0) {
        in_stall = stall();
        for (uint32_t k = 0; k < lanes; k++) if (!stall()) ready |= 1u << k;
      }
      const uint32_t left = nwords - fed;
      const uint32_t count = left < load_words ? left : load_words;
      top.in_valid_i = (phase != 0 && !in_stall && count > 0) ? 1 : 0;
      top.in_count_i = count;
      for (uint32_t k = 0; k < load_words; k++) set_word(top.in_data_i, static_cast<int>(k), k < count ? payload[fed + k] : 0u);
      top.out_ready_i = ready;
      top.eval();
      const uint32_t valid = top.out_valid_o;
      for (uint32_t k = 0; k < lanes; k++) {
        const bool v = (valid >> k) & 1u;
        const uint32_t sym = field(top.out_symbol_o, static_cast<int>(k * sym_bits), static_cast<int>(sym_bits));
        if (held[k] && (!v || sym != held_sym[k])) violations++;
        held[k] = v && !((ready >> k) & 1u);
        held_sym[k] = sym;
        if (v && ((ready >> k) & 1u)) std::fprintf(out, "w %u %u %llu\n", k, sym, static_cast<unsigned long long>(cyc));
      }
      if (top.in_valid_i && top.in_ready_o) fed += count;
      if (phase != 0) {
        phase_cycles[phase]++;
        cyc++;
      }
      top.clk_i = 1;
      top.eval();
    }
    std::fprintf(out, "l %llu %llu %llu %u %u %u %u %u\n", static_cast<unsigned long long>(phase_cycles[1]),
                 static_cast<unsigned long long>(phase_cycles[2]), static_cast<unsigned long long>(phase_cycles[3]),
                 static_cast<unsigned>(top.done_o), static_cast<unsigned>(top.error_o), static_cast<unsigned>(top.error_code_o),
                 violations, fed);
    if (guard > limit) {
      // a hung unit (reported above as neither done nor error): reset it so the next layer can run
      top.rst_ni = 0;
      tick();
      top.rst_ni = 1;
      tick();
    }
  }
  top.final();
  std::fclose(out);
  return 0;
}
