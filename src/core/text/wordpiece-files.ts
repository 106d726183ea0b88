/**
 * Builds `tokenizer.json` + `tokenizer_config.json` for an uncased BERT WordPiece vocabulary
 * (`vocab.txt`), in the layout Hugging Face's BertTokenizerFast saves: BertNormalizer (clean
 * text, CJK spacing, lower-casing, accents stripped because lower-casing is on), BertPreTokenizer,
 * WordPiece with `##` continuations and 100 characters per word, and `[CLS] $A [SEP]`.
 * Older hub repositories (BERT checkpoints from before the fast tokenizers) ship only vocab.txt;
 * transformers.js needs tokenizer.json, so `npm run models` writes it from the vocabulary.
 */

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** Token -> id by line, as BERT's load_vocab reads vocab.txt (a trailing newline adds no token). */
export function parseVocab(vocabText: string): Map<string, number> {
  const lines = vocabText.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((token, id) => {
    if (!vocab.has(token)) vocab.set(token, id);
  });
  for (const special of SPECIAL_TOKENS) {
    if (!vocab.has(special)) throw new Error(`The vocabulary has no ${special} token; it is not a BERT vocab.txt. Download it again.`);
  }
  return vocab;
}

export function bertTokenizerFilesFromVocab(vocabText: string, options: { modelMaxLength?: number } = {}): { 'tokenizer.json': string; 'tokenizer_config.json': string } {
  const vocab = parseVocab(vocabText);
  const id = (token: string) => vocab.get(token) as number;
  const special = (token: string) => ({ id: id(token), content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const cls = { SpecialToken: { id: '[CLS]', type_id: 0 } };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [cls, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        cls,
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab) },
  };
  const config = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: null,
    tokenize_chinese_chars: true,
    model_max_length: options.modelMaxLength ?? 512,
    unk_token: '[UNK]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    mask_token: '[MASK]',
  };
  return { 'tokenizer.json': JSON.stringify(tokenizer) + '\n', 'tokenizer_config.json': JSON.stringify(config, null, 2) + '\n' };
}
