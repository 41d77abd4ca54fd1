import { z } from 'zod';
import { HealthResponse } from '../../routes/health/schema';
import { SeatmapPageParams } from '../../seatmap/page';
import { named } from '../common';
import type { RouteDoc } from '../types';

/** Routes outside /api/v1: health, this document, the docs page, metrics. */
export const rootRoutes: RouteDoc[] = [
  {
    method: 'GET',
    path: '/healthz',
    operationId: 'health',
    summary: 'Health: asks Postgres and Temporal',
    tag: 'operations',
    auth: 'none',
    responses: [
      { status: 200, description: 'Both answer', schema: named('Health', HealthResponse), example: { status: 'ok', database: 'ok', temporal: 'ok' } },
      {
        status: 503,
        description: 'A part is down: `status` degraded, the part `unavailable`',
        schema: named('Health', HealthResponse),
        headers: { 'Retry-After': 'Seconds to wait' },
        example: { status: 'degraded', database: 'ok', temporal: 'unavailable' },
      },
    ],
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document (OpenAPI 3.1)',
    description: 'Generated from the zod schemas the API validates with.',
    tag: 'operations',
    auth: 'none',
    responses: [{ status: 200, description: 'The OpenAPI document', schema: named('OpenApiDocument', z.object({ openapi: z.string() }).catchall(z.unknown())) }],
  },
  {
    method: 'GET',
    path: '/docs',
    operationId: 'docs',
    summary: 'Interactive API reference (Swagger UI)',
    description: 'Served from the swagger-ui-dist package (no CDN); its scripts and styles load from /docs/assets/.',
    tag: 'operations',
    auth: 'none',
    responses: [{ status: 200, description: 'An HTML page', contentType: 'text/html' }],
  },
  {
    method: 'GET',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics of this API process',
    description:
      '`http_requests_total` and `http_request_duration_seconds` by method, route pattern and status; `booking_reservations_total` by outcome ' +
      '(held, rejected, confirmed, pending_payment, declined, cancelled: what the API answered); Node.js process metrics. ' +
      "The worker's metrics are on its own ports (WORKER_METRICS_PORT, WORKER_APP_METRICS_PORT). " +
      'With METRICS_TOKEN set the scraper sends it as `Authorization: Bearer <METRICS_TOKEN>` (not a user\'s access token); ' +
      'in production without METRICS_TOKEN this path answers 404.',
    tag: 'operations',
    auth: 'none',
    responses: [{ status: 200, description: 'Prometheus text format', contentType: 'text/plain; version=0.0.4' }],
    errors: [
      { status: 401, codes: { UNAUTHORIZED: 'METRICS_TOKEN is set and the request does not carry it as a bearer token' } },
      { status: 404, codes: { NOT_FOUND: 'Production without METRICS_TOKEN: metrics are not served' } },
    ],
  },
  {
    method: 'GET',
    path: '/seatmap/:showtime_id',
    operationId: 'seatmapPage',
    summary: 'The live seat-map page (HTML)',
    description:
      'The reference frontend: an SVG auditorium kept live by `GET /api/v1/showtimes/:id/seats/events`; a signed-in user picks seats, holds them, ' +
      'sees the countdown to expiry and pays with the fake provider\'s test cards. Static HTML and one script from /seatmap/assets/, no build step.',
    tag: 'operations',
    auth: 'none',
    params: SeatmapPageParams,
    paramDescriptions: { showtime_id: 'Showtime id' },
    responses: [{ status: 200, description: 'An HTML page', contentType: 'text/html' }],
    errors: [{ status: 422, codes: { VALIDATION_ERROR: 'showtime_id is not a positive integer' } }],
  },
];
