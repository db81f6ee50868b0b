import type { PolicySettings, PolicyView, PromotionPolicy } from '../api/api-types.js';
import { formatUsd } from '../results/results-format.js';
import { shortfallText, statusOf } from '../results/verdict-words.js';
import { formatTime } from '../ui/format.js';
import { HelpTip } from '../ui/help-tip.js';
import { guardrailRows } from './rollout-format.js';
import type { Measurement } from './rollout-model.js';
import type { PlanView } from './rollout-types.js';

const MARKS = { pass: '✓', fail: '✕', wait: '…', skip: '–' } as const;

/** `gpt-4o (control)`, or just `control` when the variant is keyed by its role. */
const armLabel = (variant: string, role: 'control' | 'candidate') =>
  variant === role ? role : `${variant} (${role})`;

/** The policy a plan is judged by: its own settings over the flag's policy in force (null limits: none). */
export function planPolicy(view: PolicyView, settings: PolicySettings | null): PromotionPolicy {
  const own = Object.fromEntries(
    Object.entries(settings ?? {}).map(([name, value]) => [name, value === null ? undefined : value]),
  );
  return { ...view.policy, ...own };
}

interface Props {
  plan: PlanView;
  policy: PromotionPolicy;
  measurement: Measurement | undefined;
}

/**
 * The guardrails of the current stage: each limit under the plan's policy, each arm's figure and the
 * check's outcome at the scheduler's last look, what a hold waits for, and the cost cap's projection.
 */
export function GuardrailsPanel({ plan, policy, measurement }: Props) {
  const figures = measurement?.figures;
  const rows = guardrailRows(policy, figures?.arms);
  const checks = figures?.verdict?.checks ?? [];
  const missing = figures?.verdict?.missing ?? [];
  const cost = figures?.cost ?? null;
  return (
    <section className="card rollout-section" aria-labelledby="guardrails-title" data-testid="guardrails">
      <h3 id="guardrails-title">
        Guardrails{' '}
        <HelpTip label="guardrails">
          A guardrail broken with enough data rolls the candidate back at once, whatever else holds. The
          figures are those of the scheduler's last look at this stage, by assigned variant.
        </HelpTip>
      </h3>
      <p className="hint" data-testid="measured-at">
        {measurement === undefined
          ? 'Not measured yet in this stage: the scheduler looks at it on its next tick.'
          : `Measured ${formatTime(measurement.at)}${figures?.verdict === undefined ? '' : ` · ${figures.verdict.summary}`}`}
      </p>
      <div className="table-scroll">
        <table className="table stack-on-phone guardrail-table">
          <thead>
            <tr>
              <th scope="col">Guardrail</th>
              <th scope="col">Limit</th>
              <th scope="col">{armLabel(plan.control, 'control')}</th>
              <th scope="col">{armLabel(plan.candidate, 'candidate')}</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const check = checks.find((c) => c.name === row.check);
              const status = check === undefined ? undefined : statusOf(check);
              return (
                <tr key={row.check} data-guardrail={row.check}>
                  <th scope="row">{row.label}</th>
                  <td data-label="Limit" data-testid="guardrail-limit">
                    {row.limit}
                  </td>
                  <td className="guardrail-figure" data-label={armLabel(plan.control, 'control')}>
                    {row.control}
                  </td>
                  <td className="guardrail-figure" data-label={armLabel(plan.candidate, 'candidate')}>
                    {row.candidate}
                  </td>
                  <td data-label="Status">
                    {check === undefined || status === undefined ? (
                      <span className="muted">—</span>
                    ) : (
                      <span
                        className={`check-status status-${status.tone}`}
                        data-status={check.status}
                        title={check.detail}
                      >
                        <span aria-hidden="true">{MARKS[status.tone]}</span> {status.label}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {missing.length > 0 && (
        <div className="verdict-reasons" data-testid="rollout-missing">
          <p className="strong">The stage waits for:</p>
          <ul>
            {missing.map((m) => (
              <li key={`${m.check}/${m.arm}/${m.what}`}>{shortfallText(m)}</li>
            ))}
          </ul>
        </div>
      )}
      <p className="hint" data-testid="cost-cap">
        {plan.costCapPerDayUsd === null
          ? 'No daily cost cap on the candidate.'
          : `Cost cap: ${formatUsd(plan.costCapPerDayUsd)} a day for the candidate${
              cost === null || cost.projectedPerDayUsd === null
                ? ''
                : `; projected ${formatUsd(cost.projectedPerDayUsd)} a day at ${cost.atPercent}%${cost.exceeds ? ' (over the cap: holds)' : ''}`
            }.`}
      </p>
    </section>
  );
}
