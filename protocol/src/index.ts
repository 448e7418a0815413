export * from './topics.ts';
export * from './schemas.ts';
export * from './drivers.ts';
export * from './text-safety.ts';
export * from './messages.ts';
export * from './examples.ts';
export * from './durations.ts';
