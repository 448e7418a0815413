/**
 * Builds the configured camera source (closed; the consent gate opens it). Throws when no ffmpeg
 * can be found at all, so an agent with a camera configured fails at start, not at the first consent.
 */
import { cameraFormat, type CameraSourceConfig } from '../../config.ts';
import type { AgentLogger } from '../../log.ts';
import { describeFfmpeg, findFfmpeg } from './ffmpeg-binary.ts';
import { FfmpegCamera } from './ffmpeg-camera.ts';
import type { CameraSource } from './frame.ts';
import { ImageFolderCamera } from './image-folder-camera.ts';

export function createCameraSource(config: CameraSourceConfig, log?: AgentLogger): CameraSource | null {
  if (config.kind === 'none') return null;
  const ffmpeg = findFfmpeg(config.ffmpegPath);
  log?.info('camera ffmpeg', { ffmpeg: describeFfmpeg(ffmpeg) });
  switch (config.kind) {
    case 'ffmpeg':
      return new FfmpegCamera({
        input: config.input,
        format: cameraFormat(config),
        fps: config.fps,
        width: config.width,
        height: config.height,
        loop: config.loop,
        ffmpegPath: ffmpeg.path,
        log,
      });
    case 'image-folder':
      return new ImageFolderCamera({
        dir: config.dir,
        fps: config.fps,
        width: config.width,
        height: config.height,
        ffmpegPath: ffmpeg.path,
      });
  }
}
