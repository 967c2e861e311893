import { useCallback, useEffect, useRef, useState } from 'react';

import { cardPaths, type DealAttributionView } from '../api/contract';
import { isDealAttributionView } from '../api/contract-guards';
import type { ServiceFetch } from '../api/service-fetch';

export type DealAttributionState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'empty'; view: DealAttributionView }
  /** `refreshing`: another model is loading; the previous credit stays on screen until it lands. */
  | { status: 'ready'; view: DealAttributionView; refreshing: boolean };

export interface DealAttributionHook {
  state: DealAttributionState;
  /** The model asked for; null until the rep picks one (the service then answers with its default). */
  model: string | null;
  selectModel: (model: string) => void;
  reload: () => void;
}

/** The deal card's one data hook: loads the attribution view for the chosen model. */
export function useDealAttribution(
  dealId: string | number,
  fetcher: ServiceFetch,
): DealAttributionHook {
  const [state, setState] = useState<DealAttributionState>({ status: 'loading' });
  const [model, setModel] = useState<string | null>(null);
  // A rep flicking through models fires overlapping requests; only the latest may land.
  const latest = useRef(0);

  const load = useCallback(() => {
    const ticket = ++latest.current;
    setState((previous) =>
      previous.status === 'ready' ? { ...previous, refreshing: true } : { status: 'loading' },
    );
    fetcher(
      cardPaths.dealAttribution(dealId, model),
      { method: 'GET' },
      isDealAttributionView,
    ).then(
      (view) => {
        if (ticket !== latest.current) return;
        setState(
          view.journey.length === 0
            ? { status: 'empty', view }
            : { status: 'ready', view, refreshing: false },
        );
      },
      (error: unknown) => {
        if (ticket === latest.current) setState({ status: 'error', error });
      },
    );
  }, [dealId, model, fetcher]);

  useEffect(() => {
    load();
    return () => {
      latest.current += 1;
    };
  }, [load]);

  return { state, model, selectModel: setModel, reload: load };
}
