/**
 * The `attune-agent doctor` checklist, shared by the command line (every check, camera frame and
 * broker login included) and the running agent, which at start runs the non-intrusive ones and
 * reports them in its status (`doctor`). Each check has its DOCTOR_CHECKS name, a lowercase code
 * for what was found (the server words it for IT staff) and, on failure, the fix in words.
 *
 * Non-intrusive: the running agent holds the camera, the wristband and the broker session itself,
 * so it never grabs a frame, pairs a sensor or logs in a second time under its own client id
 * (that would take its own session over); those checks report `skipped` with `in_use_by_agent`,
 * and the camera check only looks for its input (device node, file or folder).
 */
import { existsSync } from 'node:fs';
import type { DoctorCheckName } from '@attune/protocol';
import { cameraFormat, type AgentConfig } from '../config.ts';
import { grabOneFrame } from '../sources/camera/frame.ts';
import { createCameraSource } from '../sources/camera/create-camera-source.ts';
import { brokerLogin, checkModels, checkDataDir, clockOffsetMs, describeFrame, ffmpegInUse, wearableCheck } from './doctor-probes.ts';

export type DoctorResultKind = 'ok' | 'warn' | 'fail' | 'skipped';

export interface DoctorOutcome {
  name: DoctorCheckName;
  /** The checklist line's label (`model hashes`, `broker login`, ...). */
  label: string;
  result: DoctorResultKind;
  /** What was found, lowercase; null when ok. */
  code: string | null;
  /** What was found, in words (printed by the command line; never sent). */
  message: string;
  /** On failure: what to do, in words. */
  fix: string | null;
}

/** A probe answers its finding in words, or throws; `classify` turns a thrown message into a code and a fix. */
interface CheckSpec {
  name: DoctorCheckName;
  label: string;
  run: () => Promise<string> | string;
  classify: (message: string) => { code: string; fix: string };
}

async function runCheck(spec: CheckSpec): Promise<DoctorOutcome> {
  try {
    return { name: spec.name, label: spec.label, result: 'ok', code: null, message: await spec.run(), fix: null };
  } catch (err) {
    const message = (err as Error).message;
    return { name: spec.name, label: spec.label, result: 'fail', ...spec.classify(message), message };
  }
}

const skipped = (name: DoctorCheckName, label: string, code: string, message: string): DoctorOutcome => ({
  name,
  label,
  result: 'skipped',
  code,
  message,
  fix: null,
});

const FIX_MODELS_CHANGED =
  'a model file was changed or corrupted: run `npm run models:build` (face models) or restore models/ from the release';
const FIX_MODELS_MISSING = 'run `npm install` then `npm run models:build` at the repository root';

export const CLASSIFY = {
  models: (m: string) =>
    /sha256|refusing|does not match/.test(m)
      ? { code: 'model_hash_mismatch', fix: FIX_MODELS_CHANGED }
      : { code: 'model_missing', fix: FIX_MODELS_MISSING },
  data: () => ({ code: 'not_writable', fix: 'create the data folder and make it writable by the agent user' }),
  ffmpeg: (m: string) =>
    /no ffmpeg found/.test(m)
      ? {
          code: 'ffmpeg_missing',
          fix: 'install ffmpeg (`apt-get install ffmpeg`), or run `npm install` at the repository root for the bundled one (@ffmpeg-installer/ffmpeg)',
        }
      : {
          code: 'ffmpeg_broken',
          fix: 'the ffmpeg named above does not run on this device: correct or remove camera.ffmpegPath, or reinstall that ffmpeg',
        },
  camera: (m: string) =>
    /cannot start/.test(m)
      ? {
          code: 'ffmpeg_broken',
          fix: 'install ffmpeg (`apt-get install ffmpeg`), run `npm install` for the bundled one, or correct camera.ffmpegPath',
        }
      : /No such file|No such device|Cannot open|not found/i.test(m)
        ? {
            code: 'device_missing',
            fix: 'check camera.input: the device is plugged in (`ls /dev/video*`), the RTSP URL and its credentials, or the file path',
          }
        : /Permission denied/i.test(m)
          ? { code: 'permission_denied', fix: 'add the agent user to the `video` group (V4L2) or fix the file permissions' }
          : { code: 'no_frames', fix: 'check camera.input with `ffmpeg -i <input> -frames:v 1 -f null -`' },
  wearable: (m: string) =>
    /optional package/.test(m)
      ? { code: 'ble_missing', fix: 'install the BLE stack on this device: `npm install @abandonware/noble`, then allow raw HCI sockets' }
      : /not powered on|unsupported/.test(m)
        ? { code: 'bluetooth_off', fix: 'switch Bluetooth on (`bluetoothctl power on`) and check the adapter (`hciconfig`)' }
        : { code: 'no_signal', fix: 'check wearable.dir / the sensor is worn, charged and advertising nearby' },
  broker: (m: string) =>
    /Not authorized|Bad username|identifier rejected/i.test(m)
      ? {
          code: 'not_authorized',
          fix: 'the broker refused this device: check mqtt.username/password and that the device is enrolled and active on the server (Devices page)',
        }
      : /certificate|self[- ]signed|altnames|mqtt\.caFile/i.test(m)
        ? {
            code: 'tls_untrusted',
            fix: "the broker's TLS certificate is not trusted: set mqtt.caFile to the CA (or self-signed certificate) the broker's certificate comes from, and use the host name the certificate names in mqtt.url",
          }
        : {
            code: 'unreachable',
            fix: 'check mqtt.url, that the broker is running and reachable from this device (firewall, port 1883/8883)',
          },
  clock: (m: string) =>
    /offset/.test(m)
      ? { code: 'clock_offset', fix: 'enable time synchronisation: `timedatectl set-ntp true` (chrony or systemd-timesyncd)' }
      : { code: 'server_unreachable', fix: 'check serverUrl and the network path to the server' },
};

export interface DoctorOptions {
  /** false in the running agent: no frame grabbed, no sensor paired, no second broker login, no model session opened. */
  intrusive: boolean;
  manifestPath: string;
}

/** Every check after `config` (which is reading the file: the caller's), in checklist order. */
export async function runDoctorChecks(
  c: AgentConfig,
  o: DoctorOptions,
  onCheck?: (outcome: DoctorOutcome) => void,
): Promise<DoctorOutcome[]> {
  const outcomes: DoctorOutcome[] = [];
  const add = (outcome: DoctorOutcome) => {
    outcomes.push(outcome);
    onCheck?.(outcome);
    return outcome;
  };
  add(await runCheck({ name: 'models', label: 'model hashes', run: () => checkModels(c, o), classify: CLASSIFY.models }));
  add(await runCheck({ name: 'data_dir', label: 'data folder', run: () => checkDataDir(c.dataDir), classify: CLASSIFY.data }));
  const camera = c.camera;
  if (camera.kind === 'none') {
    add(skipped('ffmpeg', 'ffmpeg', 'not_configured', 'no camera configured'));
    add(skipped('camera', 'camera', 'not_configured', 'not configured'));
  } else {
    const ffmpeg = add(
      await runCheck({ name: 'ffmpeg', label: 'ffmpeg', run: () => ffmpegInUse(camera.ffmpegPath), classify: CLASSIFY.ffmpeg }),
    );
    if (ffmpeg.result !== 'ok') add(skipped('camera', 'camera', 'needs_ffmpeg', 'needs a working ffmpeg (see above)'));
    else if (o.intrusive)
      add(
        await runCheck({
          name: 'camera',
          label: 'camera',
          run: async () => {
            const source = createCameraSource(camera)!;
            return describeFrame(source.description, await grabOneFrame(source, 15_000));
          },
          classify: CLASSIFY.camera,
        }),
      );
    else add(await runCheck({ name: 'camera', label: 'camera', run: () => cameraInputPresent(camera), classify: CLASSIFY.camera }));
  }
  const wearable = wearableCheck(c.wearable, o.intrusive);
  add(
    wearable.kind === 'skip'
      ? skipped('wearable', 'wearable', wearable.code, wearable.why)
      : await runCheck({ ...wearable.spec, classify: CLASSIFY.wearable }),
  );
  if (o.intrusive) add(await runCheck({ name: 'broker', label: 'broker login', run: () => brokerLogin(c), classify: CLASSIFY.broker }));
  else
    add(
      skipped('broker', 'broker login', 'in_use_by_agent', 'the running agent holds the broker session; its status arriving is the check'),
    );
  const serverUrl = c.serverUrl;
  if (!serverUrl) add(skipped('clock', 'clock', 'no_server_url', 'set serverUrl in the config to compare this clock with the server'));
  else
    add(
      await runCheck({
        name: 'clock',
        label: 'clock',
        run: async () => {
          const { offsetMs, rttMs } = await clockOffsetMs(serverUrl);
          const words = `offset from server ${offsetMs >= 0 ? '+' : ''}${(offsetMs / 1000).toFixed(1)} s (round trip ${rttMs} ms)`;
          // Windows carry agent timestamps; the server compares them with consent times.
          if (Math.abs(offsetMs) > 2000 + rttMs) throw new Error(`${words}: more than 2 s`);
          return words;
        },
        classify: CLASSIFY.clock,
      }),
    );
  return outcomes;
}

/** The camera's input is there (device node, file or folder); an RTSP stream cannot be looked at without opening it. */
function cameraInputPresent(camera: Exclude<AgentConfig['camera'], { kind: 'none' }>): string {
  if (camera.kind === 'image-folder') {
    if (!existsSync(camera.dir)) throw new Error(`${camera.dir}: No such file or directory`);
    return `image folder ${camera.dir} present (frames not grabbed while the agent runs)`;
  }
  if (cameraFormat(camera) === 'rtsp') return 'RTSP stream configured (not opened while the agent runs)';
  if (!existsSync(camera.input)) throw new Error(`${camera.input}: No such file or directory`);
  return `${camera.input} present (frames not grabbed while the agent runs)`;
}
