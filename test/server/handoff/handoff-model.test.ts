import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import nock from 'nock';

import { contactHandoffViewSchema } from '../../../server/card/card-contract.schema';
import { fitLearnedModel, scoreLearned } from '../../../src/handoff/score-learned';
import { testConfig } from '../../helpers/config';
import { dialects } from '../../helpers/database';
import { cardRequest } from '../../helpers/handoff';
import { startTestService, type TestService } from '../../helpers/service';
import {
  hubspotEvent,
  PORTAL_ID,
  postWebhook,
  settingsFile,
  webhookEnv,
} from '../../helpers/webhooks';

const API = 'https://api.hubapi.test';
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

/** Managers convert far more often than students: a model the score must follow. */
function trainingData() {
  const rows: { occupation: string }[] = [];
  const labels: number[] = [];
  for (let index = 0; index < 400; index += 1) {
    const manager = index % 2 === 0;
    rows.push({ occupation: manager ? 'Manager' : 'Student' });
    labels.push(manager ? (index % 10 < 8 ? 1 : 0) : index % 10 === 1 ? 1 : 0);
  }
  return { rows, labels };
}

describe.each(dialects)('handoff scored by a fitted model file on %s', (dialect) => {
  let running: TestService;
  const clock = T0;
  const { rows, labels } = trainingData();
  const model = fitLearnedModel(rows, labels, {
    label: 'converted',
    columns: ['occupation'],
    seed: 3,
    numericBins: 0,
    minLevelCount: 5,
  });

  beforeAll(async () => {
    const modelFile = path.join(mkdtempSync(path.join(tmpdir(), 'truce-model-')), 'model.json');
    writeFileSync(modelFile, JSON.stringify(model));
    const config = testConfig(
      webhookEnv({
        HUBSPOT_ACCESS_TOKEN: 'test-token',
        HUBSPOT_API_BASE: API,
        TRUCE_CONFIG: settingsFile(
          `handoff:\n  scoring:\n    model: { file: ${JSON.stringify(modelFile)}, weight: 1 }\n  routing:\n    owners: [{ id: "9" }]\n`,
        ),
      }),
    );
    running = await startTestService(config, dialect, { now: () => clock, startWorkers: false });
  });

  afterAll(async () => {
    nock.cleanAll();
    await running.stop();
  });

  it('reads the model columns in the batch read and stores the learned score with its explanation', async () => {
    const response = await postWebhook(
      running.baseUrl,
      [
        hubspotEvent({
          objectId: 601,
          propertyName: 'lifecyclestage',
          propertyValue: 'marketingqualifiedlead',
          occurredAt: clock,
        }),
      ],
      { timestamp: clock },
    );
    expect(response.status).toBe(204);
    await running.service.webhookWorker.drain();

    let requested: string[] = [];
    nock(API)
      .post('/crm/v3/objects/contacts/batch/read', (body: { properties: string[] }) => {
        requested = body.properties;
        return true;
      })
      .query(true)
      .reply(200, {
        status: 'COMPLETE',
        results: [
          {
            id: '601',
            properties: { occupation: 'Manager' },
            createdAt: new Date(T0).toISOString(),
            updatedAt: new Date(T0).toISOString(),
            archived: false,
          },
        ],
        startedAt: new Date(T0).toISOString(),
        completedAt: new Date(T0).toISOString(),
      });
    expect((await running.service.handoffWorker!.scoreOnce()).assigned).toBe(1);
    expect(requested).toContain('occupation');

    const expected = scoreLearned(model, { occupation: 'Manager' });
    const episode = await running.database.db
      .selectFrom('handoff')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(episode.score).toBe(expected.score);
    expect(expected.score).toBeGreaterThan(scoreLearned(model, { occupation: 'Student' }).score);
    expect(JSON.parse(episode.explanation!)).toMatchObject({ score: { method: 'learned' } });

    const view = contactHandoffViewSchema.parse(
      await (
        await cardRequest(
          running.baseUrl,
          'GET',
          `/api/card/contacts/601/handoff?portalId=${PORTAL_ID}&userId=77`,
          { timestamp: clock },
        )
      ).json(),
    );
    expect(view.handoff!.score.reasons[0]).toMatchObject({
      label: 'occupation: Manager',
      source: 'feature',
    });
  });
});
