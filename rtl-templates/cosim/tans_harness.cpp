// {{banner}}
// Verilator co-simulation harness for tans_engine. Reads a stimulus file written by hwsim
// (src/cosim/tans-cosim.ts, 32-bit little-endian words): per layer the load-port words and the
// layer's DRAM words. Drives the engine with the stall pattern both sides generate from the same
// xorshift32 (src/cosim/stall.ts), and writes every output transfer (run cycle, stream, symbol,
// weight: binary records in the transfer file) and each layer's cycle counts (text lines).
// With protocol checks on (the stimulus's protocol word), a second generator, independent of the
// stall pattern, also: leaves gaps in the layer load (cfg_valid low), attempts loads while a layer
// runs (cfg_ready_o must stay low), drives random data on every bus whose valid is low, resets the
// engine at random points of a load or a run (then replays the layer, with the stall pattern
// rewound, so the cycle model still applies), and checks each cycle that in_ready_o and cfg_ready_o
// do not depend on the valids, that out_valid_o/out_symbol_o do not depend on out_ready_i and hold
// until taken, and that reset clears done_o, error_o, in_ready_o and out_valid_o at once.
// Background loads (the stimulus's background word; an engine with two table banks): while layer l
// runs, the next layer's load words are offered every cycle until taken (cfg_ready_o must be high
// until the last one, and low from then on while the loaded layer waits). A load complete when
// done_o rises has switched at the edge that raised it: the done cycle is the next layer's run
// cycle 0 (done_o, and error_o as layer l's verdict, high in it for that one cycle). Otherwise the
// harness ticks, offering what is left of the load, until the last word is taken (those ticks are
// the switch cycles); done_o must then be low. A layer replayed after a reset is loaded in the
// foreground ("fg 1" on its layer line).
#include "V{{top}}.h"
#include "verilated.h"

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

constexpr const char* kHarnessName = "tans_harness";
#include "cosim_common.h"

namespace {

// The protocol generator: its own xorshift32, so the stall pattern is the one the model sees.
uint32_t proto_state = 1;
uint32_t prand() {
  proto_state ^= proto_state << 13;
  proto_state ^= proto_state >> 17;
  proto_state ^= proto_state << 5;
  return proto_state;
}
// true with probability per65536 / 65536
bool pchance(uint32_t per65536) { return (prand() >> 16) < per65536; }

// Transfers are the bulk of the output: binary records of 8 bytes (run cycle as u32 little-endian,
// stream, symbol, weight, 0) in a file of their own, gathered in a large buffer and written with one
// fwrite per 4 MB (text lines and printf were a quarter of the run). The text output's layer and
// reset lines give the count of records written so far, which places each record in its layer.
class TransferWriter {
 public:
  explicit TransferWriter(FILE* out) : out_(out), buf_(new uint8_t[kSize]) {}
  ~TransferWriter() { flush(); delete[] buf_; }
  void put(uint32_t cycle, uint32_t k, uint32_t sym, uint32_t wt) {
    if (n_ + 8 > kSize) flush();
    uint8_t* p = buf_ + n_;
    p[0] = static_cast<uint8_t>(cycle);
    p[1] = static_cast<uint8_t>(cycle >> 8);
    p[2] = static_cast<uint8_t>(cycle >> 16);
    p[3] = static_cast<uint8_t>(cycle >> 24);
    p[4] = static_cast<uint8_t>(k);
    p[5] = static_cast<uint8_t>(sym);
    p[6] = static_cast<uint8_t>(wt);
    p[7] = 0;
    n_ += 8;
    count_++;
  }
  void flush() {
    if (n_ && std::fwrite(buf_, 1, n_, out_) != n_) {
      std::fprintf(stderr, "tans_harness: cannot write the transfer file\n");
      std::exit(3);
    }
    n_ = 0;
  }
  uint64_t count() const { return count_; }

 private:
  static constexpr size_t kSize = 4u << 20;
  FILE* out_;
  uint8_t* buf_;
  size_t n_ = 0;
  uint64_t count_ = 0;
};

// The stimulus: 32-bit little-endian words, read through a buffer.
class WordReader {
 public:
  explicit WordReader(FILE* f) : f_(f), buf_(new uint8_t[kSize]) {}
  ~WordReader() { delete[] buf_; }
  uint32_t next() {
    if (len_ - pos_ < 4) refill();
    const uint8_t* p = buf_ + pos_;
    pos_ += 4;
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
           static_cast<uint32_t>(p[3]) << 24;
  }

 private:
  static constexpr size_t kSize = 1u << 20;
  void refill() {
    const size_t rest = len_ - pos_;
    std::memmove(buf_, buf_ + pos_, rest);
    len_ = rest + std::fread(buf_ + rest, 1, kSize - rest, f_);
    pos_ = 0;
    if (len_ < 4) die("stimulus file is truncated (or not a whole number of 32-bit words)");
  }
  FILE* f_;
  uint8_t* buf_;
  size_t pos_ = 0, len_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) die("usage: Vtans_cosim STIMULUS OUTPUT TRANSFERS");
  FILE* in = std::fopen(argv[1], "rb");
  if (!in) die("cannot open the stimulus file");
  FILE* out = std::fopen(argv[2], "w");
  if (!out) die("cannot open the output file");
  FILE* xfer = std::fopen(argv[3], "wb");
  if (!xfer) die("cannot open the transfer file");

  WordReader stim(in);
  auto read_u32 = [&](FILE*) { return stim.next(); };
  const uint32_t streams = read_u32(in);
  const uint32_t symbol_bits = read_u32(in);
  rng_state = read_u32(in);
  stall_threshold = read_u32(in);
  const uint64_t max_cycles = read_u32(in);
  const uint32_t layers = read_u32(in);
  const bool protocol = read_u32(in) != 0;
  proto_state = read_u32(in) | 1u;
  const bool background = read_u32(in) != 0;

  // every layer's load and DRAM words up front: a background load reads the next layer's
  std::vector<std::vector<uint32_t>> loads(layers), datas(layers);
  for (uint32_t l = 0; l < layers; l++) {
    loads[l].resize(read_u32(in));
    datas[l].resize(read_u32(in));
    for (auto& w : loads[l]) w = read_u32(in);
    for (auto& w : datas[l]) w = read_u32(in);
  }

  VerilatedContext ctx;
  V{{top}} top{&ctx};
  // A rising edge. The falling edge is left to the next eval (the harness evaluates after every
  // input change anyway; nothing in the engine acts on it): 1 eval per edge, not 2.
  auto tick = [&]() {
    top.clk_i = 1;
    top.eval();
    top.clk_i = 0;
  };
  TransferWriter transfers(xfer);
  uint64_t violations = 0, resets = 0, busy_loads = 0, load_gaps = 0;
  bool after_reset = true;  // no layer has run since the last reset: done_o must stay low
  uint32_t cur_layer = 0;
  uint64_t cur_cycle = 0;
  auto violation = [&](const char* msg) {
    if (violations++ < 20) std::fprintf(out, "proto %u %" PRIu64 " %s\n", cur_layer, cur_cycle, msg);
  };
  const uint64_t all_streams = streams >= 64 ? ~0ull : (1ull << streams) - 1;
  // Reset: asynchronous, so the outputs must be idle as soon as rst_ni falls.
  auto reset = [&]() {
    top.rst_ni = 0;
    top.eval();
    if (top.done_o || top.error_o || top.in_ready_o || static_cast<uint64_t>(top.out_valid_o) != 0) {
      violation("reset did not clear done_o, error_o, in_ready_o and out_valid_o at once");
    }
    tick();
    tick();
    top.rst_ni = 1;
    top.eval();
    after_reset = true;
  };
  top.clk_i = 0;
  top.cfg_valid_i = 0;
  top.in_valid_i = 0;
  top.out_ready_i = 0;
  top.rst_ni = 1;
  top.eval();
  reset();

  std::vector<uint8_t> ready(streams);
  std::vector<uint32_t> held_sym(streams), held_wt(streams);
  uint64_t total_cycles = 0;
  // the background load of layer l + 1 (words taken so far) and whether layer l was loaded so
  uint32_t bg_taken = 0;
  bool preloaded = false;
  for (uint32_t l = 0; l < layers; l++) {
    const std::vector<uint32_t>& load = loads[l];
    const std::vector<uint32_t>& words = datas[l];
    const uint32_t n_load = static_cast<uint32_t>(load.size());
    const uint32_t n_words = static_cast<uint32_t>(words.size());
    const bool has_next = background && l + 1 < layers;
    const std::vector<uint32_t>* next_load = has_next ? &loads[l + 1] : nullptr;
    const uint32_t n_next = has_next ? static_cast<uint32_t>(next_load->size()) : 0;
    cur_layer = l;
    const uint32_t stall_at_layer = rng_state;  // a replay after a reset sees the same stall pattern

    for (uint32_t attempt = 0;; attempt++) {
      rng_state = stall_at_layer;
      // at most one reset per layer: in its load (1/8) or in its run (1/4)
      const bool fg_load = !(preloaded && attempt == 0);
      const bool reset_load = protocol && fg_load && attempt == 0 && n_load > 0 && pchance(8192);
      const bool reset_run = protocol && attempt == 0 && !reset_load && pchance(16384);
      const uint32_t reset_load_at = reset_load ? prand() % n_load : 0;
      const uint64_t reset_run_at = reset_run ? prand() % (4ull * n_words + 8) : 0;
      bool was_reset = false;
      bool hang = false;
      bool switched_at_done = false;  // the done cycle of layer l - 1 is this layer's run cycle 0

      uint32_t load_cycles = 0;
      cur_cycle = 0;
      top.out_ready_i = 0;
      if (!fg_load) {
        // The layer switch: done_o of the previous layer is high. With the load complete the layer
        // is already running; else tick, offering what is left of the background load (the engine
        // must take it, and start the layer at the edge that takes the last word).
        switched_at_done = bg_taken == n_load;
        while (bg_taken < n_load) {
          top.in_valid_i = protocol && pchance(32768);  // words offered before the switch must not be taken
          top.in_data_i = protocol ? prand() : 0;
          top.cfg_valid_i = 1;
          top.cfg_data_i = load[bg_taken];
          top.eval();
          if (!top.done_o) violation("done_o fell before the background load completed");
          if (!top.cfg_ready_o) violation("cfg_ready_o low during a background load");
          if (top.in_valid_i && top.in_ready_o) violation("in_ready_o high during a layer switch");
          const bool took = top.cfg_ready_o;
          tick();
          if (took) bg_taken++;
          load_cycles++;
          cur_cycle++;
          if (load_cycles > n_load + 2) { hang = true; break; }
        }
        top.cfg_valid_i = 0;
        top.in_valid_i = 0;
        top.eval();
        if (!hang && !switched_at_done && top.done_o) violation("done_o still high after the switch (the layer did not start)");
      } else {
        // Load port: the engine must take every word it is offered (gaps: cfg_valid low 1/4 of cycles).
        for (uint32_t i = 0; i < n_load;) {
          const bool valid = !protocol || !pchance(16384);
          top.cfg_valid_i = valid;
          top.cfg_data_i = valid ? load[i] : prand();
          top.in_valid_i = protocol && pchance(32768);  // words offered during a load must not be taken
          top.in_data_i = protocol ? prand() : 0;
          top.eval();
          if (!top.cfg_ready_o) violation("cfg_ready_o low during a layer load");
          if (after_reset && top.done_o) violation("done_o high while idle after a reset");
          if (top.in_valid_i && top.in_ready_o) violation("in_ready_o high during a layer load");
          if (reset_load && valid && i == reset_load_at) { was_reset = true; break; }
          tick();
          if (valid) { i++; load_cycles++; } else load_gaps++;
          cur_cycle++;
        }
      }
      top.cfg_valid_i = 0;
      top.in_valid_i = 0;
      if (was_reset) {
        std::fprintf(out, "reset %u load %u transfers %" PRIu64 "\n", l, reset_load_at, transfers.count());
        reset();
        resets++;
        continue;
      }
      top.eval();

      after_reset = false;
      uint64_t cyc = 0;
      uint32_t wi = 0;
      bg_taken = 0;
      uint64_t held_mask = 0;  // streams whose out_valid was high and not taken last cycle
      for (;;) {
        if (hang) break;
        cur_cycle = cyc;
        // done_o depends on registers only: its value after the last edge is this cycle's (in run
        // cycle 0 of a layer switched in at done, it is still the previous layer's)
        if (top.done_o && !(switched_at_done && cyc == 0)) break;
        if (cyc >= max_cycles) { hang = true; break; }
        if (reset_run && cyc == reset_run_at) { was_reset = true; break; }
        const bool in_valid = !stall() && wi < n_words;
        uint64_t ready_mask = 0;
        for (uint32_t k = 0; k < streams; k++) {
          ready[k] = !stall();
          if (ready[k]) ready_mask |= 1ull << k;
        }
        // the next layer's background load: its next word, until all are taken
        const bool bg_valid = bg_taken < n_next;
        // a layer runs: cfg_ready_o is low, except with two banks until a background load is complete
        const bool cfg_ready_expected = background && !(has_next && bg_taken == n_next);
        bool try_load = false;
        if (protocol) {
          // The outputs now are those the last edge's evaluation gave, with last cycle's inputs.
          // Evaluate them again (the clock low: no edge) with this cycle's valids and out_ready
          // inverted and random data: an output that changes depends on an input. The cycle's own
          // inputs then go in with the rising edge: the outputs the harness acts on are these.
          const bool in_ready_ref = top.in_ready_o, cfg_ready_ref = top.cfg_ready_o;
          const uint64_t ovalid_ref = static_cast<uint64_t>(top.out_valid_o);
          try_load = !bg_valid && !cfg_ready_expected && pchance(16384);
          top.in_data_i = prand();
          top.cfg_data_i = prand();
          top.in_valid_i = !in_valid;
          top.cfg_valid_i = !(try_load || bg_valid);
          top.out_ready_i = ~ready_mask & all_streams;
          top.eval();
          if (top.in_ready_o != in_ready_ref) violation("in_ready_o depends on in_valid_i, cfg_valid_i or out_ready_i");
          if (top.cfg_ready_o != cfg_ready_ref) violation("cfg_ready_o depends on a valid or out_ready_i");
          if (static_cast<uint64_t>(top.out_valid_o) != ovalid_ref) violation("out_valid_o depends on out_ready_i");
          if (top.cfg_ready_o && !cfg_ready_expected) {
            violation(background ? "cfg_ready_o high while a loaded layer waits (a second load would be taken)"
                                 : "cfg_ready_o high while a layer runs (a load would be taken mid-layer)");
          }
          if (!top.cfg_ready_o && bg_valid) violation("cfg_ready_o low during a background load");
          // a load offered where none may be taken (random data): it must not be
          if (try_load) busy_loads++;
        }
        top.in_valid_i = in_valid;
        top.in_data_i = in_valid ? words[wi] : protocol ? prand() : 0;
        top.cfg_valid_i = try_load || bg_valid;
        top.cfg_data_i = bg_valid ? (*next_load)[bg_taken] : protocol ? prand() : 0;
        top.out_ready_i = ready_mask;
        if (!protocol) top.eval();  // the clock low (with protocol checks, the inverted inputs' evaluation)
        const bool accepted = in_valid && top.in_ready_o;
        const bool bg_took = bg_valid && top.cfg_ready_o;
        // only the streams with out_valid_o high: each transfers, or holds its symbol for next cycle
        const uint64_t valid_mask = static_cast<uint64_t>(top.out_valid_o) & all_streams;
        if (held_mask & ~valid_mask) violation("out_valid_o dropped or its data changed before out_ready_i");
        for (uint64_t m = valid_mask; m; m &= m - 1) {
          const uint32_t k = static_cast<uint32_t>(__builtin_ctzll(m));
          const uint32_t sym = field(top.out_symbol_o, k * symbol_bits, symbol_bits);
          const uint32_t wt = field(top.out_weight_o, k * 8, 8);
          if ((held_mask >> k & 1) && (sym != held_sym[k] || wt != held_wt[k])) violation("out_valid_o dropped or its data changed before out_ready_i");
          held_sym[k] = sym;
          held_wt[k] = wt;
          if (ready[k]) transfers.put(static_cast<uint32_t>(cyc), k, sym, wt);
        }
        held_mask = valid_mask & ~ready_mask;
        tick();
        if (accepted) wi++;
        if (bg_took) bg_taken++;
        cyc++;
      }
      top.in_valid_i = 0;
      top.cfg_valid_i = 0;
      if (was_reset) {
        std::fprintf(out, "reset %u run %" PRIu64 " transfers %" PRIu64 "\n", l, cyc, transfers.count());
        reset();
        resets++;
        preloaded = false;  // the replay loads the layer in the foreground
        continue;
      }
      total_cycles += load_cycles + cyc;
      std::fprintf(out, "layer %u load %u run %" PRIu64 " words %u error %u hang %u fg %u transfers %" PRIu64 "\n", l, load_cycles,
                   cyc, wi, static_cast<unsigned>(top.error_o), hang ? 1u : 0u, fg_load ? 1u : 0u, transfers.count());
      if (hang) goto finished;
      preloaded = has_next;
      break;
    }
  }
finished:
  std::fprintf(out, "end %" PRIu64 " protocol %u violations %" PRIu64 " resets %" PRIu64 " busy_loads %" PRIu64 " load_gaps %" PRIu64 " cpu_s %.6f\n",
               total_cycles, protocol ? 1u : 0u, violations, resets, busy_loads, load_gaps,
               static_cast<double>(std::clock()) / CLOCKS_PER_SEC);
  transfers.flush();
  if (std::fclose(xfer) != 0 || std::fclose(out) != 0) die("cannot write the output files");
  std::fclose(in);
  top.final();
  return 0;
}
