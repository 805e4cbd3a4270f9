import type { RequestHandler } from 'express';
import { RegistryError } from '../errors.ts';
import type { RegistryStore } from '../store.ts';
import { digestToken, mayDo, type Permission } from '../tokens.ts';

/** `Authorization: Bearer <token>`, looked up by digest; the role must grant `permission`. */
export function requirePermission(store: RegistryStore, permission: Permission): RequestHandler {
  return (req, res, next) => {
    const header = req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!token) return next(new RegistryError('UNAUTHENTICATED', 401, 'Send a registry token: Authorization: Bearer <token>'));
    store.tokenRole(digestToken(token)).then(
      (role) => {
        if (!role) return next(new RegistryError('UNAUTHENTICATED', 401, 'Unknown or revoked registry token'));
        if (!mayDo(role, permission)) return next(new RegistryError('FORBIDDEN', 403, `A ${role.toLowerCase()} token may not do this`));
        res.locals.tokenRole = role;
        next();
      },
      next,
    );
  };
}
