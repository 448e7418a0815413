/** The Hono application: one sub-app per resource, one error handler, the dashboard on the same origin. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { AlertRepository } from '../repositories/alert.repository.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { DeviceRepository } from '../repositories/device.repository.ts';
import type { ScoreRepository } from '../repositories/score.repository.ts';
import type { ConsentReadRepository, StayRepository } from '../repositories/stay.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import type { WardRepository } from '../repositories/ward.repository.ts';
import { alertRoutes } from '../routes/alerts.routes.ts';
import { bedRoutes } from '../routes/beds.routes.ts';
import { authRoutes } from '../routes/auth.routes.ts';
import { deviceRoutes } from '../routes/devices.routes.ts';
import { deviceCredentialRoutes } from '../routes/device-credentials.routes.ts';
import { enrolmentTokenRoutes, enrolRoutes } from '../routes/enrolment.routes.ts';
import type { EnrolmentService } from '../services/enrolment.service.ts';
import { deviceConfigRoutes } from '../routes/device-config.routes.ts';
import type { DeviceConfigService } from '../services/device-config.service.ts';
import { oidcRoutes } from '../routes/oidc.routes.ts';
import type { SingleSignOn } from '../services/directory-sign-in.ts';
import { eventRoutes } from '../routes/events.routes.ts';
import { opsRoutes, type Readiness } from '../routes/ops.routes.ts';
import { stayRoutes } from '../routes/stays.routes.ts';
import { tabletRoutes } from '../routes/tablet.routes.ts';
import { AlertDeskService } from '../services/alert-desk.service.ts';
import { StayRecordService } from '../services/stay-record.service.ts';
import { UserAdministrationService } from '../services/user-administration.service.ts';
import { WardSetupService } from '../services/ward-setup.service.ts';
import { usersRoutes } from '../routes/users.routes.ts';
import { wardRoutes } from '../routes/wards.routes.ts';
import type { AlertService } from '../services/alert.service.ts';
import type { BoardService } from '../services/board.service.ts';
import type { LiveEvents } from '../platform/live-events.ts';
import type { StayService } from '../services/stay.service.ts';
import type { TabletService } from '../services/tablet.service.ts';
import { requireUser } from './auth.ts';
import type { AppEnv } from './context.ts';
import { errorBody, handleError } from './errors.ts';
import { LoginThrottle } from './login-throttle.ts';
import { AttemptLimiter, WardPairingBudget } from './rate-limit.ts';
import { limitBody, noStore, sameOriginJsonOnly } from './web-door.ts';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  users: UserRepository;
  audit: AuditRepository;
  wards: WardRepository;
  stays: StayRepository;
  consentRead: ConsentReadRepository;
  devices: DeviceRepository;
  scores: ScoreRepository;
  alerts: AlertRepository;
  alertService: AlertService;
  stayService: StayService;
  tabletService: TabletService;
  board: BoardService;
  live: LiveEvents;
  readiness: (now: Date) => Promise<Readiness>;
  sessionTtlHours: number;
  secureCookies: boolean;
  /** Pairing attempts per minute per client address. */
  tabletPairAttemptsPerMinute: number;
  /** Wrong pairing codes per ward in a sliding 10 minutes before pairing on that ward pauses. */
  tabletPairFailuresPerWardPer10Min: number;
  dashboardDir: string | null;
  /** The dashboard's public origin for the same-origin check (PUBLIC_URL); null: each request's own origin. */
  publicOrigin: string | null;
  /** Largest request body accepted, bytes. */
  bodyLimitBytes: number;
  /** Sign-in through the hospital's directory (OpenID Connect); null or absent: not offered. */
  singleSignOn?: SingleSignOn | null;
  /** Agent enrolment and device credentials; enrolment attempts (POST /api/enrol) per minute per client address. */
  enrolment: { service: EnrolmentService; attemptsPerMinute: number };
  /** Remote configuration of agents (it_admin). */
  deviceConfig: DeviceConfigService;
}

/**
 * The content-security policy's script sources: the app's own files and the SHA-256 of each inline
 * script the built dashboard's page carries (SvelteKit's start-up script), never 'unsafe-inline'.
 */
export function scriptSources(indexHtml: string | null): string[] {
  const hashes = [...(indexHtml ?? '').matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`,
  );
  return ["'self'", ...hashes];
}

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.onError(handleError(deps.logger));
  const dashboardDir = deps.dashboardDir;
  const indexHtml =
    dashboardDir && existsSync(join(dashboardDir, 'index.html')) ? readFileSync(join(dashboardDir, 'index.html'), 'utf8') : null;
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: scriptSources(indexHtml),
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
      },
    }),
  );

  app.use('/api/*', noStore, limitBody(deps), sameOriginJsonOnly(deps));
  // One sign-in throttle: sign-in counts failures, user administration reads and clears lockouts.
  const loginThrottle = new LoginThrottle();
  app.route('/', opsRoutes({ metrics: deps.metrics, readiness: deps.readiness }));
  app.route(
    '/api/auth',
    authRoutes({
      users: deps.users,
      audit: deps.audit,
      tablets: deps.tabletService,
      sessionTtlHours: deps.sessionTtlHours,
      secureCookies: deps.secureCookies,
      throttle: loginThrottle,
    }),
  );
  // Single sign-on: GET /api/auth/options always; /api/auth/oidc/start and /callback when configured.
  app.route(
    '/api/auth',
    oidcRoutes({
      singleSignOn: deps.singleSignOn ?? null,
      users: deps.users,
      logger: deps.logger,
      sessionTtlHours: deps.sessionTtlHours,
      secureCookies: deps.secureCookies,
    }),
  );
  // The bedside tablet's own API, before the staff API: its session opens nothing else.
  app.route(
    '/api/tablet',
    tabletRoutes({
      tablets: deps.tabletService,
      users: deps.users,
      limiter: new AttemptLimiter(deps.tabletPairAttemptsPerMinute),
      wardBudget: new WardPairingBudget(deps.tabletPairFailuresPerWardPer10Min),
      logger: deps.logger,
      metrics: deps.metrics,
      secureCookies: deps.secureCookies,
    }),
  );

  // The bedside agent's enrolment: public, limited per address (the token decides).
  app.route(
    '/api/enrol',
    enrolRoutes({
      service: deps.enrolment.service,
      publicOrigin: deps.publicOrigin,
      limiter: new AttemptLimiter(deps.enrolment.attemptsPerMinute),
      logger: deps.logger,
    }),
  );

  const api = new Hono<AppEnv>();
  api.use(requireUser(deps.users, deps.tabletService));
  // Ward and bed setup (it_admin) lives on both /wards and /beds.
  const wardSetup = new WardSetupService({ wards: deps.wards, audit: deps.audit });
  api.route('/wards', wardRoutes({ wards: deps.wards, board: deps.board, setup: wardSetup }));
  api.route('/alerts', alertRoutes({ desk: new AlertDeskService({ alerts: deps.alerts, service: deps.alertService, audit: deps.audit }) }));
  api.route(
    '/stays',
    stayRoutes({
      service: deps.stayService,
      records: new StayRecordService({
        stays: deps.stays,
        scores: deps.scores,
        alerts: deps.alerts,
        audit: deps.audit,
        service: deps.stayService,
      }),
    }),
  );
  api.route('/beds', bedRoutes({ tablets: deps.tabletService, setup: wardSetup }));
  api.route('/devices', deviceConfigRoutes({ service: deps.deviceConfig }));
  api.route('/devices', deviceRoutes({ devices: deps.devices, wards: deps.wards, consent: deps.consentRead, stays: deps.stays }));
  api.route('/devices', deviceCredentialRoutes({ service: deps.enrolment.service, publicOrigin: deps.publicOrigin }));
  api.route('/', enrolmentTokenRoutes({ service: deps.enrolment.service, publicOrigin: deps.publicOrigin }));
  api.route('/events', eventRoutes({ live: deps.live, metrics: deps.metrics, users: deps.users, logger: deps.logger }));
  api.route(
    '/users',
    usersRoutes({
      administration: new UserAdministrationService({ users: deps.users, wards: deps.wards, audit: deps.audit, lockouts: loginThrottle }),
    }),
  );
  app.route('/api', api);
  app.all('/api/*', (c) => c.json(errorBody('not_found', 'No such endpoint'), 404));

  if (dashboardDir && indexHtml !== null) {
    app.use('/*', serveStatic({ root: dashboardDir }));
    // Single-page app: any other GET is a dashboard route.
    app.get('*', (c) => c.html(indexHtml));
  } else {
    app.get('/', (c) =>
      c.text(
        'Attune API is running. The dashboard is not built: run `npm run -w @attune/dashboard build` (npm start does this for you).',
        200,
      ),
    );
  }
  return app;
}
