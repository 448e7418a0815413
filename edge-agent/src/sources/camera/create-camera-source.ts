/** Builds the configured camera source (closed; the consent gate opens it). */
import { cameraFormat, type CameraSourceConfig } from '../../config.ts';
import type { AgentLogger } from '../../log.ts';
import { FfmpegCamera } from './ffmpeg-camera.ts';
import type { CameraSource } from './frame.ts';
import { ImageFolderCamera } from './image-folder-camera.ts';

export function createCameraSource(config: CameraSourceConfig, log?: AgentLogger): CameraSource | null {
  switch (config.kind) {
    case 'none':
      return null;
    case 'ffmpeg':
      return new FfmpegCamera({
        input: config.input,
        format: cameraFormat(config),
        fps: config.fps,
        width: config.width,
        height: config.height,
        loop: config.loop,
        ffmpegPath: config.ffmpegPath,
        log,
      });
    case 'image-folder':
      return new ImageFolderCamera({
        dir: config.dir,
        fps: config.fps,
        width: config.width,
        height: config.height,
        ffmpegPath: config.ffmpegPath,
      });
  }
}
