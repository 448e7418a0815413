/**
 * The HTTP API and live stream contract (docs/api.md): zod schemas of every JSON body the server
 * answers or validates, and their types. The server's routes and the dashboard both use these, so a
 * field renamed here breaks both at compile time.
 */
export * from './common.ts';
export * from './alerts.ts';
export * from './quality.ts';
export * from './board.ts';
export * from './fleet.ts';
export * from './stays.ts';
export * from './tablet.ts';
export * from './users.ts';
export * from './live-events.ts';
export * from './ops.ts';
export * from './device-config.ts';
export * from './setup.ts';
export * from './enrolment.ts';
