/** A tiny float greyscale raster with the few drawing primitives the phantoms need. */
import { seededRandom } from '../random.ts';

export class Raster {
  readonly data: Float32Array;
  constructor(
    readonly width: number,
    readonly height: number,
    fill = 0,
  ) {
    this.data = new Float32Array(width * height).fill(fill);
  }

  /** Blends `value` into an ellipse with a soft edge of `soft` pixels; `mode` add or set. */
  ellipse(cx: number, cy: number, rx: number, ry: number, value: number, soft = 2, mode: 'set' | 'add' = 'set', angle = 0): void {
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const r = Math.max(rx, ry) + soft;
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const dx = x - cx;
        const dy = y - cy;
        const u = (dx * cos + dy * sin) / rx;
        const v = (-dx * sin + dy * cos) / ry;
        const d = (Math.sqrt(u * u + v * v) - 1) * Math.min(rx, ry);
        const weight = d <= -soft ? 1 : d >= soft ? 0 : 0.5 - d / (2 * soft);
        if (weight <= 0) continue;
        const i = y * this.width + x;
        this.data[i] = mode === 'add' ? this.data[i] + value * weight : this.data[i] * (1 - weight) + value * weight;
      }
    }
  }

  /** A Gaussian blob added to the image. */
  blob(cx: number, cy: number, sigma: number, amplitude: number): void {
    const r = Math.ceil(sigma * 3);
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(this.height - 1, cy + r); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(this.width - 1, cx + r); x++) {
        const d2 = (x - cx) ** 2 + (y - cy) ** 2;
        this.data[y * this.width + x] += amplitude * Math.exp(-d2 / (2 * sigma * sigma));
      }
    }
  }

  /** A thick anti-aliased line segment added to the image. */
  line(x0: number, y0: number, x1: number, y1: number, thickness: number, value: number): void {
    const len = Math.hypot(x1 - x0, y1 - y0) || 1;
    const pad = thickness + 2;
    for (let y = Math.max(0, Math.floor(Math.min(y0, y1) - pad)); y <= Math.min(this.height - 1, Math.max(y0, y1) + pad); y++) {
      for (let x = Math.max(0, Math.floor(Math.min(x0, x1) - pad)); x <= Math.min(this.width - 1, Math.max(x0, x1) + pad); x++) {
        const t = Math.max(0, Math.min(1, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / (len * len)));
        const d = Math.hypot(x - (x0 + t * (x1 - x0)), y - (y0 + t * (y1 - y0)));
        const weight = Math.max(0, Math.min(1, thickness / 2 + 0.5 - d));
        if (weight > 0) this.data[y * this.width + x] += value * weight;
      }
    }
  }

  /** Applies `f` to every pixel with its coordinates. */
  map(f: (value: number, x: number, y: number) => number): void {
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        const i = y * this.width + x;
        this.data[i] = f(this.data[i], x, y);
      }
    }
  }

  /** Separable box blur, `radius` pixels, `passes` times (approximates a Gaussian). */
  blur(radius: number, passes = 2): void {
    const { width, height } = this;
    const tmp = new Float32Array(this.data.length);
    for (let p = 0; p < passes; p++) {
      for (let y = 0; y < height; y++) {
        let acc = 0;
        for (let x = -radius; x <= radius; x++) acc += this.data[y * width + Math.min(width - 1, Math.max(0, x))];
        for (let x = 0; x < width; x++) {
          tmp[y * width + x] = acc / (2 * radius + 1);
          acc += this.data[y * width + Math.min(width - 1, x + radius + 1)] - this.data[y * width + Math.max(0, x - radius)];
        }
      }
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let y = -radius; y <= radius; y++) acc += tmp[Math.min(height - 1, Math.max(0, y)) * width + x];
        for (let y = 0; y < height; y++) {
          this.data[y * width + x] = acc / (2 * radius + 1);
          acc += tmp[Math.min(height - 1, y + radius + 1) * width + x] - tmp[Math.max(0, y - radius) * width + x];
        }
      }
    }
  }

  toGrey8(): Uint8Array {
    const out = new Uint8Array(this.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(this.data[i] * 255)));
    return out;
  }
}

/** Seeded draws (the shared generator) with a Gaussian helper. */
export function random(seed: number): { next: () => number; normal: () => number; range: (a: number, b: number) => number } {
  const next = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  return { next, normal, range: (a, b) => a + (b - a) * next() };
}
