import { hubspot } from '@hubspot/ui-extensions';

import { cardUserOf } from './contact/card-user';
import { HandoffCard } from './contact/HandoffCard';

hubspot.extend<'crm.record.tab'>(({ context }) => (
  <HandoffCard
    contactId={context.crm.objectId}
    timeZone={context.portal.timezone}
    user={cardUserOf(context.user)}
  />
));
