import type { PromotionVerdict } from '../api/api-types.js';
import { HelpTip } from '../ui/help-tip.js';
import { HELP } from './statistics-help.js';
import {
  checkName,
  DECISIONS,
  figureLabel,
  formatFigure,
  GUARDRAILS,
  shortfallText,
  statusOf,
} from './verdict-words.js';

const MARKS = { pass: '✓', fail: '✕', wait: '…', skip: '–' } as const;

/**
 * The promotion verdict on a candidate: the decision and its summary, what a hold waits for, the
 * guardrails a regress broke, and every check with its status, detail and figures.
 */
export function VerdictPanel({ verdict, candidate }: { verdict: PromotionVerdict; candidate: string }) {
  const decision = DECISIONS[verdict.decision];
  const broken = verdict.checks.filter((c) => c.status === 'fail' && GUARDRAILS.has(c.name));
  return (
    <div
      className={`verdict verdict-${verdict.decision}`}
      data-testid="verdict"
      data-decision={verdict.decision}
    >
      <div className="verdict-head">
        <p className="verdict-decision">
          <span className={`decision decision-${verdict.decision}`}>{decision.label}</span>{' '}
          <span className="verdict-meaning">{decision.meaning}</span>{' '}
          <HelpTip label="the verdict">{HELP.verdict}</HelpTip>
        </p>
        <p className="verdict-summary" data-testid="verdict-summary">
          {verdict.summary}
        </p>
      </div>
      {verdict.decision === 'regress' && broken.length > 0 && (
        <div className="verdict-reasons" data-testid="verdict-broken">
          <p className="strong">Guardrails broken by {candidate}:</p>
          <ul>
            {broken.map((c) => (
              <li key={c.name}>
                <strong>{checkName(c.name)}</strong>: {c.detail}
              </li>
            ))}
          </ul>
        </div>
      )}
      {verdict.missing.length > 0 && (
        <div className="verdict-reasons" data-testid="verdict-missing">
          <p className="strong">{verdict.decision === 'hold' ? 'Waiting for:' : 'Also waiting for:'}</p>
          <ul>
            {verdict.missing.map((m) => (
              <li key={`${m.check}/${m.arm}/${m.what}`}>{shortfallText(m)}</li>
            ))}
          </ul>
        </div>
      )}
      <ol className="checks">
        {verdict.checks.map((check) => {
          const status = statusOf(check);
          const figures = Object.entries(check.figures);
          return (
            <li key={check.name} className={`check check-${status.tone}`} data-check={check.name}>
              <span className={`check-status status-${status.tone}`} data-status={check.status}>
                <span aria-hidden="true">{MARKS[status.tone]}</span> {status.label}
              </span>
              <div className="check-body">
                <p className="check-name">
                  {checkName(check.name)}
                  {GUARDRAILS.has(check.name) && <span className="muted"> · guardrail</span>}
                </p>
                <p className="check-detail" data-testid="check-detail">
                  {check.detail}
                </p>
                {figures.length > 0 && (
                  <dl className="check-figures">
                    {figures.map(([name, value]) => (
                      <div key={name} data-figure={name}>
                        <dt>{figureLabel(name)}</dt>
                        <dd>{formatFigure(check.name, name, value)}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
