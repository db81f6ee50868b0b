/** What each figure and statistic of the results means, in a sentence or two (the page's help tips). */
export const HELP = {
  units:
    'Distinct units (targetingKey, else userId) seen under the variant. Exposures: units a split served the variant to, reported once each by the SDK.',
  requests:
    'Model calls (generations) made under the variant, and its share of all calls: how much of the traffic it answers.',
  quality:
    'Mean feedback score from people: thumbs up counts 1, down 0, ratings are in [0, 1]. n is how many feedback events; automated judges are shown apart.',
  latency: 'Half of the calls took less than p50, and 95% less than p95: p95 is the slow tail users notice.',
  costPerRequest:
    'Mean cost of a call whose cost is known (tokens × price). Calls of unknown cost are counted apart, never as free.',
  costPerDay: 'Total cost over the days the window covers.',
  errorRate: 'Failed calls over all calls (after every fallback was tried).',
  fallbackRate:
    'Calls a fallback model answered over all calls: those answers are not the assigned variant’s.',
  adoption: 'The share of calls answered by variants other than the control, and their distinct units.',
  difference:
    'Candidate minus control. For rates it is in percentage points (pp); the relative figure is that over the control’s value.',
  fixed:
    'Fixed-horizon interval: contains the true difference 95% of the time when looked at once, at a sample size fixed in advance. Looking again and again as data comes in makes it wrong far more often.',
  sequential:
    'Always-valid interval (a confidence sequence): stays right 95% of the time however often it is looked at, so it is wider. The verdict uses it when the policy is sequential.',
  pValue:
    'How surprising a difference this large would be if the variants were the same. Below 0.05, the difference is significant at 95%.',
  sampleRatio:
    'Checks that units landed in the variants in the proportions the split sets (Pearson’s χ² test on exposures). A mismatch means assignment or logging is broken: no comparison can then be trusted.',
  verdict:
    'What the promotion policy decides from these results: promote when every check passes, regress when a guardrail is broken, hold otherwise.',
} as const;
