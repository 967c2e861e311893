import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  LoadingButton,
  LoadingSpinner,
  Select,
  StatisticsItem,
  StatusTag,
  Table,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';

import { ServiceError, serviceFetch } from '../../extensions/app/cards/api/service-fetch';
import { cardUserOf } from '../../extensions/app/cards/contact/card-user';
import { HandoffCard } from '../../extensions/app/cards/contact/HandoffCard';
import {
  acceptedView,
  breachedView,
  contactView,
  noHandoffView,
  rejectedView,
} from '../helpers/card-fixtures';
import { deferred, fetchCalls, flush, textOf, triggerWith } from '../helpers/card-testing';

jest.mock('../../extensions/app/cards/api/service-fetch', () => ({
  ...jest.requireActual('../../extensions/app/cards/api/service-fetch'),
  serviceFetch: jest.fn(),
}));
const fetchMock = jest.mocked(serviceFetch);

beforeEach(() => fetchMock.mockReset());

function renderCard() {
  const renderer = createRenderer('crm.record.tab');
  renderer.render(<HandoffCard contactId={5101} timeZone="Europe/Berlin" />);
  return renderer;
}

describe('contact handoff card', () => {
  it('shows a labelled spinner while loading, asking for the contact by id', async () => {
    fetchMock.mockReturnValue(new Promise(() => undefined));
    const { find } = renderCard();
    expect(find(LoadingSpinner).props.label).toBe('Loading the lead handoff');
    await flush();
    expect(find(LoadingSpinner).props.showLabel).toBe(true);
    expect(fetchCalls(fetchMock)).toEqual([
      { path: '/api/card/contacts/5101/handoff', method: 'GET', body: undefined },
    ]);
  });

  it('shows score, grade, top reasons, owner, status, SLA countdown and rep delay', async () => {
    fetchMock.mockResolvedValue(contactView);
    const { find, findByTestId, waitFor, getRootNode } = renderCard();
    await waitFor(() => expect(find(Table, { testId: 'score-reasons' })).toBeDefined());
    const root = textOf(find(Table, { testId: 'score-reasons' }));
    expect(root).toContain('Job title contains VP or Head');
    expect(root).toContain('+25');
    expect(root).toContain('-5');
    expect(root).toContain('Learned feature');
    expect(findByTestId(StatisticsItem, 'score').props.number).toBe(82);
    expect(findByTestId(StatisticsItem, 'rep-delay').props).toMatchObject({
      label: 'Waiting for first touch',
      number: '3 h',
    });
    const all = textOf(find(Table, { testId: 'touchpoints' }));
    expect(all).toContain('Form submission: Demo request form');
    expect(all).toContain('Q4 Demo push');
    expect(findByTestId(StatusTag, 'sla').text).toBe('Due in 1 h 15 min');
    expect(findByTestId(StatusTag, 'handoff-status').text).toBe('Pending');
    const whole = textOf(getRootNode());
    expect(whole).toContain('Dana Whitfield');
    expect(whole).toContain('Grade A');
    expect(whole).toContain('26 Nov 2026, 16:15'); // due 15:15 UTC in Berlin
  });

  it('marks a breached SLA with how long ago it breached', async () => {
    fetchMock.mockResolvedValue(breachedView);
    const { findByTestId, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(StatusTag, 'sla').text).toBe('Breached 2 h ago'));
    expect(findByTestId(StatusTag, 'handoff-status').text).toBe('SLA breached');
  });

  it('shows who accepted and when, with no buttons left', async () => {
    fetchMock.mockResolvedValue(acceptedView);
    const { findByTestId, maybeFind, waitFor } = renderCard();
    await waitFor(() =>
      expect(findByTestId(Text, 'decision').text).toBe('Accepted by Sam Rep on 26 Nov 2026, 14:40'),
    );
    expect(findByTestId(StatusTag, 'sla').text).toBe('Met');
    expect(maybeFind(LoadingButton, { testId: 'accept' })).toBeNull();
  });

  it('shows the empty state with what to do when the contact never became an MQL', async () => {
    fetchMock.mockResolvedValue(noHandoffView);
    const { find, waitFor } = renderCard();
    await waitFor(() =>
      expect(find(EmptyState).props.title).toBe('No handoff for this contact yet'),
    );
    expect(textOf(find(EmptyState))).toContain('Set the lifecycle stage to MQL');
  });

  it('treats a 404 as a contact Truce has not received yet', async () => {
    fetchMock.mockRejectedValue(new ServiceError('http', 'contact not found', 404, 'not_found'));
    const { find, waitFor } = renderCard();
    await waitFor(() => expect(textOf(find(EmptyState))).toContain('truce backfill'));
  });

  it('says the service is unreachable and retries on request', async () => {
    fetchMock.mockRejectedValueOnce(
      new ServiceError('unreachable', 'Truce did not answer: timeout'),
    );
    fetchMock.mockResolvedValueOnce(contactView);
    const { find, waitFor } = renderCard();
    await waitFor(() => expect(find(ErrorState).props.title).toBe('Truce is unreachable'));
    expect(textOf(find(ErrorState))).toContain('Truce did not answer: timeout');
    find(Button, { testId: 'retry' }).trigger('onClick');
    await waitFor(() => expect(find(Table, { testId: 'score-reasons' })).toBeDefined());
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("names HubSpot's wrapped errors as such", async () => {
    fetchMock.mockRejectedValue(
      new ServiceError(
        'wrapped',
        'HubSpot could not reach Truce: upstream 502 (reference abc).',
        502,
      ),
    );
    const { find, waitFor } = renderCard();
    await waitFor(() => expect(find(ErrorState).props.title).toBe('HubSpot could not reach Truce'));
    expect(textOf(find(ErrorState))).toContain('reference abc');
  });

  it('accepts: posts the handoff id, then shows the decision in place', async () => {
    fetchMock.mockResolvedValueOnce(contactView);
    const answer = deferred<unknown>();
    fetchMock.mockReturnValueOnce(answer.promise as Promise<never>);
    const { find, findByTestId, maybeFind, waitFor } = renderCard();
    await waitFor(() => expect(find(LoadingButton, { testId: 'accept' })).toBeDefined());

    find(LoadingButton, { testId: 'accept' }).trigger('onClick');
    await waitFor(() => expect(find(LoadingButton, { testId: 'accept' }).props.loading).toBe(true));
    expect(fetchCalls(fetchMock)[1]).toEqual({
      path: '/api/card/contacts/5101/handoff/accept',
      method: 'POST',
      body: { handoffId: 'h-41' },
    });

    answer.resolve(acceptedView);
    await waitFor(() =>
      expect(findByTestId(Text, 'decision').text).toContain('Accepted by Sam Rep'),
    );
    expect(findByTestId(StatusTag, 'handoff-status').text).toBe('Accepted (SQL)');
    expect(maybeFind(LoadingButton, { testId: 'accept' })).toBeNull();
    expect(fetchMock).toHaveBeenCalledTimes(2); // updated from the answer, not by reloading
  });

  it('rejects: needs a reason, posts reason and note, then shows reason and note in place', async () => {
    fetchMock.mockResolvedValueOnce(contactView).mockResolvedValueOnce(rejectedView);
    const { find, findByTestId, waitFor, getRootNode } = renderCard();
    await waitFor(() => expect(find(Button, { testId: 'reject' })).toBeDefined());

    find(Button, { testId: 'reject' }).trigger('onClick');
    await waitFor(() => expect(find(Select, { testId: 'reject-reason' })).toBeDefined());
    const select = find(Select, { testId: 'reject-reason' });
    expect(select.props.label).toBe('Rejection reason');
    expect(select.props.options.map((option) => option.value)).toEqual([
      'not_icp',
      'no_budget',
      'bad_timing',
      'duplicate',
    ]);
    expect(find(LoadingButton, { testId: 'confirm-reject' }).props.disabled).toBe(true);

    triggerWith(select, 'onChange', 'no_budget');
    triggerWith(find(TextArea, { testId: 'reject-note' }), 'onChange', '  Budget frozen until Q2 ');
    await waitFor(() =>
      expect(find(LoadingButton, { testId: 'confirm-reject' }).props.disabled).toBe(false),
    );
    find(LoadingButton, { testId: 'confirm-reject' }).trigger('onClick');

    await waitFor(() =>
      expect(findByTestId(Text, 'decision').text).toContain('Rejected by Sam Rep'),
    );
    expect(fetchCalls(fetchMock)[1]).toEqual({
      path: '/api/card/contacts/5101/handoff/reject',
      method: 'POST',
      body: { handoffId: 'h-41', reasonCode: 'no_budget', note: 'Budget frozen until Q2' },
    });
    const whole = textOf(getRootNode());
    expect(whole).toContain('Reason: No budget');
    expect(whole).toContain('Note: Budget frozen until Q2');
  });

  it('names the viewing rep (context.user) in the signed body of accept and reject', async () => {
    fetchMock
      .mockResolvedValueOnce(contactView)
      .mockResolvedValueOnce(contactView)
      .mockResolvedValueOnce(rejectedView);
    const renderer = createRenderer('crm.record.tab');
    renderer.render(
      <HandoffCard
        contactId={5101}
        user={cardUserOf({ id: 77, firstName: 'Sam', lastName: 'Rep', email: 'sam@example.com' })}
      />,
    );
    const { find, findByTestId, waitFor } = renderer;
    await waitFor(() => expect(find(LoadingButton, { testId: 'accept' })).toBeDefined());
    find(LoadingButton, { testId: 'accept' }).trigger('onClick');
    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2));
    expect(fetchCalls(fetchMock)[1]!.body).toEqual({
      handoffId: 'h-41',
      actor: { id: '77', name: 'Sam Rep' },
    });

    await waitFor(() => expect(find(Button, { testId: 'reject' })).toBeDefined());
    find(Button, { testId: 'reject' }).trigger('onClick');
    await waitFor(() => expect(find(Select, { testId: 'reject-reason' })).toBeDefined());
    triggerWith(find(Select, { testId: 'reject-reason' }), 'onChange', 'no_budget');
    await waitFor(() =>
      expect(find(LoadingButton, { testId: 'confirm-reject' }).props.disabled).toBe(false),
    );
    find(LoadingButton, { testId: 'confirm-reject' }).trigger('onClick');
    await waitFor(() => expect(findByTestId(Text, 'decision').text).toContain('Rejected by'));
    expect(fetchCalls(fetchMock)[2]!.body).toEqual({
      handoffId: 'h-41',
      reasonCode: 'no_budget',
      note: '',
      actor: { id: '77', name: 'Sam Rep' },
    });
  });

  it.each<[string, Parameters<typeof cardUserOf>[0], ReturnType<typeof cardUserOf>]>([
    [
      'full name',
      { id: 5, firstName: ' Ada ', lastName: 'Lovelace' },
      { id: '5', name: 'Ada Lovelace' },
    ],
    [
      'e-mail without a name',
      { id: 5, firstName: '', lastName: '', email: 'ada@example.com' },
      { id: '5', name: 'ada@example.com' },
    ],
    ['neither', { id: 5 }, { id: '5', name: null }],
    ['no user id: nobody', { firstName: 'Ada' }, undefined],
    ['no context user', undefined, undefined],
  ])('cardUserOf: %s', (_label, user, expected) => {
    expect(cardUserOf(user)).toEqual(expected);
  });

  it('keeps the card and says why when a decision fails, and offers Reload on a conflict', async () => {
    fetchMock
      .mockResolvedValueOnce(contactView)
      .mockRejectedValueOnce(
        new ServiceError('unreachable', 'Truce did not answer: socket hang up'),
      )
      .mockRejectedValueOnce(
        new ServiceError(
          'http',
          'Sam Rep accepted this lead a minute ago.',
          409,
          'handoff_already_decided',
        ),
      )
      .mockResolvedValueOnce(acceptedView);
    const { find, findByTestId, waitFor } = renderCard();
    await waitFor(() => expect(find(LoadingButton, { testId: 'accept' })).toBeDefined());

    find(LoadingButton, { testId: 'accept' }).trigger('onClick');
    await waitFor(() =>
      expect(findByTestId(Alert, 'decision-error').props.title).toBe('Truce is unreachable'),
    );
    expect(find(LoadingButton, { testId: 'accept' }).props.disabled).toBe(false);

    find(LoadingButton, { testId: 'accept' }).trigger('onClick');
    await waitFor(() =>
      expect(findByTestId(Alert, 'decision-error').props.title).toBe('This handoff changed'),
    );
    expect(textOf(findByTestId(Alert, 'decision-error'))).toContain(
      'accepted this lead a minute ago',
    );

    findByTestId(Alert, 'decision-error').find(Button).trigger('onClick');
    await waitFor(() =>
      expect(findByTestId(Text, 'decision').text).toContain('Accepted by Sam Rep'),
    );
    expect(fetchCalls(fetchMock).map((call) => call.method)).toEqual([
      'GET',
      'POST',
      'POST',
      'GET',
    ]);
  });

  it('drops a stale answer when the contact changes', async () => {
    const first = deferred<unknown>();
    fetchMock
      .mockReturnValueOnce(first.promise as Promise<never>)
      .mockResolvedValueOnce(breachedView);
    const renderer = createRenderer('crm.record.tab');
    renderer.render(<HandoffCard contactId={1} timeZone="UTC" />);
    renderer.render(<HandoffCard contactId={2} timeZone="UTC" />);
    await renderer.waitFor(() =>
      expect(renderer.findByTestId(StatusTag, 'sla').text).toBe('Breached 2 h ago'),
    );
    first.resolve(contactView);
    await flush();
    expect(renderer.findByTestId(StatusTag, 'sla').text).toBe('Breached 2 h ago');
    expect(fetchCalls(fetchMock).map((call) => call.path)).toEqual([
      '/api/card/contacts/1/handoff',
      '/api/card/contacts/2/handoff',
    ]);
  });
});
