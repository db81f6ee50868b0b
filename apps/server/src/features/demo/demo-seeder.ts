import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../http/errors.js';
import type { FlagService, FlagView } from '../flags/flag-service.js';
import type { ProjectService } from '../projects/project-service.js';
import {
  DEMO_ACTOR,
  DEMO_ENVIRONMENT,
  DEMO_FLAGS,
  DEMO_PROJECT,
  DEMO_TAG,
  type DemoFlagDefinition,
} from './demo-flags.js';

/** What {@link seedDemo} found and did. */
export interface DemoSeed {
  project: string;
  /** The project was created by this call (the store had other projects, none of them the demo's). */
  projectCreated: boolean;
  /** Flags created (and configured in production) by this call. */
  created: string[];
  /** Demo flags that were there already: left as they are, whatever was changed since. */
  kept: string[];
  /** Flags with a demo flag's key that are not the demo's (no `demo` tag): left alone. */
  foreign: string[];
}

/**
 * Seeds the demo: the {@link DEMO_PROJECT} project with its {@link DEMO_ENVIRONMENT} environment, and
 * each of {@link DEMO_FLAGS} that is missing, created and configured in production through the services
 * (validated and audited like any change, by the `demo` actor).
 *
 * Idempotent, and never touches what it did not create: a demo flag already there is kept as it is
 * (changes made to it since, a kill included, survive a restart), and a flag of someone else's with a
 * demo key is left alone and reported. A demo flag created but never configured in production (a start
 * that stopped in between) is configured. Safe when replicas seed at once: the first write wins, the
 * others find it done.
 *
 * @example
 * const seed = await seedDemo(app.services);
 * seed.created; // ['llm-model', 'prompt-variant', 'ai-agent'] on an empty store, [] afterwards
 */
export async function seedDemo(services: {
  projects: ProjectService;
  flags: FlagService;
}): Promise<DemoSeed> {
  const projectCreated = await ensureProject(services.projects);
  const seed: DemoSeed = { project: DEMO_PROJECT, projectCreated, created: [], kept: [], foreign: [] };
  for (const definition of DEMO_FLAGS) {
    const key = definition.create.key;
    const existing = await findFlag(services.flags, key);
    if (existing !== undefined && !existing.tags.includes(DEMO_TAG)) {
      seed.foreign.push(key);
      continue;
    }
    const created = existing === undefined && (await createFlag(services.flags, definition));
    const flag = existing ?? (await services.flags.get(DEMO_PROJECT, key));
    if (!flag.archived && flag.environments[DEMO_ENVIRONMENT]?.version === 0) {
      await configure(services.flags, definition);
    }
    (created ? seed.created : seed.kept).push(key);
  }
  return seed;
}

/** Creates the project, and its production environment, when missing; true when the project was. */
async function ensureProject(projects: ProjectService): Promise<boolean> {
  let created = false;
  try {
    await projects.getProject(DEMO_PROJECT);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    created = await tolerateExisting(async () => {
      await projects.createProject({ key: DEMO_PROJECT, name: 'Default' }, DEMO_ACTOR);
    });
  }
  const environments = await projects.listEnvironments(DEMO_PROJECT);
  if (!environments.some((e) => e.key === DEMO_ENVIRONMENT)) {
    await tolerateExisting(async () => {
      await projects.createEnvironment(DEMO_PROJECT, { key: DEMO_ENVIRONMENT }, DEMO_ACTOR);
    });
  }
  return created;
}

async function findFlag(flags: FlagService, key: string): Promise<FlagView | undefined> {
  try {
    return await flags.get(DEMO_PROJECT, key);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Creates a demo flag; false when another replica created it first. */
function createFlag(flags: FlagService, definition: DemoFlagDefinition): Promise<boolean> {
  return tolerateExisting(async () => {
    await flags.create(DEMO_PROJECT, definition.create, DEMO_ACTOR);
  });
}

async function configure(flags: FlagService, definition: DemoFlagDefinition): Promise<void> {
  try {
    await flags.updateEnvironment(
      DEMO_PROJECT,
      definition.create.key,
      DEMO_ENVIRONMENT,
      definition.production,
      0,
      DEMO_ACTOR,
    );
  } catch (error) {
    // Configured meanwhile (another replica, or someone quick): theirs stands.
    if (!(error instanceof VersionConflictError)) throw error;
  }
}

/** Runs a create; true when it created, false when the thing existed already. */
async function tolerateExisting(create: () => Promise<void>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (error instanceof AlreadyExistsError) return false;
    throw error;
  }
}
