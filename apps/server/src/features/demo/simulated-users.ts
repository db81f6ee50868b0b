import { murmur3 } from '@switchboard/core';

/** A person of the demo's traffic: a stable id (the unit) and the attributes rules can target. */
export interface SimulatedUser {
  id: string;
  tier: 'free' | 'pro' | 'enterprise';
  region: 'us' | 'eu' | 'apac';
}

/** What the simulated users ask the support assistant. */
export const QUESTIONS: readonly string[] = [
  'How do I reset my password?',
  'Why was my card charged twice this month?',
  'Can I export my data as CSV?',
  'How do I add a teammate to my workspace?',
  'The mobile app crashes when I open settings. What can I do?',
  'How do I change the email address on my account?',
  'What is the difference between the Pro and Enterprise plans?',
  'How do I cancel my subscription?',
  'Is there an API to create invoices?',
  'Why is the dashboard slow to load for me?',
  'How do I turn on two-factor authentication?',
  'Can I get a refund for an annual plan?',
];

/**
 * A seeded generator of uniform numbers in [0, 1) (mulberry32, seeded by murmur3 of the text): the
 * same text always gives the same sequence.
 */
export function seededRandom(seed: string): () => number {
  let state = murmur3(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `count` simulated users, `user-0001` onwards: the ids are the same whatever the seed; the seed
 * decides their tiers (70% free, 25% pro, 5% enterprise) and regions (45% us, 35% eu, 20% apac).
 */
export function simulatedUsers(seed: string, count: number): SimulatedUser[] {
  const random = seededRandom(`${seed}\u0000users`);
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => {
    const t = random();
    const r = random();
    return {
      id: `user-${String(i + 1).padStart(width, '0')}`,
      tier: t < 0.7 ? 'free' : t < 0.95 ? 'pro' : 'enterprise',
      region: r < 0.45 ? 'us' : r < 0.8 ? 'eu' : 'apac',
    };
  });
}
