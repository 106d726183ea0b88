#!/usr/bin/python3
"""A small uncased BERT WordPiece vocabulary and the ids BERT's rules give for a set of texts.

Writes tests/golden/tokenizer/bert-uncased-mini/:
  vocab.txt              one token per line, ids by line (the BiomedBERT special-token order:
                         [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4)
  tokenizer.json         the same vocabulary in the Hugging Face tokenizers format
                         (BertNormalizer lowercase + accent stripping, BertPreTokenizer, WordPiece,
                         [CLS] $A [SEP]), as BertTokenizerFast saves it
  tokenizer_config.json  BertTokenizer, do_lower_case
  expected.json          texts and their ids, computed here by an independent implementation of
                         google-research/bert tokenization.py (BasicTokenizer + WordpieceTokenizer)
                         with open_clip's truncation to the context length ([CLS] + first L-2 + [SEP]).
Plain Python 3, no packages: /usr/bin/python3 scripts/golden/bert_tokenizer_fixture.py
"""
import json
import os
import unicodedata

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'golden', 'tokenizer', 'bert-uncased-mini')
SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
WORDS = ['chest', 'x', 'ray', 'show', '##s', 'a', 'left', 'pleural', 'effusion', 'cafe', 'naive', 'men', '##iere',
         'cell', 't', 'b', 'cd', '##4', 'the', 'lesion', 'is', 'not', 'present', 'in', 'image', 'mri', 'brain',
         '##ing', 'ct', 'scan', 'of', 'lung', '##s', 'nodule', 'no', 'yes', 'tumor', '##al', 'size', 'mm', '5', '12']
PUNCT = list('.,-/()+?:;!\'"')
LETTERS = [chr(c) for c in range(ord('a'), ord('z') + 1)]


def build_vocab():
    vocab = []
    for token in SPECIALS + PUNCT + LETTERS + ['##' + c for c in LETTERS] + WORDS + ['\u4e2d', '\u6587']:
        if token not in vocab:
            vocab.append(token)
    return {t: i for i, t in enumerate(vocab)}


def is_whitespace(ch):
    return ch in ' \t\n\r' or unicodedata.category(ch) == 'Zs'


def is_control(ch):
    return ch not in '\t\n\r' and unicodedata.category(ch).startswith('C')


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith('P')


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokenize(text):
    cleaned = ''.join(' ' if is_whitespace(c) else c for c in text if ord(c) not in (0, 0xFFFD) and not is_control(c))
    spaced = ''.join(f' {c} ' if is_cjk(ord(c)) else c for c in cleaned)
    tokens = []
    for word in spaced.split():
        word = ''.join(c for c in unicodedata.normalize('NFD', word.lower()) if unicodedata.category(c) != 'Mn')
        current = ''
        for c in word:
            if is_punctuation(c):
                if current:
                    tokens.append(current)
                tokens.append(c)
                current = ''
            else:
                current += c
        if current:
            tokens.append(current)
    return tokens


def wordpiece(token, vocab, max_chars=100):
    if len(token) > max_chars:
        return ['[UNK]']
    pieces, start = [], 0
    while start < len(token):
        end, found = len(token), None
        while start < end:
            piece = ('##' if start > 0 else '') + token[start:end]
            if piece in vocab:
                found = piece
                break
            end -= 1
        if found is None:
            return ['[UNK]']
        pieces.append(found)
        start = end
    return pieces


def encode(text, vocab, context_length):
    pieces = [p for t in basic_tokenize(text) for p in wordpiece(t, vocab)]
    ids = [vocab[p] for p in pieces][:context_length - 2]
    return [vocab['[CLS]']] + ids + [vocab['[SEP]']]


TEXTS = [
    'Chest X-ray shows a LEFT pleural effusion.',
    'Café naïve Ménière',
    't-cell/b-cell (CD4+)',
    '  The\tlesion\nis NOT present?  ',
    'Søren has a tumoral nodule',
    'MRI brain 中文',
    'size: 12 mm',
    '',
    'x' * 101,
    ' '.join(['lung nodule'] * 200),
]


def main():
    vocab = build_vocab()
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'vocab.txt'), 'w', encoding='utf-8') as f:
        f.write(''.join(t + '\n' for t in vocab))
    special = lambda t: {'id': vocab[t], 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,  # noqa: E731
                         'normalized': False, 'special': True}
    tokenizer = {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [special(t) for t in SPECIALS],
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True, 'strip_accents': None, 'lowercase': True},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                       {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}, {'Sequence': {'id': 'B', 'type_id': 1}},
                     {'SpecialToken': {'id': '[SEP]', 'type_id': 1}}],
            'special_tokens': {t: {'id': t, 'ids': [vocab[t]], 'tokens': [t]} for t in ('[CLS]', '[SEP]')},
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##', 'max_input_chars_per_word': 100, 'vocab': vocab},
    }
    with open(os.path.join(OUT, 'tokenizer.json'), 'w', encoding='utf-8') as f:
        json.dump(tokenizer, f, indent=1, ensure_ascii=False)
        f.write('\n')
    config = {'tokenizer_class': 'BertTokenizer', 'do_lower_case': True, 'strip_accents': None, 'tokenize_chinese_chars': True,
              'model_max_length': 512, 'unk_token': '[UNK]', 'sep_token': '[SEP]', 'pad_token': '[PAD]', 'cls_token': '[CLS]', 'mask_token': '[MASK]'}
    with open(os.path.join(OUT, 'tokenizer_config.json'), 'w', encoding='utf-8') as f:
        json.dump(config, f, indent=1)
        f.write('\n')
    cases = [{'text': t, 'ids': encode(t, vocab, 256)} for t in TEXTS]
    assert len(cases[-1]['ids']) == 256 and cases[-1]['ids'][-1] == vocab['[SEP]']
    with open(os.path.join(OUT, 'expected.json'), 'w', encoding='utf-8') as f:
        json.dump({'context_length': 256, 'cases': cases}, f, indent=1, ensure_ascii=False)
        f.write('\n')


if __name__ == '__main__':
    main()
