import { useCallback, useEffect, useRef, useState } from 'react';

import {
  CARD_ERROR_CODES,
  type CardHandoff,
  cardPaths,
  type CardUser,
  type ContactHandoffView,
} from '../api/contract';
import { isContactHandoffView } from '../api/contract-guards';
import { ServiceError, type ServiceFetch } from '../api/service-fetch';

export type ReadyHandoffView = ContactHandoffView & { handoff: CardHandoff };

export type ContactHandoffState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'empty'; reason: 'no-handoff' | 'unknown-contact' }
  | { status: 'ready'; view: ReadyHandoffView };

export type DecisionState =
  | { status: 'idle' }
  | { status: 'submitting'; outcome: 'accept' | 'reject' }
  | { status: 'failed'; outcome: 'accept' | 'reject'; error: unknown };

export interface ContactHandoffHook {
  state: ContactHandoffState;
  decision: DecisionState;
  reload: () => void;
  accept: () => void;
  reject: (reasonCode: string, note: string) => void;
}

function stateFromView(view: ContactHandoffView): ContactHandoffState {
  return view.handoff === null
    ? { status: 'empty', reason: 'no-handoff' }
    : { status: 'ready', view: view as ReadyHandoffView };
}

/**
 * The contact card's one data hook: loads the handoff view and sends accept / reject, naming the deciding
 * user (the card's `context.user`) in the signed body when the card knows it.
 */
export function useContactHandoff(
  contactId: string | number,
  fetcher: ServiceFetch,
  user?: CardUser,
): ContactHandoffHook {
  const [state, setState] = useState<ContactHandoffState>({ status: 'loading' });
  const [decision, setDecision] = useState<DecisionState>({ status: 'idle' });
  // Every request takes a ticket; an answer whose ticket is no longer the latest is stale and dropped.
  const latest = useRef(0);

  const load = useCallback(() => {
    const ticket = ++latest.current;
    setState({ status: 'loading' });
    setDecision({ status: 'idle' });
    fetcher(cardPaths.contactHandoff(contactId), { method: 'GET' }, isContactHandoffView).then(
      (view) => {
        if (ticket === latest.current) setState(stateFromView(view));
      },
      (error: unknown) => {
        if (ticket !== latest.current) return;
        const unknownContact =
          error instanceof ServiceError && error.kind === 'http' && error.status === 404;
        setState(
          unknownContact
            ? { status: 'empty', reason: 'unknown-contact' }
            : { status: 'error', error },
        );
      },
    );
  }, [contactId, fetcher]);

  useEffect(() => {
    load();
    return () => {
      latest.current += 1;
    };
  }, [load]);

  const send = useCallback(
    (outcome: 'accept' | 'reject', path: string, body: Record<string, unknown>) => {
      const ticket = ++latest.current;
      setDecision({ status: 'submitting', outcome });
      fetcher(path, { method: 'POST', body }, isContactHandoffView).then(
        (view) => {
          if (ticket !== latest.current) return;
          setDecision({ status: 'idle' });
          setState(stateFromView(view));
        },
        (error: unknown) => {
          if (ticket !== latest.current) return;
          setDecision({ status: 'failed', outcome, error });
        },
      );
    },
    [fetcher],
  );

  const currentHandoffId = state.status === 'ready' ? state.view.handoff.id : null;
  const userId = user?.id;
  const userName = user?.name ?? null;

  const accept = useCallback(() => {
    if (currentHandoffId === null) return;
    send('accept', cardPaths.acceptHandoff(contactId), {
      handoffId: currentHandoffId,
      ...(userId ? { actor: { id: userId, name: userName } } : {}),
    });
  }, [contactId, currentHandoffId, send, userId, userName]);

  const reject = useCallback(
    (reasonCode: string, note: string) => {
      if (currentHandoffId === null) return;
      send('reject', cardPaths.rejectHandoff(contactId), {
        handoffId: currentHandoffId,
        reasonCode,
        note,
        ...(userId ? { actor: { id: userId, name: userName } } : {}),
      });
    },
    [contactId, currentHandoffId, send, userId, userName],
  );

  return { state, decision, reload: load, accept, reject };
}

/** A 409 means someone else decided first or a new handoff began: the rep should reload, not retry. */
export function isConflict(error: unknown): boolean {
  return (
    error instanceof ServiceError &&
    (error.code === CARD_ERROR_CODES.alreadyDecided ||
      error.code === CARD_ERROR_CODES.handoffChanged)
  );
}
