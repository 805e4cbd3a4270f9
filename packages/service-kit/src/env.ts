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

/**
 * DATABASE_POOL_MAX: connections a service keeps to DATABASE_URL (10 unless set). 1 for a
 * database served by PGlite, which has one session (`npm start`'s embedded databases).
 */
export const databasePoolMaxSchema = z.coerce.number().int().min(1).max(200).optional();
/** DATABASE_WAIT_MS: how long a starting service waits for DATABASE_URL to accept connections (0: not at all). */
export const databaseWaitMsSchema = z.coerce.number().int().min(0).max(600_000).default(0);

/** The key the users subgraph signs user tokens with and the gateway verifies them with. */
export const userTokenSecretSchema = () => secretWithDevDefault('JWT_SECRET', 'user-token-signing-key-change-me!!');
const REGISTRY_TOKEN_DEV_DEFAULTS = {
  admin: 'registry-admin-token-change-me!!',
  publish: 'registry-publish-token-change-me!',
  gateway: 'registry-gateway-token-change-me!',
} as const;
/**
 * A schema registry token of one role: the registry's own setting (`REGISTRY_<ROLE>_TOKEN`), or a
 * client's copy under its own name (the gateway's and the CLI's `REGISTRY_TOKEN`). One development
 * default per role, so a registry and its clients agree out of the box.
 */
export const registryTokenSchema = (role: keyof typeof REGISTRY_TOKEN_DEV_DEFAULTS, variable = `REGISTRY_${role.toUpperCase()}_TOKEN`) =>
  secretWithDevDefault(variable, REGISTRY_TOKEN_DEV_DEFAULTS[role]);
/** The key the gateway signs per-request identity tokens with and every subgraph verifies. */
export const internalTokenSecretSchema = () => secretWithDevDefault('INTERNAL_TOKEN_SECRET', 'internal-identity-key-change-me!');
