// Sign up and log in: the token the gateway gives back is kept (session.tsx); then back to where
// the shopper was (`next`, a path on this site only).
import type { FormEvent } from 'react';
import { useMutation } from 'urql';
import { LogInDocument, SignUpDocument, hasErrorCode } from '@supergraph/sdk';
import { ErrorMessage } from '../errors.tsx';
import { PageHeading } from '../page.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession, type Session } from '../session.tsx';
import { sitePath } from '../site-path.ts';

/** Only a path of this site: `next=https://elsewhere` must not send a shopper away after signing in. */
function useNext(): string {
  return sitePath(useLocation().query.get('next'), location.origin);
}

function useFinish() {
  const { signIn } = useSession();
  const next = useNext();
  return (session: Session) => {
    signIn(session);
    navigate(next, { replace: true });
  };
}

export function LogInPage() {
  const [{ fetching, error }, logIn] = useMutation(LogInDocument);
  const finish = useFinish();
  const next = useNext();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await logIn({ input: { email: String(form.get('email')), password: String(form.get('password')) } });
    if (result.data) finish({ token: result.data.logIn.token, user: result.data.logIn.user });
  };
  const wrongPassword = hasErrorCode(error, 'UNAUTHENTICATED', 'BAD_USER_INPUT');
  return (
    <>
      <PageHeading>Log in</PageHeading>
      <form className="auth-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="login-email">E-mail</label>
          <input id="login-email" name="email" type="email" autoComplete="email" required />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input id="login-password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button type="submit" disabled={fetching}>
          {fetching ? 'Logging in…' : 'Log in'}
        </button>
        {wrongPassword ? (
          <p className="error" role="alert">
            That e-mail and password do not match an account. Check them and try again.
          </p>
        ) : (
          <ErrorMessage error={error} title="You are not logged in" />
        )}
      </form>
      <p>
        New here? <Link to={`/signup?next=${encodeURIComponent(next)}`}>Create an account</Link>.
      </p>
    </>
  );
}

export function SignUpPage() {
  const [{ fetching, error }, signUp] = useMutation(SignUpDocument);
  const finish = useFinish();
  const next = useNext();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await signUp({ input: { name: String(form.get('name')).trim(), email: String(form.get('email')).trim(), password: String(form.get('password')) } });
    if (result.data) finish({ token: result.data.signUp.token, user: { id: result.data.signUp.user.id, name: result.data.signUp.user.name } });
  };
  return (
    <>
      <PageHeading>Sign up</PageHeading>
      <form className="auth-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="signup-name">Your name</label>
          <input id="signup-name" name="name" autoComplete="name" required />
        </div>
        <div className="field">
          <label htmlFor="signup-email">E-mail</label>
          <input id="signup-email" name="email" type="email" autoComplete="email" required />
        </div>
        <div className="field">
          <label htmlFor="signup-password">Password</label>
          <input id="signup-password" name="password" type="password" autoComplete="new-password" minLength={10} maxLength={200} required aria-describedby="signup-password-hint" />
          <p id="signup-password-hint" className="hint">
            At least 10 characters.
          </p>
        </div>
        <button type="submit" disabled={fetching}>
          {fetching ? 'Creating your account…' : 'Sign up'}
        </button>
        <ErrorMessage error={error} title="Your account was not created" />
      </form>
      <p>
        Have an account? <Link to={`/login?next=${encodeURIComponent(next)}`}>Log in</Link>.
      </p>
    </>
  );
}
