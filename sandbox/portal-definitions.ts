import type { PublicOwner } from '@hubspot/api-client/lib/codegen/crm/owners';
import type { Pipeline, PipelineStage } from '@hubspot/api-client/lib/codegen/crm/pipelines';
import type { Property, PropertyGroup } from '@hubspot/api-client/lib/codegen/crm/properties';

import { OBJECT_TYPES, type ObjectType } from './crm-types';
import { iso, type Wire } from './hubspot-wire';

export type WireProperty = Wire<Property>;
export type WirePropertyGroup = Wire<PropertyGroup>;
export type WireOwner = Wire<PublicOwner>;
export type WirePipeline = Wire<Pipeline>;
export type WireStage = Wire<PipelineStage>;

/** Property metadata, owners and pipelines: the parts of a portal that describe the CRM rather than fill it. */
export interface PortalDefinitions {
  properties(type: ObjectType): WireProperty[];
  property(type: ObjectType, name: string): WireProperty | undefined;
  /** false when the name is taken (the API answers 409). */
  addProperty(type: ObjectType, property: WireProperty): boolean;
  groups(type: ObjectType): WirePropertyGroup[];
  group(type: ObjectType, name: string): WirePropertyGroup | undefined;
  addGroup(type: ObjectType, group: WirePropertyGroup): boolean;
  owners(): WireOwner[];
  owner(id: string): WireOwner | undefined;
  addOwner(owner: WireOwner): void;
  pipelines(type: ObjectType): WirePipeline[];
  addPipeline(type: ObjectType, pipeline: WirePipeline): void;
  stage(type: ObjectType, stageId: string): WireStage | undefined;
}

export function createPortalDefinitions(createdAt: number): PortalDefinitions {
  const properties = new Map<ObjectType, Map<string, WireProperty>>();
  const groups = new Map<ObjectType, Map<string, WirePropertyGroup>>();
  const pipelines = new Map<ObjectType, WirePipeline[]>();
  const owners = new Map<string, WireOwner>();
  for (const type of OBJECT_TYPES) {
    properties.set(type, new Map());
    groups.set(type, new Map());
    pipelines.set(type, []);
  }
  const definitions: PortalDefinitions = {
    properties: (type) => [...(properties.get(type)?.values() ?? [])],
    property: (type, name) => properties.get(type)?.get(name),
    addProperty: (type, property) => {
      const byName = properties.get(type);
      if (!byName || byName.has(property.name)) return false;
      byName.set(property.name, property);
      return true;
    },
    groups: (type) => [...(groups.get(type)?.values() ?? [])],
    group: (type, name) => groups.get(type)?.get(name),
    addGroup: (type, group) => {
      const byName = groups.get(type);
      if (!byName || byName.has(group.name)) return false;
      byName.set(group.name, group);
      return true;
    },
    owners: () => [...owners.values()],
    owner: (id) => owners.get(id),
    addOwner: (owner) => void owners.set(owner.id, owner),
    pipelines: (type) => pipelines.get(type) ?? [],
    addPipeline: (type, pipeline) => void pipelines.get(type)?.push(pipeline),
    stage: (type, stageId) => {
      for (const pipeline of pipelines.get(type) ?? []) {
        const stage = pipeline.stages.find((s) => s.id === stageId);
        if (stage) return stage;
      }
      return undefined;
    },
  };
  seedStandardProperties(definitions, createdAt);
  return definitions;
}

type PropertySpec = readonly [
  name: string,
  type: string,
  fieldType: string,
  options?: readonly string[],
];

const DATETIME = ['datetime', 'date'] as const;

/** The HubSpot-defined properties Truce reads (HUBSPOT.md §5), enough for the API to validate writes. */
const STANDARD: Readonly<Record<ObjectType, readonly PropertySpec[]>> = {
  contacts: [
    ['email', 'string', 'text'],
    ['firstname', 'string', 'text'],
    ['lastname', 'string', 'text'],
    ['company', 'string', 'text'],
    ['jobtitle', 'string', 'text'],
    ['country', 'string', 'text'],
    ['numemployees', 'string', 'text'],
    ['industry', 'string', 'text'],
    ['hs_object_id', 'number', 'number'],
    ['createdate', ...DATETIME],
    ['lastmodifieddate', ...DATETIME],
    ['hubspot_owner_id', 'enumeration', 'select'],
    [
      'lifecyclestage',
      'enumeration',
      'radio',
      [
        'subscriber',
        'lead',
        'marketingqualifiedlead',
        'salesqualifiedlead',
        'opportunity',
        'customer',
        'evangelist',
        'other',
      ],
    ],
    [
      'hs_lead_status',
      'enumeration',
      'radio',
      [
        'NEW',
        'OPEN',
        'IN_PROGRESS',
        'OPEN_DEAL',
        'UNQUALIFIED',
        'ATTEMPTED_TO_CONTACT',
        'CONNECTED',
        'BAD_TIMING',
      ],
    ],
    [
      'hs_analytics_source',
      'enumeration',
      'select',
      [
        'ORGANIC_SEARCH',
        'PAID_SEARCH',
        'EMAIL_MARKETING',
        'SOCIAL_MEDIA',
        'PAID_SOCIAL',
        'REFERRALS',
        'OTHER_CAMPAIGNS',
        'DIRECT_TRAFFIC',
        'OFFLINE',
      ],
    ],
    ['hs_analytics_source_data_1', 'string', 'text'],
    ['hs_analytics_source_data_2', 'string', 'text'],
    ['hs_latest_source', 'enumeration', 'select'],
    ['hs_latest_source_data_1', 'string', 'text'],
    ['hs_latest_source_data_2', 'string', 'text'],
    ['hs_latest_source_timestamp', ...DATETIME],
    ['hs_analytics_first_url', 'string', 'text'],
    ['hs_analytics_first_timestamp', ...DATETIME],
    ['hs_analytics_num_visits', 'number', 'number'],
    ['first_conversion_event_name', 'string', 'text'],
    ['first_conversion_date', ...DATETIME],
    ['recent_conversion_event_name', 'string', 'text'],
    ['recent_conversion_date', ...DATETIME],
    ['num_conversion_events', 'number', 'number'],
    ['hs_analytics_first_touch_converting_campaign', 'string', 'text'],
    ['hs_analytics_last_touch_converting_campaign', 'string', 'text'],
    ['hs_email_last_click_date', ...DATETIME],
    ['hs_email_last_email_name', 'string', 'text'],
    ['hs_lifecyclestage_marketingqualifiedlead_date', ...DATETIME],
    ['hs_lifecyclestage_salesqualifiedlead_date', ...DATETIME],
    ['notes_last_contacted', ...DATETIME],
    ['hs_last_sales_activity_timestamp', ...DATETIME],
    ['hs_sales_email_last_replied', ...DATETIME],
  ],
  companies: [
    ['name', 'string', 'text'],
    ['domain', 'string', 'text'],
    ['industry', 'string', 'text'],
    ['numberofemployees', 'number', 'number'],
    ['annualrevenue', 'number', 'number'],
    ['hs_object_id', 'number', 'number'],
    ['createdate', ...DATETIME],
    ['hs_lastmodifieddate', ...DATETIME],
    ['hubspot_owner_id', 'enumeration', 'select'],
  ],
  deals: [
    ['dealname', 'string', 'text'],
    ['amount', 'number', 'number'],
    ['closedate', ...DATETIME],
    ['dealstage', 'enumeration', 'radio'],
    ['pipeline', 'enumeration', 'select'],
    ['hubspot_owner_id', 'enumeration', 'select'],
    ['hs_is_closed', 'bool', 'booleancheckbox'],
    ['hs_is_closed_won', 'bool', 'booleancheckbox'],
    ['hs_deal_stage_probability', 'number', 'number'],
    ['closed_lost_reason', 'string', 'textarea'],
    ['deal_currency_code', 'enumeration', 'select', ['USD', 'EUR', 'GBP']],
    ['hs_object_id', 'number', 'number'],
    ['createdate', ...DATETIME],
    ['hs_lastmodifieddate', ...DATETIME],
  ],
  products: [
    ['name', 'string', 'text'],
    ['price', 'number', 'number'],
    ['hs_sku', 'string', 'text'],
    ['hs_object_id', 'number', 'number'],
    ['createdate', ...DATETIME],
    ['hs_lastmodifieddate', ...DATETIME],
  ],
  line_items: [
    ['name', 'string', 'text'],
    ['price', 'number', 'number'],
    ['quantity', 'number', 'number'],
    ['discount', 'number', 'number'],
    ['hs_discount_percentage', 'number', 'number'],
    ['amount', 'number', 'number'],
    ['hs_product_id', 'string', 'text'],
    ['hs_object_id', 'number', 'number'],
    ['createdate', ...DATETIME],
    ['hs_lastmodifieddate', ...DATETIME],
  ],
  tasks: [
    ['hs_timestamp', ...DATETIME],
    ['hs_task_subject', 'string', 'text'],
    ['hs_task_body', 'string', 'textarea'],
    [
      'hs_task_status',
      'enumeration',
      'select',
      ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'],
    ],
    ['hs_task_priority', 'enumeration', 'select', ['LOW', 'MEDIUM', 'HIGH', 'NONE']],
    ['hs_task_type', 'enumeration', 'select', ['CALL', 'EMAIL', 'TODO', 'LINKED_IN', 'MEETING']],
    ['hubspot_owner_id', 'enumeration', 'select'],
    ['hs_object_id', 'number', 'number'],
    ['createdate', ...DATETIME],
    ['hs_lastmodifieddate', ...DATETIME],
  ],
};

const GROUP_BY_TYPE: Readonly<Record<ObjectType, string>> = {
  contacts: 'contactinformation',
  companies: 'companyinformation',
  deals: 'dealinformation',
  products: 'productinformation',
  line_items: 'lineiteminformation',
  tasks: 'taskinformation',
};

function seedStandardProperties(definitions: PortalDefinitions, createdAt: number): void {
  for (const type of OBJECT_TYPES) {
    const groupName = GROUP_BY_TYPE[type];
    definitions.addGroup(type, {
      name: groupName,
      label: `${type.replace('_', ' ')} information`,
      displayOrder: 0,
      archived: false,
    });
    STANDARD[type].forEach(([name, valueType, fieldType, options], index) => {
      definitions.addProperty(type, {
        name,
        label: name,
        description: '',
        groupName,
        type: valueType,
        fieldType,
        options: (options ?? []).map((value, order) => ({
          label: value,
          value,
          displayOrder: order,
          hidden: false,
        })),
        displayOrder: index,
        hubspotDefined: true,
        calculated: false,
        externalOptions: false,
        hasUniqueValue: false,
        hidden: false,
        formField: false,
        archived: false,
        createdAt: iso(createdAt),
        updatedAt: iso(createdAt),
        modificationMetadata: {
          archivable: false,
          readOnlyDefinition: true,
          readOnlyValue: false,
        },
      });
    });
  }
}
