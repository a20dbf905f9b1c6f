/**
 * A data request as the domain knows it: the four questions every request answers, the data sources it may
 * involve, and the request as submitted. Views, the filer and the tracker adapters all read these; nothing here
 * knows about Slack blocks or GitHub.
 */

/** The four questions, worded as the team asks them. */
export const FOUR_QUESTIONS = [
  'What is the deliverable going to be used for? Why do you need it?',
  'What do you want the deliverable to look like? As much detail as possible (a sketch of the chart helps).',
  'When do you need it by?',
  'Is this a nice-to-have or a necessity?',
] as const;

/** The team's data sources (handbook), offered as "data sources involved". */
export const DATA_SOURCES = [
  { value: 'looker', label: 'Looker' },
  { value: 'product_events', label: 'Product event tracking' },
  { value: 'instance_pings', label: 'Self-hosted instance pings' },
  { value: 'bigquery', label: 'BigQuery (other tables)' },
  { value: 'hubspot', label: 'HubSpot (marketing, CRM)' },
  { value: 'google_analytics', label: 'Google Analytics (websites)' },
  { value: 'google_sheets', label: 'Google Sheets' },
  { value: 'apollo', label: 'Apollo (email automation)' },
  { value: 'site_admin', label: 'Site-admin (subscriptions, licenses)' },
  { value: 'not_sure', label: 'Not sure' },
] as const;

export type Necessity = 'necessity' | 'nice-to-have';

/** A complete data request, as the requester answered the four questions. */
export interface DataRequest {
  /** Idempotency key: one per modal opened; retries and redeliveries reuse it. */
  key: string;
  title: string;
  /** 1. What the deliverable is for and why it is needed. */
  purpose: string;
  /** 2. What it should look like. */
  deliverable: string;
  /** 3. When it is needed by (YYYY-MM-DD). */
  neededBy: string;
  /** 4. Nice-to-have or necessity. */
  necessity: Necessity;
  links?: string;
  stakeholders: string[];
  sources: string[];
  sketches: Array<{ name: string; url: string }>;
  requester: { id: string; name: string; teamId?: string };
  /** Where it came from in Slack, so later events find their way back. */
  origin: { channelId?: string; threadTs?: string; permalink?: string; messageText?: string };
  submittedAt: string;
}
