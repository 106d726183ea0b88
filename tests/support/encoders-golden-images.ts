/**
 * Deterministic synthetic images for the encoder goldens (Node and browser build the same
 * pixels): different sizes and aspect ratios so both resize paths are exercised.
 */
import { rgbImage, type RgbImage } from '../../src/core/image.ts';

export interface GoldenImage {
  name: string;
  image: RgbImage;
}

function build(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbImage {
  const image = rgbImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const o = (y * width + x) * 3;
      image.data[o] = r;
      image.data[o + 1] = g;
      image.data[o + 2] = b;
    }
  }
  return image;
}

export function goldenImages(): GoldenImage[] {
  return [
    {
      name: 'rings-320x240',
      image: build(320, 240, (x, y) => {
        const d = Math.hypot(x - 150, y - 110);
        const v = Math.round(127.5 + 127.5 * Math.sin(d / 7));
        return [v, Math.round((x / 319) * 255), 255 - v];
      }),
    },
    {
      name: 'checker-180x300',
      image: build(180, 300, (x, y) => {
        const on = (Math.floor(x / 24) + Math.floor(y / 24)) % 2 === 0;
        return on ? [230, 220, 40] : [20, 60, Math.round((y / 299) * 255)];
      }),
    },
    {
      name: 'grey-blob-256x256',
      image: build(256, 256, (x, y) => {
        const v = Math.round(255 * Math.exp(-((x - 90) ** 2 + (y - 160) ** 2) / 3000));
        return [v, v, v];
      }),
    },
  ];
}
