/** Operations endpoints outside /api (docs/api.md "Operations"). */
import { z } from 'zod';
import { named } from './common.ts';

export const HealthSchema = named('Health', 'GET /healthz: the process runs.', z.object({ status: z.literal('ok') }));
export type Health = z.infer<typeof HealthSchema>;

export const ReadinessSchema = named(
  'Readiness',
  'GET /readyz (200 ready, 503 not_ready): problems names, in words, everything that stops monitoring.',
  z.object({ status: z.enum(['ready', 'not_ready']), database: z.boolean(), mqtt: z.boolean(), problems: z.array(z.string()) }),
);
export type Readiness = z.infer<typeof ReadinessSchema>;
