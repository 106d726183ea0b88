"""Goldens of files as users have them, fed unconverted (tests/unit/preprocess-files.test.ts).

Called by make_preprocess_goldens.py. Writes into tests/golden/preprocess/files/:
  <name>.<ext>                 the file, made here with Pillow (or patched by hand where noted)
  <name>.open_clip.png         the 224 x 224 RGB pixels open_clip makes (Image.open -> Resize in
                               the file's own mode -> CenterCrop -> convert('RGB')), before ToTensor
  <name>.hf_bit.png            the same for BitImageProcessor (convert('RGB') first)
  manifest.json                what each file is and the mode Pillow opened it in
The references are 8-bit crops, since normalisation is a fixed per-byte table (covered by the
tensor goldens next door), stored as PNG, which compresses them five times better than .npy.gz.
"""
import io
import json
import os

import numpy as np
from PIL import Image

from make_preprocess_goldens import OUT, hf_bit_crop, open_clip_crop, scene

FILES_OUT = os.path.join(OUT, 'files')


# Less noise than the tensor goldens: the crops then compress to a few kB each.
NOISE = 0.002


def rgb_scene(height, width, seed):
    return Image.fromarray(scene(height, width, 3, 255, seed, NOISE).astype(np.uint8), 'RGB')


def jpeg(img, **options):
    buffer = io.BytesIO()
    img.save(buffer, 'JPEG', quality=90, **options)
    return buffer.getvalue()


def with_adobe_transform(data, transform):
    """A CMYK JPEG whose Adobe marker says YCCK: libjpeg then converts the first three
    components from YCbCr (Pillow cannot write YCCK itself)."""
    data = bytearray(data)
    at = data.find(b'Adobe')
    data[at + 11] = transform
    return bytes(data)


def saved(img, fmt, **options):
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def palette_scene(height, width, seed, colours):
    return rgb_scene(height, width, seed).quantize(colours, dither=Image.Dither.NONE)


def grey16_png(height, width, seed):
    samples = scene(height, width, 1, 1000, seed, NOISE).astype(np.uint16)
    from make_preprocess_goldens import png_bytes
    return png_bytes(samples)


def cases():
    rotated = Image.Exif()
    rotated[0x0112] = 6  # "rotate 90 CW"; Image.open ignores it, so must we
    grey = rgb_scene(190, 150, 3).convert('L')
    cmyk = rgb_scene(120, 96, 7).convert('CMYK')
    return [
        ('jpeg-420', 'jpg', jpeg(rgb_scene(180, 240, 1), subsampling=2), 'JPEG baseline, 4:2:0'),
        ('jpeg-422', 'jpg', jpeg(rgb_scene(150, 201, 2), subsampling=1), 'JPEG baseline, 4:2:2, odd width'),
        ('jpeg-444', 'jpg', jpeg(rgb_scene(97, 130, 3), subsampling=0), 'JPEG baseline, 4:4:4'),
        ('jpeg-progressive', 'jpg', jpeg(rgb_scene(211, 163, 4), progressive=True, subsampling=2), 'JPEG progressive, 4:2:0, odd sizes'),
        ('jpeg-grey', 'jpg', jpeg(grey), 'JPEG greyscale (one component)'),
        ('jpeg-grey-rgb', 'jpg', jpeg(grey.convert('RGB'), subsampling=2), 'greyscale picture saved as a 3-component JPEG'),
        ('jpeg-exif-rotated', 'jpg', jpeg(rgb_scene(120, 200, 5), exif=rotated), 'JPEG with EXIF orientation 6 (ignored)'),
        ('jpeg-cmyk', 'jpg', jpeg(cmyk), 'Adobe CMYK JPEG'),
        ('jpeg-cmyk-420-progressive', 'jpg', jpeg(cmyk, progressive=True, subsampling=2), 'Adobe CMYK JPEG, progressive, first component 2x2'),
        ('jpeg-ycck', 'jpg', with_adobe_transform(jpeg(cmyk, subsampling=2), 2), 'Adobe YCCK JPEG, first component 2x2'),
        ('png-palette', 'png', saved(palette_scene(140, 100, 8, 32), 'PNG'), 'palette PNG (mode P)'),
        ('png-palette-trns', 'png', saved(palette_scene(90, 120, 9, 16), 'PNG', transparency=3), 'palette PNG with tRNS'),
        ('png-1bit', 'png', saved(rgb_scene(100, 77, 10).convert('1'), 'PNG'), '1-bit PNG (mode 1)'),
        ('png-grey16', 'png', grey16_png(130, 170, 11), '16-bit greyscale PNG (mode I)'),
        ('gif', 'gif', saved(palette_scene(110, 150, 12, 64), 'GIF'), 'GIF (first frame, mode P)'),
        ('bmp-palette', 'bmp', saved(palette_scene(70, 90, 13, 16), 'BMP'), '8-bit palette BMP (mode P)'),
        ('webp-lossy', 'webp', saved(rgb_scene(120, 160, 14), 'WEBP', quality=80), 'lossy WebP'),
        ('webp-lossless', 'webp', saved(rgb_scene(100, 90, 15), 'WEBP', lossless=True), 'lossless WebP'),
        ('webp-alpha', 'webp', saved(Image.fromarray(scene(90, 110, 4, 255, 16, NOISE).astype(np.uint8), 'RGBA'), 'WEBP', quality=80), 'lossy WebP with alpha'),
    ]


def write_file_goldens():
    os.makedirs(FILES_OUT, exist_ok=True)
    manifest = []
    for name, ext, data, note in cases():
        file_name = f'{name}.{ext}'
        with open(os.path.join(FILES_OUT, file_name), 'wb') as f:
            f.write(data)
        img = Image.open(os.path.join(FILES_OUT, file_name))
        img.load()
        for pipeline, crop in (('open_clip', open_clip_crop(img)), ('hf_bit', hf_bit_crop(img))):
            Image.fromarray(crop, 'RGB').save(os.path.join(FILES_OUT, f'{name}.{pipeline}.png'), optimize=True)
        manifest.append({'name': name, 'file': file_name, 'width': img.size[0], 'height': img.size[1], 'pilMode': img.mode, 'note': note})
    with open(os.path.join(FILES_OUT, 'manifest.json'), 'w') as f:
        json.dump({'pillow': Image.__version__, 'numpy': np.__version__, 'files': manifest}, f, indent=2)
        f.write('\n')
    print(f'wrote {len(manifest)} files into {os.path.normpath(FILES_OUT)}')
