/** Access rules by user group: lookups that run together share one Slack call; a failed one grants nothing. */
import type { WebClient } from '@slack/web-api';
import { loadCatalogFile } from '../../src/queries/catalog.js';
import { MetricAccess } from '../../src/slack/access.js';
import { captureLogs } from '../helpers/logs.js';

const catalog = loadCatalogFile('metrics.yml');
const restricted = catalog.metrics.find((m) => m.access && m.access.usergroups.length > 0)!;
// Three restricted metrics on the same group, as a listing would check them.
const metrics = [0, 1, 2].map((i) => ({ ...restricted, name: `${restricted.name}_${i}` }));

function slack(list: () => Promise<{ users: string[] }>) {
  const calls: string[] = [];
  const client = {
    usergroups: {
      users: {
        list: async ({ usergroup }: { usergroup: string }) => {
          calls.push(usergroup);
          return list();
        },
      },
    },
  } as unknown as WebClient;
  return { client, calls };
}

describe('access by user group', () => {
  let access: MetricAccess;
  beforeEach(() => {
    access = new MetricAccess();
  });

  it('checks several metrics of one group with one Slack call', async () => {
    const { client, calls } = slack(async () => ({ users: ['U0MEMBER'] }));
    const { logger } = captureLogs();
    expect(await access.askableMetrics(metrics, { userId: 'U0MEMBER' }, client, logger)).toHaveLength(3);
    expect(await access.askableMetrics(metrics, { userId: 'U0OTHER' }, client, logger)).toHaveLength(0);
    expect(calls).toEqual([restricted.access!.usergroups[0]]);
  });

  it('fails closed when the group cannot be read, and asks again next time', async () => {
    let fail = true;
    const { client, calls } = slack(async () => {
      if (fail) throw new Error('ratelimited');
      return { users: ['U0MEMBER'] };
    });
    const { logger } = captureLogs();
    expect(await access.askableMetrics(metrics, { userId: 'U0MEMBER' }, client, logger)).toHaveLength(0);
    fail = false;
    expect(await access.askableMetrics(metrics, { userId: 'U0MEMBER' }, client, logger)).toHaveLength(3);
    expect(calls).toHaveLength(2);
  });

  it('keeps memberships per instance: a second bot in the same process looks the group up itself', async () => {
    const { client, calls } = slack(async () => ({ users: ['U0MEMBER'] }));
    const { logger } = captureLogs();
    expect(await access.askableMetrics(metrics, { userId: 'U0MEMBER' }, client, logger)).toHaveLength(3);
    expect(await new MetricAccess().askableMetrics(metrics, { userId: 'U0MEMBER' }, client, logger)).toHaveLength(3);
    expect(calls).toHaveLength(2);
  });
});
