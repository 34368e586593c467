import { describe, expect, it } from 'vitest';
import {
  ambiguousDates,
  decodeTarget,
  detectDateOrder,
  matchExisting,
  detectMapping,
  encodeTarget,
  mappingProblems,
  parseDueDate,
  parseFigureValue,
  parseRisk,
  parseStatus,
  validateRows,
  type ColumnMapping,
  type ImportTable,
} from '../app/utils/import/mapping.ts';

const members = [
  { id: '11111111-1111-4111-8111-000000000002', email: 'Eddie.Editor@tieout.dev', name: 'Eddie Ng' },
  { id: '11111111-1111-4111-8111-000000000003', email: 'erin.editor@tieout.dev', name: 'Erin Alvarez' },
];
const context = { members, defaultSection: 'Imported requests' };

describe('detectMapping', () => {
  it('recognises field headers in any case and spelling, and figure columns by their unit', () => {
    const headers = [
      'Request',
      'Category',
      'STATUS',
      'Owner e-mail',
      'Due date',
      'Severity',
      'Comments',
      'Contracted MW',
      'Lease obligation ($)',
      'Remaining term (years)',
      'Share of revenue %',
      'Hall area (sq ft)',
      'Rack density kW/rack',
      'Internal ref',
    ];
    expect(detectMapping(headers).map(encodeTarget)).toEqual([
      'title',
      'section',
      'status',
      'owner',
      'dueDate',
      'risk',
      'notes',
      'figure:mw',
      'figure:usd',
      'figure:years',
      'figure:percent',
      'figure:sqft',
      'figure:kw_per_rack',
      'ignore',
    ]);
  });

  it('takes each field once and falls back to a header that mentions the title', () => {
    expect(detectMapping(['Item title', 'Status', 'Status']).map(encodeTarget)).toEqual(['title', 'status', 'ignore']);
    expect(detectMapping(['Document request list', 'Owner']).map(encodeTarget)).toEqual(['title', 'owner']);
    expect(detectMapping(['Site', 'Notes']).map(encodeTarget)).toEqual(['ignore', 'notes']);
  });
});

describe('mapping targets', () => {
  it('round-trips through form values and refuses unknown ones', () => {
    for (const value of ['ignore', 'title', 'dueDate', 'figure:mw', 'figure:kw_per_rack']) expect(encodeTarget(decodeTarget(value)!)).toBe(value);
    expect(decodeTarget('figure:gw')).toBeNull();
    expect(decodeTarget('ownerId')).toBeNull();
    expect(decodeTarget(null)).toBeNull();
  });

  it('requires one title column and each field at most once', () => {
    const headers = ['A', 'B', 'C'];
    expect(mappingProblems([{ field: 'ignore' }, { field: 'status' }, { field: 'ignore' }], headers)).toEqual([
      'Choose the column that holds the item titles.',
    ]);
    expect(mappingProblems([{ field: 'title' }, { field: 'status' }, { field: 'status' }], headers)).toEqual([
      'Status is chosen for 2 columns (“B”, “C”): choose one.',
    ]);
    expect(mappingProblems([{ field: 'title' }, { field: 'figure', kind: 'mw' }, { field: 'figure', kind: 'mw' }], headers)).toEqual([]);
  });
});

describe('cell parsers', () => {
  it('reads statuses by value, label and common synonyms', () => {
    expect(parseStatus('')).toBe('not_started');
    expect(parseStatus('In progress')).toBe('in_progress');
    expect(parseStatus('needs-review')).toBe('needs_review');
    expect(parseStatus('DONE')).toBe('done');
    expect(parseStatus('Completed')).toBe('done');
    expect(parseStatus('on hold')).toBe('blocked');
    expect(parseStatus('Finished')).toEqual({ error: 'Unknown status “Finished” (use Not started, In progress, Needs review, Blocked, Done)' });
  });

  it('reads risk levels', () => {
    expect(parseRisk('')).toBeNull();
    expect(parseRisk('High')).toBe('high');
    expect(parseRisk('med')).toBe('medium');
    expect(parseRisk('extreme')).toEqual({ error: 'Unknown risk “extreme” (use low, medium, high, critical)' });
  });

  it('reads ISO dates and dates with the month spelled out, and refuses ambiguous or impossible ones', () => {
    expect(parseDueDate('')).toBeNull();
    expect(parseDueDate('2026-12-31')).toBe('2026-12-31');
    expect(parseDueDate('2026-3-7')).toBe('2026-03-07');
    expect(parseDueDate('2026-12-31T00:00:00Z')).toBe('2026-12-31');
    expect(parseDueDate('15 Jan 2027')).toBe('2027-01-15');
    expect(parseDueDate('January 15, 2027')).toBe('2027-01-15');
    expect(parseDueDate('2026-02-30')).toEqual({ error: 'Due date “2026-02-30” is not a real date' });
    expect(parseDueDate('31 Feb 2027')).toEqual({ error: 'Due date “31 Feb 2027” is not a real date' });
    expect(parseDueDate('03/04/2026')).toEqual({ error: 'Due date “03/04/2026” is ambiguous: choose how dates are written (day or month first)' });
    expect(parseDueDate('next week')).toEqual({ error: 'Due date “next week” is not a date (write it as 2026-12-31)' });
  });

  it('reads figures with separators, currency and unit signs, accounting negatives and USD multipliers', () => {
    expect(parseFigureValue('', 'mw')).toBeNull();
    expect(parseFigureValue('1,300', 'mw')).toBe(1300);
    expect(parseFigureValue('300 MW', 'mw')).toBe(300);
    expect(parseFigureValue('$12,500,000', 'usd')).toBe(12_500_000);
    expect(parseFigureValue('$9B', 'usd')).toBe(9e9);
    expect(parseFigureValue('2.5m', 'usd')).toBe(2.5e6);
    expect(parseFigureValue('(1,200)', 'usd')).toBe(-1200);
    expect(parseFigureValue('10.1%', 'percent')).toBe(10.1);
    expect(parseFigureValue('12 years', 'years')).toBe(12);
    expect(parseFigureValue('5m', 'mw')).toEqual({ error: '“5m” is not a number' });
    expect(parseFigureValue('lots', 'mw')).toEqual({ error: '“lots” is not a number' });
    expect(parseFigureValue('1.2.3', 'mw')).toEqual({ error: '“1.2.3” is not a number' });
  });
});

describe('validateRows', () => {
  const table: ImportTable = {
    headers: ['Request', 'Section', 'Status', 'Owner', 'Due', 'Risk', 'MW', 'Notes'],
    rows: [
      {
        number: 2,
        cells: [
          'ESA with amendments',
          'Interconnection',
          'In progress',
          'eddie.editor@TIEOUT.dev',
          '2026-12-15',
          'high',
          '300',
          'First line\nSecond line',
        ],
      },
      { number: 3, cells: ['Hedge confirmations', '', 'Finished', 'nobody@example.com', '12/31/2026', 'low', 'lots', ''] },
      { number: 5, cells: ['', 'Consents', '', '', '', '', '', ''] },
      { number: 6, cells: ['Demand response enrolments', '', '', '', '', '', '', ''] },
    ],
  };
  const mapping: ColumnMapping = detectMapping(table.headers);

  it('turns good rows into items and lists every error of a bad row', () => {
    const result = validateRows(table, mapping, context);
    expect(result.items).toEqual([
      {
        rowNumber: 2,
        section: 'Interconnection',
        reference: null,
        title: 'ESA with amendments',
        status: 'in_progress',
        ownerId: members[0]!.id,
        dueDate: '2026-12-15',
        risk: 'high',
        figures: [{ kind: 'mw', label: 'MW', value: 300 }],
        notes: ['First line', 'Second line'],
        given: ['title', 'section', 'status', 'owner', 'dueDate', 'risk', 'notes'],
        warnings: [],
      },
      {
        rowNumber: 6,
        section: 'Imported requests',
        reference: null,
        title: 'Demand response enrolments',
        status: 'not_started',
        ownerId: null,
        dueDate: null,
        risk: null,
        figures: [],
        notes: [],
        given: ['title'],
        warnings: [],
      },
    ]);
    expect(result.problems).toEqual([
      {
        rowNumber: 3,
        title: 'Hedge confirmations',
        errors: [
          'Unknown status “Finished” (use Not started, In progress, Needs review, Blocked, Done)',
          'Due date “12/31/2026” is ambiguous: choose how dates are written (day or month first)',
          'MW: “lots” is not a number',
        ],
      },
      { rowNumber: 5, title: '', errors: ['The title is empty'] },
    ]);
  });

  it('ignores columns mapped to nothing and refuses over-long titles', () => {
    const ignoreAll: ColumnMapping = table.headers.map((_, index) => (index === 0 ? { field: 'title' } : { field: 'ignore' }));
    const long = { headers: ['Title'], rows: [{ number: 2, cells: ['x'.repeat(501)] }] };
    expect(validateRows(table, ignoreAll, context).items.map((item) => item.title)).toEqual([
      'ESA with amendments',
      'Hedge confirmations',
      'Demand response enrolments',
    ]);
    expect(validateRows(long, [{ field: 'title' }], context).problems[0]!.errors).toEqual(['The title is longer than 500 characters']);
  });
});

describe('real request lists', () => {
  const people = [
    ...members,
    { id: '11111111-1111-4111-8111-000000000010', email: 'jose.nunez@tieout.dev', name: 'José Núñez' },
    { id: '11111111-1111-4111-8111-000000000006', email: 'victor.viewer@tieout.dev', name: 'Victor Osei', canOwnItems: false },
  ];
  const table: ImportTable = {
    headers: ['Ref', 'Request', 'Responsible', 'Due'],
    rows: [
      { number: 2, cells: ['1.1', 'Title deeds', 'jose nunez', '03/04/2027'] },
      { number: 3, cells: ['1.2', 'Leases', 'ERIN ALVAREZ', '12/31/2026'] },
      { number: 4, cells: ['1.3', 'Permits', 'Somebody Else', '46388'] },
      { number: 5, cells: ['1.4', 'Insurance', 'Victor Osei', '1/15/27'] },
    ],
  };
  const mapping = detectMapping(table.headers);

  it('detects the reference column and matches owners by name without case or accents; unknown owners import unassigned with a warning', () => {
    expect(mapping.map(encodeTarget)).toEqual(['reference', 'title', 'owner', 'dueDate']);
    const result = validateRows(table, mapping, { members: people, defaultSection: 'Imported', dateOrder: 'mdy' });
    expect(result.problems).toEqual([]);
    expect(result.items.map((item) => [item.reference, item.ownerId, item.dueDate, item.warnings])).toEqual([
      ['1.1', people[2]!.id, '2027-03-04', []],
      ['1.2', people[1]!.id, '2026-12-31', []],
      ['1.3', null, '2027-01-01', ['Owner “Somebody Else” is not a member of this workspace: left unassigned']],
      ['1.4', null, '2027-01-15', ['Victor Osei cannot own items (reviewers and viewers cannot): left unassigned']],
    ]);
    expect(result.items[2]!.given).not.toContain('owner');
  });

  it('reads numeric dates in the chosen order, shows which rows read both ways, and detects the order when the data tells', () => {
    expect(detectDateOrder(table, mapping)).toBe('mdy');
    expect(ambiguousDates(table, mapping)).toEqual([{ rowNumber: 2, value: '03/04/2027', dmy: '2027-04-03', mdy: '2027-03-04' }]);
    expect(parseDueDate('31/12/2026', 'dmy')).toBe('2026-12-31');
    expect(parseDueDate('31/12/2026', 'mdy')).toEqual({ error: 'Due date “31/12/2026” is not a real date when read as month/day/year' });
    expect(parseDueDate('12/31/1999', 'mdy')).toEqual({ error: 'Due date “12/31/1999” is not between the years 2000 and 2100' });
    expect(parseDueDate('46388')).toBe('2027-01-01');
  });

  it('finds the existing item of a row by reference, else by title', () => {
    const existing = [
      { id: 'a', title: 'Title deeds (all sites)', reference: '1.1' },
      { id: 'b', title: 'Leases', reference: null },
      { id: 'c', title: 'Permits', reference: '9.9' },
    ];
    const rows = validateRows(table, mapping, { members: people, defaultSection: 'Imported', dateOrder: 'mdy' }).items;
    expect([...matchExisting(rows, existing)]).toEqual([
      [2, 'a'],
      [3, 'b'],
      [4, 'c'],
    ]);
  });
});

describe('figure values in an import are checked as the doc model checks them (issue 14)', () => {
  const table: ImportTable = {
    headers: ['Request', 'MW', 'Share %', 'Capex USD', 'capex usd'],
    rows: [
      { number: 2, cells: ['Negative power', '-50', '', '', ''] },
      { number: 3, cells: ['Too large a share', '', '250', '', ''] },
      { number: 4, cells: ['One label twice', '', '', '5', '6'] },
      { number: 5, cells: ['Fine', '300', '20', '1000', ''] },
    ],
  };
  const mapping: ColumnMapping = [
    { field: 'title' },
    { field: 'figure', kind: 'mw' },
    { field: 'figure', kind: 'percent' },
    { field: 'figure', kind: 'usd' },
    { field: 'figure', kind: 'usd' },
  ];

  it('refuses negative amounts, shares outside 0-100 and a label used twice on one item, and keeps the good rows', () => {
    const result = validateRows(table, mapping, context);
    expect(result.problems.map((problem) => [problem.rowNumber, problem.errors])).toEqual([
      [2, ['MW: Power in MW cannot be negative']],
      [3, ['Share %: A percentage must be between 0 and 100']],
      [4, ['capex usd: two columns have this label']],
    ]);
    expect(result.items.map((item) => item.title)).toEqual(['Fine']);
    expect(result.items[0]!.figures.map((figure) => figure.value)).toEqual([300, 20, 1000]);
  });
});
