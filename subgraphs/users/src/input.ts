import { z } from 'zod';
import { parseInput } from '@supergraph/service-kit';

/** Sign-up and log-in input rules, checked before any hashing or SQL. */
export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;
export const NAME_MAX = 100;

// Trimmed and lower-cased before it is checked, stored or looked up: one account per address.
const email = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'email is required')
  .max(EMAIL_MAX, `email is at most ${EMAIL_MAX} characters`)
  .pipe(z.email('email must be a valid e-mail address'));

const signUpSchema = z.object({
  email,
  password: z
    .string()
    .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
    .max(PASSWORD_MAX, `password is at most ${PASSWORD_MAX} characters`),
  name: z.string().trim().min(1, 'name is required').max(NAME_MAX, `name is at most ${NAME_MAX} characters`),
});

// Only the length cap here: a password that is too short simply does not match any account.
const logInSchema = z.object({
  email,
  password: z.string().min(1, 'password is required').max(PASSWORD_MAX, `password is at most ${PASSWORD_MAX} characters`),
});

export type SignUpInput = z.infer<typeof signUpSchema>;
export type LogInInput = z.infer<typeof logInSchema>;

export const parseSignUpInput = (input: unknown): SignUpInput => parseInput(signUpSchema, input);
export const parseLogInInput = (input: unknown): LogInInput => parseInput(logInSchema, input);
