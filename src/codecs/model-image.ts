/**
 * A compressed model image back to weights: every layer through its codec's reference decoder
 * (which checks each stream's end state and padding), then dequantized. `hwsim decode`, `inspect`
 * and `run <file.hwz>` trust an image only after this.
 */
import { HwsimError } from '../errors.js';
import { checkLimit } from '../limits.js';
import { params, type CodecFigures, type CodecId, type CodedLayer } from './codec.js';
import { readContainer, type ContainerImage, type ModelImage } from './container.js';
import { dequantize, entropyOf } from './quant/index.js';
import { codecById } from './registry.js';
import { histogram } from './tans/layer.js';

export interface DecodedLayer {
  name: string;
  shape: number[];
  codec: CodecId;
  bins: number;
  symbols: Uint8Array;
  /** integer levels symbol − (bins−1)/2, what the chip's dequantizer hands the MAC array */
  levels: Int8Array;
  values: Float32Array;
  /** empirical entropy bound of the symbols, bits in total */
  entropyBits: number;
  /** payload bits as stored */
  payloadBits: number;
  figures: CodecFigures;
  layer: CodedLayer;
}

/** One layer's symbols through its codec's reference decoder; a failed check names the layer. */
function decodeSymbols(image: ModelImage, i: number, label: string): Uint8Array {
  const layer = image.layers[i];
  return named(image, i, label, () => codecById(layer.codec).decode(layer as never));
}

/** `decode()` of layer `i`, a failed check (a HwsimError) renamed after the image and the layer. */
function named<T>(image: ModelImage, i: number, label: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof HwsimError) {
      throw new HwsimError(`${label}: layer #${i} '${image.specs[i].name}': ${err.message}`, 're-encode the model, or restore the file from a good copy');
    }
    throw err;
  }
}

/**
 * The weights an image declares, against limits().maxWeights, before any layer is decoded (the
 * container reader checks this too; an image built in memory by a library caller is checked here).
 */
function checkImageSize(image: ModelImage, label: string): void {
  const weights = image.layers.reduce((a, l) => a + l.shape.reduce((p, d) => p * d, 1), 0);
  checkLimit('maxWeights', weights, `${label}: the ${image.layers.length} layers together`);
}

const entropyBitsOf = (symbols: Uint8Array, bins: number) => entropyOf(histogram(symbols, bins)) * symbols.length;

/**
 * Checks every layer with its reference decoder and returns what the run report needs of the
 * symbols (their entropy bound) and of the codec (on-chip table bytes), without the weights.
 */
export function verifyImage(image: ModelImage, label: string): { entropyBits: number; tableBytes: number }[] {
  checkImageSize(image, label);
  return image.layers.map((layer, i) => {
    const codec = codecById(layer.codec);
    const { bins } = layer.quant;
    // the order of the symbols does not matter here: a codec may skip putting them in flat order
    const hist = codec.decodeHistogram
      ? named(image, i, label, () => codec.decodeHistogram!(layer as never, bins))
      : histogram(decodeSymbols(image, i, label), bins);
    return { entropyBits: entropyOf(hist) * params(layer.shape), tableBytes: tableBytesOf(layer) };
  });
}

/** The on-chip table bytes a layer's decoder needs (its codec's figure). */
export function tableBytesOf(layer: CodedLayer): number {
  return codecById(layer.codec).figures(layer as never).tableBytes;
}

/** Decodes every layer to symbols, int8 levels and float32 weights; a failed check names the layer. */
export function decodeImage(image: ModelImage, label: string): DecodedLayer[] {
  checkImageSize(image, label);
  return image.layers.map((layer, i) => {
    const codec = codecById(layer.codec);
    const symbols = decodeSymbols(image, i, label);
    const m = (layer.quant.bins - 1) >> 1;
    const levels = new Int8Array(symbols.length);
    for (let k = 0; k < symbols.length; k++) levels[k] = symbols[k] - m;
    return {
      name: image.specs[i].name, shape: layer.shape, codec: layer.codec, bins: layer.quant.bins, symbols, levels,
      values: codec.decodeValues ? codec.decodeValues(layer as never) : dequantize(symbols, layer.quant),
      entropyBits: entropyBitsOf(symbols, layer.quant.bins),
      payloadBits: codec.payloadLength(layer as never) * 8,
      figures: codec.figures(layer as never),
      layer,
    };
  });
}

/** Reads a .hwz image and decodes every layer. */
export function decodeContainer(bytes: Uint8Array, label: string): { image: ContainerImage; layers: DecodedLayer[] } {
  const image = readContainer(bytes, label);
  return { image, layers: decodeImage(image, label) };
}
