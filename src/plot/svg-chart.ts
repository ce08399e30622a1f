/**
 * A small SVG chart writer for hwsim's plots: one plot area with linear or log axes, "nice" ticks,
 * axis titles with units, a legend, and marks (points, lines, stacked bars). Plain SVG 1.1, no
 * scripts or external fonts, so any viewer or converter (a browser, rsvg-convert, Inkscape) shows
 * it. Every mark carries its data values (data-x, data-y) and the plot area its scales, so a test
 * can check that what is drawn is what the data says.
 */

export type ScaleKind = 'linear' | 'log';

export interface Axis {
  title: string;
  kind: ScaleKind;
  min: number;
  max: number;
}

export interface ChartOptions {
  title: string;
  subtitle?: string;
  x: Axis;
  y: Axis;
  width?: number;
  height?: number;
  /** false: no x ticks (category charts label their bars instead) */
  xTicks?: boolean;
}

const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';
/** Colour-blind-safe qualitative palette (Okabe & Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text of a tick value with as many digits as the tick step needs: 0.25, 16, 515.5, 1.5 k, 2 M. */
export function tickLabel(v: number, step = 0): string {
  const a = Math.abs(v);
  const fmt = (x: number, unit: number) => {
    const decimals = step > 0 ? Math.max(0, Math.min(6, -Math.floor(Math.log10(step / unit) + 1e-9))) : 2;
    return String(+x.toFixed(decimals));
  };
  if (a >= 1e9) return `${fmt(v / 1e9, 1e9)} G`;
  if (a >= 1e6) return `${fmt(v / 1e6, 1e6)} M`;
  if (a >= 1e4) return `${fmt(v / 1e3, 1e3)} k`;
  return fmt(v, 1);
}

/** Ticks at 1, 2 or 5 × 10^k covering [min, max] (linear) or at powers of 2 or 10 (log). */
export function ticks(axis: Axis, target = 6): number[] {
  const { min, max } = axis;
  if (axis.kind === 'log') {
    const lo = Math.log2(min);
    const hi = Math.log2(max);
    const step = Math.max(1, Math.ceil((hi - lo) / target));
    const out: number[] = [];
    for (let e = Math.ceil(lo - 1e-9); e <= hi + 1e-9; e += step) out.push(2 ** e);
    return out.length ? out : [min];
  }
  const span = max - min || Math.abs(max) || 1;
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/** An axis range around the data: linear ranges padded 5 % (and from 0 when close), log ranges to powers of two. */
export function axisFor(title: string, values: readonly number[], kind: ScaleKind = 'linear'): Axis {
  const finite = values.filter((v) => Number.isFinite(v) && (kind === 'linear' || v > 0));
  let min = finite.length ? Math.min(...finite) : 0;
  let max = finite.length ? Math.max(...finite) : 1;
  if (kind === 'log') {
    min = 2 ** Math.floor(Math.log2(min || 1));
    max = 2 ** Math.ceil(Math.log2(max || 1));
    if (max <= min) max = min * 2;
    return { title, kind, min, max };
  }
  if (max === min) {
    const d = Math.abs(max) * 0.1 || 1;
    min -= d;
    max += d;
  } else {
    const pad = (max - min) * 0.05;
    min = min - pad < 0 && min >= 0 ? 0 : min - pad;
    max += pad;
  }
  if (min > 0 && min < (max - min) * 0.5) min = 0;
  return { title, kind, min, max };
}

export class SvgChart {
  readonly width: number;
  readonly height: number;
  /** the plot area */
  readonly left = 90;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  private readonly marks: string[] = [];
  private readonly legend: Array<{ label: string; color: string; shape: 'line' | 'point' | 'box' }> = [];

  constructor(readonly opts: ChartOptions) {
    this.width = opts.width ?? 860;
    this.height = opts.height ?? 520;
    this.top = opts.subtitle ? 66 : 48;
    this.right = this.width - 190;
    this.bottom = this.height - (opts.xTicks === false ? 130 : 64);
  }

  /** Pixel x of a data value. */
  px(v: number): number {
    return this.scale(v, this.opts.x, this.left, this.right);
  }

  /** Pixel y of a data value. */
  py(v: number): number {
    return this.scale(v, this.opts.y, this.bottom, this.top);
  }

  private scale(v: number, a: Axis, p0: number, p1: number): number {
    const t = a.kind === 'log' ? (Math.log2(v) - Math.log2(a.min)) / (Math.log2(a.max) - Math.log2(a.min)) : (v - a.min) / (a.max - a.min);
    return +(p0 + t * (p1 - p0)).toFixed(2);
  }

  points(series: string, xs: readonly number[], ys: readonly number[], color: string,
    opts: { radius?: number; filled?: boolean; ids?: readonly (string | number)[]; legend?: string } = {}): void {
    const r = opts.radius ?? 3.5;
    xs.forEach((x, i) => {
      const id = opts.ids ? ` data-id="${escapeXml(String(opts.ids[i]))}"` : '';
      this.marks.push(`<circle class="point" data-series="${escapeXml(series)}"${id} data-x="${x}" data-y="${ys[i]}" cx="${this.px(x)}" cy="${this.py(ys[i])}" r="${r}" ` +
        `fill="${opts.filled === false ? 'none' : color}" stroke="${color}" stroke-width="1.2" fill-opacity="${opts.filled === false ? 0 : 0.85}"/>`);
    });
    if (opts.legend) this.legend.push({ label: opts.legend, color, shape: 'point' });
  }

  line(series: string, xs: readonly number[], ys: readonly number[], color: string,
    opts: { dash?: boolean; step?: boolean; legend?: string; markers?: boolean } = {}): void {
    const pts: string[] = [];
    xs.forEach((x, i) => {
      if (opts.step && i > 0) pts.push(`${this.px(x)},${this.py(ys[i - 1])}`);
      pts.push(`${this.px(x)},${this.py(ys[i])}`);
    });
    this.marks.push(`<polyline class="line" data-series="${escapeXml(series)}" data-xs="${xs.join(' ')}" data-ys="${ys.join(' ')}" points="${pts.join(' ')}" ` +
      `fill="none" stroke="${color}" stroke-width="2"${opts.dash ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (opts.markers) this.points(series, xs, ys, color, { radius: 3 });
    if (opts.legend) this.legend.push({ label: opts.legend, color, shape: 'line' });
  }

  /** One bar of a stacked bar chart at category position x (pixel width w), segments bottom up. */
  stackedBar(id: string, x: number, w: number, segments: ReadonlyArray<{ key: string; value: number; color: string }>): void {
    let base = 0;
    for (const s of segments) {
      if (s.value <= 0) continue;
      const y0 = this.py(base);
      const y1 = this.py(base + s.value);
      this.marks.push(`<rect class="bar" data-id="${escapeXml(id)}" data-key="${escapeXml(s.key)}" data-y="${s.value}" x="${(x - w / 2).toFixed(2)}" y="${y1}" ` +
        `width="${w.toFixed(2)}" height="${Math.max(0, y0 - y1).toFixed(2)}" fill="${s.color}"/>`);
      base += s.value;
    }
  }

  legendEntry(label: string, color: string, shape: 'line' | 'point' | 'box'): void {
    this.legend.push({ label, color, shape });
  }

  /** Category labels under the x axis, rotated (for per-layer bars). */
  categoryLabels(labels: ReadonlyArray<{ x: number; text: string }>): void {
    for (const l of labels) {
      this.marks.push(`<text class="category" x="${l.x.toFixed(2)}" y="${this.bottom + 8}" transform="rotate(60 ${l.x.toFixed(2)} ${this.bottom + 8})" ` +
        `font-size="8" ${FONT}>${escapeXml(l.text)}</text>`);
    }
  }

  toString(): string {
    const { width, height, left, right, top, bottom, opts } = this;
    const out: string[] = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
      `<rect width="${width}" height="${height}" fill="white"/>`,
      `<text x="${left}" y="24" font-size="16" font-weight="bold" ${FONT}>${escapeXml(opts.title)}</text>`,
    ];
    if (opts.subtitle) out.push(`<text x="${left}" y="44" font-size="12" fill="#444" ${FONT}>${escapeXml(opts.subtitle)}</text>`);
    const area = `data-x-kind="${opts.x.kind}" data-x-min="${opts.x.min}" data-x-max="${opts.x.max}" data-y-kind="${opts.y.kind}" data-y-min="${opts.y.min}" data-y-max="${opts.y.max}"`;
    out.push(`<g class="plot-area" ${area} data-left="${left}" data-right="${right}" data-top="${top}" data-bottom="${bottom}">`);
    out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#888"/>`);
    const stepOf = (a: Axis, ts: number[]) => (a.kind === 'linear' && ts.length > 1 ? ts[1] - ts[0] : 0);
    const xs = opts.xTicks === false ? [] : ticks(opts.x);
    for (const t of xs) {
      const x = this.px(t);
      out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#e4e4e4"/>`,
        `<text class="x-tick" x="${x}" y="${bottom + 18}" text-anchor="middle" font-size="11" ${FONT}>${tickLabel(t, stepOf(opts.x, xs))}</text>`);
    }
    const ys = ticks(opts.y);
    for (const t of ys) {
      const y = this.py(t);
      out.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#e4e4e4"/>`,
        `<text class="y-tick" x="${left - 8}" y="${y + 4}" text-anchor="end" font-size="11" ${FONT}>${tickLabel(t, stepOf(opts.y, ys))}</text>`);
    }
    out.push(...this.marks, '</g>');
    out.push(`<text x="${(left + right) / 2}" y="${height - 14}" text-anchor="middle" font-size="13" ${FONT}>${escapeXml(opts.x.title)}</text>`);
    out.push(`<text x="22" y="${(top + bottom) / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 22 ${(top + bottom) / 2})" ${FONT}>${escapeXml(opts.y.title)}</text>`);
    this.legend.forEach((l, i) => {
      const y = top + 10 + i * 20;
      const x = right + 16;
      const sym = l.shape === 'line' ? `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${l.color}" stroke-width="2"/>`
        : l.shape === 'point' ? `<circle cx="${x + 11}" cy="${y}" r="4" fill="${l.color}"/>`
          : `<rect x="${x + 4}" y="${y - 6}" width="14" height="12" fill="${l.color}"/>`;
      out.push(`<g class="legend">${sym}<text x="${x + 30}" y="${y + 4}" font-size="12" ${FONT}>${escapeXml(l.label)}</text></g>`);
    });
    out.push('</svg>');
    return `${out.join('\n')}\n`;
  }
}
