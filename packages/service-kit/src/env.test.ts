import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, DEV_SECRET_MARK, assertNoDevSecretsInProduction, parseEnv, userTokenSecretSchema } from './env.ts';

describe('environment parsing', () => {
  const schema = z.object({ PORT: z.coerce.number().int(), JWT_SECRET: userTokenSecretSchema() });

  it('reports every problem at once', () => {
    expect(() => parseEnv(schema, { PORT: 'abc', JWT_SECRET: 'short' })).toThrow(/PORT[\s\S]*JWT_SECRET/);
  });

  it('gives secrets a loudly marked development default', () => {
    expect(parseEnv(schema, { PORT: '1' }).JWT_SECRET.startsWith(DEV_SECRET_MARK)).toBe(true);
  });

  it('refuses development default secrets in production, and only there', () => {
    const { JWT_SECRET } = parseEnv(schema, { PORT: '1' });
    expect(() => assertNoDevSecretsInProduction('production', { JWT_SECRET })).toThrow(ConfigError);
    expect(() => assertNoDevSecretsInProduction('production', { JWT_SECRET: 'a-real-secret-from-the-vault-0123456789' })).not.toThrow();
    expect(() => assertNoDevSecretsInProduction('development', { JWT_SECRET })).not.toThrow();
  });
});
