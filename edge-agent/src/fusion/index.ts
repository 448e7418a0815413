/** `@attune/edge-agent/fusion`: one window's wearable and face observations fused into the published numbers. */
export { fuse, type FusionInput, type FusionOutput, type WearableObservation } from './fuse.ts';
export { SignPersistence } from './sign-persistence.ts';
