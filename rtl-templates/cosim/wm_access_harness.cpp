// {{banner}}
// Verilator co-simulation harness for wm_access_port (the query unit's random-access port). Reads a
// stimulus file written by hwsim (src/cosim/wm-access-cosim.ts), one hex word a line: the layer
// count, then per layer its stall-pattern state, stall threshold, cycle limit, config writes
// (count, then address and data pairs; the go write last), payload words (count, then the words:
// the RAM the port reads, preloaded), the request kind (0: positions; 1: rows, req_row_i high)
// and the requests (count, then per request its position, or its row and element).
// Per layer it loads the payload into the RAM, writes the config (one write a cycle; the go
// write's cycle may already read the RAM), then offers the requests in order: each cycle takes
// one xorshift32 draw for the request side (a stall lowers req_valid_i) and one for rsp_ready_i.
// The RAM: a line read returns the 16 words from its address, a directory read the 2 words from
// its address, both registered (the data is on line_i / dir_i the cycle after the read and stays
// until the next read); words past the payload read as 0.
// Out: per response "a symbol error hits misses cycles start select" (cycles: from the cycle the
// request was accepted to the first cycle its response was valid; start, select: rsp_start_o,
// rsp_select_o), per layer "l responses run cfg_error violations walk" (run: cycles from the
// first accept to the last response's transfer; walk: cycles after the go write before
// req_ready_o first rose). Protocol checks: a response not taken holds its valid and fields; no
// response without a request.
#include "V{{top}}.h"
#include "verilated.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

constexpr const char* kHarnessName = "wm_access_harness";
#include "cosim_common.h"

int main(int argc, char** argv) {
  if (argc < 3) die("usage: Vwm_access_cosim <stimulus> <out>");
  in_file = std::fopen(argv[1], "r");
  FILE* out = std::fopen(argv[2], "w");
  if (!in_file || !out) die("cannot open the stimulus or the output file");
  VerilatedContext ctx;
  V{{top}} top(&ctx);
  const uint32_t nlayers = next_word();

  std::vector<uint32_t> mem, pos, rowv;
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
  // a clock edge with the RAM's registered reads: the reads asked before the edge are on line_i / dir_i after it
  auto word = [&](uint64_t a) { return a < mem.size() ? mem[a] : 0u; };
  auto rise_mem = [&]() { // the rising edge, clk_i low and evaluated before it
    const bool line_re = top.line_re_o, dir_re = top.dir_re_o;
    const uint32_t line_addr = top.line_addr_o, dir_addr = top.dir_addr_o;
    top.clk_i = 1;
    top.eval();
    if (line_re) for (int k = 0; k < 16; k++) line_q[k] = word(static_cast<uint64_t>(line_addr) + k);
    if (dir_re) { dir_q[0] = word(dir_addr); dir_q[1] = word(static_cast<uint64_t>(dir_addr) + 1); }
  };
  auto tick_mem = [&]() {
    top.clk_i = 0;
    top.eval();
    rise_mem();
  };
  top.clk_i = 0;
  top.rst_ni = 0;
  top.cfg_valid_i = 0;
  top.req_valid_i = 0;
  top.rsp_ready_i = 0;
  top.req_row_i = 0;
  top.req_r_i = 0;
  drive_memory();
  top.eval();
  tick();
  tick();
  top.rst_ni = 1;
  tick();

  std::vector<uint64_t> accepted;
  for (uint32_t l = 0; l < nlayers; l++) {
    rng_state = next_word();
    stall_threshold = next_word();
    const uint64_t limit = next_word();
    // the payload is in the RAM before the config: the go write's cycle already reads it
    std::vector<std::pair<uint32_t, uint32_t>> cfg(next_word());
    for (auto& c : cfg) { c.first = next_word(); c.second = next_word(); }
    mem.resize(next_word());
    for (auto& w : mem) w = next_word();
    for (const auto& c : cfg) {
      top.cfg_valid_i = 1;
      top.cfg_addr_i = c.first;
      top.cfg_data_i = c.second;
      drive_memory();
      top.eval();
      if (!top.cfg_ready_o) die("cfg_ready_o low while the port should be idle");
      tick_mem();
    }
    top.cfg_valid_i = 0;
    const bool rows = next_word() != 0;
    pos.resize(next_word());
    rowv.assign(pos.size(), 0);
    for (size_t i = 0; i < pos.size(); i++) {
      if (rows) rowv[i] = next_word();
      pos[i] = next_word();
    }
    accepted.assign(pos.size(), 0);
    const bool cfg_error = top.cfg_error_o;

    uint64_t cyc = 0, first_accept = 0, last_take = 0, valid_since = 0, walk = 0;
    bool ready_seen = false;
    uint32_t offered = 0, taken = 0, violations = 0, held_sym = 0, held_err = 0;
    bool held = false, showing = false;
    while (!cfg_error && taken < pos.size() && cyc <= limit) {
      top.clk_i = 0;
      const bool in_stall = stall();
      const bool out_stall = stall();
      top.req_valid_i = offered < pos.size() && !in_stall;
      top.req_pos_i = offered < pos.size() ? pos[offered] : 0;
      top.req_row_i = rows;
      top.req_r_i = offered < pos.size() ? rowv[offered] : 0;
      top.rsp_ready_i = !out_stall;
      drive_memory();
      top.eval();
      if (!ready_seen && top.req_ready_o) { ready_seen = true; walk = cyc; }
      const bool valid = top.rsp_valid_o;
      const uint32_t sym = top.rsp_symbol_o, err = top.rsp_error_o;
      if (held && (!valid || sym != held_sym || err != held_err)) violations++;
      if (valid && taken >= offered) violations++;  // a response with no request outstanding
      if (valid && !showing) { showing = true; valid_since = cyc; }
      if (valid && top.rsp_ready_i && taken < offered) {
        std::fprintf(out, "a %u %u %u %u %llu %u %u\n", sym, err, static_cast<unsigned>(top.rsp_hits_o),
                     static_cast<unsigned>(top.rsp_misses_o), static_cast<unsigned long long>(valid_since - accepted[taken]),
                     static_cast<unsigned>(top.rsp_start_o), static_cast<unsigned>(top.rsp_select_o));
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
      rise_mem();
      cyc++;
    }
    top.req_valid_i = 0;
    top.rsp_ready_i = 0;
    std::fprintf(out, "l %u %llu %u %u %llu\n", taken, static_cast<unsigned long long>(taken ? last_take - first_accept : 0),
                 cfg_error ? 1u : 0u, violations, static_cast<unsigned long long>(walk));
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
