// sdsl-lite beside hwsim's wavelet matrix (bench/sdsl-compare.ts builds and runs it; see there).
// Reads n symbols (one byte each) and n random positions (u32 LE) from two files; for each
// structure prints one line: name, bits per symbol (size_in_bytes), ns per access sequential and
// random (median of `runs`), and a checksum of the symbols read (the bench compares it with its own).
#include <sdsl/wm_int.hpp>
#include <sdsl/wt_huff.hpp>
#include <sdsl/rrr_vector.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

using namespace sdsl;

static std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

template <class T>
static void measure(const char* name, const std::string& symbols_file, uint64_t width, const std::vector<uint32_t>& random, int runs) {
  T wt;
  {
    int_vector_buffer<8> buf(symbols_file, std::ios::in, 1024 * 1024, width, true);
    wt = T(buf, buf.size());
  }
  const uint64_t n = wt.size();
  std::vector<double> seq, rnd;
  uint64_t check_seq = 0, check_rnd = 0;
  for (int r = 0; r < runs; r++) {
    uint64_t c = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; i++) c += wt[i];
    auto t1 = std::chrono::steady_clock::now();
    check_seq = c;
    c = 0;
    for (uint64_t i = 0; i < n; i++) c += wt[random[i]];
    auto t2 = std::chrono::steady_clock::now();
    check_rnd = c;
    seq.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / n);
    rnd.push_back(std::chrono::duration<double, std::nano>(t2 - t1).count() / n);
  }
  std::sort(seq.begin(), seq.end());
  std::sort(rnd.begin(), rnd.end());
  std::cout << name << ' ' << (8.0 * size_in_bytes(wt) / n) << ' ' << seq[seq.size() / 2] << ' ' << rnd[rnd.size() / 2]
            << ' ' << check_seq << ' ' << check_rnd << std::endl;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: sdsl-wm symbols.bin positions.bin runs" << std::endl;
    return 2;
  }
  const std::string symbols_file = argv[1];
  const std::vector<uint8_t> pos_bytes = read_bytes(argv[2]);
  const int runs = std::stoi(argv[3]);
  std::vector<uint32_t> random(pos_bytes.size() / 4);
  for (size_t i = 0; i < random.size(); i++) {
    random[i] = pos_bytes[4 * i] | (pos_bytes[4 * i + 1] << 8) | (pos_bytes[4 * i + 2] << 16) | (uint32_t(pos_bytes[4 * i + 3]) << 24);
  }
  // the symbol file is plain bytes: int_vector_buffer reads it as a plain (header-less) 8-bit vector
  measure<wm_int<>>("wm_int", symbols_file, 8, random, runs);
  measure<wt_huff<>>("wt_huff", symbols_file, 8, random, runs);
  measure<wt_huff<rrr_vector<63>>>("wt_huff_rrr63", symbols_file, 8, random, runs);
  return 0;
}
