/**
 * Where a remote configuration takes effect in the running agent, and what this machine offers
 * against which it is checked. Built from the local file's settings; agent.ts only wires them.
 */
import { existsSync } from 'node:fs';
import type { CameraSourceConfig } from '../config.ts';
import type { CameraSource } from '../sources/camera/frame.ts';
import type { EffectiveSettings, RemoteConfigTargets } from './remote-config-manager.ts';

/** The camera's frame rate when the local file has no camera (nothing runs at it). */
const NO_CAMERA_FPS = 2;

/** The local file's settings: what a cleared (or absent) remote configuration leaves in force. */
export function localSettings(config: { windowMs: number; camera: CameraSourceConfig }): EffectiveSettings {
  return {
    windowMs: config.windowMs,
    sources: { camera: true, wearable: true },
    camera: { device: null, fps: config.camera.kind === 'none' ? NO_CAMERA_FPS : config.camera.fps },
  };
}

/** The local camera settings with a remote device (a V4L2 node) and frame rate put in. */
export function cameraConfigWith(local: CameraSourceConfig, camera: EffectiveSettings['camera']): CameraSourceConfig {
  switch (local.kind) {
    case 'none':
      return local;
    case 'ffmpeg':
      return camera.device === null ? { ...local, fps: camera.fps } : { ...local, fps: camera.fps, input: camera.device, format: 'v4l2' };
    case 'image-folder':
      return { ...local, fps: camera.fps };
  }
}

export function remoteConfigTargets(o: {
  localCamera: CameraSourceConfig;
  clock: { setWindowMs(windowMs: number): void };
  sources: { setRemoteSources(s: EffectiveSettings['sources']): void; replaceCamera(source: CameraSource): Promise<void> };
  createCamera: (config: CameraSourceConfig) => CameraSource | null;
}): RemoteConfigTargets {
  return {
    setWindowMs: (windowMs) => o.clock.setWindowMs(windowMs),
    setSources: (sources) => o.sources.setRemoteSources(sources),
    async setCamera(camera) {
      if (o.localCamera.kind === 'none') return; // nothing to restart (a device was refused before this)
      const source = o.createCamera(cameraConfigWith(o.localCamera, camera));
      if (!source) throw new Error('no camera source could be built');
      await o.sources.replaceCamera(source);
    },
  };
}

export const deviceNodeExists = (path: string): boolean => existsSync(path);
