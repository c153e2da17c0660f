// The image pipeline's public surface: decoding, resizing, normalisation, and the seeded augmentations.
export { type RgbImage, fromInterleaved, emptyImage } from "./rgb_image.ts";
export { decodeImage, decodeImageBytes } from "./decode.ts";
export { readImageSize, type ImageSize } from "./image_size.ts";
export { resize, type Region } from "./resize.ts";
export { normalize, evalPixels, loadEvalImage, stackPixels, LAYOUTLMV3_MEAN, LAYOUTLMV3_STD, type NormalizeOptions } from "./preprocess.ts";
export { augmentImage, augmentPixels, randomResizedCropRegion, type AugmentOptions } from "./augment.ts";
export { randAugment, applyOp, RAND_AUGMENT_OPS, type RandAugmentOp } from "./rand_augment.ts";
