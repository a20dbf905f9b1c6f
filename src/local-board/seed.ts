/**
 * The backlog the embedded board starts with, so the digest has something to say on day one: about 40 requests in
 * every state the digest reports (needs triage, overdue, due soon, new, stale, recently closed, unassigned
 * necessities), dated relative to the moment the board is created. Pure.
 */
import { DATA_REQUEST_LABEL } from '../github/request-marker.js';
import { FOUR_QUESTIONS } from '../requests/data-request.js';
import type { NewIssue } from './local-board.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One seeded request: ages in days before "now" (fractions allowed), due dates in days after today. */
interface Seed {
  title: string;
  by: string;
  purpose: string;
  look: string;
  /** Created this many days ago. */
  age: number;
  /** Needed by: days from today (negative: overdue); null: no date. */
  due: number | null;
  necessity: 'Necessity' | 'Nice-to-have';
  status: string | null;
  assignees?: string[];
  /** Last updated this many days ago (default: a day after creation, or at creation when newer). */
  quiet?: number;
  /** Closed this many days ago. */
  closed?: number;
  comment?: [author: string, body: string];
}

const T = 'TRIAGE'; // replaced by the configured triage status

const SEEDS: Seed[] = [
  // New since yesterday (and so waiting for triage)
  {
    title: 'Trial-to-paid conversion by signup channel',
    by: 'lena-product',
    purpose: 'We are deciding which channels to keep funding next quarter.',
    look: 'A weekly table by channel with conversion rate and volume, last 6 months.',
    age: 0.1,
    due: 12,
    necessity: 'Necessity',
    status: T,
  },
  {
    title: 'Support tickets per 1,000 active accounts',
    by: 'cx-carlos',
    purpose: 'To size the support team for the holiday peak.',
    look: 'One line chart per month, split by plan.',
    age: 0.3,
    due: 20,
    necessity: 'Nice-to-have',
    status: T,
  },
  {
    title: 'Refund rate after the pricing change',
    by: 'tom-finance',
    purpose: 'Finance review of the October pricing change.',
    look: 'Refund rate before/after, by plan, with counts.',
    age: 0.8,
    due: 5,
    necessity: 'Necessity',
    status: T,
  },
  // Waiting for triage for days
  {
    title: 'Activation funnel for the new onboarding',
    by: 'lena-product',
    purpose: 'Did the new onboarding flow improve activation?',
    look: 'Funnel steps with drop-off, old vs new flow.',
    age: 2,
    due: 18,
    necessity: 'Nice-to-have',
    status: T,
  },
  {
    title: 'Newsletter attribution for November',
    by: 'sam-marketing',
    purpose: 'Monthly marketing report.',
    look: 'Signups and revenue attributed to each newsletter issue.',
    age: 3,
    due: 9,
    necessity: 'Nice-to-have',
    status: T,
  },
  {
    title: 'Headcount vs. revenue per employee by quarter',
    by: 'hr-hana',
    purpose: 'Board deck appendix.',
    look: 'A quarterly table for the last 8 quarters.',
    age: 6,
    due: 25,
    necessity: 'Necessity',
    status: T,
  },
  {
    title: 'Churned accounts with open invoices',
    by: 'tom-finance',
    purpose: 'Collections follow-up.',
    look: 'A list with account, plan, churn date and amount due.',
    age: 9,
    due: null,
    necessity: 'Nice-to-have',
    status: null,
  },
  // Overdue
  {
    title: 'QBR deck: net revenue retention by segment',
    by: 'ceo-office',
    purpose: 'Quarterly business review with the board.',
    look: 'NRR by segment for the last 4 quarters, as a chart and a table.',
    age: 24,
    due: -6,
    necessity: 'Necessity',
    status: 'In progress',
    assignees: ['ana-analyst'],
    quiet: 2,
  },
  {
    title: 'Weekly active users by plan for the sales kickoff',
    by: 'maria-sales',
    purpose: 'Sales kickoff slides.',
    look: 'WAU by plan, last 12 weeks.',
    age: 30,
    due: -12,
    necessity: 'Nice-to-have',
    status: 'Backlog',
  },
  {
    title: 'Marketing spend vs. pipeline by campaign',
    by: 'sam-marketing',
    purpose: 'Budget reallocation for December.',
    look: 'Spend, pipeline and ratio per campaign.',
    age: 19,
    due: -3,
    necessity: 'Necessity',
    status: 'In review',
    assignees: ['priya-data'],
    quiet: 1,
  },
  {
    title: 'Regional breakdown of enterprise renewals',
    by: 'maria-sales',
    purpose: 'Territory planning.',
    look: 'Renewals and churn by region and quarter.',
    age: 16,
    due: -1,
    necessity: 'Necessity',
    status: 'Backlog',
  },
  {
    title: 'Data export for the auditors',
    by: 'tom-finance',
    purpose: 'Year-end audit sample.',
    look: 'CSV of invoices matching the auditors’ sample list.',
    age: 12,
    due: -2,
    necessity: 'Necessity',
    status: 'In progress',
    assignees: ['dev-dbt'],
    quiet: 3,
  },
  // Due in the next 7 days
  {
    title: 'Churn reasons from cancellation survey',
    by: 'cx-carlos',
    purpose: 'Retention workshop next week.',
    look: 'Top reasons by plan with verbatim examples.',
    age: 10,
    due: 0,
    necessity: 'Necessity',
    status: 'In progress',
    assignees: ['ana-analyst'],
    quiet: 1,
  },
  {
    title: 'Average order value by country',
    by: 'maria-sales',
    purpose: 'Pricing localisation proposal.',
    look: 'AOV per country for the last 90 days.',
    age: 8,
    due: 2,
    necessity: 'Nice-to-have',
    status: 'Backlog',
    assignees: ['priya-data'],
  },
  {
    title: 'Feature adoption dashboard refresh',
    by: 'lena-product',
    purpose: 'The product review uses it every month.',
    look: 'Same as the current dashboard, with the three new features added.',
    age: 14,
    due: 3,
    necessity: 'Necessity',
    status: 'In review',
    assignees: ['dev-dbt'],
    quiet: 1,
  },
  {
    title: 'Signups per day during the Black Friday campaign',
    by: 'sam-marketing',
    purpose: 'Campaign retro.',
    look: 'Daily signups with the campaign days highlighted.',
    age: 5,
    due: 4,
    necessity: 'Nice-to-have',
    status: 'Backlog',
  },
  {
    title: 'Seat utilisation for top 50 accounts',
    by: 'maria-sales',
    purpose: 'Upsell targeting.',
    look: 'A table: account, seats bought, seats active.',
    age: 7,
    due: 6,
    necessity: 'Necessity',
    status: 'Backlog',
  },
  {
    title: 'Payment failures by card type',
    by: 'tom-finance',
    purpose: 'Payments provider negotiation.',
    look: 'Failure rate by card type and month.',
    age: 11,
    due: 7,
    necessity: 'Nice-to-have',
    status: 'In progress',
    assignees: ['priya-data'],
    quiet: 2,
  },
  // In progress and gone quiet (stale)
  {
    title: 'Customer health score v2',
    by: 'cx-carlos',
    purpose: 'Replace the hand-made health score in the CRM.',
    look: 'A score per account, refreshed daily, with its inputs.',
    age: 60,
    due: 40,
    necessity: 'Necessity',
    status: 'In progress',
    assignees: ['ana-analyst'],
    quiet: 21,
  },
  {
    title: 'Cohort retention by acquisition month',
    by: 'lena-product',
    purpose: 'Understand long-term retention.',
    look: 'The classic cohort triangle, monthly.',
    age: 45,
    due: null,
    necessity: 'Nice-to-have',
    status: 'In progress',
    assignees: ['dev-dbt'],
    quiet: 16,
  },
  {
    title: 'Time to first value per plan',
    by: 'lena-product',
    purpose: 'Onboarding OKR baseline.',
    look: 'Median days from signup to first report, by plan.',
    age: 38,
    due: 30,
    necessity: 'Nice-to-have',
    status: 'In progress',
    quiet: 27,
  },
  {
    title: 'Forecast of infrastructure cost per customer',
    by: 'ops-olivia',
    purpose: 'Next year’s budget.',
    look: 'Monthly forecast with a range.',
    age: 50,
    due: 55,
    necessity: 'Necessity',
    status: 'In progress',
    assignees: ['priya-data'],
    quiet: 15,
  },
  // Backlog and review, later due dates
  {
    title: 'Email open rates by subject line length',
    by: 'sam-marketing',
    purpose: 'Copywriting guidelines.',
    look: 'Scatter plot of open rate vs length.',
    age: 20,
    due: 35,
    necessity: 'Nice-to-have',
    status: 'Backlog',
  },
  {
    title: 'Sales cycle length by deal size',
    by: 'maria-sales',
    purpose: 'Forecast accuracy.',
    look: 'Median days to close per deal-size band.',
    age: 13,
    due: 28,
    necessity: 'Nice-to-have',
    status: 'Backlog',
    assignees: ['ana-analyst'],
  },
  {
    title: 'Warehouse cost per dashboard',
    by: 'ops-olivia',
    purpose: 'Decide which dashboards to retire.',
    look: 'Bytes scanned and cost per dashboard, last 30 days.',
    age: 9,
    due: 21,
    necessity: 'Necessity',
    status: 'Backlog',
  },
  {
    title: 'Page load time vs. conversion',
    by: 'lena-product',
    purpose: 'Make the case for performance work.',
    look: 'Conversion rate by load-time bucket.',
    age: 17,
    due: 45,
    necessity: 'Nice-to-have',
    status: 'In review',
    assignees: ['dev-dbt'],
    quiet: 4,
  },
  {
    title: 'Partner referrals by partner tier',
    by: 'maria-sales',
    purpose: 'Partner programme review.',
    look: 'Referrals, conversions and revenue per tier.',
    age: 4,
    due: 30,
    necessity: 'Nice-to-have',
    status: 'Backlog',
  },
  {
    title: 'Employee survey response rates by team',
    by: 'hr-hana',
    purpose: 'Follow up with low-response teams.',
    look: 'A bar chart by team.',
    age: 6,
    due: 14,
    necessity: 'Nice-to-have',
    status: 'Backlog',
    assignees: ['priya-data'],
  },
  {
    title: 'Monthly recurring revenue bridge',
    by: 'tom-finance',
    purpose: 'Monthly finance close.',
    look: 'New, expansion, contraction and churn MRR per month.',
    age: 22,
    due: 16,
    necessity: 'Necessity',
    status: 'In review',
    assignees: ['ana-analyst'],
    quiet: 2,
  },
  {
    title: 'Search terms with no results',
    by: 'lena-product',
    purpose: 'Improve in-app search.',
    look: 'Top 100 zero-result search terms, weekly.',
    age: 15,
    due: null,
    necessity: 'Nice-to-have',
    status: 'Backlog',
  },
  {
    title: 'Mobile vs desktop usage share',
    by: 'lena-product',
    purpose: 'Mobile app investment decision.',
    look: 'Share of sessions by device, monthly.',
    age: 3,
    due: 40,
    necessity: 'Nice-to-have',
    status: 'Backlog',
  },
  // Closed since yesterday
  {
    title: 'Revenue by plan for the October board pack',
    by: 'ceo-office',
    purpose: 'Board pack.',
    look: 'Monthly revenue by plan, year to date.',
    age: 14,
    due: -1,
    necessity: 'Necessity',
    status: 'Done',
    assignees: ['ana-analyst'],
    closed: 0.2,
    comment: ['ana-analyst', 'Delivered in the board pack folder; the numbers match finance’s close.'],
  },
  {
    title: 'Signups by referral source (Q3)',
    by: 'sam-marketing',
    purpose: 'Quarterly marketing review.',
    look: 'Signups per source, monthly.',
    age: 9,
    due: 2,
    necessity: 'Nice-to-have',
    status: 'Done',
    assignees: ['priya-data'],
    closed: 0.5,
  },
  {
    title: 'Duplicate of: trial conversion by channel',
    by: 'maria-sales',
    purpose: 'Same as the product team’s request.',
    look: 'See the other request.',
    age: 2,
    due: 12,
    necessity: 'Nice-to-have',
    status: T,
    closed: 0.7,
    comment: ['ana-analyst', 'Closing as a duplicate of the product team’s request.'],
  },
  // Closed earlier
  {
    title: 'Active users dashboard for customer success',
    by: 'cx-carlos',
    purpose: 'Daily check-ins with key accounts.',
    look: 'A dashboard per account.',
    age: 40,
    due: -20,
    necessity: 'Necessity',
    status: 'Done',
    assignees: ['dev-dbt'],
    closed: 22,
  },
  {
    title: 'Webinar attendance vs. pipeline',
    by: 'sam-marketing',
    purpose: 'Events budget.',
    look: 'Attendance and pipeline per webinar.',
    age: 35,
    due: -10,
    necessity: 'Nice-to-have',
    status: 'Done',
    assignees: ['priya-data'],
    closed: 12,
  },
  {
    title: 'Discount usage by sales rep',
    by: 'tom-finance',
    purpose: 'Discount policy review.',
    look: 'Average discount per rep and quarter.',
    age: 28,
    due: -8,
    necessity: 'Necessity',
    status: 'Done',
    assignees: ['ana-analyst'],
    closed: 9,
  },
  {
    title: 'Onboarding email click-through',
    by: 'lena-product',
    purpose: 'Onboarding experiment.',
    look: 'Click-through per email in the sequence.',
    age: 25,
    due: -5,
    necessity: 'Nice-to-have',
    status: 'Done',
    assignees: ['dev-dbt'],
    closed: 6,
  },
  {
    title: 'Office attendance by weekday',
    by: 'ops-olivia',
    purpose: 'Office lease renewal.',
    look: 'Badge-ins per weekday, last 3 months.',
    age: 20,
    due: -4,
    necessity: 'Nice-to-have',
    status: 'Done',
    closed: 4,
  },
  {
    title: 'Ad-hoc: top customers by usage',
    by: 'maria-sales',
    purpose: 'Executive dinner invite list.',
    look: 'Top 20 accounts by usage.',
    age: 8,
    due: -3,
    necessity: 'Nice-to-have',
    status: 'Done',
    assignees: ['priya-data'],
    closed: 3,
  },
];

function body(s: Seed, neededBy: string | null): string {
  return [
    `### 1. ${FOUR_QUESTIONS[0]}`,
    `> ${s.purpose}`,
    '',
    `### 2. ${FOUR_QUESTIONS[1].replace(' (a sketch of the chart helps)', '')}`,
    `> ${s.look}`,
    '',
    `### 3. ${FOUR_QUESTIONS[2]}`,
    neededBy ?? 'No date given',
    '',
    `### 4. ${FOUR_QUESTIONS[3]}`,
    `**${s.necessity}**`,
  ].join('\n');
}

/** The seeded backlog, oldest first, dated relative to `now`. */
export function seedBacklog(now: Date, opts: { triageStatus: string }): NewIssue[] {
  const nowMs = now.getTime();
  const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  const iso = (ms: number) => new Date(ms).toISOString();
  return SEEDS.map((s) => {
    const createdMs = nowMs - s.age * DAY;
    const closedMs = s.closed !== undefined ? nowMs - s.closed * DAY : undefined;
    const updatedMs = closedMs ?? (s.quiet !== undefined ? nowMs - s.quiet * DAY : Math.min(createdMs + DAY, nowMs));
    const neededBy = s.due === null ? null : new Date(today + s.due * DAY).toISOString().slice(0, 10);
    return {
      title: s.title,
      body: body(s, neededBy),
      purpose: s.purpose,
      deliverable: s.look,
      neededBy,
      necessity: s.necessity,
      status: s.status === T ? opts.triageStatus : s.status,
      author: s.by,
      labels: [DATA_REQUEST_LABEL, s.necessity.toLowerCase()],
      assignees: s.assignees ?? [],
      createdAt: iso(createdMs),
      updatedAt: iso(Math.max(updatedMs, createdMs)),
      closedAt: closedMs !== undefined ? iso(closedMs) : null,
      comments: s.comment
        ? [{ author: s.comment[0], body: s.comment[1], createdAt: iso(closedMs ?? updatedMs) }]
        : undefined,
    };
  }).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** How many requests the seed holds (docs and tests). */
export const SEED_SIZE = SEEDS.length;
