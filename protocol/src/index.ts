export * from './topics.ts';
export * from './schemas.ts';
export * from './messages.ts';
export * from './examples.ts';
