// The tokenizer's public surface: byte-level BPE, its trainer and file formats.
export { ByteLevelBPE, ROBERTA_SPECIALS, TokenizerError, type SpecialName } from "./bpe.ts";
export { trainBpe, type TrainBpeOptions } from "./train_bpe.ts";
export { loadTokenizerJson, loadVocabMerges, saveVocabMerges } from "./files.ts";
export { byteEncode, byteDecode, pretokenize } from "./byte_level.ts";
