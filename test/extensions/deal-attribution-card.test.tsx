import {
  Alert,
  BarChart,
  Button,
  EmptyState,
  ErrorState,
  LoadingSpinner,
  Select,
  Table,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';

import { ServiceError, serviceFetch } from '../../extensions/app/cards/api/service-fetch';
import { AttributionCard } from '../../extensions/app/cards/deal/AttributionCard';
import { dealView, lostDealView, noTouchDealView, openDealView } from '../helpers/card-fixtures';
import { deferred, fetchCalls, flush, textOf, triggerWith } from '../helpers/card-testing';

jest.mock('../../extensions/app/cards/api/service-fetch', () => ({
  ...jest.requireActual('../../extensions/app/cards/api/service-fetch'),
  serviceFetch: jest.fn(),
}));
const fetchMock = jest.mocked(serviceFetch);

beforeEach(() => fetchMock.mockReset());

function renderCard() {
  const renderer = createRenderer('crm.record.tab');
  renderer.render(<AttributionCard dealId={880} timeZone="UTC" />);
  return renderer;
}

const rowsOf = (table: { findAll: (component: typeof TableRow) => { text: string | null }[] }) =>
  table.findAll(TableRow).map((row) => textOf(row));

describe('deal attribution card', () => {
  it('shows a labelled spinner and asks for the default model first', async () => {
    fetchMock.mockReturnValue(new Promise(() => undefined));
    const { find } = renderCard();
    expect(find(LoadingSpinner).props.label).toBe("Loading the deal's attribution");
    await flush();
    expect(fetchCalls(fetchMock)).toEqual([
      { path: '/api/card/deals/880/attribution', method: 'GET', body: undefined },
    ]);
  });

  it('shows credit per campaign and channel as a table and a bar chart, the spread, and the journey', async () => {
    fetchMock.mockResolvedValue(dealView);
    const { find, findByTestId, waitFor, getRootNode, maybeFind } = renderCard();
    await waitFor(() => expect(findByTestId(Table, 'credits')).toBeDefined());

    expect(rowsOf(findByTestId(Table, 'credits'))).toEqual([
      'Campaign Channel Credit Share',
      'RevOps webinar Events $19,200.00 40.0 %',
      'Q4 Demo push Paid search $14,400.00 30.0 %',
      'November newsletter Email $9,600.00 20.0 %',
      'No campaign Direct $4,800.00 10.0 %',
    ]);
    const chart = find(BarChart);
    expect(chart.props.data).toEqual([
      { campaign: 'RevOps webinar', channel: 'Events', credit: 19200 },
      { campaign: 'Q4 Demo push', channel: 'Paid search', credit: 14400 },
      { campaign: 'November newsletter', channel: 'Email', credit: 9600 },
      { campaign: 'No campaign', channel: 'Direct', credit: 4800 },
    ]);
    expect(chart.props.axes.options).toEqual({ groupFieldByColor: 'channel', stacking: true });

    expect(rowsOf(findByTestId(Table, 'spread'))).toEqual([
      'Campaign Lowest Highest Highest ÷ lowest',
      'RevOps webinar $0.00 (Last touch) $48,000.00 (First touch) ∞ (zero under one model)',
      'Q4 Demo push $12,000.00 (Linear) $16,800.00 (Markov (order 1)) 1.40×',
      'November newsletter $6,000.00 (Shapley) $12,000.00 (Linear) 2.00×',
    ]);

    const journey = findByTestId(Table, 'journey');
    expect(journey.findAll(Tag).map((tag) => tag.text)).toEqual(['FT', 'LC', 'OC', 'CW']);
    expect(rowsOf(journey)[1]).toBe('1 27 Sept 2026, 14:00 Event · Events RevOps webinar FT');

    const whole = textOf(getRootNode());
    expect(whole).toContain('Acme Corp: annual plan: $48,000.00');
    expect(whole).toContain('Closed won');
    expect(maybeFind(Alert, { testId: 'expected-note' })).toBeNull();
    expect(maybeFind(Text, { testId: 'journey-omitted' })).toBeNull();
  });

  it('offers every model the service reports and reloads with ?model= when one is picked', async () => {
    fetchMock.mockResolvedValueOnce(dealView).mockResolvedValueOnce({
      ...dealView,
      model: 'shapley',
      credits: dealView.credits.slice(0, 2),
    });
    const { find, waitFor, findByTestId } = renderCard();
    await waitFor(() => expect(find(Select, { testId: 'model' })).toBeDefined());
    const select = find(Select, { testId: 'model' });
    expect(select.props.label).toBe('Attribution model');
    expect(select.props.value).toBe('w_shaped');
    expect(select.props.options.map((option) => option.label)).toEqual([
      'First touch',
      'Last touch',
      'Linear',
      'W-shaped',
      'Markov (order 1)',
      'Shapley',
    ]);

    triggerWith(select, 'onChange', 'shapley');
    await waitFor(() => expect(find(Select, { testId: 'model' }).props.value).toBe('shapley'));
    expect(fetchCalls(fetchMock)[1]).toEqual({
      path: '/api/card/deals/880/attribution?model=shapley',
      method: 'GET',
      body: undefined,
    });
    expect(rowsOf(findByTestId(Table, 'credits'))).toHaveLength(3);
  });

  it('keeps the credit on screen while another model loads, and ignores a slow answer the rep left', async () => {
    const slowMarkov = deferred<unknown>();
    fetchMock
      .mockResolvedValueOnce(dealView)
      .mockReturnValueOnce(slowMarkov.promise as Promise<never>)
      .mockResolvedValueOnce({
        ...dealView,
        model: 'linear',
        credits: dealView.credits.slice(0, 1),
      });
    const { find, findByTestId, maybeFind, waitFor } = renderCard();
    await waitFor(() => expect(find(Select, { testId: 'model' })).toBeDefined());

    triggerWith(find(Select, { testId: 'model' }), 'onChange', 'markov');
    await waitFor(() => expect(maybeFind(LoadingSpinner)).not.toBeNull());
    expect(find(Select, { testId: 'model' }).props.value).toBe('markov');
    expect(rowsOf(findByTestId(Table, 'credits'))).toHaveLength(5); // the W-shaped credit, still shown

    triggerWith(find(Select, { testId: 'model' }), 'onChange', 'linear');
    await waitFor(() => expect(rowsOf(findByTestId(Table, 'credits'))).toHaveLength(2));
    slowMarkov.resolve({ ...dealView, model: 'markov' });
    await flush();
    expect(rowsOf(findByTestId(Table, 'credits'))).toHaveLength(2);
    expect(find(Select, { testId: 'model' }).props.value).toBe('linear');
    expect(maybeFind(LoadingSpinner)).toBeNull();
    expect(fetchCalls(fetchMock).map((call) => call.path)).toEqual([
      '/api/card/deals/880/attribution',
      '/api/card/deals/880/attribution?model=markov',
      '/api/card/deals/880/attribution?model=linear',
    ]);
  });

  it('drops the answer for a deal the card no longer shows', async () => {
    const first = deferred<unknown>();
    fetchMock
      .mockReturnValueOnce(first.promise as Promise<never>)
      .mockResolvedValueOnce({ ...dealView, dealId: '2', dealName: 'Second deal' });
    const renderer = createRenderer('crm.record.tab');
    renderer.render(<AttributionCard dealId={1} />);
    renderer.render(<AttributionCard dealId={2} />);
    await renderer.waitFor(() => expect(textOf(renderer.getRootNode())).toContain('Second deal'));
    first.resolve(dealView);
    await flush();
    expect(textOf(renderer.getRootNode())).toContain('Second deal');
    expect(textOf(renderer.getRootNode())).not.toContain('Acme Corp');
  });

  it('notes that an open deal shows the expected credit if it closes now', async () => {
    fetchMock.mockResolvedValue(openDealView);
    const { findByTestId, waitFor, getRootNode } = renderCard();
    await waitFor(() =>
      expect(findByTestId(Alert, 'expected-note').props.title).toBe(
        'Expected credit if it closes now',
      ),
    );
    expect(textOf(findByTestId(Alert, 'expected-note'))).toContain(
      'closed won today for $48,000.00',
    );
    expect(textOf(getRootNode())).toContain('Open');
    expect(findByTestId(Text, 'journey-omitted').text).toBe(
      '37 earlier touches without a milestone are not listed; every model still counts them.',
    );
  });

  it('explains a lost deal instead of crediting it', async () => {
    fetchMock.mockResolvedValue(lostDealView);
    const { findByTestId, maybeFind, waitFor, getRootNode } = renderCard();
    await waitFor(() => expect(findByTestId(Alert, 'lost-note')).toBeDefined());
    expect(maybeFind(Table, { testId: 'credits' })).toBeNull();
    expect(textOf(getRootNode())).toContain('No credit under W-shaped.');
  });

  it('shows the empty state with what to do when the deal has no touches', async () => {
    fetchMock.mockResolvedValue(noTouchDealView);
    const { find, waitFor } = renderCard();
    await waitFor(() =>
      expect(find(EmptyState).props.title).toBe('No marketing touches on this deal yet'),
    );
    expect(textOf(find(EmptyState))).toContain('Associate the contacts who took part');
  });

  it('shows the service error with its code and retries', async () => {
    fetchMock
      .mockRejectedValueOnce(
        new ServiceError('http', 'Unknown model "nope".', 422, 'unknown_model'),
      )
      .mockResolvedValueOnce(dealView);
    const { find, findByTestId, waitFor } = renderCard();
    await waitFor(() =>
      expect(find(ErrorState).props.title).toBe('Could not load the attribution'),
    );
    expect(textOf(find(ErrorState))).toContain('Unknown model "nope". (HTTP 422, unknown_model)');
    find(Button, { testId: 'retry' }).trigger('onClick');
    await waitFor(() => expect(findByTestId(Table, 'credits')).toBeDefined());
  });

  it('says when the service answered in a shape the card does not know', async () => {
    fetchMock.mockRejectedValue(
      new ServiceError(
        'invalid-body',
        'Truce answered in a shape this card does not understand.',
        200,
      ),
    );
    const { find, waitFor } = renderCard();
    await waitFor(() => expect(textOf(find(ErrorState))).toContain('does not understand'));
  });
});
