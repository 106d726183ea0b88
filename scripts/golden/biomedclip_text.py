#!/usr/bin/python3
"""Two-tower BiomedCLIP-style fixture: a plain-torch PubMedBERT text tower as open_clip's
HFTextEncoder runs it (BertModel without token_type_ids, ClsLastHiddenStatePooler, `mlp`
projection, F.normalize), next to a vision tower, saved in open_clip's state-dict layout.

Written from the definitions, not from transformers (not needed): Hugging Face BertModel
(post-LayerNorm blocks, extended attention mask (1 - mask) * finfo.min, exact GELU, LayerNorm eps
1e-12, the `embeddings.position_ids` buffer and a pooler the CLS-last-hidden-state pooler never
uses) and open_clip's hf_model.py (`proj = Sequential(Linear(d, (d + e) // 2, bias=False), GELU(),
Linear((d + e) // 2, e, bias=False))`, `attn_mask = input_ids != pad_token_id`).
Called by biomedclip_fixture.py; run that script, not this one.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from biomedclip_fixture import Visual

TEXT_REDUCED = dict(vocab_size=600, max_positions=512, type_vocab_size=2, width=64, depth=2, heads=4,
                    intermediate=256, eps=1e-12, context_length=256, embed_dim=32, pad_token_id=0)
TEXT_FULL = dict(vocab_size=30522, max_positions=512, type_vocab_size=2, width=768, depth=12, heads=12,
                 intermediate=3072, eps=1e-12, context_length=256, embed_dim=512, pad_token_id=0)
VISION_TINY = dict(image_size=32, patch_size=16, width=32, depth=1, heads=2, mlp_ratio=4, embed_dim=32, eps=1e-6)
VISION_FULL = dict(image_size=224, patch_size=16, width=768, depth=12, heads=12, mlp_ratio=4, embed_dim=512, eps=1e-6)
LENGTHS = [256, 5, 37, 130]
LOGIT_SCALE = 4.2  # not ln(100), so a test can tell it was read from the checkpoint


def token_rows(vocab_size, lengths):
    """Same recipe as tests/unit/convert-text-support.ts: [CLS]=2 ... [SEP]=3, padded with 0."""
    width = max(lengths)
    ids = torch.zeros(len(lengths), width, dtype=torch.long)
    mask = torch.zeros(len(lengths), width, dtype=torch.long)
    for r, n in enumerate(lengths):
        for t in range(n):
            ids[r, t] = 2 if t == 0 else 3 if t == n - 1 else 5 + (r * 131 + t * 37 + t * t) % (vocab_size - 5)
            mask[r, t] = 1
    return ids, mask


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c['vocab_size'], c['width'], padding_idx=c['pad_token_id'])
        self.position_embeddings = nn.Embedding(c['max_positions'], c['width'])
        self.token_type_embeddings = nn.Embedding(c['type_vocab_size'], c['width'])
        self.LayerNorm = nn.LayerNorm(c['width'], eps=c['eps'])
        self.register_buffer('position_ids', torch.arange(c['max_positions']).expand((1, -1)))

    def forward(self, ids):
        n = ids.shape[1]
        x = self.word_embeddings(ids) + self.position_embeddings(self.position_ids[:, :n])
        return self.LayerNorm(x + self.token_type_embeddings(torch.zeros_like(ids)))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c['heads']
        self.query = nn.Linear(c['width'], c['width'])
        self.key = nn.Linear(c['width'], c['width'])
        self.value = nn.Linear(c['width'], c['width'])

    def forward(self, x, bias):
        b, n, d = x.shape
        split = lambda t: t.view(b, n, self.heads, d // self.heads).permute(0, 2, 1, 3)  # noqa: E731
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads) + bias
        return (scores.softmax(dim=-1) @ v).permute(0, 2, 1, 3).reshape(b, n, d)


class DenseNorm(nn.Module):
    """BertSelfOutput / BertOutput: LayerNorm(dense(h) + residual)."""

    def __init__(self, inp, out, eps):
        super().__init__()
        self.dense = nn.Linear(inp, out)
        self.LayerNorm = nn.LayerNorm(out, eps=eps)

    def forward(self, h, residual):
        return self.LayerNorm(self.dense(h) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, 'self', SelfAttention(c))
        self.output = DenseNorm(c['width'], c['width'], c['eps'])

    def forward(self, x, bias):
        return self.output(getattr(self, 'self')(x, bias), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['width'], c['intermediate'])

    def forward(self, x):
        return F.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseNorm(c['intermediate'], c['width'], c['eps'])

    def forward(self, x, bias):
        a = self.attention(x, bias)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c['depth'])])


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['width'], c['width'])


class Bert(nn.Module):
    """BertModel: returns last_hidden_state; the pooler is kept for its state-dict keys only."""

    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c)

    def forward(self, ids, mask):
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        x = self.embeddings(ids)
        for layer in self.encoder.layer:
            x = layer(x, bias)
        return x


class Text(nn.Module):
    """open_clip HFTextEncoder(pooler 'cls_last_hidden_state_pooler', proj 'mlp') + F.normalize."""

    def __init__(self, c):
        super().__init__()
        self.transformer = Bert(c)
        hidden = (c['width'] + c['embed_dim']) // 2
        self.proj = nn.Sequential(nn.Linear(c['width'], hidden, bias=False), nn.GELU(), nn.Linear(hidden, c['embed_dim'], bias=False))

    def forward(self, ids, mask):
        return F.normalize(self.proj(self.transformer(ids, mask)[:, 0, :]), dim=-1)


def randomise(module, generator):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if 'embeddings' in name and name.endswith('.weight') and 'LayerNorm' not in name:
                p.copy_(torch.randn(p.shape, generator=generator) * 0.5)
            elif name.endswith('.weight') and p.dim() >= 2:
                p.copy_(torch.randn(p.shape, generator=generator) / math.sqrt(p.shape[1]))
            elif ('LayerNorm' in name or 'norm' in name) and name.endswith('.weight'):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(0.05 * torch.randn(p.shape, generator=generator))


def deterministic_pixels(size):
    b, ch, y, x = torch.meshgrid(torch.arange(2.0), torch.arange(3.0), torch.arange(float(size)), torch.arange(float(size)), indexing='ij')
    return (torch.sin(0.05 * y * (ch + 1) + 0.07 * x + 1.3 * b) + 0.5 * torch.cos(0.11 * x * (b + 1) - 0.03 * y * ch)).float()


def write_two_tower(out, full_size=False):
    text_cfg = TEXT_FULL if full_size else TEXT_REDUCED
    vision_cfg = VISION_FULL if full_size else VISION_TINY
    generator = torch.Generator().manual_seed(20250202)
    text = Text(text_cfg).eval()
    visual = Visual(vision_cfg).eval()
    randomise(text, generator)
    randomise(visual, generator)
    ids, mask = token_rows(text_cfg['vocab_size'], LENGTHS)
    with torch.no_grad():
        embeds = text(ids, mask)
        # Padding must not matter: each row alone, unpadded, gives the same embedding.
        for r, n in enumerate(LENGTHS):
            alone = text(ids[r:r + 1, :n], mask[r:r + 1, :n])
            assert torch.allclose(alone, embeds[r:r + 1], atol=1e-6), f'row {r} depends on its padding'
        image_embeds = visual(deterministic_pixels(vision_cfg['image_size']))
    wrapper = nn.Module()
    wrapper.visual = visual
    wrapper.text = text
    wrapper.logit_scale = nn.Parameter(torch.tensor(LOGIT_SCALE))
    state = wrapper.state_dict()
    assert 'text.transformer.embeddings.position_ids' in state and 'text.transformer.pooler.dense.weight' in state
    os.makedirs(out, exist_ok=True)
    torch.save(state, os.path.join(out, 'two_tower_fp32.bin'))
    with open(os.path.join(out, 'text_reference.json'), 'w') as f:
        json.dump({
            'text_config': text_cfg,
            'vision_config': vision_cfg,
            'logit_scale': LOGIT_SCALE,
            'lengths': LENGTHS,
            'torch': torch.__version__,
            'text_embeds': embeds.tolist(),
            'image_embeds': image_embeds.tolist(),
        }, f, indent=1)
        f.write('\n')
