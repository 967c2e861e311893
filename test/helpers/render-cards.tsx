/**
 * `npm run cards:render`: prints what a rep sees in each state of both cards, as the component tree HubSpot's
 * test renderer produces (the same renderer the card tests use), with the service answers from the fixtures.
 */
import { Button } from '@hubspot/ui-extensions';
import {
  createRenderer,
  type RenderedChildNode,
  type RenderedRootNode,
} from '@hubspot/ui-extensions/testing';
import type { ReactElement } from 'react';

import { ServiceError, type ServiceFetch } from '../../extensions/app/cards/api/service-fetch';
import { HandoffCard } from '../../extensions/app/cards/contact/HandoffCard';
import { AttributionCard } from '../../extensions/app/cards/deal/AttributionCard';
import {
  acceptedView,
  breachedView,
  contactView,
  dealView,
  lostDealView,
  noHandoffView,
  noTouchDealView,
  openDealView,
  rejectedView,
} from './card-fixtures';

const answer = (body: unknown): ServiceFetch => (() => Promise.resolve(body)) as ServiceFetch;
const failure = (error: ServiceError): ServiceFetch =>
  (() => Promise.reject(error)) as ServiceFetch;
const never: ServiceFetch = () => new Promise(() => undefined);

interface Scene {
  title: string;
  element: (fetcher: ServiceFetch) => ReactElement;
  fetcher: ServiceFetch;
  /** A click to make before printing (by the button's testId). */
  click?: string;
}

const contact = (fetcher: ServiceFetch) => (
  <HandoffCard contactId={5101} timeZone="Europe/Berlin" fetcher={fetcher} />
);
const deal = (fetcher: ServiceFetch) => (
  <AttributionCard dealId={880} timeZone="UTC" fetcher={fetcher} />
);

export const SCENES: Scene[] = [
  { title: 'Contact card: loading', element: contact, fetcher: never },
  {
    title: 'Contact card: pending handoff, SLA running',
    element: contact,
    fetcher: answer(contactView),
  },
  {
    title: 'Contact card: rejecting (reason and note)',
    element: contact,
    fetcher: answer(contactView),
    click: 'reject',
  },
  { title: 'Contact card: accepted', element: contact, fetcher: answer(acceptedView) },
  { title: 'Contact card: rejected', element: contact, fetcher: answer(rejectedView) },
  { title: 'Contact card: SLA breached', element: contact, fetcher: answer(breachedView) },
  { title: 'Contact card: no handoff yet', element: contact, fetcher: answer(noHandoffView) },
  {
    title: 'Contact card: service unreachable',
    element: contact,
    fetcher: failure(new ServiceError('unreachable', 'Truce did not answer: Request timed out')),
  },
  {
    title: 'Contact card: HubSpot wrapped an error',
    element: contact,
    fetcher: failure(
      new ServiceError(
        'wrapped',
        'HubSpot could not reach Truce: Bad gateway (reference 1f2e).',
        502,
      ),
    ),
  },
  { title: 'Deal card: loading', element: deal, fetcher: never },
  { title: 'Deal card: closed won', element: deal, fetcher: answer(dealView) },
  { title: 'Deal card: open deal (expected credit)', element: deal, fetcher: answer(openDealView) },
  { title: 'Deal card: closed lost', element: deal, fetcher: answer(lostDealView) },
  { title: 'Deal card: no touches yet', element: deal, fetcher: answer(noTouchDealView) },
  {
    title: 'Deal card: service error',
    element: deal,
    fetcher: failure(new ServiceError('http', 'Unknown model "nope".', 422, 'unknown_model')),
  },
];

const settle = () => new Promise((resolve) => setImmediate(resolve));

export interface PrintOptions {
  /** Show at most this many rows per table body (the README's trimmed rendering). */
  maxRows?: number;
}

export async function renderScene(scene: Scene, options: PrintOptions = {}): Promise<string> {
  const renderer = createRenderer('crm.record.tab');
  renderer.render(scene.element(scene.fetcher));
  await settle();
  await settle();
  if (scene.click) {
    renderer.findByTestId(Button, scene.click).trigger('onClick');
    await settle();
  }
  return printTree(renderer.getRootNode(), options);
}

// Props a reader learns nothing from (handlers, test ids) are left out; the rest is printed compactly.
const HIDDEN_PROPS = new Set(['testId', 'children']);

function printProps(props: Record<string, unknown>): string {
  return Object.entries(props)
    .filter(
      ([name, value]) =>
        !HIDDEN_PROPS.has(name) && typeof value !== 'function' && value !== undefined,
    )
    .map(([name, value]) => {
      if (typeof value === 'string') return `${name}="${value}"`;
      const json = JSON.stringify(value);
      return `${name}=${json.length > 90 ? `${json.slice(0, 87)}...` : json}`;
    })
    .join(' ');
}

function printNode(
  node: RenderedChildNode,
  depth: number,
  lines: string[],
  options: PrintOptions,
): void {
  const indent = '  '.repeat(depth);
  if (node.nodeType === 'text') {
    lines.push(`${indent}"${node.text}"`);
    return;
  }
  const props = printProps(node.props as Record<string, unknown>);
  const head = `${indent}${node.name}${props ? ` ${props}` : ''}`;
  const children = node.childNodes;
  const cells = node.name === 'TableRow' ? rowCells(children) : null;
  if (cells) {
    lines.push(`${indent}| ${cells.join(' | ')} |`);
  } else if (children.length === 0) {
    lines.push(head);
  } else if (children.every((child) => child.nodeType === 'text')) {
    lines.push(`${head}: "${children.map((child) => child.text).join('')}"`);
  } else {
    lines.push(head);
    const limit = node.name === 'TableBody' ? (options.maxRows ?? Infinity) : Infinity;
    for (const child of children.slice(0, limit)) printNode(child, depth + 1, lines, options);
    if (children.length > limit)
      lines.push(
        `${indent}  … ${children.length - limit} more row${children.length - limit === 1 ? '' : 's'}`,
      );
  }
}

/** A table row whose cells hold only text prints as one line, like the table reads on screen. */
function rowCells(children: RenderedChildNode[]): string[] | null {
  const cells: string[] = [];
  for (const cell of children) {
    if (cell.nodeType !== 'element') return null;
    if (!cell.childNodes.every((child) => child.nodeType === 'text')) {
      // Tags inside a cell (the journey's milestones) print as [FT].
      const tags = cell.childNodes.map((child) =>
        child.nodeType === 'element' && child.name === 'Tag' ? `[${child.text ?? ''}]` : null,
      );
      if (tags.some((tag) => tag === null)) return null;
      cells.push(tags.join(' '));
      continue;
    }
    cells.push(cell.childNodes.map((child) => child.text).join(''));
  }
  return cells;
}

export function printTree(root: RenderedRootNode, options: PrintOptions = {}): string {
  const lines: string[] = [];
  for (const child of root.childNodes) printNode(child, 0, lines, options);
  return lines.join('\n');
}

/** `cards:render [--rows N]`: every scene, tables cut to N body rows when asked. */
async function main(args: string[]): Promise<void> {
  const rowsAt = args.indexOf('--rows');
  const options: PrintOptions = rowsAt >= 0 ? { maxRows: Number(args[rowsAt + 1]) } : {};
  for (const scene of SCENES) {
    process.stdout.write(`### ${scene.title}\n\n${await renderScene(scene, options)}\n\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
