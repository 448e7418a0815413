/**
 * Test helpers for suites that drive the agent (`@attune/edge-agent/testing`): an in-process MQTT
 * broker, media made at test time with ffmpeg, and the auditor that checks payloads carry no media.
 * Not part of the agent itself.
 */
export { connectClient, startBroker, waitFor, type TestBroker } from './mqtt-harness.ts';
export { auditPayload, MAX_BASE64_RUN, MEDIA_SIGNATURES, type AuditFinding } from './payload-audit.ts';
export { makeSyntheticFaceVideo, type SyntheticVideoOptions } from './synthetic-video.ts';
export { isProcessAlive, makeTestImages, makeTestVideo } from './test-video.ts';
