#!/usr/bin/python3
"""Random-weight BiomedCLIP-style checkpoints and reference outputs for the converter tests.

Writes into tests/golden/biomedclip/:
  reduced_fp32.bin  torch.save(state_dict) with BiomedCLIP's exact vision key names (prefix
                    `visual.`) in a reduced width/depth, plus a few `text.` keys the converter
                    must ignore. One tensor is a non-contiguous view, one has a storage offset.
  reduced_fp16.bin  the same weights stored as float16 storages.
  reference.json    config, the deterministic input recipe and the embeddings of a plain-torch
                    forward that mirrors timm's VisionTransformer + open_clip's TimmModel head.
Only CI-free artefacts are committed; run with Debian's python3-torch:
  /usr/bin/python3 scripts/golden/biomedclip_fixture.py
`--full-size DIR` instead writes a random-weight checkpoint with BiomedCLIP's real shapes
(ViT-B/16 -> 512, ~344 MB, not committed) and its reference into DIR, to check the converter
end to end at full size: npx mediconfusion convert-biomedclip DIR/reduced_fp32.bin.

The two-tower fixture (scripts/golden/biomedclip_text.py) is written as well:
  two_tower_fp32.bin  a tiny vision tower plus a reduced PubMedBERT text tower in open_clip's
                      layout (`text.transformer.*` BertModel keys with position_ids and the
                      unused pooler, `text.proj.0/2.weight`, `logit_scale`).
  text_reference.json its configs, token rows (lengths up to 256, padding masked) and the
                      text/image embeddings of plain-torch BERT + open_clip forwards.
With --full-size DIR, DIR/two_tower_fp32.bin has the real shapes (~0.8 GB with both towers).
"""
import json
import math
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'golden', 'biomedclip')
CFG = dict(image_size=224, patch_size=16, width=64, depth=2, heads=4, mlp_ratio=4, embed_dim=32, eps=1e-6)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        q = q * (c // self.heads) ** -0.5
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, dim * mlp_ratio)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Trunk(nn.Module):
    """timm VisionTransformer(class_token=True, global_pool='token', num_classes=0)."""

    def __init__(self, c):
        super().__init__()
        d = c['width']
        n = (c['image_size'] // c['patch_size']) ** 2
        self.cls_token = nn.Parameter(torch.randn(1, 1, d) * 0.1)
        self.pos_embed = nn.Parameter(torch.randn(1, n + 1, d) * 0.1)
        self.patch_embed = PatchEmbed(c['patch_size'], d)
        self.blocks = nn.Sequential(*[Block(d, c['heads'], c['mlp_ratio'], c['eps']) for _ in range(c['depth'])])
        self.norm = nn.LayerNorm(d, eps=c['eps'])

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        return self.norm(self.blocks(x))[:, 0]


class Visual(nn.Module):
    """open_clip TimmModel with timm_pool='' and timm_proj='linear' (Dropout + Linear without bias)."""

    def __init__(self, c):
        super().__init__()
        self.trunk = Trunk(c)
        self.head = nn.Sequential(OrderedDict(drop=nn.Dropout(0.0), proj=nn.Linear(c['width'], c['embed_dim'], bias=False)))

    def forward(self, x):
        return F.normalize(self.head(self.trunk(x)), dim=-1)


def deterministic_input(c):
    """Same recipe as tests/unit/convert-support.ts: float64 formula, cast to float32."""
    s = c['image_size']
    b, ch, y, x = torch.meshgrid(torch.arange(2.0), torch.arange(3.0), torch.arange(float(s)), torch.arange(float(s)), indexing='ij')
    v = torch.sin(0.05 * y * (ch + 1) + 0.07 * x + 1.3 * b) + 0.5 * torch.cos(0.11 * x * (b + 1) - 0.03 * y * ch)
    return v.double().float()


def main():
    global OUT
    if '--full-size' in sys.argv:
        OUT = sys.argv[sys.argv.index('--full-size') + 1]
        CFG.update(width=768, depth=12, heads=12, embed_dim=512)
    torch.manual_seed(20250101)
    model = Visual(CFG).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('.weight') and p.dim() >= 2:
                p.copy_(torch.randn_like(p) / math.sqrt(p[0].numel()))
            elif 'norm' in name and name.endswith('.weight'):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif name.endswith('.bias'):
                p.copy_(0.05 * torch.randn_like(p))
    os.makedirs(OUT, exist_ok=True)
    x = deterministic_input(CFG)
    results = {}
    for dtype, suffix in ((torch.float32, 'fp32'), (torch.float16, 'fp16')):
        with torch.no_grad():
            if dtype == torch.float16:
                for p in model.parameters():
                    p.copy_(p.half().float())
            embeds = model(x)
        wrapper = nn.Module()
        wrapper.visual = model
        state = wrapper.state_dict()
        metadata = state._metadata
        state = OrderedDict((k, v.to(dtype)) for k, v in state.items())
        state._metadata = metadata  # torch pickles it through BUILD, as for a real state_dict()
        # A non-contiguous view (as a transposed tensor is saved) and a view with a storage offset.
        head = state['visual.head.proj.weight']
        state['visual.head.proj.weight'] = head.t().contiguous().t()
        bias = state['visual.trunk.blocks.0.attn.qkv.bias']
        backing = torch.zeros(bias.numel() + 10, dtype=dtype)
        backing[7:7 + bias.numel()] = bias
        state['visual.trunk.blocks.0.attn.qkv.bias'] = backing[7:7 + bias.numel()]
        # The text tower (PubMedBERT) is ignored by the vision converter.
        state['text.transformer.embeddings.word_embeddings.weight'] = torch.randn(8, 4).to(dtype)
        state['text.proj.0.weight'] = torch.randn(4, 4).to(dtype)
        state['logit_scale'] = torch.tensor(4.6052).to(dtype)
        torch.save(state, os.path.join(OUT, f'reduced_{suffix}.bin'))
        results[suffix] = embeds.tolist()
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump({'config': CFG, 'torch': torch.__version__, 'image_embeds': results}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
    from biomedclip_text import write_two_tower  # noqa: E402 (the text tower lives in its own file)
    write_two_tower(OUT, full_size='--full-size' in sys.argv)
