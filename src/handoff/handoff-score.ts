import type { ContactSnapshot } from './contact-snapshot';
import type { ScoringSettings } from './handoff-settings';
import { type LearnedModel, type LearnedScore, scoreLearned } from './score-learned';
import { gradeFor, round2, type RuleScore, scoreByRules } from './score-rules';

/**
 * The handoff score the service stores and writes to HubSpot: the rule score, or the learned score
 * (calibrated probability × 100), or a blend of the two with the configured weight. Both parts and their
 * explanations are kept, so the card can show every point whichever way the score was made.
 */

export interface HandoffScore {
  /** 0–100 for the learned score; the rule score's own scale otherwise. */
  readonly score: number;
  readonly grade: string;
  readonly method: 'rules' | 'learned' | 'blend';
  /** Share of the learned score in `score`. */
  readonly learnedWeight: number;
  readonly rules: RuleScore;
  readonly learned?: LearnedScore;
}

export function scoreHandoff(
  contact: ContactSnapshot,
  scoring: ScoringSettings,
  model: LearnedModel | undefined,
  now: number,
): HandoffScore {
  const rules = scoreByRules(contact, scoring, now);
  const weight = model ? (scoring.model?.weight ?? 1) : 0;
  if (!model || weight === 0)
    return { score: rules.score, grade: rules.grade, method: 'rules', learnedWeight: 0, rules };
  const learned = scoreLearned(model, contact.properties);
  const score = round2((1 - weight) * rules.score + weight * learned.score);
  return {
    score,
    grade: gradeFor(score, scoring),
    method: weight === 1 ? 'learned' : 'blend',
    learnedWeight: weight,
    rules,
    learned,
  };
}
