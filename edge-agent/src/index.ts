export { startAgent, type AgentStatus, type RunningAgent, type StartAgentOptions } from './agent.ts';
export {
  AgentConfigSchema,
  ConfigError,
  loadConfigFile,
  parseConfig,
  type AgentConfig,
  type AgentConfigInput,
  type DistressEpisode,
  type WearableSourceConfig,
} from './config.ts';
export { consoleLogger, silentLogger, type AgentLogger } from './log.ts';
export { describeFfmpeg, findFfmpeg, type FfmpegBinary } from './sources/camera/ffmpeg-binary.ts';
export { WearableSimulator } from './sources/wearable/simulator.ts';
export { readE4Recording, e4ToOffsetSamples } from '@attune/models';
export { AGENT_VERSION } from './version.ts';
