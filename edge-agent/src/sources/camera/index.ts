/** `@attune/edge-agent/camera`: which ffmpeg runs and the frames it delivers, for benchmarks and tests that make or read media. */
export { describeFfmpeg, ffmpegPath, findFfmpeg, type FfmpegBinary } from './ffmpeg-binary.ts';
export type { CameraSource, RgbFrame } from './frame.ts';
