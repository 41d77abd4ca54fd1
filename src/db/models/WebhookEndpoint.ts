import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { User } from './User';
import { WebhookDelivery } from './WebhookDelivery';
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
  deliveries?: WebhookDelivery[];
  creator?: User | null;

  static relationMappings = (): RelationMappings => ({
    deliveries: { relation: BaseModel.HasManyRelation, modelClass: WebhookDelivery, join: { from: 'webhook_endpoints.id', to: 'webhook_deliveries.endpoint_id' } },
    creator: { relation: BaseModel.BelongsToOneRelation, modelClass: User, join: { from: 'webhook_endpoints.created_by', to: 'users.id' } },
  });
}
