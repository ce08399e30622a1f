/**
 * THE declaration of every chip, codec and RTL engine parameter. Validation, CLI flags, config JSON,
 * `hwsim config --print`, the TypeScript types (generated-types.ts), the docs tables and the Verilog
 * parameter checks all come from this list; `npm run gen` refreshes the text artifacts and
 * test/params.test.ts fails when they drift. Adding a parameter = one entry here + `npm run gen`.
 *
 * Order matters: each group's fields (and `hwsim config --print`, the Verilog parameter lists and
 * the docs tables) follow the order of this list.
 */
import type { ParamDecl } from './schema.js';

const CHIP = ['run', 'config'] as const;
const CODEC = ['run', 'encode'] as const;
const ENGINE = ['rtl', 'cosim', 'synth'] as const;
/** the faces that read model files, topologies and containers */
const INPUTS = ['run', 'encode'] as const;

export const PARAMS: readonly ParamDecl[] = [
  {
    name: 'macRows', type: 'int', default: 16, min: 1, max: 1024, groups: ['chip'], faces: CHIP, flag: 'mac',
    unit: 'PEs', help: 'MAC array rows (set with --mac RxC)',
    why: '256 int8 MACs: a small edge NPU (0.26 TOPS at 500 MHz)',
  },
  {
    name: 'macCols', type: 'int', default: 16, min: 1, max: 1024, groups: ['chip'], faces: CHIP, flag: 'mac',
    unit: 'PEs', help: 'MAC array columns (set with --mac RxC)', why: 'see macRows',
  },
  {
    name: 'dataflow', type: 'enum', default: 'ws', choices: ['ws', 'os', 'is'], groups: ['chip'], faces: CHIP,
    unit: '', help: 'systolic dataflow: weight, output or input stationary',
    why: 'weight-stationary: the dataflow where weight delivery per fold matters most',
  },
  {
    name: 'states', type: 'int', default: 64, min: 32, max: 4096, pow2: true, groups: ['codec', 'engine'],
    faces: [...CODEC, ...ENGINE], alias: 'L', verilog: 'States', listOn: ['synth'],
    unit: '', help: "tANS states L: entries of the decode table (each decoder lane holds one)",
  },
  {
    name: 'symbolBits', type: 'int', default: 5, min: 1, max: 8, groups: ['engine', 'wm'], faces: ENGINE, verilog: 'SymbolBits',
    unit: 'bits', help: "bits per decoded symbol; a layer's quantization bins must be at most 2^symbolBits",
  },
  {
    // One quantity, three names in use: the chip's decoder count, the codec's and the engine's stream
    // count. Today's ranges were 1..64 (chip, engine) and 1..256 (encode): the engine's 1..64 holds.
    // The engine's default stays 4 lanes (generated/tans_L64_B5_S4); chip and codec default to 8.
    name: 'streams', type: 'int', default: 8, defaultIn: { engine: 4 }, min: 1, max: 64,
    groups: ['chip', 'codec', 'engine'], keyIn: { chip: 'decoders' }, flagOn: { run: 'decoders', config: 'decoders' },
    faces: [...CHIP, 'encode', ...ENGINE], alias: 'S', verilog: 'Streams', listOn: ['synth'],
    unit: '', help: 'parallel streams per layer sharing one table, one per tANS decoder (lane); each decodes up to one symbol per cycle',
    why: '8 streams per layer, 8 symbols/cycle at best',
  },
  {
    name: 'inWidth', type: 'int', default: 32, min: 32, max: 32, choices: [32], groups: ['engine'], faces: ['rtl', 'cosim'],
    verilog: 'InWidth', unit: 'bits', help: "width of the word stream from DRAM (the bitstream's word size)",
  },
  // The wavelet-matrix query unit's RTL (`hwsim rtl|cosim|synth wm`, docs/hw/wm-query-unit.md).
  {
    name: 'wmLanes', type: 'int', default: 2, min: 1, max: 16, groups: ['wm'], faces: ENGINE, flag: 'lanes', verilog: 'Lanes',
    listOn: ['synth'], unit: 'lanes', help: "wm query unit: lanes, each delivering one weight a cycle of its contiguous slice of the layer (the chip's --decoders)",
  },
  {
    name: 'wmLoadWords', type: 'int', default: 2, min: 1, max: 16, pow2: true, groups: ['wm'], faces: ENGINE, flag: 'load-words', verilog: 'LoadWords',
    unit: 'words', help: 'wm query unit: payload words LOAD takes a cycle (the chip: ⌈DRAM bytes per cycle / 4⌉)',
    why: 'the default chip: 8 B/cycle of DRAM',
  },
  {
    name: 'wmLevels', type: 'int', default: 8, min: 2, max: 24, groups: ['wm'], faces: ENGINE, flag: 'levels', verilog: 'Levels',
    listOn: ['synth'], unit: 'levels', help: 'wm query unit: most levels (longest code) of a layer it takes; one pipeline stage and one buffer read port per lane each',
  },
  {
    name: 'wmBufferWords', type: 'int', default: 1024, min: 64, max: 1 << 20, pow2: true, groups: ['wm'], faces: ENGINE, flag: 'buffer-words',
    verilog: 'BufferWords', listOn: ['synth'], unit: 'words', help: "wm query unit: payload buffer depth in 32-bit words (a layer's bitmaps and directories must fit)",
  },
  {
    name: 'wmRankCache', type: 'enum', default: 'node', choices: ['none', 'level', 'node'], groups: ['wm'], faces: ['rtl', 'cosim'],
    flag: 'rank-cache', verilog: 'RankCache', unit: '',
    help: "wm random-access port: rank cache (docs/WM.md): none, one slot per level, or one per internal node of the code tree; in Verilog the choice's index (0 none, 1 level, 2 node)",
    why: 'per node: a sequential scan hits after each node\'s first element',
  },
  {
    name: 'dramBytesPerCycle', type: 'number', default: 8, min: 0, minExclusive: true, max: 4096, resolution: 0.001,
    groups: ['chip'], faces: CHIP, flag: 'dram-bw',
    unit: 'B/cycle', help: 'DRAM bandwidth, bytes per chip cycle (may be fractional)',
    why: "4 GB/s at 500 MHz: an LPDDR4 x16 channel's share",
  },
  {
    name: 'dramLatency', type: 'int', default: 50, min: 1, max: 100000, groups: ['chip'], faces: CHIP,
    unit: 'cycles', help: 'DRAM access latency: a burst issued in cycle t is in the FIFO in cycle t + latency', why: '100 ns',
  },
  {
    name: 'dram', type: 'enum', default: 'simple',
    choices: ['simple', 'lpddr4-3200-x16', 'lpddr4-3200-x32', 'lpddr5-6400-x16', 'ddr4-2400-x16'], groups: ['chip'], faces: CHIP,
    unit: '', help: 'DRAM timing: simple (bandwidth + fixed latency) or a device preset with banks, row buffers, refresh and bus turnaround (docs/hw/dram.md)',
    why: 'simple: the model every figure so far was measured with',
  },
  {
    name: 'dramCtrlLatency', type: 'int', default: 20, min: 0, max: 100000, groups: ['chip'], faces: CHIP,
    unit: 'cycles', help: "with a --dram preset: controller, PHY and interconnect round trip added to the device's own timing (replaces --dram-latency)",
    why: '40 ns: a row hit on LPDDR4-3200 then lands ~62 ns after issue, a row miss ~100 ns (the simple model\'s 50 cycles)',
  },
  {
    name: 'techNode', type: 'int', default: 45, min: 7, max: 45, choices: [45, 28, 16, 7], groups: ['chip'], faces: CHIP,
    unit: 'nm', help: 'technology node of the energy table (docs/ENERGY.md: 45 nm figures, scaled by a documented rule)',
    why: "the node of Horowitz's ISSCC 2014 figures, unscaled",
  },
  {
    name: 'burstBytes', type: 'int', default: 64, min: 4, max: 4096, multipleOf: 4, groups: ['chip'], faces: CHIP, flag: 'burst',
    unit: 'B', help: 'DRAM burst size (a multiple of the 4-byte FIFO word)', why: 'one LPDDR4 BL16 burst on x32',
  },
  {
    name: 'fifoDepth', type: 'int', default: 128, min: 1, max: 1 << 20, groups: ['chip'], faces: CHIP, crossRule: 'at least one burst',
    unit: 'words', help: 'weight FIFO depth in 32-bit words, between DRAM and the decoders',
    why: '512 B ≥ latency × bandwidth (400 B) + one burst: the channel can stream',
  },
  {
    name: 'streamFifoDepth', type: 'int', default: 2, min: 2, max: 64, groups: ['chip', 'engine'], faces: [...CHIP, ...ENGINE],
    verilog: 'StreamFifoDepth', unit: 'words', help: "depth in words of each decoder lane's input FIFO, inside the tANS engine",
    why: '2 words: a 2:1 read mux, 386 LUTs a lane at L = 64 against 430 with 4; at most +0.45 % cycles where the decoders are the limit (docs/hw/synthesis.md, "Area")',
  },
  {
    name: 'countBits', type: 'int', default: 32, min: 17, max: 32, groups: ['engine'], faces: ENGINE, verilog: 'CountBits',
    unit: 'bits', help: "width of the tANS engine's counters of symbols left (one per lane) and words owed (one per stream): each stream of a layer may hold at most 2^countBits - 1 symbols and words",
    why: 'any layer a container describes; narrower counters save LUTs (docs/hw/synthesis.md)',
  },
  {
    name: 'clockMhz', type: 'number', default: 500, min: 0, minExclusive: true, max: 10000, groups: ['chip'], faces: CHIP,
    unit: 'MHz', help: 'clock frequency (only converts cycles to time)',
  },
  {
    name: 'sramKb', type: 'number', default: 512, min: 0, max: 1 << 20, groups: ['chip'], faces: CHIP,
    unit: 'KiB', help: "activation SRAM (holds a layer's ifmap + ofmap; larger layers spill to DRAM)",
    why: "ResNet-50's early layers spill",
  },
  {
    name: 'szLanes', type: 'int', default: 16, min: 1, max: 1024, groups: ['chip'], faces: CHIP,
    unit: 'weights/cycle', help: "weights the sz decoder's scatter stage writes into the weight buffer per cycle (a pruned run's zeros included)",
    why: 'one MAC-array row of weights a cycle',
  },
  {
    name: 'actSparsity', type: 'number', default: 0, min: 0, max: 0.999, groups: ['chip'], faces: CHIP,
    unit: '', help: "fraction of each layer's input channels that are zero (ReLU), from a seeded mask per layer (the first layer's input, the image, has none): the array skips their weights; tANS still decodes every symbol, the wavelet-matrix unit jumps (docs/hw/wm-query-unit.md)",
    why: 'dense: every weight used',
  },
  {
    name: 'bins', type: 'int', min: 3, max: 255, odd: true, groups: ['codec'], faces: CODEC, crossRule: 'at most --states',
    unit: '', help: 'fix every coded layer to N zero-point bins (instead of a --bits-per-weight budget)',
  },
  {
    name: 'bitsPerWeight', type: 'number', default: 2, defaultUnless: 'bins', min: 0, minExclusive: true, max: 8, groups: ['codec'], faces: CODEC,
    unit: 'bits', help: "average entropy budget per weight; each layer's bins and step are chosen to meet it with the least total squared error (used when --bins is not given)",
  },
  {
    name: 'perChannel', type: 'boolean', default: false, groups: ['codec'], faces: CODEC,
    unit: '', help: 'with --bins: one quantizer step per output channel instead of one per layer',
  },
  {
    name: 'rdLambda', type: 'number', min: 0, groups: ['codec'], faces: CODEC,
    unit: '', help: 'with --bins: choose each step by least MSE + λ·entropy (rate-distortion; λ in squared-weight units per bit) instead of least MSE',
  },
  {
    name: 'split', type: 'enum', default: 'channel', choices: ['channel', 'interleaved'], groups: ['codec'], faces: CODEC,
    unit: '', help: 'stream split: by input channel (as in the paper) or interleaved weights',
  },
  {
    name: 'keepEdges', type: 'boolean', default: true, groups: ['codec'], faces: CODEC,
    unit: '', help: 'keep first and last layers raw int8 (--no-keep-edges to code them too)',
  },
  {
    name: 'effort', type: 'enum', default: 'fast', choices: ['fast', 'best'], groups: ['codec'], faces: CODEC,
    unit: '', help: 'tANS table search effort',
  },
  {
    name: 'wmFprThreshold', type: 'number', default: 16, min: 0, max: 1e9, groups: ['codec'], faces: CODEC,
    unit: 'MACs/weight', help: 'wm: layers with fewer MACs per weight than this are stored element-wise (reached weight by weight), the others block-wise (decoded block by block into an on-chip buffer)',
    why: 'fully connected layers (1 MAC per weight per inference) go element-wise; convolutions (a weight meets every output position) block-wise',
  },
  {
    name: 'seed', type: 'int', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER, groups: ['codec'], faces: CODEC,
    unit: '', help: 'seed of the synthetic zoo weights',
  },
  {
    name: 'codec', type: 'enum', default: 'tans', choices: ['tans', 'wm', 'sz', 'auto'], groups: ['codec'], faces: CODEC,
    unit: '', help: 'tans: every coded layer tANS; wm: a Huffman-shaped wavelet matrix per layer (random access, docs/WM.md); sz: FC layers pruned and SZ-coded (DeepSZ, edges included), the other layers by --conv-codec; auto: per coded layer whichever of tans, wm and raw --auto-objective picks',
  },
  {
    name: 'autoObjective', type: 'enum', default: 'bytes', choices: ['bytes', 'cycles'], groups: ['codec'], faces: CODEC,
    unit: '', help: "with --codec auto: bytes picks each layer's smallest record; cycles the record the chip model runs the layer fastest with (the layer simulated alone on the chip, docs/WM.md)",
  },
  {
    name: 'wmTupleZeros', type: 'number', default: 0.9, min: 0, max: 1, groups: ['codec'], faces: CODEC,
    unit: '', help: 'wm: a layer whose zero fraction is above this stores its rows as (distance, value) tuples, zeros costing only the distance code (1: never)',
    why: 'a Huffman-shaped matrix spends at least 1 bit on every zero; tuples win once zeros dominate (docs/WM.md)',
  },
  {
    name: 'convCodec', type: 'enum', default: 'tans', choices: ['tans', 'raw'], groups: ['codec'], faces: CODEC,
    unit: '', help: 'with --codec sz: the codec of the conv layers (tans, edges raw as --keep-edges says; or raw int8)',
  },
  {
    name: 'errorBound', type: 'number', default: 0.005, min: 0, minExclusive: true, max: 1, groups: ['codec'], faces: CODEC,
    unit: '', help: 'with --codec sz: absolute error bound of every kept FC weight (SZ)',
    why: "DeepSZ's bounds lie between 1e-3 and 1e-2",
  },
  {
    name: 'sparsity', type: 'number', default: 0.9, min: 0, max: 0.999, groups: ['codec'], faces: CODEC,
    unit: '', help: 'with --codec sz: fraction of each FC layer pruned by magnitude, in [0, 1)',
    why: "DeepSZ's LeNet and AlexNet FC layers keep 8-10 %",
  },
  // Limits on what an input may make hwsim allocate or run (src/limits.ts): no group (they are not
  // part of a chip, codec or engine), flags on the faces that read models and containers. Checked
  // from headers and declared sizes before anything is allocated; an input beyond one is refused
  // with the size it asks for and the limit.
  {
    name: 'maxWeights', type: 'int', default: 2 ** 28, min: 1, max: Number.MAX_SAFE_INTEGER, groups: [], faces: INPUTS,
    unit: 'weights', help: 'most weights (all tensors of a model file, all layers of a topology or container) an input may make hwsim allocate',
    why: '1 GiB of float32: beyond any edge network (ResNet-50: 25.5 M, VGG-16: 138 M)',
  },
  {
    name: 'maxLayers', type: 'int', default: 100_000, min: 1, max: Number.MAX_SAFE_INTEGER, groups: [], faces: INPUTS,
    unit: 'layers', help: 'most weight layers in one model (weights file, topology CSV or container)',
    why: 'ResNet-101 has 105',
  },
  {
    name: 'maxInflateBytes', type: 'int', default: 2 ** 30, min: 1, max: Number.MAX_SAFE_INTEGER, groups: [], faces: INPUTS,
    unit: 'B', help: 'most bytes inflated from the compressed parts of one input file (all .npz members together; a container trailer)',
    why: 'the float32 bytes of maxWeights',
  },
  {
    name: 'maxIfmapElements', type: 'int', default: 2 ** 30, min: 1, max: Number.MAX_SAFE_INTEGER, groups: [], faces: INPUTS,
    unit: 'elements', help: "most elements in one layer's ifmap (height × width × channels × repeat): what the chip model walks",
    why: "VGG-16's largest: 226×226×64 = 3.3 M",
  },
];
