/* Test helpers for code that reads the environment (`@tieout/config/testing`; never the runtime entry). */
import { ConfigError, type ConfigProblem } from './index.ts';

/** The problems of the ConfigError `run` throws; anything else thrown goes through, and throwing nothing fails. */
export function configProblems(run: () => unknown): readonly ConfigProblem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** The variables the ConfigError `run` throws names, in order. */
export function configVariables(run: () => unknown): string[] {
  return [...new Set(configProblems(run).map((problem) => problem.variable))];
}
