/**
 * What a model is to hwsim: layers with SCALE-Sim geometry (for the chip model) and weights in a
 * canonical flat order (for the codecs).
 */
export type LayerKind = 'conv' | 'dwconv' | 'fc';

export interface LayerSpec {
  name: string;
  /** attention and MLP matmuls are 'fc' (with ifmapH = tokens) */
  kind: LayerKind;
  /** SCALE-Sim geometry: the ifmap as the layer sees it, already padded */
  ifmapH: number;
  ifmapW: number;
  filterH: number;
  filterW: number;
  /** input channels (for dwconv: the channels, each filtered separately) */
  channels: number;
  /** output channels, or FC outputs */
  filters: number;
  stride: number;
  /** a layer applied this many times with the same weights (e.g. per attention head); default 1 */
  repeat?: number;
  /** canonical: [out, in, kh, kw] conv, [C, 1, kh, kw] dwconv, [out, in] fc */
  weightShape: number[];
}

export interface ModelLayer {
  spec: LayerSpec;
  /** flat, in the canonical order of spec.weightShape */
  weights: Float32Array;
  /**
   * the quantizer the file itself gives (ONNX DequantizeLinear with --keep-quantization): weights
   * are level · step, one step or one per output channel; the encoder then keeps it
   */
  quant?: { step: number; stepsPerChannel?: Float32Array };
}

export interface Model {
  name: string;
  /** 'synthetic zoo' or the file path the weights came from */
  source: string;
  /** true when the weights are seeded synthetic ones, not trained weights */
  synthetic: boolean;
  /**
   * For weights drawn from a seed: everything that determines them besides the layer specs (the
   * generator's code and the seed). A model digest hashes it instead of the weights, and the
   * weights are drawn only when first read.
   */
  weightRecipe?: string;
  description: string;
  layers: ModelLayer[];
  /**
   * where the layer geometry comes from: 'graph' (walked from the file's own graph), 'none' (a
   * weights file without one: kernels are exact, feature-map sizes unknown, so no latency is
   * reported); absent: a topology (the zoo, a SCALE-Sim CSV)
   */
  geometry?: 'graph' | 'none';
}
