import { renderScene, SCENES } from '../helpers/render-cards';

// `npm run cards:render` feeds the README's "What a rep sees": each scene must render the state it names.
const EXPECTED_ROOT: [string, RegExp][] = [
  ['loading', /^LoadingSpinner /],
  ['unreachable', /^ErrorState title="Truce is unreachable"/],
  ['wrapped', /^ErrorState title="HubSpot could not reach Truce"/],
  ['service error', /^ErrorState title="Could not load the attribution"/],
  ['no handoff', /^EmptyState title="No handoff for this contact yet"/],
  ['no touches', /^EmptyState title="No marketing touches on this deal yet"/],
  ['rejecting', /Select label="Rejection reason"/],
  ['accepted', /Text: "Accepted by Sam Rep on /],
  ['rejected', /Text: "Reason: No budget"/],
  ['breached', /StatusTag variant="danger": "Breached 2 h ago"/],
  ['pending', /LoadingButton variant="primary" loading=false disabled=false: "Accept lead"/],
  ['closed won', /BarChart data=/],
  ['open deal', /Alert title="Expected credit if it closes now"/],
  ['closed lost', /Alert title="No revenue to credit"/],
];

describe('cards:render', () => {
  it.each(SCENES.map((scene) => [scene.title, scene] as const))('%s', async (title, scene) => {
    const printed = await renderScene(scene);
    const expectation = EXPECTED_ROOT.find(([key]) => title.includes(key));
    expect(expectation).toBeDefined();
    expect(printed).toMatch(expectation![1]);
  });
});
