/**
 * Deterministic demo dataset for the local DuckDB warehouse.
 *
 * Everything is generated in SQL from `hash(key, salt)`, so a given generation instant always yields the same rows
 * (for a given DuckDB version) and seeding takes about a second. Column names and types are a contract: metric
 * definitions and tests query them directly. Days and weeks are UTC; weeks run Monday to Sunday.
 *
 * Time: the data covers `DEMO_DATASET_DAYS` days ending on the day it is generated and holds no row later than the
 * generation instant (that last day is partial, as in a real warehouse at midday; daily spend rows stop at the last
 * complete day). `demo_meta` records the instant and `DEMO_DATASET_VERSION`; the DuckDB adapter regenerates the data
 * when the version differs or its last complete day is older than yesterday (it was generated on an earlier UTC day),
 * so "last week" and the planted change below always fall inside it.
 *
 * Planted on purpose, relative to the generation instant G (`demoDatasetFacts(G)` gives the exact dates):
 * - A change, for "What changed?": `searches` (events with event_name = 'search') from country = 'DE' drop by about
 *   80% in the most recent complete Monday–Sunday week (the last week whose Sunday ended at or before G). Nothing else
 *   moves that week, so the week-on-week drop in searches comes from country = DE (the other countries move by tens).
 * - An anomaly, for alerts: `signups` on the last complete day (G's day minus one) are 3.5 times their usual volume,
 *   spread over plans, countries and sources like any other day; far outside that weekday's range over the previous
 *   8 weeks (median and MAD).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Bump whenever the generated data changes, so existing demo databases are regenerated on the next start.
 * 2: generated up to an instant instead of a whole anchor day, 26 weeks, planted change and anomaly.
 */
export const DEMO_DATASET_VERSION = 2;

/** Days of data, ending on the generation day inclusive (26 weeks: the current and the previous quarter). */
export const DEMO_DATASET_DAYS = 182;

export const DEMO_TABLES = [
  'events',
  'instance_pings',
  'signups',
  'web_sessions',
  'trials',
  'marketing_spend',
  'demo_meta',
] as const;

const ANCHOR_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

/** Throws unless `value` is a real calendar date in YYYY-MM-DD form. */
export function assertIsoDate(value: string): void {
  const ok =
    ANCHOR_PATTERN.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().startsWith(value);
  if (!ok) throw new RangeError(`Expected a YYYY-MM-DD date, got ${JSON.stringify(value)}`);
}

/** What the dataset generated at one instant holds, and where its planted change and anomaly are (all UTC). */
export interface DemoDatasetFacts {
  generatedAt: Date;
  /** First day with data. */
  firstDay: string;
  /** The generation day: the last day with data, complete only up to `generatedAt`. */
  lastDay: string;
  /** The day before `lastDay`. */
  lastCompleteDay: string;
  /** Searches from one country drop in the most recent complete week. */
  change: {
    metric: 'searches';
    dimension: 'country';
    value: 'DE';
    /** Monday and Sunday (inclusive) of the week. */
    weekStart: string;
    weekEnd: string;
    /** Share of that segment's searches kept that week. */
    kept: number;
  };
  /** Sign-ups spike on the last complete day. */
  anomaly: { metric: 'signups'; day: string; factor: number };
}

const CHANGE_KEPT = 0.2;
const ANOMALY_FACTOR = 3.5;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The facts for data generated at `generatedAt`; pure, so tests and docs can name exact dates. */
export function demoDatasetFacts(generatedAt: Date): DemoDatasetFacts {
  const ms = generatedAt.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('The demo dataset needs a valid generation time');
  const lastDayMs = Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
  const isoWeekday = ((new Date(lastDayMs).getUTCDay() + 6) % 7) + 1; // Monday 1 … Sunday 7
  // The week containing the generation day is still running (even at its Sunday 23:59), so the last complete week
  // is the one before it.
  const weekStartMs = lastDayMs - (isoWeekday - 1 + 7) * MS_PER_DAY;
  return {
    generatedAt: new Date(ms),
    firstDay: isoDay(lastDayMs - (DEMO_DATASET_DAYS - 1) * MS_PER_DAY),
    lastDay: isoDay(lastDayMs),
    lastCompleteDay: isoDay(lastDayMs - MS_PER_DAY),
    change: {
      metric: 'searches',
      dimension: 'country',
      value: 'DE',
      weekStart: isoDay(weekStartMs),
      weekEnd: isoDay(weekStartMs + 6 * MS_PER_DAY),
      kept: CHANGE_KEPT,
    },
    anomaly: { metric: 'signups', day: isoDay(lastDayMs - MS_PER_DAY), factor: ANOMALY_FACTOR },
  };
}

/** True when data generated at `generatedAt` (with `version`) must be regenerated at `now`. */
export function isDemoDatasetStale(meta: { generatedAt: Date; version: number }, now: Date): boolean {
  if (meta.version !== DEMO_DATASET_VERSION) return true;
  return isoDay(meta.generatedAt.getTime()) < isoDay(now.getTime());
}

// Helpers live as TEMP macros so they vanish with the session and never show up in the warehouse schema.
const MACROS = [
  // DuckDB's multi-argument hash() combines per-argument hashes almost linearly, so hash(k, 'a') and hash(k, 'b') are
  // strongly correlated. Chaining the single-value hash (a full 64-bit mixer) over salt and keys avoids that.
  `CREATE OR REPLACE TEMP MACRO demo_mix(h, x) AS hash(xor(h, hash(x)))`,
  // Uniform [0, 1) from the top 53 bits.
  `CREATE OR REPLACE TEMP MACRO demo_r(a, salt) AS (demo_mix(hash(salt), a) >> 11)::DOUBLE / 9007199254740992.0`,
  `CREATE OR REPLACE TEMP MACRO demo_r2(a, b, salt) AS
     (demo_mix(demo_mix(hash(salt), a), b) >> 11)::DOUBLE / 9007199254740992.0`,
  `CREATE OR REPLACE TEMP MACRO demo_r3(a, b, c, salt) AS
     (demo_mix(demo_mix(demo_mix(hash(salt), a), b), c) >> 11)::DOUBLE / 9007199254740992.0`,
  `CREATE OR REPLACE TEMP MACRO demo_country(r) AS CASE
     WHEN r < 0.34 THEN 'US' WHEN r < 0.47 THEN 'IN' WHEN r < 0.57 THEN 'DE' WHEN r < 0.67 THEN 'GB'
     WHEN r < 0.75 THEN 'CA' WHEN r < 0.84 THEN 'BR' WHEN r < 0.92 THEN 'FR' ELSE 'JP' END`,
  // Seconds after UTC midnight, clustered around 14:00 local time so activity follows each country's working day.
  `CREATE OR REPLACE TEMP MACRO demo_secs(country, r1, r2) AS ((((
     14 - CASE country WHEN 'US' THEN -6 WHEN 'CA' THEN -5 WHEN 'BR' THEN -3 WHEN 'GB' THEN 0 WHEN 'FR' THEN 1
       WHEN 'DE' THEN 1 WHEN 'IN' THEN 5.5 WHEN 'JP' THEN 9 ELSE 0 END
     ) * 3600 + (r1 + r2 - 1) * 7 * 3600)::BIGINT % 86400) + 86400) % 86400`,
];

const LAST_DAY = DEMO_DATASET_DAYS - 1;

/** Numbers spliced into the SQL as literals (DDL takes no parameters); all derived from a validated instant. */
interface Plan {
  lastDay: string;
  /** Epoch seconds of the generation instant: no row may be later. */
  cutoff: number;
  /** Day indexes (0 … LAST_DAY) of the planted change's Monday and Sunday, and of the anomaly. */
  changeFrom: number;
  changeTo: number;
  anomalyDay: number;
}

function plan(facts: DemoDatasetFacts): Plan {
  const index = (day: string) => LAST_DAY - (Date.parse(facts.lastDay) - Date.parse(day)) / MS_PER_DAY;
  return {
    lastDay: facts.lastDay,
    cutoff: Math.floor(facts.generatedAt.getTime() / 1000),
    changeFrom: index(facts.change.weekStart),
    changeTo: index(facts.change.weekEnd),
    anomalyDay: index(facts.anomaly.day),
  };
}

function days(p: Plan): string {
  // Epoch seconds are computed from integer day numbers, so no statement depends on the session TimeZone.
  return `CREATE OR REPLACE TEMP TABLE demo_days AS
    SELECT
      d::INTEGER AS d,
      (DATE '${p.lastDay}' - ${LAST_DAY} + d::INTEGER) AS day,
      (DATE '${p.lastDay}' - ${LAST_DAY} + d::INTEGER - DATE '1970-01-01')::BIGINT * 86400 AS day_epoch,
      isodow(DATE '${p.lastDay}' - ${LAST_DAY} + d::INTEGER) >= 6 AS weekend,
      1 + 0.2 * d / ${LAST_DAY} AS growth
    FROM range(${DEMO_DATASET_DAYS}) t(d)`;
}

const SIGNUPS = (p: Plan) => [
  `CREATE OR REPLACE TEMP TABLE demo_signups AS
    WITH per_day AS (
      SELECT *,
        round((CASE WHEN weekend THEN 18 ELSE 52 END) * growth * (0.8 + 0.4 * demo_r(d, 'signup_n'))
          * (CASE WHEN d = ${p.anomalyDay} THEN ${ANOMALY_FACTOR} ELSE 1 END))::BIGINT AS n
      FROM demo_days
    ), keyed AS (
      SELECT d, day_epoch, 100000 + d * 1000 + unnest(range(n)) AS ukey FROM per_day
    ), rnd AS MATERIALIZED (
      SELECT *, demo_r(ukey, 'signup_country') AS r_country, demo_r(ukey, 'signup_plan') AS r_plan,
        demo_r(ukey, 'signup_source') AS r_source, demo_r(ukey, 'signup_t1') AS r_t1, demo_r(ukey, 'signup_t2') AS r_t2
      FROM keyed
    ), attrs AS (
      SELECT *, demo_country(r_country) AS country FROM rnd
    ), timed AS (
      SELECT *, day_epoch + demo_secs(country, r_t1, r_t2) AS epoch FROM attrs
    )
    SELECT
      ukey, d,
      printf('usr_%06d', ukey) AS user_id,
      to_timestamp(epoch) AS signed_up_at,
      CASE WHEN r_plan < 0.85 THEN 'free' WHEN r_plan < 0.97 THEN 'pro' ELSE 'enterprise' END AS plan,
      country,
      CASE WHEN r_source < 0.40 THEN 'organic' WHEN r_source < 0.65 THEN 'paid' WHEN r_source < 0.80 THEN 'referral'
        ELSE 'docs' END AS source
    FROM timed WHERE epoch <= ${p.cutoff}`,
  `CREATE OR REPLACE TABLE signups AS
    SELECT user_id::VARCHAR AS user_id, signed_up_at::TIMESTAMPTZ AS signed_up_at, plan::VARCHAR AS plan,
      country::VARCHAR AS country, source::VARCHAR AS source
    FROM demo_signups ORDER BY signed_up_at, user_id`,
];

const EVENTS = (p: Plan) => [
  // Established users plus the ~15% of in-window signups who go on to use the product; a few established users churn.
  `CREATE OR REPLACE TEMP TABLE demo_users AS
    WITH rnd AS MATERIALIZED (
      SELECT i, demo_r(i, 'churn') AS r_churn, demo_r(i, 'churn_d') AS r_churn_d, demo_r(i, 'plan') AS r_plan,
        demo_r(i, 'country') AS r_country
      FROM range(1, 1601) t(i)
    ), established AS (
      SELECT
        i AS ukey, printf('usr_%06d', i) AS user_id, 0 AS first_d,
        CASE WHEN r_churn < 0.08 THEN floor(r_churn_d * ${LAST_DAY})::INTEGER ELSE ${LAST_DAY} END AS last_d,
        CASE WHEN r_plan < 0.60 THEN 'free' WHEN r_plan < 0.88 THEN 'pro' ELSE 'enterprise' END AS plan,
        demo_country(r_country) AS country
      FROM rnd
    ), activated AS (
      SELECT ukey, user_id, d + 1 AS first_d, ${LAST_DAY} AS last_d, plan, country
      FROM demo_signups WHERE demo_r(ukey, 'activates') < 0.15 AND d < ${LAST_DAY}
    ), users AS (
      SELECT * FROM established UNION ALL SELECT * FROM activated
    ), rnd_users AS MATERIALIZED (
      SELECT *, demo_r(ukey, 'engagement') AS r_engagement, demo_r(ukey, 'intensity') AS r_intensity,
        demo_r(ukey, 'client') AS r_client
      FROM users
    )
    SELECT ukey, user_id, first_d, last_d, plan, country,
      0.05 + 0.7 * pow(r_engagement, 2) AS engagement,
      2 + 8 * r_intensity AS intensity,
      CASE WHEN r_client < 0.55 THEN 'web' WHEN r_client < 0.85 THEN 'vscode' ELSE 'jetbrains' END AS client
    FROM rnd_users`,
  `CREATE OR REPLACE TABLE events AS
    WITH user_days AS (
      SELECT u.*, dd.d, dd.day_epoch, dd.weekend, demo_r2(u.ukey, dd.d, 'active') AS r_active
      FROM demo_users u JOIN demo_days dd ON dd.d BETWEEN u.first_d AND u.last_d
    ), active AS (
      -- Weekends: half as many users show up, and those who do are less busy.
      SELECT *, (1 + floor(intensity * (CASE WHEN weekend THEN 0.75 ELSE 1 END) * demo_r2(ukey, d, 'k')))::BIGINT AS k
      FROM user_days WHERE r_active < engagement * (CASE WHEN weekend THEN 0.5 ELSE 1 END)
    ), rows AS (
      SELECT ukey, user_id, plan, country, client, d, day_epoch, unnest(range(k)) AS j FROM active
    ), rnd AS MATERIALIZED (
      SELECT *, demo_r3(ukey, d, j, 'event') AS r_event, demo_r3(ukey, d, j, 'client') AS r_client,
        demo_r3(ukey, d, j, 't1') AS r_t1, demo_r3(ukey, d, j, 't2') AS r_t2, demo_r3(ukey, d, j, 'kept') AS r_kept
      FROM rows
    ), named AS (
      SELECT *, day_epoch + demo_secs(country, r_t1, r_t2) AS epoch,
        CASE
          WHEN r_event < 0.44 THEN 'search'
          WHEN r_event < 0.74 THEN 'page_view'
          WHEN r_event < 0.94 THEN 'code_navigation'
          WHEN r_event < (CASE plan WHEN 'enterprise' THEN 0.97 WHEN 'pro' THEN 0.955 ELSE 0.945 END)
            THEN 'batch_change_created'
          WHEN r_event < 0.985 THEN 'extension_installed'
          ELSE 'search' END AS event_name
      FROM rnd
    )
    SELECT
      printf('evt_%06d_%02d_%02d', ukey, d, j)::VARCHAR AS event_id,
      user_id::VARCHAR AS user_id,
      event_name::VARCHAR AS event_name,
      to_timestamp(epoch)::TIMESTAMPTZ AS occurred_at,
      plan::VARCHAR AS plan,
      country::VARCHAR AS country,
      (CASE WHEN r_client < 0.85 THEN client ELSE 'web' END)::VARCHAR AS client
    FROM named
    WHERE epoch <= ${p.cutoff}
      -- The planted change: most of DE's searches vanish for one week.
      AND NOT (event_name = 'search' AND country = 'DE' AND d BETWEEN ${p.changeFrom} AND ${p.changeTo}
        AND r_kept >= ${CHANGE_KEPT})
    ORDER BY occurred_at, event_id`,
];

const INSTANCE_PINGS = (p: Plan) => [
  `CREATE OR REPLACE TEMP TABLE demo_instances AS
    WITH rnd AS MATERIALIZED (
      SELECT i, demo_r(i, 'inst_start') AS r_start, demo_r(i, 'inst_start_d') AS r_start_d,
        demo_r(i, 'inst_churn') AS r_churn, demo_r(i, 'inst_end_d') AS r_end_d, demo_r(i, 'deploy') AS r_deploy,
        demo_r(i, 'inst_country') AS r_country, demo_r(i, 'inst_size') AS r_size, demo_r(i, 'inst_rate') AS r_rate,
        demo_r(i, 'inst_lag') AS r_lag, demo_r(i, 'inst_hour') AS r_hour
      FROM range(1, 401) t(i)
    ), base AS (
      SELECT *, CASE WHEN r_start < 0.75 THEN 0 ELSE floor(r_start_d * ${LAST_DAY - 4})::INTEGER END AS first_d FROM rnd
    )
    SELECT i, printf('inst_%04d', i) AS instance_id, first_d,
      CASE WHEN r_churn < 0.12 THEN first_d + floor(r_end_d * (${LAST_DAY} - first_d))::INTEGER ELSE ${LAST_DAY} END
        AS last_d,
      CASE WHEN r_deploy < 0.30 THEN 'docker-compose' WHEN r_deploy < 0.55 THEN 'kubernetes'
        WHEN r_deploy < 0.85 THEN 'helm' ELSE 'single-container' END AS deployment_type,
      demo_country(r_country) AS country,
      exp(ln(5) + r_size * (ln(2500) - ln(5))) AS base_users,
      4 + 21 * r_rate AS search_rate,
      -- How many days behind the latest release the admins run; most upgrade within a few weeks.
      floor(90 * pow(r_lag, 2))::INTEGER AS lag,
      floor(r_hour * 86400)::BIGINT AS ping_secs
    FROM base`,
  `CREATE OR REPLACE TABLE instance_pings AS
    WITH rows AS (
      SELECT i.*, dd.d, dd.day_epoch, dd.weekend, dd.d - i.lag AS release_d
      FROM demo_instances i JOIN demo_days dd ON dd.d BETWEEN i.first_d AND i.last_d
      WHERE demo_r2(i.i, dd.d, 'ping_missed') >= 0.06
    ), rnd AS MATERIALIZED (
      SELECT *, demo_r2(i, d, 'ping_users') AS r_users, demo_r2(i, d, 'ping_searches') AS r_searches,
        demo_r2(i, d, 'ping_jitter') AS r_jitter
      FROM rows
    ), sized AS (
      SELECT *, greatest(1, round(base_users * (CASE WHEN weekend THEN 0.3 ELSE 1 END) * (1 + 0.15 * d / ${LAST_DAY})
        * (0.9 + 0.2 * r_users)))::INTEGER AS active_users
      FROM rnd
    ), timed AS (
      SELECT *, day_epoch + (ping_secs + floor(r_jitter * 1200)::BIGINT) % 86400 AS epoch FROM sized
    )
    SELECT
      instance_id::VARCHAR AS instance_id,
      to_timestamp(epoch)::TIMESTAMPTZ AS pinged_at,
      deployment_type::VARCHAR AS deployment_type,
      -- A release every 30 days, the latest 29 days before the end.
      ['5.0.4', '5.1.2', '5.2.0', '5.2.3', '5.3.1', '5.4.0'][1 + (release_d >= ${LAST_DAY - 149})::INTEGER
        + (release_d >= ${LAST_DAY - 119})::INTEGER + (release_d >= ${LAST_DAY - 89})::INTEGER
        + (release_d >= ${LAST_DAY - 59})::INTEGER + (release_d >= ${LAST_DAY - 29})::INTEGER]::VARCHAR AS version,
      country::VARCHAR AS country,
      active_users,
      round(active_users * search_rate * (0.7 + 0.6 * r_searches))::INTEGER AS searches
    FROM timed WHERE epoch <= ${p.cutoff} ORDER BY pinged_at, instance_id`,
];

const WEB_SESSIONS = (p: Plan) => `CREATE OR REPLACE TABLE web_sessions AS
  WITH per_day AS (
    SELECT *, round((CASE WHEN weekend THEN 450 ELSE 1000 END) * growth * (0.9 + 0.2 * demo_r(d, 'web_n')))::BIGINT AS n
    FROM demo_days
  ), rows AS (
    SELECT d, day_epoch, unnest(range(n)) AS j FROM per_day
  ), rnd AS MATERIALIZED (
    SELECT *, demo_r2(d, j, 'web_site') AS r_site, demo_r2(d, j, 'web_channel') AS r_channel,
      demo_r2(d, j, 'web_country') AS r_country, demo_r2(d, j, 'web_bounce') AS r_bounce,
      demo_r2(d, j, 'web_pv') AS r_pv, demo_r2(d, j, 'web_t1') AS r_t1, demo_r2(d, j, 'web_t2') AS r_t2
    FROM rows
  ), attrs AS (
    SELECT *,
      CASE WHEN r_site < 0.55 THEN 'marketing' ELSE 'docs' END AS site,
      CASE WHEN r_channel < 0.45 THEN 'organic' WHEN r_channel < 0.65 THEN 'direct' WHEN r_channel < 0.80 THEN 'paid'
        WHEN r_channel < 0.90 THEN 'referral' ELSE 'social' END AS channel,
      demo_country(r_country) AS country
    FROM rnd
  ), bounced AS (
    SELECT *, r_bounce < (CASE site WHEN 'marketing' THEN 0.52 ELSE 0.38 END)
      + (CASE channel WHEN 'paid' THEN 0.10 WHEN 'social' THEN 0.08 WHEN 'direct' THEN -0.10 ELSE 0 END) AS bounced,
      day_epoch + demo_secs(country, r_t1, r_t2) AS epoch
    FROM attrs
  )
  SELECT
    printf('ga_%02d_%05d', d, j)::VARCHAR AS session_id,
    to_timestamp(epoch)::TIMESTAMPTZ AS started_at,
    site::VARCHAR AS site,
    channel::VARCHAR AS channel,
    country::VARCHAR AS country,
    (CASE WHEN bounced THEN 1 ELSE 2 + floor(pow(r_pv, 2) * (CASE site WHEN 'docs' THEN 12 ELSE 7 END)) END)::INTEGER
      AS pageviews,
    bounced::BOOLEAN AS bounced
  FROM bounced WHERE epoch <= ${p.cutoff} ORDER BY started_at, session_id`;

const TRIALS = (p: Plan) => `CREATE OR REPLACE TABLE trials AS
  WITH per_day AS (
    SELECT *, round((CASE WHEN weekend THEN 2.5 ELSE 10 END) * growth * (0.7 + 0.6 * demo_r(d, 'trial_n')))::BIGINT AS n
    FROM demo_days
  ), rows AS (
    SELECT d, day_epoch, unnest(range(n)) AS j FROM per_day
  ), rnd AS MATERIALIZED (
    SELECT *, demo_r2(d, j, 'trial_country') AS r_country, demo_r2(d, j, 'trial_plan') AS r_plan,
      demo_r2(d, j, 'trial_t1') AS r_t1, demo_r2(d, j, 'trial_t2') AS r_t2, demo_r2(d, j, 'trial_conv') AS r_conv,
      demo_r2(d, j, 'trial_delay') AS r_delay, demo_r2(d, j, 'trial_delay_s') AS r_delay_s,
      demo_r2(d, j, 'trial_deploy') AS r_deploy, demo_r2(d, j, 'trial_a') AS r_a, demo_r2(d, j, 'trial_b') AS r_b,
      demo_r2(d, j, 'trial_c') AS r_c
    FROM rows
  ), attrs AS (
    SELECT *,
      demo_country(r_country) AS country,
      CASE WHEN r_plan < 0.6 THEN 'pro' ELSE 'enterprise' END AS plan
    FROM rnd
  ), timed AS (
    SELECT *,
      day_epoch + demo_secs(country, r_t1, r_t2) AS start_epoch,
      r_conv < (CASE plan WHEN 'pro' THEN 0.34 ELSE 0.29 END) AS will_convert,
      (5 + floor(r_delay * 25))::BIGINT * 86400 + floor(r_delay_s * 86400)::BIGINT AS delay_s
    FROM attrs
  ), settled AS (
    -- Conversions that would land after the generation instant have not happened yet: those trials are still open.
    SELECT *, will_convert AND start_epoch + delay_s <= ${p.cutoff} AS converted
    FROM timed WHERE start_epoch <= ${p.cutoff}
  )
  SELECT
    printf('%d', 18000000 + d * 1000 + j)::VARCHAR AS trial_id,
    (['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent',
      'Wonka', 'Nimbus', 'Aperture', 'Oscorp', 'Pied Piper', 'Dunder', 'Monarch', 'Massive', 'Sterling',
      'Northwind', 'Contoso', 'Fabrikam', 'Tailspin'][1 + floor(r_a * 24)::INTEGER]
      || ['', ' Data', ' Bio', ' Fin', ' Geo', ' Quantum', ' Blue', ' Signal', ' Orbit', ' Harbor']
        [1 + floor(r_b * 10)::INTEGER]
      || [' Corp', ' Labs', ' Systems', ' Inc', ' Technologies', ' Software', ' Group', ' Analytics', ' Cloud',
        ' Networks'][1 + floor(r_c * 10)::INTEGER])::VARCHAR AS account_name,
    to_timestamp(start_epoch)::TIMESTAMPTZ AS started_at,
    converted::BOOLEAN AS converted,
    (CASE WHEN converted THEN to_timestamp(start_epoch + delay_s) END)::TIMESTAMPTZ AS converted_at,
    plan::VARCHAR AS plan,
    (CASE WHEN r_deploy < 0.55 THEN 'cloud' ELSE 'self-hosted' END)::VARCHAR AS deployment_type,
    country::VARCHAR AS country
  FROM settled ORDER BY started_at, trial_id`;

const MARKETING_SPEND = (p: Plan) => `CREATE OR REPLACE TABLE marketing_spend AS
  WITH rnd AS MATERIALIZED (
    SELECT dd.d, dd.day, dd.weekend, c.channel, demo_r2(dd.d, c.channel, 'spend') AS r_amount,
      demo_r2(dd.d, c.channel, 'spend_on') AS r_on
    FROM demo_days dd CROSS JOIN (VALUES ('paid_search'), ('social'), ('events'), ('sponsorships')) c(channel)
    -- A day's spend is loaded once the day is over.
    WHERE dd.d < ${LAST_DAY} AND dd.day_epoch + 86400 <= ${p.cutoff}
  )
  SELECT
    day::DATE AS spend_date,
    channel::VARCHAR AS channel,
    round(CASE channel
      WHEN 'paid_search' THEN (CASE WHEN weekend THEN 700 ELSE 1600 END) * (1 + 0.3 * d / ${LAST_DAY})
        * (0.85 + 0.3 * r_amount)
      WHEN 'social' THEN (CASE WHEN weekend THEN 350 ELSE 550 END) * (0.8 + 0.4 * r_amount)
      -- Conferences are lumpy: nothing most days, a big invoice now and then.
      WHEN 'events' THEN CASE WHEN r_on < 0.08 THEN 4000 + 16000 * r_amount ELSE 0 END
      ELSE CASE WHEN date_part('day', day) = 1 THEN 12000 + 3000 * r_amount WHEN r_on < 0.05 THEN 2500 ELSE 0 END
    END, 2)::DOUBLE AS amount_usd
  FROM rnd ORDER BY spend_date, channel`;

function meta(p: Plan, generatedAtMs: number): string {
  return `CREATE OR REPLACE TABLE demo_meta AS
    SELECT DATE '${p.lastDay}' AS anchor_date, make_timestamptz(${generatedAtMs}::BIGINT * 1000) AS generated_at,
      ${DEMO_DATASET_VERSION}::INTEGER AS version`;
}

const CLEANUP = [
  'DROP TABLE IF EXISTS demo_users',
  'DROP TABLE IF EXISTS demo_instances',
  'DROP TABLE IF EXISTS demo_signups',
  'DROP TABLE IF EXISTS demo_days',
  'DROP MACRO IF EXISTS demo_secs',
  'DROP MACRO IF EXISTS demo_country',
  'DROP MACRO IF EXISTS demo_r3',
  'DROP MACRO IF EXISTS demo_r2',
  'DROP MACRO IF EXISTS demo_r',
  'DROP MACRO IF EXISTS demo_mix',
];

/**
 * Creates (or replaces) the demo tables with `DEMO_DATASET_DAYS` days of data ending at `generatedAt` (see the module
 * comment). Runs in its own transaction, so the caller's connection must not be inside one; `demo_meta` is written
 * last and a failed seed leaves nothing behind.
 */
export async function seedDemoDataset(connection: DuckDBConnection, generatedAt: Date): Promise<DemoDatasetFacts> {
  const facts = demoDatasetFacts(generatedAt);
  const p = plan(facts);
  const statements = [
    ...MACROS,
    days(p),
    ...SIGNUPS(p),
    ...EVENTS(p),
    ...INSTANCE_PINGS(p),
    WEB_SESSIONS(p),
    TRIALS(p),
    MARKETING_SPEND(p),
    meta(p, facts.generatedAt.getTime()),
    ...CLEANUP,
  ];
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const sql of statements) await connection.run(sql);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return facts;
}
