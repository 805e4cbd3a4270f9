import { describe, expect, it } from 'vitest';
import { parseLogInInput, parseSignUpInput } from './input.ts';
import { graphQLErrorOf } from '@supergraph/service-kit/testing';

const valid = { email: 'ada@example.com', password: 'long enough!', name: 'Ada' };

const errorOf = graphQLErrorOf;

describe('parseSignUpInput', () => {
  it('normalises the e-mail (trimmed, lower-cased) and the name (trimmed), but never the password', () => {
    expect(parseSignUpInput({ email: '  Ada.Lovelace@Example.COM ', password: '  spaces kept  ', name: '  Ada Lovelace ' })).toEqual({
      email: 'ada.lovelace@example.com',
      password: '  spaces kept  ',
      name: 'Ada Lovelace',
    });
  });

  it.each([
    ['a malformed e-mail', { email: 'not-an-email' }, 'email', /valid e-mail/],
    ['an empty e-mail', { email: '   ' }, 'email', /required/],
    ['an e-mail over 254 characters', { email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com` }, 'email', /254/],
    ['a 9-character password', { password: '123456789' }, 'password', /at least 10/],
    ['a 201-character password', { password: 'p'.repeat(201) }, 'password', /at most 200/],
    ['a blank name', { name: '   ' }, 'name', /required/],
    ['a 101-character name', { name: 'n'.repeat(101) }, 'name', /at most 100/],
  ])('refuses %s with BAD_USER_INPUT naming the field', (_, change, field, message) => {
    const error = errorOf(() => parseSignUpInput({ ...valid, ...change }));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toMatch(message);
  });

  it('accepts the boundaries: 10 and 200 character passwords, 100 character names', () => {
    expect(() => parseSignUpInput({ ...valid, password: 'p'.repeat(10) })).not.toThrow();
    expect(() => parseSignUpInput({ ...valid, password: 'p'.repeat(200) })).not.toThrow();
    expect(() => parseSignUpInput({ ...valid, name: ` ${'n'.repeat(100)} ` })).not.toThrow();
  });
});

describe('parseLogInInput', () => {
  it('normalises the e-mail the same way sign-up stores it', () => {
    expect(parseLogInInput({ email: ' ADA@example.com', password: 'x' }).email).toBe('ada@example.com');
  });

  it('caps the password length but does not apply the sign-up minimum', () => {
    expect(() => parseLogInInput({ email: 'ada@example.com', password: 'short' })).not.toThrow();
    expect(errorOf(() => parseLogInInput({ email: 'ada@example.com', password: 'p'.repeat(201) })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'password',
    });
    expect(errorOf(() => parseLogInInput({ email: 'ada@example.com', password: '' })).extensions.field).toBe('password');
  });
});
