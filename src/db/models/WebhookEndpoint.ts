import { BaseModel } from './BaseModel';
import type { WebhookEventType } from '../../webhooks/eventTypes';

/** Where an admin wants events sent; soft-deleted so its delivery log stays readable. */
export class WebhookEndpoint extends BaseModel {
  static tableName = 'webhook_endpoints';
  // `events` is a Postgres text[], not JSON: Objection would stringify arrays otherwise.
  static jsonAttributes: string[] = [];

  id!: number;
  url!: string;
  events!: WebhookEventType[];
  description!: string | null;
  /** Signs every delivery; shown to the admin once, when the endpoint is created. */
  secret!: string;
  created_by!: number | null;
}
