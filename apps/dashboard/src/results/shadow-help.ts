/** What the shadow figures of the results mean (their help tips). */
export const SHADOW_HELP = {
  section:
    'A shadow call runs a variant beside the one served, on a sampled share of requests, only to measure it. Its answers are never shown to users, so these figures are kept apart: they are not counted in the variants’ served figures, and the results by assigned variant (intent-to-treat) are unaffected.',
  generations: 'Model calls made in shadow under the variant in the window (only the sampled requests).',
  errorRate: 'Failed shadow calls over all shadow calls. A failure here was never seen by a user.',
  latency:
    '95% of the shadow calls took less than this. Shadow calls run in the background: users never wait for them.',
  cost: 'Mean cost of a shadow call, and the total spent on shadow calls in the window: shadow mode is paid for.',
  judge: 'Mean score an automated judge gave the answers, in [0, 1], and how many were judged.',
  paired:
    'On requests where the same judge scored both the served answer and the shadow one: the mean of shadow score − served score, with its 95% interval (a paired t-test). Above 0: the shadow variant was judged better than what was served.',
} as const;
