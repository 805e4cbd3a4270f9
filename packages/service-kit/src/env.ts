import { z } from 'zod';

/**
 * Parses the environment once, at start-up, against a zod schema. Every problem is printed
 * together and the process exits, so a misconfigured deployment fails fast and says why.
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`Invalid environment:\n${problems.join('\n')}`);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const nodeEnvSchema = z.enum(['development', 'test', 'production']).default('development');
export type NodeEnv = z.infer<typeof nodeEnvSchema>;

/**
 * A secret with a development default. The default is loudly marked and refused when
 * NODE_ENV=production, so a forgotten variable can never ship a known key.
 */
export function secretWithDevDefault(name: string, devDefault: string) {
  return z
    .string()
    .min(32, `${name} must be at least 32 characters`)
    .default(`${DEV_SECRET_MARK}${devDefault}`);
}

export const DEV_SECRET_MARK = 'INSECURE-DEVELOPMENT-DEFAULT-';

export function assertNoDevSecretsInProduction(nodeEnv: NodeEnv, secrets: Record<string, string>): void {
  if (nodeEnv !== 'production') return;
  const offending = Object.entries(secrets)
    .filter(([, value]) => value.startsWith(DEV_SECRET_MARK))
    .map(([name]) => name);
  if (offending.length > 0) {
    throw new ConfigError(`NODE_ENV=production refuses development default secrets: set ${offending.join(', ')}`);
  }
}

export const portSchema = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** The key the users subgraph signs user tokens with and the gateway verifies them with. */
export const userTokenSecretSchema = () => secretWithDevDefault('JWT_SECRET', 'user-token-signing-key-change-me!!');
/** The key the gateway signs per-request identity tokens with and every subgraph verifies. */
export const internalTokenSecretSchema = () => secretWithDevDefault('INTERNAL_TOKEN_SECRET', 'internal-identity-key-change-me!');
