import type { Role } from '../protocol/index.ts';

export interface JoinRequest {
  lessonId: string;
  role: Role;
  displayName?: string | undefined;
}

export interface JoinGrant {
  lessonId: string;
  role: Role;
  displayName: string;
}

/**
 * Decides who may join which lesson in which role. The seam for scheduled
 * lessons, accounts and signed join links: a later implementation checks the
 * session cookie or token carried by the socket handshake.
 */
export interface JoinAuthorizer {
  authorize(
    request: JoinRequest,
    handshake: { headers: Record<string, string | string[] | undefined> },
  ): Promise<JoinGrant>;
}

/** Any lesson id opens an ad hoc lesson; the page says which role it plays. */
export class AdHocJoinAuthorizer implements JoinAuthorizer {
  async authorize(request: JoinRequest): Promise<JoinGrant> {
    const fallback = request.role === 'host' ? 'Host' : 'Classroom';
    return { lessonId: request.lessonId, role: request.role, displayName: request.displayName ?? fallback };
  }
}
