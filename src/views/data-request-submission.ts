/**
 * Reads the data request modal back (untrusted: Slack relays whatever the client sent) into a DataRequest,
 * or into per-block error messages for `response_action: "errors"`.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { DATA_SOURCES, type DataRequest } from '../requests/data-request.js';
import { ACTIONS, BLOCKS, LIMITS, MAX_CONTEXT_MESSAGE, type ModalContext } from './data-request-modal.js';

type StateValues = Record<string, Record<string, Record<string, unknown>>>;

const contextSchema = z
  .object({
    k: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    c: z
      .string()
      .regex(/^[CDG][A-Z0-9]+$/)
      .optional(),
    t: z
      .string()
      .regex(/^\d+\.\d+$/)
      .optional(),
    o: z.enum(['command', 'shortcut', 'message', 'button', 'home', 'mention']),
    m: z.string().max(MAX_CONTEXT_MESSAGE).optional(),
  })
  .strict();

export function readContext(privateMetadata: string | undefined): ModalContext | null {
  try {
    const parsed = contextSchema.safeParse(JSON.parse(privateMetadata ?? ''));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const required = (what: string, max: number) =>
  z
    .string({ error: `Please answer: ${what}` })
    .transform((s) => s.trim())
    .refine((s) => s.length > 0, `Please answer: ${what}`)
    .refine((s) => s.length <= max, `Keep this under ${max} characters`);

export interface SubmissionInput {
  values: StateValues;
  context: ModalContext;
  user: { id: string; name: string; teamId?: string; teamDomain?: string };
  /** The requester's IANA time zone (users.info), for "not in the past". */
  timezone: string;
  now: Date;
}

export type SubmissionResult = { ok: true; request: DataRequest } | { ok: false; errors: Record<string, string> };

export function readSubmission(input: SubmissionInput): SubmissionResult {
  const { values } = input;
  const field = (block: string, action: string) => values[block]?.[action] ?? {};
  const errors: Record<string, string> = {};
  const check = <T>(block: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    errors[block] = r.error.issues[0]?.message ?? 'This answer is not valid';
    return undefined;
  };

  const title = check(
    BLOCKS.title,
    required('a short title', LIMITS.title),
    field(BLOCKS.title, ACTIONS.title).value ?? '',
  );
  const purpose = check(
    BLOCKS.purpose,
    required('what the deliverable is for and why you need it', LIMITS.answer),
    field(BLOCKS.purpose, ACTIONS.purpose).value ?? '',
  );
  const deliverable = check(
    BLOCKS.deliverable,
    required('what the deliverable should look like', LIMITS.answer),
    field(BLOCKS.deliverable, ACTIONS.deliverable).value ?? '',
  );

  const today = DateTime.fromJSDate(input.now, { zone: input.timezone }).toISODate()!;
  const neededBy = check(
    BLOCKS.neededBy,
    z
      .string({ error: 'Please pick the date you need it by' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'Please pick the date you need it by')
      .refine((d) => DateTime.fromISO(d).isValid, 'That is not a real date')
      .refine((d) => d >= today, `That date is in the past (today is ${today} in your time zone)`),
    field(BLOCKS.neededBy, ACTIONS.neededBy).selected_date,
  );
  const necessity = check(
    BLOCKS.necessity,
    z.enum(['necessity', 'nice-to-have'], { error: 'Please say whether this is a nice-to-have or a necessity' }),
    (field(BLOCKS.necessity, ACTIONS.necessity).selected_option as { value?: unknown } | undefined)?.value,
  );
  const links = check(
    BLOCKS.links,
    z
      .string()
      .max(LIMITS.links, `Keep links under ${LIMITS.links} characters`)
      .optional()
      .transform((s) => s?.trim() || undefined),
    field(BLOCKS.links, ACTIONS.links).value ?? undefined,
  );
  const stakeholders = check(
    BLOCKS.stakeholders,
    z
      .array(z.string().regex(/^[UW][A-Z0-9]+$/, 'Pick people from the list'))
      .max(LIMITS.stakeholders, `Pick at most ${LIMITS.stakeholders} people`),
    field(BLOCKS.stakeholders, ACTIONS.stakeholders).selected_users ?? [],
  );
  const known = new Set<string>(DATA_SOURCES.map((s) => s.value));
  const sources = check(
    BLOCKS.sources,
    z.array(z.string().refine((v) => known.has(v), 'Pick data sources from the list')),
    ((field(BLOCKS.sources, ACTIONS.sources).selected_options ?? []) as Array<{ value?: unknown }>).map((o) => o.value),
  );
  const files = (field(BLOCKS.sketch, ACTIONS.sketch).files ?? []) as Array<Record<string, unknown>>;
  const sketches = files
    .filter((f) => typeof f.permalink === 'string' && /^https:\/\//.test(f.permalink))
    .slice(0, 5)
    .map((f) => ({ name: String(f.name ?? f.title ?? 'sketch').slice(0, 100), url: String(f.permalink) }));

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const { context: ctx, user } = input;
  const permalink =
    ctx.o === 'message' && ctx.c && ctx.t && user.teamDomain && /^[a-z0-9-]+$/.test(user.teamDomain)
      ? `https://${user.teamDomain}.slack.com/archives/${ctx.c}/p${ctx.t.replace('.', '')}`
      : undefined;
  return {
    ok: true,
    request: {
      key: ctx.k,
      title: title!,
      purpose: purpose!,
      deliverable: deliverable!,
      neededBy: neededBy!,
      necessity: necessity!,
      links,
      stakeholders: stakeholders ?? [],
      sources: sources ?? [],
      sketches,
      requester: { id: user.id, name: user.name, teamId: user.teamId },
      origin: { channelId: ctx.c, threadTs: ctx.t, permalink, messageText: ctx.m },
      submittedAt: input.now.toISOString(),
    },
  };
}
