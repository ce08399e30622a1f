// {{banner}}
// Verilator co-simulation harness for wm_access_port (the query unit's random-access port). Reads a
// stimulus file written by hwsim (src/cosim/wm-access-cosim.ts), one hex word a line: the layer
// count, then per layer its stall-pattern state, stall threshold, cycle limit, config writes
// (count, then address and data pairs; the go write last), payload words (count, then the words:
// the RAM the port reads, preloaded) and positions (count, then the positions).
// Per layer it writes the config (one write a cycle), then offers the positions in order: each
// cycle takes one xorshift32 draw for the request side (a stall lowers req_valid_i) and one for
// rsp_ready_i. The RAM: a line read returns the 16 words from its address, a directory read the 2
// words from its address, both registered (the data is on line_i / dir_i the cycle after the read
// and stays until the next read); words past the payload read as 0.
// Out: per response "a symbol error hits misses cycles" (cycles: from the cycle the position was
// accepted to the first cycle its response was valid), per layer "l responses run cfg_error
// violations" (run: cycles from the first accept to the last response's transfer). Protocol
// checks: a response not taken holds its valid and fields; no response without a request.
#include "V{{top}}.h"
#include "verilated.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

uint32_t rng_state = 1;
uint32_t stall_threshold = 0;

bool stall() {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return (rng_state >> 16) < stall_threshold;
}

[[noreturn]] void die(const char* msg) {
  std::fprintf(stderr, "wm_access_harness: %s\n", msg);
  std::exit(2);
}

FILE* in_file = nullptr;
uint32_t next_word() {
  unsigned v;
  if (std::fscanf(in_file, "%x", &v) != 1) die("stimulus file ends early");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) die("usage: Vwm_access_cosim <stimulus> <out>");
  in_file = std::fopen(argv[1], "r");
  FILE* out = std::fopen(argv[2], "w");
  if (!in_file || !out) die("cannot open the stimulus or the output file");
  VerilatedContext ctx;
  V{{top}} top(&ctx);
  const uint32_t nlayers = next_word();

  uint32_t line_q[16] = {0};
  uint32_t dir_q[2] = {0, 0};
  auto drive_memory = [&]() {
    for (int k = 0; k < 16; k++) top.line_i[k] = line_q[k];
    top.dir_i = (static_cast<uint64_t>(dir_q[1]) << 32) | dir_q[0];
  };
  auto tick = [&]() {
    top.clk_i = 0;
    top.eval();
    top.clk_i = 1;
    top.eval();
  };
  top.clk_i = 0;
  top.rst_ni = 0;
  top.cfg_valid_i = 0;
  top.req_valid_i = 0;
  top.rsp_ready_i = 0;
  drive_memory();
  top.eval();
  tick();
  tick();
  top.rst_ni = 1;
  tick();

  std::vector<uint32_t> mem, pos;
  std::vector<uint64_t> accepted;
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
      if (!top.cfg_ready_o) die("cfg_ready_o low while the port should be idle");
      tick();
    }
    top.cfg_valid_i = 0;
    mem.resize(next_word());
    for (auto& w : mem) w = next_word();
    pos.resize(next_word());
    for (auto& p : pos) p = next_word();
    accepted.assign(pos.size(), 0);
    const bool cfg_error = top.cfg_error_o;

    uint64_t cyc = 0, first_accept = 0, last_take = 0, valid_since = 0;
    uint32_t offered = 0, taken = 0, violations = 0, held_sym = 0, held_err = 0;
    bool held = false, showing = false;
    while (!cfg_error && taken < pos.size() && cyc <= limit) {
      top.clk_i = 0;
      const bool in_stall = stall();
      const bool out_stall = stall();
      top.req_valid_i = offered < pos.size() && !in_stall;
      top.req_pos_i = offered < pos.size() ? pos[offered] : 0;
      top.rsp_ready_i = !out_stall;
      drive_memory();
      top.eval();
      const bool valid = top.rsp_valid_o;
      const uint32_t sym = top.rsp_symbol_o, err = top.rsp_error_o;
      if (held && (!valid || sym != held_sym || err != held_err)) violations++;
      if (valid && taken >= offered) violations++;  // a response with no request outstanding
      if (valid && !showing) { showing = true; valid_since = cyc; }
      if (valid && top.rsp_ready_i && taken < offered) {
        std::fprintf(out, "a %u %u %u %u %llu\n", sym, err, static_cast<unsigned>(top.rsp_hits_o),
                     static_cast<unsigned>(top.rsp_misses_o), static_cast<unsigned long long>(valid_since - accepted[taken]));
        taken++;
        last_take = cyc;
        showing = false;
      }
      held = valid && !top.rsp_ready_i;
      held_sym = sym;
      held_err = err;
      if (top.req_valid_i && top.req_ready_o) {
        if (offered == 0) first_accept = cyc;
        accepted[offered++] = cyc;
      }
      const bool line_re = top.line_re_o, dir_re = top.dir_re_o;
      const uint32_t line_addr = top.line_addr_o, dir_addr = top.dir_addr_o;
      top.clk_i = 1;
      top.eval();
      auto word = [&](uint64_t a) { return a < mem.size() ? mem[a] : 0u; };
      if (line_re) for (int k = 0; k < 16; k++) line_q[k] = word(static_cast<uint64_t>(line_addr) + k);
      if (dir_re) { dir_q[0] = word(dir_addr); dir_q[1] = word(static_cast<uint64_t>(dir_addr) + 1); }
      cyc++;
    }
    top.req_valid_i = 0;
    top.rsp_ready_i = 0;
    std::fprintf(out, "l %u %llu %u %u\n", taken, static_cast<unsigned long long>(taken ? last_take - first_accept : 0),
                 cfg_error ? 1u : 0u, violations);
    if (taken < pos.size() && !cfg_error) {
      // a hung port: reset it so the next layer can run
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
