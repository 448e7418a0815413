/** Command line for an ffmpeg child that emits raw RGB24 frames of a fixed size on stdout. */
export interface FfmpegFrameArgs {
  input: string;
  format: 'v4l2' | 'rtsp' | 'file' | 'image';
  fps: number;
  width: number;
  height: number;
  loop?: boolean;
}

export function ffmpegFrameArgs(o: FfmpegFrameArgs): string[] {
  const input: string[] = [];
  switch (o.format) {
    case 'v4l2':
      input.push('-f', 'v4l2', '-i', o.input);
      break;
    case 'rtsp':
      // TCP: ward Wi-Fi drops UDP packets, and a torn frame is worse than a late one.
      input.push('-rtsp_transport', 'tcp', '-i', o.input);
      break;
    case 'file':
      // -re paces a file like a live camera, so replay windows hold real time.
      input.push('-re', ...(o.loop ? ['-stream_loop', '-1'] : []), '-i', o.input);
      break;
    case 'image':
      input.push('-i', o.input);
      break;
  }
  // Scale to fit and letterbox, so face geometry keeps its aspect ratio.
  const vf = [
    ...(o.format === 'image' ? [] : [`fps=${o.fps}`]),
    `scale=${o.width}:${o.height}:force_original_aspect_ratio=decrease`,
    `pad=${o.width}:${o.height}:(ow-iw)/2:(oh-ih)/2`,
    'format=rgb24',
  ].join(',');
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    ...input,
    '-an',
    '-sn',
    '-vf',
    vf,
    ...(o.format === 'image' ? ['-frames:v', '1'] : []),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
}
