import type { ServiceFetch, ServiceRequest } from '../../extensions/app/cards/api/service-fetch';

/** A promise the test settles when it chooses, to hold a request in flight. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** What the card sent through the mocked fetch module, one entry per call. */
export function fetchCalls(
  mock: jest.MockedFunction<ServiceFetch>,
): { path: string; method: ServiceRequest['method']; body: ServiceRequest['body'] }[] {
  return mock.mock.calls.map(([path, request]) => ({
    path,
    method: request.method,
    body: request.body,
  }));
}

interface TextTree {
  text?: string | null;
  childNodes?: TextTree[];
}

/** All text under a rendered node, depth first, one space between text nodes ('' for none). */
export function textOf(node: TextTree | null | undefined): string {
  if (!node) return '';
  if (!node.childNodes) return node.text ?? '';
  return node.childNodes
    .map((child) => textOf(child))
    .filter((text) => text.length > 0)
    .join(' ');
}

/** `trigger` types its argument as the handler itself; this passes the value a real event would carry. */
export function triggerWith(
  node: { trigger: (name: never, arg?: never) => void },
  name: string,
  value: unknown,
): void {
  node.trigger(name as never, value as never);
}

/** Lets pending effects and settled promises run (waitFor re-checks only on a new render). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
