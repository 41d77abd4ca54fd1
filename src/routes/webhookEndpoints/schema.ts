import { z } from 'zod';
import { WEBHOOK_DELIVERY_STATUSES } from '../../db/models';
import { IntId } from '../../http/ids';
import { PaginationQuery } from '../../http/pagination';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/eventTypes';
import { urlProblem } from '../../webhooks/targetGuard';
import { httpUrl, optionalText } from '../catalog/fields';

const EventType = z.enum(WEBHOOK_EVENT_TYPES, { error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` });

export const CreateWebhookEndpointBody = z.object({
  url: httpUrl(2048)
    // URL schemes are case-insensitive; stored lower-case, as the table's check and the sender expect.
    .transform((value) => value.replace(/^https?:/i, (scheme) => scheme.toLowerCase()))
    .superRefine((value, ctx) => {
      const problem = urlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ description: 'Where events are POSTed: http or https', example: 'https://hooks.example.com/cinema' }),
  events: z
    .array(EventType, { error: 'must be a list of event types' })
    .min(1, 'must name at least one event type')
    .max(WEBHOOK_EVENT_TYPES.length * 2, 'lists too many event types')
    .meta({ description: 'The event types to send; duplicates are ignored' }),
  description: optionalText(500),
});

export const WebhookEndpointView = z.object({
  id: z.number().int(),
  url: z.string(),
  events: z.array(EventType),
  description: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const CreatedWebhookEndpointView = WebhookEndpointView.extend({
  secret: z.string().meta({ description: 'The signing secret (`whsec_...`): shown only in this answer; keep it to verify signatures' }),
});

export const WebhookDeliveryView = z.object({
  id: z.number().int(),
  endpoint_id: z.number().int(),
  event_id: z.string().meta({ description: 'The event\'s id (`evt_...`), also sent as `Webhook-Id`' }),
  event_type: EventType,
  reservation_id: z.uuid(),
  sequence: z.number().int().meta({ description: 'The event\'s place among its reservation\'s events (deliveries go out in this order)' }),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).meta({ description: '`pending`: waiting for earlier events or being retried; `failed`: given up' }),
  attempts: z.number().int(),
  redeliveries: z.number().int(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
  created_at: z.string().nullable(),
});

export const ListDeliveriesQuery = PaginationQuery.extend({
  status: z.enum(WEBHOOK_DELIVERY_STATUSES, { error: 'must be pending, delivered or failed' }).optional(),
  reservation_id: z.uuid('must be a UUID').optional(),
});

export const DeliveryParams = z.object({ id: IntId, delivery_id: IntId });
