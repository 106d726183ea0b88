#!/usr/bin/python3
"""Reference tensors for the preprocessing golden test (tests/unit/preprocess-golden.test.ts).

Run with Debian's Python (python3-pil, python3-numpy):  /usr/bin/python3 scripts/golden/make_preprocess_goldens.py

For each synthetic image this writes, into tests/golden/preprocess/:
  <name>.input.npy.gz        the decoded samples, uint8 or uint16, shape [H, W, C]
  <name>.open_clip.npy.gz    float32 [3, 224, 224]: what open_clip feeds BiomedCLIP / CLIP
  <name>.hf_bit.npy.gz       float32 [3, 224, 224]: what transformers' BitImageProcessor feeds DINOv2
and manifest.json describing them.

Neither torchvision nor transformers is packaged for Debian, so their rules are reproduced here
from their source, on top of the real Pillow:
  open_clip  image_transform(224, is_train=False): torchvision Resize(224, BICUBIC) ->
             CenterCrop(224) -> _convert_to_rgb -> ToTensor -> Normalize(OpenAI mean/std).
             Resize: long side = int(224 * long / short), no resize when the size is unchanged,
             PIL Image.resize(..., BICUBIC). CenterCrop: top = int(round((h - 224) / 2.0)).
             Note the order: open_clip resizes in the image's own mode and converts to RGB last.
  hf_bit     BitImageProcessor (DINOv2 preprocessor_config): convert_rgb -> resize shortest_edge
             256 (get_resize_output_image_size: long = int(256 * long / short)) with PIL BICUBIC ->
             center_crop 224 (top = (h - 224) // 2) -> rescale (float64 * 1/255 -> float32) ->
             normalize (ImageNet mean/std, float32).
Every image goes through PNG bytes and Image.open, so PIL sees the modes it would see for a file
(16-bit grey opens as mode "I", 16-bit grey+alpha as "RGBA").

Then file_goldens.py writes tests/golden/preprocess/files/: files as users have them (JPEG
variants, palette and 1-bit PNG, GIF, BMP, WebP, 16-bit PNG) with the uint8 crops Pillow's
pipelines make from them, for tests/unit/preprocess-files.test.ts.
`--reference FILE DIR` writes the two crops of one file into DIR (used for real images).
"""
import gzip
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'golden', 'preprocess')
OPENAI_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
OPENAI_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def scene(height, width, channels, peak, seed, noise=0.006):
    """Smooth gradients, discs and a checkerboard (sharp edges) plus a little noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = []
    for c in range(channels):
        g = 0.5 + 0.5 * np.sin(x / (width / (2.0 + c)) + y / (height / (1.5 + c)))
        cx, cy, r = width * (0.3 + 0.2 * c), height * (0.6 - 0.1 * c), min(width, height) * 0.25
        g = np.where((x - cx) ** 2 + (y - cy) ** 2 < r * r, 1.0 - 0.7 * g, g)
        checker = ((x // max(2, width // 16) + y // max(2, height // 12)) % 2) == 1
        g = np.where(checker & (x > width * 0.7), 0.1 + 0.2 * c, g)
        g = g + rng.normal(0, noise, size=g.shape)
        planes.append(np.clip(g, 0, 1) * peak)
    return np.rint(np.stack(planes, axis=-1))


def png_bytes(samples):
    """A PNG of uint8 or uint16 samples [H, W, C] (written by hand: PIL cannot write 16-bit RGB)."""
    height, width, channels = samples.shape
    depth = 16 if samples.dtype == np.uint16 else 8
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    dtype = '>u2' if depth == 16 else 'u1'
    raw = b''.join(b'\x00' + samples[row].astype(dtype).tobytes() for row in range(height))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack('>IIBBBBB', width, height, depth, color_type, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')


def short_side_size(width, height, size):
    short, long = (width, height) if width <= height else (height, width)
    new_long = int(size * long / short)
    return (size, new_long) if width <= height else (new_long, size)


def open_clip_crop(img):
    """uint8 [224, 224, 3]: open_clip's pixels before ToTensor (resized in the image's own mode)."""
    width, height = img.size
    new_w, new_h = short_side_size(width, height, 224)
    if (new_w, new_h) != (width, height):
        # Image.resize itself switches to NEAREST for modes "P" and "1", as under torchvision.
        img = img.resize((new_w, new_h), Image.BICUBIC)
    top = int(round((new_h - 224) / 2.0))
    left = int(round((new_w - 224) / 2.0))
    return np.asarray(img.crop((left, top, left + 224, top + 224)).convert('RGB'), dtype=np.uint8)


def hf_bit_crop(img):
    """uint8 [224, 224, 3]: BitImageProcessor's pixels before rescale (converted to RGB first)."""
    img = img.convert('RGB')
    width, height = img.size
    new_w, new_h = short_side_size(width, height, 256)
    if (new_w, new_h) != (width, height):
        img = img.resize((new_w, new_h), Image.BICUBIC)
    top = (new_h - 224) // 2
    left = (new_w - 224) // 2
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8)[top:top + 224, left:left + 224])


def open_clip_tensor(img):
    x = open_clip_crop(img).astype(np.float32) / np.float32(255)
    x = (x - OPENAI_MEAN) / OPENAI_STD
    return np.ascontiguousarray(x.transpose(2, 0, 1), dtype=np.float32)


def hf_bit_tensor(img):
    x = hf_bit_crop(img)
    x = (x.astype(np.float64) * (1 / 255)).astype(np.float32)
    x = (x - IMAGENET_MEAN) / IMAGENET_STD
    return np.ascontiguousarray(x.transpose(2, 0, 1), dtype=np.float32)


def save_npy_gz(path, array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    # mtime=0 keeps the bytes deterministic across runs.
    with open(path, 'wb') as f:
        f.write(gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0))


CASES = [
    # name, height, width, channels, dtype, peak, what it exercises
    ('grey8-portrait', 400, 300, 1, np.uint8, 255, '8-bit grey, portrait, downscale'),
    ('grey16-landscape', 384, 512, 1, np.uint16, 700, '16-bit grey (PIL mode I: values clip at 255)'),
    ('greyalpha8-odd', 225, 257, 2, np.uint8, 255, '8-bit grey + alpha, odd crop offsets'),
    ('rgba8-landscape', 300, 420, 4, np.uint8, 255, 'RGBA with varying alpha (dropped, not composited)'),
    ('rgb8-portrait', 517, 333, 3, np.uint8, 255, 'RGB portrait, odd sizes'),
    ('rgb8-wide', 120, 1000, 3, np.uint8, 255, 'very wide strip'),
    ('rgb8-tiny', 37, 50, 3, np.uint8, 255, 'smaller than the crop: upsampling'),
    ('rgb16-square224', 300, 224, 3, np.uint16, 65535, '16-bit RGB (high byte); width already 224'),
]


def main():
    if len(sys.argv) == 4 and sys.argv[1] == '--reference':
        # Local check of real files (tests/unit/preprocess-shared-jpeg.test.ts): the crops of one file.
        img = Image.open(sys.argv[2])
        img.load()
        Image.fromarray(open_clip_crop(img), 'RGB').save(os.path.join(sys.argv[3], 'open_clip.png'))
        Image.fromarray(hf_bit_crop(img), 'RGB').save(os.path.join(sys.argv[3], 'hf_bit.png'))
        return
    os.makedirs(OUT, exist_ok=True)
    manifest = []
    for index, (name, height, width, channels, dtype, peak, note) in enumerate(CASES):
        samples = scene(height, width, channels, peak, seed=index).astype(dtype)
        img = Image.open(io.BytesIO(png_bytes(samples)))
        img.load()
        save_npy_gz(os.path.join(OUT, f'{name}.input.npy.gz'), samples)
        save_npy_gz(os.path.join(OUT, f'{name}.open_clip.npy.gz'), open_clip_tensor(img))
        save_npy_gz(os.path.join(OUT, f'{name}.hf_bit.npy.gz'), hf_bit_tensor(img))
        manifest.append({'name': name, 'width': width, 'height': height, 'channels': channels,
                         'bitDepth': 16 if dtype == np.uint16 else 8, 'pilMode': img.mode, 'note': note})
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump({'pillow': Image.__version__, 'numpy': np.__version__, 'images': manifest}, f, indent=2)
        f.write('\n')
    print(f'wrote {len(manifest)} cases into {os.path.normpath(OUT)}')
    from file_goldens import write_file_goldens  # it imports this module's helpers
    write_file_goldens()


if __name__ == '__main__':
    main()
