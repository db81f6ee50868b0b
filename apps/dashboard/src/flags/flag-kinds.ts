import type { FlagKind } from '@switchboard/core';

/** The kinds of flag (core's FlagKind), with how they read. */
export const FLAG_KINDS: Readonly<Record<FlagKind, string>> = {
  boolean: 'Boolean',
  string: 'String',
  number: 'Number',
  json: 'JSON',
  'ai-config': 'AI config',
};

/** What kind of change a flag rolls out (core's ChangeType). */
export const CHANGE_TYPES = [
  'other',
  'model-swap',
  'prompt',
  'tool',
  'parameters',
  'agent-workflow',
] as const;
