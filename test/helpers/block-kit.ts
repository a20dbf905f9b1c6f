/**
 * Checks Block Kit payloads against Slack's documented limits (/work/shared/slack-limits.md), so a payload Slack would
 * reject with `invalid_blocks` / `invalid_arguments` fails a test instead of a user's request.
 *
 * Usage in a nock reply callback:
 *   const surface = surfaceForSlackMethod(method);
 *   if (surface) assertBlockKit(extractSlackPayload(method, body), surface);
 */

export type BlockKitSurface = 'message' | 'modal' | 'home';

type Json = Record<string, unknown>;
type Container = 'section' | 'actions' | 'input' | 'context';

interface Ctx {
  readonly out: string[];
  // id -> path of its first use, so duplicates can point at both places.
  readonly blockIds: Map<string, string>;
  readonly actionIds: Map<string, string>;
}

const MAX_ID = 255;
const MAX_TEXT = 3000;
const BUTTON_STYLES = ['primary', 'danger'] as const;
const TRIGGERS = ['on_enter_pressed', 'on_character_entered'] as const;

const STATIC_SELECTS = new Set(['static_select', 'multi_static_select']);
const SELECTS = new Set([
  ...STATIC_SELECTS,
  'external_select',
  'multi_external_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
]);
const CHOICES = ['checkboxes', 'radio_buttons', 'datepicker'];

// Which element types each block accepts, per the "works with block types" notes in Slack's element reference.
const PLACEMENT: Record<Container, ReadonlySet<string>> = {
  section: new Set([...SELECTS, ...CHOICES, 'button', 'overflow', 'image']),
  actions: new Set([...SELECTS, ...CHOICES, 'button', 'overflow']),
  input: new Set([...SELECTS, ...CHOICES, 'plain_text_input', 'file_input']),
  context: new Set(['image']),
};
const KNOWN_ELEMENTS = new Set(Object.values(PLACEMENT).flatMap((types) => [...types]));

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Slack counts characters, not UTF-16 code units: an emoji is one character.
function charCount(value: string): number {
  return Array.from(value).length;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}

function checkString(ctx: Ctx, value: unknown, path: string, opts: { max: number; required?: boolean }): void {
  if (value === undefined) {
    if (opts.required) ctx.out.push(`${path}: required`);
    return;
  }
  if (typeof value !== 'string') {
    ctx.out.push(`${path}: expected a string, got ${kindOf(value)}`);
    return;
  }
  const n = charCount(value);
  if (opts.required && n === 0) ctx.out.push(`${path}: empty`);
  if (n > opts.max) ctx.out.push(`${path}: ${n} chars > ${opts.max}`);
}

function checkInt(ctx: Ctx, value: unknown, path: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    ctx.out.push(`${path}: expected an integer, got ${kindOf(value)}`);
  } else if (value < min || value > max) {
    ctx.out.push(`${path}: ${value} outside ${min}..${max}`);
  }
}

function checkEnum(ctx: Ctx, value: unknown, path: string, allowed: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    ctx.out.push(`${path}: '${String(value)}' is not one of ${allowed.join(', ')}`);
  }
}

function checkArray(
  ctx: Ctx,
  value: unknown,
  path: string,
  opts: { max: number; min?: number; required?: boolean },
): unknown[] | undefined {
  if (value === undefined) {
    if (opts.required) ctx.out.push(`${path}: required`);
    return undefined;
  }
  if (!Array.isArray(value)) {
    ctx.out.push(`${path}: expected an array, got ${kindOf(value)}`);
    return undefined;
  }
  if (value.length > opts.max) ctx.out.push(`${path}: ${value.length} items > ${opts.max}`);
  const min = opts.min ?? 0;
  if (value.length < min) ctx.out.push(`${path}: ${value.length} items < ${min}`);
  return value;
}

function checkId(ctx: Ctx, value: unknown, path: string, kind: 'block_id' | 'action_id'): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value === '') {
    ctx.out.push(`${path}: expected a non-empty string`);
    return;
  }
  const n = charCount(value);
  if (n > MAX_ID) ctx.out.push(`${path}: ${n} chars > ${MAX_ID}`);
  const registry = kind === 'block_id' ? ctx.blockIds : ctx.actionIds;
  const first = registry.get(value);
  if (first === undefined) registry.set(value, path);
  else ctx.out.push(`${path}: duplicate ${kind} '${clip(value)}' (first used at ${first})`);
}

interface TextOpts {
  max: number;
  plainOnly?: boolean;
  required?: boolean;
}

function checkText(ctx: Ctx, value: unknown, path: string, opts: TextOpts): void {
  if (value === undefined) {
    if (opts.required) ctx.out.push(`${path}: required`);
    return;
  }
  if (!isRecord(value)) {
    ctx.out.push(`${path}: expected a text object, got ${kindOf(value)}`);
    return;
  }
  const { type, text } = value;
  if (type !== 'plain_text' && type !== 'mrkdwn') {
    ctx.out.push(`${path}.type: '${String(type)}' is not plain_text or mrkdwn`);
  } else if (opts.plainOnly && type !== 'plain_text') {
    ctx.out.push(`${path}.type: must be plain_text, got ${type}`);
  }
  if (typeof text !== 'string') {
    ctx.out.push(`${path}.text: expected a string, got ${kindOf(text)}`);
  } else {
    const n = charCount(text);
    const max = Math.min(opts.max, MAX_TEXT);
    if (n === 0) ctx.out.push(`${path}.text: empty (min 1 char)`);
    if (n > max) ctx.out.push(`${path}.text: ${n} chars > ${max}`);
  }
  if (value.emoji !== undefined && type !== 'plain_text') ctx.out.push(`${path}.emoji: only allowed on plain_text`);
  if (value.verbatim !== undefined && type !== 'mrkdwn') ctx.out.push(`${path}.verbatim: only allowed on mrkdwn`);
}

function checkConfirm(ctx: Ctx, value: unknown, path: string): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    ctx.out.push(`${path}: expected a confirm object, got ${kindOf(value)}`);
    return;
  }
  checkText(ctx, value.title, `${path}.title`, { max: 100, plainOnly: true, required: true });
  checkText(ctx, value.text, `${path}.text`, { max: 300, required: true });
  checkText(ctx, value.confirm, `${path}.confirm`, { max: 30, plainOnly: true, required: true });
  checkText(ctx, value.deny, `${path}.deny`, { max: 30, plainOnly: true, required: true });
  checkEnum(ctx, value.style, `${path}.style`, BUTTON_STYLES);
}

interface OptionFlavor {
  // mrkdwn option text/description is only allowed in radio buttons and checkboxes.
  mrkdwn: boolean;
  // `url` on an option is only allowed in overflow menus.
  url: boolean;
}

/** Returns the option's value (for initial_option matching) when it has one. */
function checkOption(ctx: Ctx, value: unknown, path: string, flavor: OptionFlavor): string | undefined {
  if (!isRecord(value)) {
    ctx.out.push(`${path}: expected an option object, got ${kindOf(value)}`);
    return undefined;
  }
  checkText(ctx, value.text, `${path}.text`, { max: 75, plainOnly: !flavor.mrkdwn, required: true });
  checkString(ctx, value.value, `${path}.value`, { max: 150, required: true });
  checkText(ctx, value.description, `${path}.description`, { max: 75, plainOnly: !flavor.mrkdwn });
  if (value.url !== undefined && !flavor.url) ctx.out.push(`${path}.url: only allowed on overflow menu options`);
  else checkString(ctx, value.url, `${path}.url`, { max: 3000 });
  return typeof value.value === 'string' ? value.value : undefined;
}

function checkOptions(
  ctx: Ctx,
  value: unknown,
  path: string,
  opts: { max: number; required: boolean },
  flavor: OptionFlavor,
): Set<string> {
  const values = new Set<string>();
  const options = checkArray(ctx, value, path, { max: opts.max, min: 1, required: opts.required });
  options?.forEach((option, i) => {
    const v = checkOption(ctx, option, `${path}[${i}]`, flavor);
    if (v !== undefined) values.add(v);
  });
  return values;
}

/** initial_option(s) must be option objects and, when the choices are static, one of them. */
function checkInitialOptions(ctx: Ctx, el: Json, path: string, flavor: OptionFlavor, known?: Set<string>): void {
  const check = (option: unknown, optionPath: string): void => {
    const v = checkOption(ctx, option, optionPath, flavor);
    if (v !== undefined && known !== undefined && !known.has(v)) {
      ctx.out.push(`${optionPath}: value '${clip(v)}' is not one of the element's options`);
    }
  };
  if (el.initial_option !== undefined) check(el.initial_option, `${path}.initial_option`);
  const initial = checkArray(ctx, el.initial_options, `${path}.initial_options`, { max: 100 });
  initial?.forEach((option, i) => {
    check(option, `${path}.initial_options[${i}]`);
  });
}

function checkStaticSelect(ctx: Ctx, el: Json, path: string): void {
  const flavor = { mrkdwn: false, url: false };
  const hasOptions = el.options !== undefined;
  const hasGroups = el.option_groups !== undefined;
  if (hasOptions && hasGroups) ctx.out.push(`${path}: options and option_groups are mutually exclusive`);
  if (!hasOptions && !hasGroups) ctx.out.push(`${path}: options or option_groups required`);
  const known = checkOptions(ctx, el.options, `${path}.options`, { max: 100, required: false }, flavor);
  const groups = checkArray(ctx, el.option_groups, `${path}.option_groups`, { max: 100, min: 1 });
  groups?.forEach((group, i) => {
    const groupPath = `${path}.option_groups[${i}]`;
    if (!isRecord(group)) {
      ctx.out.push(`${groupPath}: expected an option group object, got ${kindOf(group)}`);
      return;
    }
    checkText(ctx, group.label, `${groupPath}.label`, { max: 75, plainOnly: true, required: true });
    const values = checkOptions(ctx, group.options, `${groupPath}.options`, { max: 100, required: true }, flavor);
    for (const v of values) known.add(v);
  });
  checkInitialOptions(ctx, el, path, flavor, known);
}

function checkElement(ctx: Ctx, value: unknown, path: string, container: Container): void {
  if (!isRecord(value)) {
    ctx.out.push(`${path}: expected an element object, got ${kindOf(value)}`);
    return;
  }
  const type = value.type;
  if (typeof type !== 'string') {
    ctx.out.push(`${path}.type: required`);
    return;
  }
  if (!KNOWN_ELEMENTS.has(type)) {
    // Deliberately loud: a new element type needs rules here before the app may send it.
    ctx.out.push(`${path}.type: unknown element type '${type}'`);
    return;
  }
  if (!PLACEMENT[container].has(type)) ctx.out.push(`${path}: ${type} is not allowed in ${container} blocks`);
  if (type !== 'image') checkId(ctx, value.action_id, `${path}.action_id`, 'action_id');
  if (type !== 'image' && type !== 'file_input') checkConfirm(ctx, value.confirm, `${path}.confirm`);

  if (SELECTS.has(type)) {
    checkText(ctx, value.placeholder, `${path}.placeholder`, { max: 150, plainOnly: true });
    if (type.startsWith('multi_')) checkInt(ctx, value.max_selected_items, `${path}.max_selected_items`, 1, 100);
    if (STATIC_SELECTS.has(type)) checkStaticSelect(ctx, value, path);
    else if (type.endsWith('external_select')) {
      checkInt(ctx, value.min_query_length, `${path}.min_query_length`, 0, MAX_TEXT);
      checkInitialOptions(ctx, value, path, { mrkdwn: false, url: false });
    }
    return;
  }

  switch (type) {
    case 'button':
      checkText(ctx, value.text, `${path}.text`, { max: 75, plainOnly: true, required: true });
      checkString(ctx, value.value, `${path}.value`, { max: 2000 });
      checkString(ctx, value.url, `${path}.url`, { max: 3000 });
      checkEnum(ctx, value.style, `${path}.style`, BUTTON_STYLES);
      checkString(ctx, value.accessibility_label, `${path}.accessibility_label`, { max: 75 });
      break;
    case 'radio_buttons':
    case 'checkboxes': {
      const flavor = { mrkdwn: true, url: false };
      const known = checkOptions(ctx, value.options, `${path}.options`, { max: 10, required: true }, flavor);
      checkInitialOptions(ctx, value, path, flavor, known);
      break;
    }
    case 'overflow':
      checkOptions(ctx, value.options, `${path}.options`, { max: 5, required: true }, { mrkdwn: false, url: true });
      break;
    case 'datepicker':
      checkText(ctx, value.placeholder, `${path}.placeholder`, { max: 150, plainOnly: true });
      checkDate(ctx, value.initial_date, `${path}.initial_date`);
      break;
    case 'plain_text_input':
      checkPlainTextInput(ctx, value, path);
      break;
    case 'file_input':
      checkInt(ctx, value.max_files, `${path}.max_files`, 1, 10);
      checkArray(ctx, value.filetypes, `${path}.filetypes`, { max: Number.POSITIVE_INFINITY });
      break;
    case 'image':
      checkImageSource(ctx, value, path);
      checkString(ctx, value.alt_text, `${path}.alt_text`, { max: 2000, required: true });
      break;
  }
}

function checkDate(ctx: Ctx, value: unknown, path: string): void {
  if (value === undefined) return;
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  // Round-trip through Date.UTC to reject impossible dates such as 2024-02-30.
  const valid =
    match !== null &&
    new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().startsWith(match[0]);
  if (!valid) ctx.out.push(`${path}: '${String(value)}' is not a YYYY-MM-DD date`);
}

function checkPlainTextInput(ctx: Ctx, el: Json, path: string): void {
  checkText(ctx, el.placeholder, `${path}.placeholder`, { max: 150, plainOnly: true });
  checkInt(ctx, el.min_length, `${path}.min_length`, 0, MAX_TEXT);
  checkInt(ctx, el.max_length, `${path}.max_length`, 1, MAX_TEXT);
  if (typeof el.min_length === 'number' && typeof el.max_length === 'number' && el.min_length > el.max_length) {
    ctx.out.push(`${path}: min_length ${el.min_length} > max_length ${el.max_length}`);
  }
  const maxLength = typeof el.max_length === 'number' ? Math.min(el.max_length, MAX_TEXT) : MAX_TEXT;
  checkString(ctx, el.initial_value, `${path}.initial_value`, { max: maxLength });
  const config = el.dispatch_action_config;
  if (config === undefined) return;
  if (!isRecord(config)) {
    ctx.out.push(`${path}.dispatch_action_config: expected an object, got ${kindOf(config)}`);
    return;
  }
  const triggers = checkArray(ctx, config.trigger_actions_on, `${path}.dispatch_action_config.trigger_actions_on`, {
    max: TRIGGERS.length,
  });
  triggers?.forEach((trigger, i) => {
    checkEnum(ctx, trigger, `${path}.dispatch_action_config.trigger_actions_on[${i}]`, TRIGGERS);
  });
}

function checkImageSource(ctx: Ctx, el: Json, path: string): void {
  if (el.image_url === undefined && el.slack_file === undefined) {
    ctx.out.push(`${path}: image_url or slack_file required`);
  }
  checkString(ctx, el.image_url, `${path}.image_url`, { max: 3000 });
}

function checkBlock(ctx: Ctx, block: unknown, path: string): void {
  if (!isRecord(block)) {
    ctx.out.push(`${path}: expected a block object, got ${kindOf(block)}`);
    return;
  }
  checkId(ctx, block.block_id, `${path}.block_id`, 'block_id');
  switch (block.type) {
    case 'section': {
      if (block.text === undefined && block.fields === undefined) ctx.out.push(`${path}: text or fields required`);
      checkText(ctx, block.text, `${path}.text`, { max: 3000 });
      const fields = checkArray(ctx, block.fields, `${path}.fields`, { max: 10, min: 1 });
      fields?.forEach((field, i) => {
        checkText(ctx, field, `${path}.fields[${i}]`, { max: 2000 });
      });
      if (block.accessory !== undefined) checkElement(ctx, block.accessory, `${path}.accessory`, 'section');
      break;
    }
    case 'header':
      checkText(ctx, block.text, `${path}.text`, { max: 150, plainOnly: true, required: true });
      break;
    case 'context': {
      const elements = checkArray(ctx, block.elements, `${path}.elements`, { max: 10, min: 1, required: true });
      elements?.forEach((el, i) => {
        const elPath = `${path}.elements[${i}]`;
        // Context takes text objects as well as image elements.
        const isText = isRecord(el) && (el.type === 'plain_text' || el.type === 'mrkdwn');
        if (isText) checkText(ctx, el, elPath, { max: 3000 });
        else checkElement(ctx, el, elPath, 'context');
      });
      break;
    }
    case 'actions': {
      const elements = checkArray(ctx, block.elements, `${path}.elements`, { max: 25, min: 1, required: true });
      elements?.forEach((el, i) => {
        checkElement(ctx, el, `${path}.elements[${i}]`, 'actions');
      });
      break;
    }
    case 'divider':
      break;
    case 'input':
      checkInputBlock(ctx, block, path);
      break;
    case 'image':
      checkImageSource(ctx, block, path);
      checkString(ctx, block.alt_text, `${path}.alt_text`, { max: 2000, required: true });
      checkText(ctx, block.title, `${path}.title`, { max: 2000, plainOnly: true });
      break;
    case 'rich_text': {
      const elements = checkArray(ctx, block.elements, `${path}.elements`, {
        max: Number.POSITIVE_INFINITY,
        min: 1,
        required: true,
      });
      elements?.forEach((el, i) => {
        if (!isRecord(el) || typeof el.type !== 'string') {
          ctx.out.push(`${path}.elements[${i}]: expected a typed object`);
        }
      });
      break;
    }
    case 'data_visualization':
      checkDataVisualization(ctx, block, path);
      break;
    case 'table':
      checkTable(ctx, block, path);
      break;
    case 'data_table':
      checkDataTable(ctx, block, path);
      break;
    default:
      // Deliberately loud: a new block type needs rules here before the app may send it.
      ctx.out.push(`${path}.type: unknown block type '${String(block.type)}'`);
  }
}

// Newer blocks (2025–2026). Limits from Slack's block reference pages, as summarised in slack-limits.md; the per-series
// point count and series-name length follow what client libraries validate for the same blocks.
const CHART_TYPES = ['line', 'bar', 'area', 'pie'] as const;
const CHART_LABEL = 20;
const CHART_POINTS = 20;
const CHART_SERIES = 6;
/** Blocks that only messages accept. */
const MESSAGE_ONLY = new Set(['data_visualization', 'table', 'data_table', 'context_actions']);

function checkDataPoint(ctx: Ctx, value: unknown, path: string, positive: boolean): string | undefined {
  if (!isRecord(value)) {
    ctx.out.push(`${path}: expected a data point object, got ${kindOf(value)}`);
    return undefined;
  }
  checkString(ctx, value.label, `${path}.label`, { max: CHART_LABEL, required: true });
  if (typeof value.value !== 'number' || !Number.isFinite(value.value)) {
    ctx.out.push(`${path}.value: expected a finite number, got ${kindOf(value.value)}`);
  } else if (positive && value.value <= 0) {
    ctx.out.push(`${path}.value: ${value.value} must be greater than 0`);
  }
  return typeof value.label === 'string' ? value.label : undefined;
}

function checkDataVisualization(ctx: Ctx, block: Json, path: string): void {
  checkString(ctx, block.title, `${path}.title`, { max: 50, required: true });
  const chart = block.chart;
  if (!isRecord(chart)) {
    ctx.out.push(`${path}.chart: required object, got ${kindOf(chart)}`);
    return;
  }
  checkEnum(ctx, chart.type, `${path}.chart.type`, CHART_TYPES);
  if (chart.type === undefined) ctx.out.push(`${path}.chart.type: required`);
  if (chart.type === 'pie') {
    const segments = checkArray(ctx, chart.segments, `${path}.chart.segments`, { min: 1, max: 6, required: true });
    segments?.forEach((seg, i) => {
      checkDataPoint(ctx, seg, `${path}.chart.segments[${i}]`, true);
    });
    return;
  }
  const axis = chart.axis_config;
  let categories: string[] | undefined;
  if (!isRecord(axis)) ctx.out.push(`${path}.chart.axis_config: required object, got ${kindOf(axis)}`);
  else {
    const cats = checkArray(ctx, axis.categories, `${path}.chart.axis_config.categories`, {
      min: 1,
      max: CHART_POINTS,
      required: true,
    });
    cats?.forEach((c, i) => {
      checkString(ctx, c, `${path}.chart.axis_config.categories[${i}]`, { max: CHART_LABEL, required: true });
    });
    categories = cats?.filter((c): c is string => typeof c === 'string');
    if (categories && new Set(categories).size !== categories.length) {
      ctx.out.push(`${path}.chart.axis_config.categories: duplicate category labels`);
    }
    checkString(ctx, axis.x_label, `${path}.chart.axis_config.x_label`, { max: 50 });
    checkString(ctx, axis.y_label, `${path}.chart.axis_config.y_label`, { max: 50 });
  }
  const series = checkArray(ctx, chart.series, `${path}.chart.series`, { min: 1, max: CHART_SERIES, required: true });
  const names = new Set<string>();
  series?.forEach((s, i) => {
    const sPath = `${path}.chart.series[${i}]`;
    if (!isRecord(s)) {
      ctx.out.push(`${sPath}: expected a data series object, got ${kindOf(s)}`);
      return;
    }
    checkString(ctx, s.name, `${sPath}.name`, { max: CHART_LABEL, required: true });
    if (typeof s.name === 'string') {
      if (names.has(s.name)) ctx.out.push(`${sPath}.name: duplicate series name '${clip(s.name)}'`);
      names.add(s.name);
    }
    const data = checkArray(ctx, s.data, `${sPath}.data`, { min: 1, max: CHART_POINTS, required: true });
    const labels = (data ?? []).map((d, j) => checkDataPoint(ctx, d, `${sPath}.data[${j}]`, false));
    // Every series must use exactly the axis categories as its labels.
    if (categories && data && labels.join('\u0000') !== categories.join('\u0000')) {
      ctx.out.push(`${sPath}.data: labels do not match axis_config.categories`);
    }
  });
}

function checkCell(ctx: Ctx, cell: unknown, path: string, allowed: readonly string[]): void {
  if (!isRecord(cell)) {
    ctx.out.push(`${path}: expected a cell object, got ${kindOf(cell)}`);
    return;
  }
  if (typeof cell.type !== 'string' || !allowed.includes(cell.type)) {
    ctx.out.push(`${path}.type: '${String(cell.type)}' is not one of ${allowed.join(', ')}`);
    return;
  }
  if (cell.type === 'raw_text') checkString(ctx, cell.text, `${path}.text`, { max: MAX_TEXT, required: true });
  if (cell.type === 'raw_number') {
    if (typeof cell.value !== 'number' || !Number.isFinite(cell.value)) {
      ctx.out.push(`${path}.value: expected a finite number, got ${kindOf(cell.value)}`);
    }
    checkString(ctx, cell.text, `${path}.text`, { max: MAX_TEXT });
  }
  if (cell.type === 'rich_text')
    checkArray(ctx, cell.elements, `${path}.elements`, { min: 1, max: 100, required: true });
}

function checkTable(ctx: Ctx, block: Json, path: string): void {
  const rows = checkArray(ctx, block.rows, `${path}.rows`, { min: 1, max: 100, required: true });
  rows?.forEach((row, i) => {
    const cells = checkArray(ctx, row, `${path}.rows[${i}]`, { min: 1, max: 20, required: true });
    cells?.forEach((cell, j) => {
      checkCell(ctx, cell, `${path}.rows[${i}][${j}]`, ['raw_text', 'rich_text']);
    });
  });
  const settings = checkArray(ctx, block.column_settings, `${path}.column_settings`, { max: 20 });
  settings?.forEach((setting, i) => {
    const sPath = `${path}.column_settings[${i}]`;
    // Slack accepts null for a column that keeps the default behaviour.
    if (setting === null) return;
    if (!isRecord(setting)) {
      ctx.out.push(`${sPath}: expected an object, got ${kindOf(setting)}`);
      return;
    }
    checkEnum(ctx, setting.align, `${sPath}.align`, ['left', 'center', 'right']);
    if (setting.is_wrapped !== undefined && typeof setting.is_wrapped !== 'boolean') {
      ctx.out.push(`${sPath}.is_wrapped: expected a boolean, got ${kindOf(setting.is_wrapped)}`);
    }
  });
}

function checkDataTable(ctx: Ctx, block: Json, path: string): void {
  checkString(ctx, block.caption, `${path}.caption`, { max: MAX_TEXT, required: true });
  const rows = checkArray(ctx, block.rows, `${path}.rows`, { min: 2, max: 101, required: true });
  let width: number | undefined;
  rows?.forEach((row, i) => {
    const cells = checkArray(ctx, row, `${path}.rows[${i}]`, { min: 1, max: 20, required: true });
    if (!cells) return;
    width ??= cells.length;
    if (cells.length !== width) ctx.out.push(`${path}.rows[${i}]: ${cells.length} cells, expected ${width} like row 0`);
    // The first row is the header: plain cells only.
    const allowed = i === 0 ? ['raw_text', 'raw_number'] : ['raw_text', 'raw_number', 'rich_text'];
    cells.forEach((cell, j) => {
      checkCell(ctx, cell, `${path}.rows[${i}][${j}]`, allowed);
    });
  });
  checkInt(ctx, block.page_size, `${path}.page_size`, 1, 100);
  checkInt(ctx, block.row_header_column_index, `${path}.row_header_column_index`, 0, Math.max(0, (width ?? 20) - 1));
}

/** Per-message counts: at most two charts (as client libraries report) and one table. */
function checkNewBlockCounts(ctx: Ctx, blocks: unknown[], path: string, surface: BlockKitSurface): void {
  const count = (type: string) => blocks.filter((b) => isRecord(b) && b.type === type).length;
  if (surface !== 'message') {
    blocks.forEach((b, i) => {
      if (isRecord(b) && typeof b.type === 'string' && MESSAGE_ONLY.has(b.type)) {
        ctx.out.push(`${path}[${i}]: ${b.type} blocks are only allowed in messages`);
      }
    });
    return;
  }
  const charts = count('data_visualization');
  if (charts > 2) ctx.out.push(`${path}: ${charts} data_visualization blocks > 2 per message`);
  const tables = count('table');
  if (tables > 1) ctx.out.push(`${path}: ${tables} table blocks > 1 per message`);
  const dataTables = count('data_table');
  if (dataTables > 1) ctx.out.push(`${path}: ${dataTables} data_table blocks > 1 per message`);
}

function checkInputBlock(ctx: Ctx, block: Json, path: string): void {
  checkText(ctx, block.label, `${path}.label`, { max: 2000, plainOnly: true, required: true });
  checkText(ctx, block.hint, `${path}.hint`, { max: 2000, plainOnly: true });
  if (block.elements !== undefined) ctx.out.push(`${path}.elements: input blocks take a single 'element'`);
  if (block.element === undefined) {
    ctx.out.push(`${path}.element: required`);
    return;
  }
  if (Array.isArray(block.element)) {
    ctx.out.push(`${path}.element: exactly one element object required, got an array`);
    return;
  }
  checkElement(ctx, block.element, `${path}.element`, 'input');
  if (isRecord(block.element) && block.element.type === 'file_input' && block.dispatch_action === true) {
    ctx.out.push(`${path}.dispatch_action: not allowed with file_input`);
  }
}

function checkBlockList(
  ctx: Ctx,
  value: unknown,
  path: string,
  max: number,
  required: boolean,
  surface: BlockKitSurface = 'message',
): unknown[] {
  const blocks = checkArray(ctx, value, path, { max, required }) ?? [];
  blocks.forEach((block, i) => {
    checkBlock(ctx, block, `${path}[${i}]`);
  });
  checkNewBlockCounts(ctx, blocks, path, surface);
  return blocks;
}

function checkMessage(ctx: Ctx, payload: unknown): void {
  if (!isRecord(payload)) {
    ctx.out.push(`message: expected an object, got ${kindOf(payload)}`);
    return;
  }
  if (payload.text !== undefined && typeof payload.text !== 'string') {
    ctx.out.push(`text: expected a string, got ${kindOf(payload.text)}`);
  }
  if (payload.blocks !== undefined) {
    // Our policy (and Slack's advice): notifications and screen readers only see the top-level text.
    if (typeof payload.text !== 'string' || payload.text.trim() === '') {
      ctx.out.push('text: a non-empty fallback is required when blocks are sent');
    }
    checkBlockList(ctx, payload.blocks, 'blocks', 50, false);
  }
  const attachments = checkArray(ctx, payload.attachments, 'attachments', { max: 100 });
  attachments?.forEach((attachment, i) => {
    if (!isRecord(attachment)) ctx.out.push(`attachments[${i}]: expected an object, got ${kindOf(attachment)}`);
    else checkBlockList(ctx, attachment.blocks, `attachments[${i}].blocks`, 50, false);
  });
}

function checkView(ctx: Ctx, payload: unknown, surface: 'modal' | 'home'): void {
  // Accept a whole views.* request body ({ trigger_id, view }) as well as the view itself.
  const view = isRecord(payload) && payload.type === undefined && payload.view !== undefined ? payload.view : payload;
  if (!isRecord(view)) {
    ctx.out.push(`view: expected an object, got ${kindOf(view)}`);
    return;
  }
  if (view.type !== surface) ctx.out.push(`type: expected '${surface}', got '${String(view.type)}'`);
  const blocks = checkBlockList(ctx, view.blocks, 'blocks', 100, true, surface);
  checkString(ctx, view.private_metadata, 'private_metadata', { max: 3000 });
  checkString(ctx, view.callback_id, 'callback_id', { max: MAX_ID });
  checkString(ctx, view.external_id, 'external_id', { max: MAX_ID });
  if (surface !== 'modal') return;
  checkText(ctx, view.title, 'title', { max: 24, plainOnly: true, required: true });
  checkText(ctx, view.submit, 'submit', { max: 24, plainOnly: true });
  checkText(ctx, view.close, 'close', { max: 24, plainOnly: true });
  const hasInput = blocks.some((block) => isRecord(block) && block.type === 'input');
  if (hasInput && view.submit === undefined) ctx.out.push('submit: required when the modal has input blocks');
}

/** Human-readable violations, each prefixed with a JSON-ish path; empty when the payload is valid. */
export function blockKitViolations(payload: unknown, surface: BlockKitSurface): string[] {
  const ctx: Ctx = { out: [], blockIds: new Map(), actionIds: new Map() };
  if (surface === 'message') checkMessage(ctx, payload);
  else checkView(ctx, payload, surface);
  return ctx.out;
}

/** Throws one Error listing every violation; usable in tests and in nock reply callbacks. */
export function assertBlockKit(payload: unknown, surface: BlockKitSurface): void {
  const violations = blockKitViolations(payload, surface);
  if (violations.length > 0) {
    throw new Error(`Invalid Block Kit ${surface} payload:\n${violations.map((v) => `  - ${v}`).join('\n')}`);
  }
}

const METHOD_SURFACES: Record<string, BlockKitSurface> = {
  'chat.postMessage': 'message',
  'chat.postEphemeral': 'message',
  'chat.update': 'message',
  'chat.scheduleMessage': 'message',
  'views.open': 'modal',
  'views.update': 'modal',
  'views.push': 'modal',
  'views.publish': 'home',
};

/** Also accepts a request path such as `/api/chat.postMessage?x=1`, which is what nock hands over. */
export function surfaceForSlackMethod(method: string): BlockKitSurface | null {
  const name = method.replace(/[?#].*$/, '').replace(/^.*\//, '');
  return METHOD_SURFACES[name] ?? null;
}

function parseJsonField(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    // Leave it as a string: the checker then reports "expected an array/object".
    return value;
  }
}

function parseBody(body: string): Json {
  if (body.trimStart().startsWith('{')) {
    const parsed = parseJsonField(body);
    return isRecord(parsed) ? parsed : {};
  }
  return Object.fromEntries(new URLSearchParams(body));
}

/**
 * The object to hand to blockKitViolations for one Web API call. @slack/web-api form-encodes its bodies, so
 * `view`, `blocks` and `attachments` arrive as JSON strings; a raw string body (JSON or form-encoded) is accepted too.
 */
export function extractSlackPayload(method: string, body: Record<string, unknown> | string): unknown {
  const fields: Json = { ...(typeof body === 'string' ? parseBody(body) : body) };
  for (const key of ['view', 'blocks', 'attachments']) {
    if (fields[key] !== undefined) fields[key] = parseJsonField(fields[key]);
  }
  const surface = surfaceForSlackMethod(method);
  return surface === 'modal' || surface === 'home' ? fields.view : fields;
}
