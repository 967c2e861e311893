import { hubspot } from '@hubspot/ui-extensions';

import { HandoffCard } from './contact/HandoffCard';

hubspot.extend<'crm.record.tab'>(({ context }) => (
  <HandoffCard contactId={context.crm.objectId} timeZone={context.portal.timezone} />
));
