import {
  assertBlockKit,
  type BlockKitSurface,
  blockKitViolations,
  extractSlackPayload,
  surfaceForSlackMethod,
} from './block-kit.js';

type Json = Record<string, unknown>;

const plain = (text: string): Json => ({ type: 'plain_text', text });
const mrkdwn = (text: string): Json => ({ type: 'mrkdwn', text });
const str = (n: number): string => 'x'.repeat(n);
const option = (value: string, text = value): Json => ({ text: plain(text), value });
const options = (n: number): Json[] => Array.from({ length: n }, (_, i) => option(`v${i}`));
const confirm = (): Json => ({
  title: plain('Sure?'),
  text: plain('This cannot be undone.'),
  confirm: plain('Yes'),
  deny: plain('No'),
});
const button = (action_id: string, extra: Json = {}): Json => ({
  type: 'button',
  action_id,
  text: plain('Go'),
  ...extra,
});
const section = (text: string, extra: Json = {}): Json => ({ type: 'section', text: mrkdwn(text), ...extra });
const input = (block_id: string, element: Json, extra: Json = {}): Json => ({
  type: 'input',
  block_id,
  label: plain('Label'),
  element,
  ...extra,
});

const message = (...blocks: Json[]): Json => ({ channel: 'C1', text: 'fallback', blocks });
const modal = (blocks: Json[], extra: Json = {}): Json => ({
  type: 'modal',
  callback_id: 'request',
  title: plain('Data request'),
  submit: plain('Submit'),
  close: plain('Cancel'),
  blocks,
  ...extra,
});

/** Violations of one block placed in a message: most rules are surface-independent. */
const blockViolations = (block: Json): string[] => blockKitViolations(message(block), 'message');
const elementViolations = (element: Json): string[] => blockViolations({ type: 'actions', elements: [element] });
const inputViolations = (element: Json, extra: Json = {}): string[] =>
  blockKitViolations(modal([input('b', element, extra)]), 'modal');

const realisticMessage: Json = {
  channel: 'C123',
  text: 'Weekly active users: 1,204 (+3.2%)',
  blocks: [
    {
      type: 'header',
      text: { type: 'plain_text', text: 'Weekly active users :chart_with_upwards_trend:', emoji: true },
    },
    section('*1,204* weekly active users, up *3.2%* on last week.', {
      block_id: 'summary',
      accessory: button('open_dashboard', { url: 'https://example.com/d/1', style: 'primary' }),
    }),
    { type: 'section', fields: [mrkdwn('*Source*\nwarehouse'), mrkdwn('*Freshness*\n2h ago')] },
    { type: 'divider' },
    {
      type: 'context',
      elements: [
        { type: 'image', image_url: 'https://example.com/icon.png', alt_text: 'warehouse icon' },
        { type: 'mrkdwn', text: 'Asked by <@U1>', verbatim: true },
      ],
    },
    { type: 'image', image_url: 'https://example.com/chart.png', alt_text: 'WAU chart', title: plain('Last 12 weeks') },
    {
      type: 'actions',
      block_id: 'metric_actions',
      elements: [
        button('refresh', { value: 'wau', confirm: { ...confirm(), style: 'danger' } }),
        {
          type: 'static_select',
          action_id: 'granularity',
          placeholder: plain('Granularity'),
          options: [option('day', 'Daily'), option('week', 'Weekly')],
          initial_option: option('week', 'Weekly'),
        },
        {
          type: 'overflow',
          action_id: 'more',
          options: [option('sql', 'Show SQL'), { ...option('docs', 'Docs'), url: 'https://example.com/docs' }],
        },
        { type: 'datepicker', action_id: 'since', initial_date: '2024-02-29', placeholder: plain('Since') },
        { type: 'users_select', action_id: 'owner', placeholder: plain('Owner') },
      ],
    },
    {
      type: 'rich_text',
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'Query took 1.2s' }] }],
    },
  ],
};

const realisticModal: Json = modal(
  [
    section('Tell us what data you need. We answer within *2 business days*.'),
    input('title', {
      type: 'plain_text_input',
      action_id: 'title',
      max_length: 150,
      placeholder: plain('Short title'),
    }),
    input(
      'details',
      { type: 'plain_text_input', action_id: 'details', multiline: true, min_length: 10, max_length: 3000 },
      { hint: plain('Metrics, filters, time range') },
    ),
    input('due', { type: 'datepicker', action_id: 'due', initial_date: '2025-01-31' }, { optional: true }),
    input('priority', {
      type: 'radio_buttons',
      action_id: 'priority',
      options: [
        { text: mrkdwn('*High*'), value: 'high', description: mrkdwn('Blocks a launch') },
        option('normal', 'Normal'),
      ],
      initial_option: option('normal', 'Normal'),
    }),
    input('flags', { type: 'checkboxes', action_id: 'flags', options: [option('pii', 'Contains PII')] }),
    input('team', {
      type: 'static_select',
      action_id: 'team',
      option_groups: [
        { label: plain('Product'), options: [option('growth'), option('core')] },
        { label: plain('Go-to-market'), options: [option('sales')] },
      ],
    }),
    input('files', { type: 'file_input', action_id: 'files', filetypes: ['csv', 'xlsx'], max_files: 3 }),
    input('stakeholders', {
      type: 'multi_users_select',
      action_id: 'stakeholders',
      placeholder: plain('Who else cares?'),
      max_selected_items: 5,
    }),
  ],
  { private_metadata: JSON.stringify({ channel: 'C123', thread_ts: '1700000000.000100' }) },
);

const realisticHome: Json = {
  type: 'home',
  callback_id: 'home',
  blocks: [
    { type: 'header', text: plain('Analytics bot') },
    section('You have *2* open data requests.', { accessory: button('new_request', { text: plain('New request') }) }),
    { type: 'divider' },
    { type: 'context', elements: [mrkdwn('Updated just now')] },
  ],
};

describe('blockKitViolations: realistic payloads pass', () => {
  it('accepts a realistic message', () => {
    expect(blockKitViolations(realisticMessage, 'message')).toEqual([]);
  });

  it('accepts a realistic modal with inputs, datepicker, radio buttons, file_input and multi_users_select', () => {
    expect(blockKitViolations(realisticModal, 'modal')).toEqual([]);
  });

  it('accepts a realistic home view', () => {
    expect(blockKitViolations(realisticHome, 'home')).toEqual([]);
  });

  it('accepts a text-only message and an attachments-only message', () => {
    expect(blockKitViolations({ text: 'hi' }, 'message')).toEqual([]);
    expect(blockKitViolations({ attachments: [{ color: '#36a64f', blocks: [section('ok')] }] }, 'message')).toEqual([]);
  });

  it('counts characters, not UTF-16 code units', () => {
    expect(blockViolations({ type: 'header', text: plain('📈'.repeat(150)) })).toEqual([]);
  });
});

describe('blockKitViolations: message rules', () => {
  it('rejects more than 50 blocks', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(blockKitViolations(message(...blocks), 'message')).toEqual(['blocks: 51 items > 50']);
    expect(blockKitViolations(message(...blocks.slice(1)), 'message')).toEqual([]);
  });

  it('requires a non-empty text fallback when blocks are present', () => {
    const expected = ['text: a non-empty fallback is required when blocks are sent'];
    expect(blockKitViolations({ blocks: [section('hi')] }, 'message')).toEqual(expected);
    expect(blockKitViolations({ text: '  ', blocks: [section('hi')] }, 'message')).toEqual(expected);
  });

  it('checks blocks inside attachments', () => {
    const payload = { text: 'x', attachments: [{ blocks: [section(str(3001))] }] };
    expect(blockKitViolations(payload, 'message')).toEqual(['attachments[0].blocks[0].text.text: 3001 chars > 3000']);
  });

  it('rejects non-object payloads and non-array blocks', () => {
    expect(blockKitViolations('hello', 'message')).toEqual(['message: expected an object, got string']);
    expect(blockKitViolations({ text: 'x', blocks: '[]' }, 'message')).toEqual([
      'blocks: expected an array, got string',
    ]);
  });
});

describe('blockKitViolations: modal and home rules', () => {
  it('rejects more than 100 blocks', () => {
    const blocks = Array.from({ length: 101 }, () => ({ type: 'divider' }));
    expect(blockKitViolations(modal(blocks), 'modal')).toEqual(['blocks: 101 items > 100']);
    expect(blockKitViolations({ type: 'home', blocks }, 'home')).toEqual(['blocks: 101 items > 100']);
    expect(blockKitViolations({ type: 'home', blocks: blocks.slice(1) }, 'home')).toEqual([]);
  });

  it('requires a plain_text title of at most 24 chars', () => {
    expect(blockKitViolations(modal([], { title: undefined }), 'modal')).toEqual(['title: required']);
    expect(blockKitViolations(modal([], { title: plain(str(25)) }), 'modal')).toEqual(['title.text: 25 chars > 24']);
    expect(blockKitViolations(modal([], { title: mrkdwn('Hi') }), 'modal')).toEqual([
      'title.type: must be plain_text, got mrkdwn',
    ]);
  });

  it('limits submit and close to 24 chars', () => {
    expect(blockKitViolations(modal([], { submit: plain(str(25)), close: plain(str(25)) }), 'modal')).toEqual([
      'submit.text: 25 chars > 24',
      'close.text: 25 chars > 24',
    ]);
  });

  it('requires submit when the modal has input blocks', () => {
    const blocks = [input('b', { type: 'plain_text_input', action_id: 'a' })];
    expect(blockKitViolations(modal(blocks, { submit: undefined }), 'modal')).toEqual([
      'submit: required when the modal has input blocks',
    ]);
    expect(blockKitViolations(modal([section('no inputs')], { submit: undefined }), 'modal')).toEqual([]);
  });

  it('limits private_metadata and callback_id on modals and home views', () => {
    const extra = { private_metadata: str(3001), callback_id: str(256) };
    const expected = ['private_metadata: 3001 chars > 3000', 'callback_id: 256 chars > 255'];
    expect(blockKitViolations(modal([], extra), 'modal')).toEqual(expected);
    expect(blockKitViolations({ type: 'home', blocks: [], ...extra }, 'home')).toEqual(expected);
  });

  it('rejects a view whose type does not match the surface, or one without blocks', () => {
    expect(blockKitViolations(realisticHome, 'modal')).toEqual(
      expect.arrayContaining(["type: expected 'modal', got 'home'", 'title: required']),
    );
    expect(blockKitViolations({ type: 'home' }, 'home')).toEqual(['blocks: required']);
  });

  it('accepts a whole views.open body as well as the bare view', () => {
    expect(blockKitViolations({ trigger_id: 't', view: realisticModal }, 'modal')).toEqual([]);
  });
});

describe('blockKitViolations: ids', () => {
  it('limits block_id and action_id to 255 chars', () => {
    expect(blockViolations({ type: 'actions', block_id: str(256), elements: [button(str(256))] })).toEqual([
      'blocks[0].block_id: 256 chars > 255',
      'blocks[0].elements[0].action_id: 256 chars > 255',
    ]);
  });

  it('rejects duplicate block_ids', () => {
    const payload = message(section('a', { block_id: 'dup' }), section('b', { block_id: 'dup' }));
    expect(blockKitViolations(payload, 'message')).toEqual([
      "blocks[1].block_id: duplicate block_id 'dup' (first used at blocks[0].block_id)",
    ]);
  });

  it('rejects duplicate action_ids anywhere in the payload, attachments included', () => {
    const payload = {
      text: 'x',
      blocks: [section('a', { accessory: button('go') })],
      attachments: [{ blocks: [{ type: 'actions', elements: [button('go')] }] }],
    };
    expect(blockKitViolations(payload, 'message')).toEqual([
      "attachments[0].blocks[0].elements[0].action_id: duplicate action_id 'go' " +
        '(first used at blocks[0].accessory.action_id)',
    ]);
  });
});

describe('blockKitViolations: text objects', () => {
  it('requires 1..3000 chars', () => {
    expect(blockViolations(section(''))).toEqual(['blocks[0].text.text: empty (min 1 char)']);
    expect(blockViolations(section(str(3000)))).toEqual([]);
    expect(blockViolations(section(str(3001)))).toEqual(['blocks[0].text.text: 3001 chars > 3000']);
  });

  it('requires type plain_text or mrkdwn', () => {
    expect(blockViolations({ type: 'section', text: { type: 'markdown', text: 'x' } })).toEqual([
      "blocks[0].text.type: 'markdown' is not plain_text or mrkdwn",
    ]);
  });

  it('allows emoji only on plain_text and verbatim only on mrkdwn', () => {
    expect(blockViolations({ type: 'section', text: { ...mrkdwn('x'), emoji: true } })).toEqual([
      'blocks[0].text.emoji: only allowed on plain_text',
    ]);
    expect(blockViolations({ type: 'section', text: { ...plain('x'), verbatim: true } })).toEqual([
      'blocks[0].text.verbatim: only allowed on mrkdwn',
    ]);
  });
});

describe('blockKitViolations: blocks', () => {
  it('section: fields ≤ 10 items of ≤ 2000 chars, and text or fields required', () => {
    expect(blockViolations({ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) })).toEqual([
      'blocks[0].fields: 11 items > 10',
    ]);
    expect(blockViolations({ type: 'section', fields: [mrkdwn(str(2001))] })).toEqual([
      'blocks[0].fields[0].text: 2001 chars > 2000',
    ]);
    expect(blockViolations({ type: 'section' })).toEqual(['blocks[0]: text or fields required']);
  });

  it('section: checks the accessory element', () => {
    expect(blockViolations(section('x', { accessory: button('a', { style: 'secondary' }) }))).toEqual([
      "blocks[0].accessory.style: 'secondary' is not one of primary, danger",
    ]);
  });

  it('header: plain_text ≤ 150', () => {
    expect(blockViolations({ type: 'header', text: plain(str(151)) })).toEqual([
      'blocks[0].text.text: 151 chars > 150',
    ]);
    expect(blockViolations({ type: 'header', text: mrkdwn('x') })).toEqual([
      'blocks[0].text.type: must be plain_text, got mrkdwn',
    ]);
  });

  it('context: ≤ 10 text or image elements', () => {
    expect(blockViolations({ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) })).toEqual([
      'blocks[0].elements: 11 items > 10',
    ]);
    expect(blockViolations({ type: 'context', elements: [button('a')] })).toEqual([
      'blocks[0].elements[0]: button is not allowed in context blocks',
    ]);
  });

  it('actions: 1..25 elements, no input-only elements', () => {
    const elements = Array.from({ length: 26 }, (_, i) => button(`b${i}`));
    expect(blockViolations({ type: 'actions', elements })).toEqual(['blocks[0].elements: 26 items > 25']);
    expect(blockViolations({ type: 'actions', elements: [] })).toEqual(['blocks[0].elements: 0 items < 1']);
    expect(elementViolations({ type: 'plain_text_input', action_id: 'p' })).toEqual([
      'blocks[0].elements[0]: plain_text_input is not allowed in actions blocks',
    ]);
  });

  it('input: plain_text label ≤ 2000 required, hint ≤ 2000', () => {
    const element = { type: 'plain_text_input', action_id: 'p' };
    expect(inputViolations(element, { label: undefined })).toEqual(['blocks[0].label: required']);
    expect(inputViolations(element, { label: plain(str(2001)) })).toEqual(['blocks[0].label.text: 2001 chars > 2000']);
    expect(inputViolations(element, { hint: plain(str(2001)) })).toEqual(['blocks[0].hint.text: 2001 chars > 2000']);
  });

  it('input: exactly one element, and not a button', () => {
    const element = { type: 'plain_text_input', action_id: 'p' };
    expect(inputViolations(element, { element: undefined })).toEqual(['blocks[0].element: required']);
    expect(inputViolations(element, { element: [element] })).toEqual([
      'blocks[0].element: exactly one element object required, got an array',
    ]);
    expect(inputViolations(button('b'))).toEqual(['blocks[0].element: button is not allowed in input blocks']);
  });

  it('input: file_input cannot use dispatch_action', () => {
    expect(inputViolations({ type: 'file_input', action_id: 'f' }, { dispatch_action: true })).toEqual([
      'blocks[0].dispatch_action: not allowed with file_input',
    ]);
    expect(inputViolations({ type: 'plain_text_input', action_id: 'p' }, { dispatch_action: true })).toEqual([]);
  });

  it('image: alt_text ≤ 2000 (required), image_url ≤ 3000, title ≤ 2000', () => {
    const image = { type: 'image', image_url: 'https://example.com/a.png', alt_text: 'a' };
    expect(blockViolations({ ...image, alt_text: str(2001) })).toEqual(['blocks[0].alt_text: 2001 chars > 2000']);
    expect(blockViolations({ ...image, alt_text: undefined })).toEqual(['blocks[0].alt_text: required']);
    expect(blockViolations({ ...image, image_url: str(3001) })).toEqual(['blocks[0].image_url: 3001 chars > 3000']);
    expect(blockViolations({ ...image, title: plain(str(2001)) })).toEqual(['blocks[0].title.text: 2001 chars > 2000']);
    expect(blockViolations({ ...image, image_url: undefined })).toEqual([
      'blocks[0]: image_url or slack_file required',
    ]);
  });

  it('rich_text: needs an elements array', () => {
    expect(blockViolations({ type: 'rich_text' })).toEqual(['blocks[0].elements: required']);
  });

  it('reports unknown block and element types', () => {
    expect(blockViolations({ type: 'video' })).toEqual(["blocks[0].type: unknown block type 'video'"]);
    expect(elementViolations({ type: 'timepicker', action_id: 't' })).toEqual([
      "blocks[0].elements[0].type: unknown element type 'timepicker'",
    ]);
  });
});

describe('blockKitViolations: elements', () => {
  it('button: text ≤ 75, value ≤ 2000, url ≤ 3000, accessibility_label ≤ 75', () => {
    const violations = elementViolations(
      button('b', { text: plain(str(76)), value: str(2001), url: str(3001), accessibility_label: str(76) }),
    );
    expect(violations).toEqual([
      'blocks[0].elements[0].text.text: 76 chars > 75',
      'blocks[0].elements[0].value: 2001 chars > 2000',
      'blocks[0].elements[0].url: 3001 chars > 3000',
      'blocks[0].elements[0].accessibility_label: 76 chars > 75',
    ]);
  });

  it('confirm: title ≤ 100, text ≤ 300, confirm/deny ≤ 30', () => {
    const bad = { title: plain(str(101)), text: plain(str(301)), confirm: plain(str(31)), deny: plain(str(31)) };
    expect(elementViolations(button('b', { confirm: bad }))).toEqual([
      'blocks[0].elements[0].confirm.title.text: 101 chars > 100',
      'blocks[0].elements[0].confirm.text.text: 301 chars > 300',
      'blocks[0].elements[0].confirm.confirm.text: 31 chars > 30',
      'blocks[0].elements[0].confirm.deny.text: 31 chars > 30',
    ]);
  });

  it('selects: placeholder ≤ 150', () => {
    for (const type of ['users_select', 'conversations_select', 'channels_select', 'external_select']) {
      expect(elementViolations({ type, action_id: 's', placeholder: plain(str(151)) })).toEqual([
        'blocks[0].elements[0].placeholder.text: 151 chars > 150',
      ]);
    }
  });

  it('static selects: ≤ 100 options or option groups, not both, not neither', () => {
    const select = { type: 'static_select', action_id: 's' };
    expect(elementViolations({ ...select, options: options(101) })).toEqual([
      'blocks[0].elements[0].options: 101 items > 100',
    ]);
    const groups = Array.from({ length: 101 }, () => ({ label: plain('g'), options: [option('v')] }));
    expect(elementViolations({ ...select, option_groups: groups })).toEqual([
      'blocks[0].elements[0].option_groups: 101 items > 100',
    ]);
    expect(elementViolations({ ...select, options: options(1), option_groups: groups.slice(0, 1) })).toEqual([
      'blocks[0].elements[0]: options and option_groups are mutually exclusive',
    ]);
    expect(elementViolations(select)).toEqual(['blocks[0].elements[0]: options or option_groups required']);
  });

  it('option groups: label ≤ 75', () => {
    const groups = [{ label: plain(str(76)), options: [option('v')] }];
    expect(elementViolations({ type: 'multi_static_select', action_id: 's', option_groups: groups })).toEqual([
      'blocks[0].elements[0].option_groups[0].label.text: 76 chars > 75',
    ]);
  });

  it('options: text ≤ 75, value ≤ 150, description ≤ 75, plain_text in selects, url only in overflow', () => {
    const bad = { text: plain(str(76)), value: str(151), description: plain(str(76)) };
    expect(elementViolations({ type: 'static_select', action_id: 's', options: [bad] })).toEqual([
      'blocks[0].elements[0].options[0].text.text: 76 chars > 75',
      'blocks[0].elements[0].options[0].value: 151 chars > 150',
      'blocks[0].elements[0].options[0].description.text: 76 chars > 75',
    ]);
    const wrong = { text: mrkdwn('*x*'), value: 'x', url: 'https://example.com' };
    expect(elementViolations({ type: 'static_select', action_id: 's', options: [wrong] })).toEqual([
      'blocks[0].elements[0].options[0].text.type: must be plain_text, got mrkdwn',
      'blocks[0].elements[0].options[0].url: only allowed on overflow menu options',
    ]);
  });

  it('initial_option(s) must be one of the options', () => {
    expect(
      elementViolations({ type: 'static_select', action_id: 's', options: options(2), initial_option: option('zz') }),
    ).toEqual(["blocks[0].elements[0].initial_option: value 'zz' is not one of the element's options"]);
    expect(
      elementViolations({ type: 'checkboxes', action_id: 'c', options: options(2), initial_options: [option('zz')] }),
    ).toEqual(["blocks[0].elements[0].initial_options[0]: value 'zz' is not one of the element's options"]);
  });

  it('radio buttons and checkboxes: ≤ 10 options; overflow: ≤ 5 options', () => {
    for (const type of ['radio_buttons', 'checkboxes']) {
      expect(elementViolations({ type, action_id: 'r', options: options(11) })).toEqual([
        'blocks[0].elements[0].options: 11 items > 10',
      ]);
      expect(elementViolations({ type, action_id: 'r', options: options(10) })).toEqual([]);
    }
    expect(elementViolations({ type: 'overflow', action_id: 'o', options: options(6) })).toEqual([
      'blocks[0].elements[0].options: 6 items > 5',
    ]);
  });

  it('datepicker: initial_date is a real YYYY-MM-DD date, placeholder ≤ 150', () => {
    const picker = { type: 'datepicker', action_id: 'd' };
    expect(elementViolations({ ...picker, initial_date: '2024-1-5' })).toEqual([
      "blocks[0].elements[0].initial_date: '2024-1-5' is not a YYYY-MM-DD date",
    ]);
    expect(elementViolations({ ...picker, initial_date: '2023-02-29' })).toEqual([
      "blocks[0].elements[0].initial_date: '2023-02-29' is not a YYYY-MM-DD date",
    ]);
    expect(elementViolations({ ...picker, placeholder: plain(str(151)) })).toEqual([
      'blocks[0].elements[0].placeholder.text: 151 chars > 150',
    ]);
  });

  it('plain_text_input: min_length 0..3000, max_length 1..3000, min ≤ max, placeholder ≤ 150', () => {
    const el = { type: 'plain_text_input', action_id: 'p' };
    expect(inputViolations({ ...el, min_length: -1, max_length: 0 })).toEqual([
      'blocks[0].element.min_length: -1 outside 0..3000',
      'blocks[0].element.max_length: 0 outside 1..3000',
    ]);
    expect(inputViolations({ ...el, min_length: 3001, max_length: 3001 })).toEqual([
      'blocks[0].element.min_length: 3001 outside 0..3000',
      'blocks[0].element.max_length: 3001 outside 1..3000',
    ]);
    expect(inputViolations({ ...el, min_length: 10, max_length: 5 })).toEqual([
      'blocks[0].element: min_length 10 > max_length 5',
    ]);
    expect(inputViolations({ ...el, placeholder: plain(str(151)) })).toEqual([
      'blocks[0].element.placeholder.text: 151 chars > 150',
    ]);
  });

  it('file_input: max_files 1..10, input blocks only', () => {
    expect(inputViolations({ type: 'file_input', action_id: 'f', max_files: 11 })).toEqual([
      'blocks[0].element.max_files: 11 outside 1..10',
    ]);
    expect(elementViolations({ type: 'file_input', action_id: 'f' })).toEqual([
      'blocks[0].elements[0]: file_input is not allowed in actions blocks',
    ]);
  });

  it('multi selects: max_selected_items ≥ 1', () => {
    expect(inputViolations({ type: 'multi_users_select', action_id: 'u', max_selected_items: 0 })).toEqual([
      'blocks[0].element.max_selected_items: 0 outside 1..100',
    ]);
  });

  it('image element: alt_text required', () => {
    expect(blockViolations(section('x', { accessory: { type: 'image', image_url: 'https://e.com/i.png' } }))).toEqual([
      'blocks[0].accessory.alt_text: required',
    ]);
  });
});

describe('assertBlockKit', () => {
  it('passes valid payloads silently', () => {
    expect(() => assertBlockKit(realisticMessage, 'message')).not.toThrow();
  });

  it('throws an error listing every violation', () => {
    const payload = { blocks: [{ type: 'header', text: plain(str(151)) }] };
    expect(() => assertBlockKit(payload, 'message')).toThrow(
      'Invalid Block Kit message payload:\n' +
        '  - text: a non-empty fallback is required when blocks are sent\n' +
        '  - blocks[0].text.text: 151 chars > 150',
    );
  });
});

describe('surfaceForSlackMethod', () => {
  it.each<[string, BlockKitSurface | null]>([
    ['chat.postMessage', 'message'],
    ['chat.postEphemeral', 'message'],
    ['chat.update', 'message'],
    ['chat.scheduleMessage', 'message'],
    ['views.open', 'modal'],
    ['views.update', 'modal'],
    ['views.push', 'modal'],
    ['views.publish', 'home'],
    ['conversations.history', null],
    ['reactions.add', null],
    ['/api/chat.postMessage', 'message'],
  ])('%s -> %s', (method, surface) => {
    expect(surfaceForSlackMethod(method)).toBe(surface);
  });
});

describe('extractSlackPayload', () => {
  it('returns the parsed view for views.* methods', () => {
    const body = { trigger_id: 't', view: JSON.stringify(realisticModal) };
    expect(extractSlackPayload('views.open', body)).toEqual(realisticModal);
    expect(extractSlackPayload('views.publish', { user_id: 'U1', view: realisticHome })).toEqual(realisticHome);
  });

  it('parses JSON-encoded blocks and attachments for chat.* methods', () => {
    const blocks = [section('hi')];
    const attachments = [{ blocks: [section('there')] }];
    const body = {
      channel: 'C1',
      text: 'hi',
      blocks: JSON.stringify(blocks),
      attachments: JSON.stringify(attachments),
    };
    expect(extractSlackPayload('chat.postMessage', body)).toEqual({ channel: 'C1', text: 'hi', blocks, attachments });
  });

  it('accepts a raw form-urlencoded body, as @slack/web-api sends it', () => {
    const form = new URLSearchParams({ token: 'xoxb-test', view: JSON.stringify(realisticModal) }).toString();
    const payload = extractSlackPayload('views.update', form);
    expect(payload).toEqual(realisticModal);
    expect(blockKitViolations(payload, 'modal')).toEqual([]);
  });

  it('leaves unparsable JSON as a string so the checker reports it', () => {
    const payload = extractSlackPayload('chat.update', { text: 'x', blocks: '[{"type":' });
    expect(blockKitViolations(payload, 'message')).toEqual(['blocks: expected an array, got string']);
  });
});

describe('newer blocks: data_visualization, table, data_table', () => {
  const points = (labels: string[], value = 1): Json[] => labels.map((label) => ({ label, value }));
  const line = (extra: Json = {}, chart: Json = {}): Json => ({
    type: 'data_visualization',
    title: 'Searches per day',
    chart: {
      type: 'line',
      series: [
        { name: 'This period', data: points(['Nov 1', 'Nov 2']) },
        { name: 'Previous period', data: points(['Nov 1', 'Nov 2'], 2) },
      ],
      axis_config: { categories: ['Nov 1', 'Nov 2'], x_label: 'Day', y_label: 'Searches' },
      ...chart,
    },
    ...extra,
  });
  const table = (rows: Json[][], extra: Json = {}): Json => ({ type: 'table', rows, ...extra });
  const cell = (text: string): Json => ({ type: 'raw_text', text });

  it('accepts well-formed charts, pies and tables', () => {
    expect(blockViolations(line())).toEqual([]);
    expect(
      blockViolations({
        type: 'data_visualization',
        title: 'Share',
        chart: { type: 'pie', segments: points(['a', 'b']) },
      }),
    ).toEqual([]);
    expect(
      blockViolations(
        table(
          [
            [cell('Plan'), cell('Users')],
            [cell('free'), cell('1,204')],
          ],
          {
            column_settings: [{ align: 'left' }, { align: 'right', is_wrapped: false }],
          },
        ),
      ),
    ).toEqual([]);
  });

  it('enforces the chart limits: title, series, labels, axis titles', () => {
    expect(blockViolations(line({ title: str(51) }))).toEqual(['blocks[0].title: 51 chars > 50']);
    const seven = Array.from({ length: 7 }, (_, i) => ({ name: `s${i}`, data: points(['a']) }));
    expect(blockViolations(line({}, { series: seven, axis_config: { categories: ['a'] } }))).toEqual([
      'blocks[0].chart.series: 7 items > 6',
    ]);
    expect(blockViolations(line({}, { series: [], axis_config: { categories: ['a'] } }))).toEqual([
      'blocks[0].chart.series: 0 items < 1',
    ]);
    const long = str(21);
    expect(
      blockViolations(line({}, { series: [{ name: 'x', data: points([long]) }], axis_config: { categories: [long] } })),
    ).toEqual([
      'blocks[0].chart.axis_config.categories[0]: 21 chars > 20',
      'blocks[0].chart.series[0].data[0].label: 21 chars > 20',
    ]);
    expect(
      blockViolations(
        line({}, { axis_config: { categories: ['Nov 1', 'Nov 2'], x_label: str(51), y_label: str(51) } }),
      ),
    ).toEqual([
      'blocks[0].chart.axis_config.x_label: 51 chars > 50',
      'blocks[0].chart.axis_config.y_label: 51 chars > 50',
    ]);
    expect(blockViolations(line({}, { type: 'scatter' }))).toEqual([
      "blocks[0].chart.type: 'scatter' is not one of line, bar, area, pie",
    ]);
  });

  it('requires every series to use exactly the axis categories, with unique series names', () => {
    const series = [
      { name: 'A', data: points(['Nov 1', 'Nov 2']) },
      { name: 'A', data: points(['Nov 2', 'Nov 1']) },
    ];
    expect(blockViolations(line({}, { series }))).toEqual([
      "blocks[0].chart.series[1].name: duplicate series name 'A'",
      'blocks[0].chart.series[1].data: labels do not match axis_config.categories',
    ]);
    expect(
      blockViolations(
        line(
          {},
          {
            series: [
              {
                name: 'A',
                data: [
                  { label: 'Nov 1', value: 'x' },
                  { label: 'Nov 2', value: 1 },
                ],
              },
            ],
          },
        ),
      ),
    ).toEqual(['blocks[0].chart.series[0].data[0].value: expected a finite number, got string']);
  });

  it('allows at most two charts and one table per message, and none of them outside messages', () => {
    const t = table([[cell('a')]]);
    expect(blockKitViolations(message(line(), line(), line()), 'message')).toEqual([
      'blocks: 3 data_visualization blocks > 2 per message',
    ]);
    expect(blockKitViolations(message(t, t), 'message')).toEqual(['blocks: 2 table blocks > 1 per message']);
    expect(blockKitViolations(modal([line()]), 'modal')).toEqual([
      'blocks[0]: data_visualization blocks are only allowed in messages',
    ]);
  });

  it('enforces table limits: rows, cells, cell types, column settings', () => {
    const rows = Array.from({ length: 101 }, () => [cell('x')]);
    expect(blockViolations(table(rows))).toEqual(['blocks[0].rows: 101 items > 100']);
    const wide = [Array.from({ length: 21 }, () => cell('x'))];
    expect(blockViolations(table(wide))).toEqual(['blocks[0].rows[0]: 21 items > 20']);
    expect(blockViolations(table([[cell('')]]))).toEqual(['blocks[0].rows[0][0].text: empty']);
    expect(blockViolations(table([[{ type: 'mrkdwn', text: 'x' }]]))).toEqual([
      "blocks[0].rows[0][0].type: 'mrkdwn' is not one of raw_text, rich_text",
    ]);
    expect(blockViolations(table([[cell('x')]], { column_settings: [{ align: 'justify' }] }))).toEqual([
      "blocks[0].column_settings[0].align: 'justify' is not one of left, center, right",
    ]);
  });

  it('enforces data table limits: caption, header row, equal widths, page size', () => {
    const dt = (rows: Json[][], extra: Json = {}): Json => ({ type: 'data_table', caption: 'Plans', rows, ...extra });
    const num = (value: number): Json => ({ type: 'raw_number', value, text: String(value) });
    expect(
      blockViolations(
        dt(
          [
            [cell('Plan'), cell('Users')],
            [cell('free'), num(3)],
          ],
          { page_size: 10 },
        ),
      ),
    ).toEqual([]);
    expect(blockViolations({ type: 'data_table', rows: [[cell('a')], [cell('b')]] })).toEqual([
      'blocks[0].caption: required',
    ]);
    expect(blockViolations(dt([[cell('only a header')]]))).toEqual(['blocks[0].rows: 1 items < 2']);
    expect(blockViolations(dt([[cell('a'), cell('b')], [cell('c')]]))).toEqual([
      'blocks[0].rows[1]: 1 cells, expected 2 like row 0',
    ]);
    const rich = { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [] }] };
    expect(blockViolations(dt([[rich], [cell('b')]]))).toEqual([
      "blocks[0].rows[0][0].type: 'rich_text' is not one of raw_text, raw_number",
    ]);
    expect(blockViolations(dt([[cell('a')], [cell('b')]], { page_size: 0 }))).toEqual([
      'blocks[0].page_size: 0 outside 1..100',
    ]);
  });
});
