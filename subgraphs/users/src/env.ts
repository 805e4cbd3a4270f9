import { z } from 'zod';
import { userTokenSecretSchema } from '@supergraph/service-kit';

/** Settings only the users subgraph reads: the key user tokens are signed with. */
export const usersEnvSchema = z.object({ JWT_SECRET: userTokenSecretSchema() });
export type UsersEnv = z.infer<typeof usersEnvSchema>;
