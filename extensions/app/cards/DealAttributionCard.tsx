import { hubspot } from '@hubspot/ui-extensions';

import { AttributionCard } from './deal/AttributionCard';

hubspot.extend<'crm.record.tab'>(({ context }) => (
  <AttributionCard dealId={context.crm.objectId} timeZone={context.portal.timezone} />
));
