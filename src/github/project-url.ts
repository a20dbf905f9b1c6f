/** Where a Projects (v2) board lives, read from its URL (GITHUB_PROJECT_URL). Pure. */

export interface ProjectRef {
  owner: 'organization' | 'user';
  login: string;
  number: number;
}

/** `https://github.com/orgs/ORG/projects/63` or `/users/NAME/projects/N` (any host, for GHES); undefined otherwise. */
export function parseProjectUrl(url: string): ProjectRef | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const match = /^\/(orgs|users)\/([^/]+)\/projects\/(\d+)\/?$/.exec(pathname);
  if (!match) return undefined;
  return { owner: match[1] === 'orgs' ? 'organization' : 'user', login: match[2]!, number: Number(match[3]) };
}

/** The variables of the board queries, which take an organization's or a user's project in one document. */
export function projectVariables(ref: ProjectRef): { login: string; number: number; isOrg: boolean } {
  return { login: ref.login, number: ref.number, isOrg: ref.owner === 'organization' };
}
