import { readFileSync } from 'node:fs';
import { demoChecklists, demoDeal, demoUsers, demoWorkspace } from '@tieout/db/testing';
import { uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

const siteRetrofits = JSON.parse(readFileSync(new URL('../../packages/templates/templates/site-retrofits.json', import.meta.url), 'utf8')) as {
  name: string;
  sections: { title: string; items: { title: string }[] }[];
};
const templateItems = siteRetrofits.sections.flatMap((section) => section.items);

test('an editor creates a deal, a workstream and a checklist from a template, and sees its items', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.editor.email);
  const tag = uniqueTag(); // this test's own deal: a rerun against the same server starts clean
  const dealName = `Helios Compute / Ridgeline Hash ${tag}`;
  await page.goto('/');
  await page.getByRole('link', { name: `New deal in ${demoWorkspace.name}` }).click();

  // a bad value is refused with a message by the field, and nothing is lost
  await page.getByLabel('Deal name').fill(dealName);
  await page.getByLabel('Buyer').fill('Helios Compute');
  await page.getByLabel('Target').fill('Ridgeline Hash');
  await page.getByLabel('Value (USD)').fill('about a billion');
  await page.getByRole('button', { name: 'Create deal' }).click();
  await expect(page.getByText('Enter an amount in US dollars')).toBeVisible();
  await expect(page.getByLabel('Deal name')).toHaveValue(dealName);

  await page.getByLabel('Value (USD)').fill('$450M');
  await page.getByRole('button', { name: 'Create deal' }).click();
  await expect(page.getByRole('heading', { level: 1, name: dealName })).toBeVisible();
  await expect(page.getByText('Helios Compute acquiring Ridgeline Hash · $450M')).toBeVisible();
  await expect(page.getByText('No workstreams yet.')).toBeVisible();

  // a custom workstream needs a name; a built-in kind names itself
  await page.getByLabel('Kind').selectOption('custom');
  await page.getByRole('button', { name: 'Add workstream' }).click();
  await expect(page.getByText('Name the custom workstream')).toBeVisible();
  await page.getByLabel('Kind').selectOption('site_retrofits');
  await page.getByRole('button', { name: 'Add workstream' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Site retrofits' })).toBeVisible();
  await page.getByLabel('Kind').selectOption('custom');
  await page.getByLabel('Name', { exact: true }).fill('Tax and incentives');
  await page.getByRole('button', { name: 'Add workstream' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Tax and incentives' })).toBeVisible();

  // the built-in template of the workstream's kind is offered first
  await page.getByRole('link', { name: 'New checklist in Site retrofits' }).click();
  await expect(page.getByRole('radio', { name: new RegExp(siteRetrofits.name) })).toBeChecked();
  await page.getByLabel('Title', { exact: true }).fill(`Ridgeline: Kearney, NE site ${tag}`);
  await page.getByRole('button', { name: 'Create checklist' }).click();

  await expect(page).toHaveURL(/\/checklists\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  for (const section of siteRetrofits.sections) await expect(page.getByRole('region', { name: section.title })).toBeVisible();
  const first = templateItems[0]!.title;
  const last = templateItems[templateItems.length - 1]!.title;
  await expect(page.getByRole('textbox', { name: `Title of ${first}` })).toHaveValue(first);
  await expect(page.getByRole('textbox', { name: `Title of ${last}` })).toHaveValue(last);

  // the deal page counts the new checklist's items (the projection was written with the checklist)
  await page.getByRole('link', { name: dealName }).first().click();
  await expect(page.getByRole('progressbar', { name: `Progress of Ridgeline: Kearney, NE site ${tag}` })).toHaveAttribute(
    'aria-valuetext',
    `0 of ${templateItems.length} done`,
  );

  // an empty checklist in the custom workstream: a title and one section
  await page.getByRole('link', { name: 'New checklist in Tax and incentives' }).click();
  await expect(page.getByRole('radio', { name: /Empty checklist/ })).toBeChecked();
  await page.getByLabel('Title', { exact: true }).fill('Incentive clawbacks');
  await page.getByLabel('First section').fill('State incentives');
  await page.getByRole('button', { name: 'Create checklist' }).click();
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(page.getByRole('region', { name: 'State incentives' })).toBeVisible();
});

test('the home page and the deal page roll up progress and figures', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.reviewer.email);
  await page.goto('/');
  await expect(page.getByRole('progressbar', { name: `Progress of ${demoDeal.name}` })).toHaveAttribute('aria-valuetext', /\d+ of \d+ done/);
  const homeFigures = page.getByRole('definition').filter({ hasText: /MW$/ }).first();
  await expect(homeFigures).toBeVisible();
  await page
    .getByRole('link', { name: new RegExp(demoDeal.name) })
    .first()
    .click();
  const dealFigures = page.getByLabel(`Figures of ${demoDeal.name}`);
  await expect(dealFigures).toContainText('Reported gross capacity (portfolio)');
  await expect(dealFigures).toContainText('1,300 MW');
  await expect(dealFigures).toContainText('Reported future lease obligations eliminated');
  await expect(page.getByLabel('Figures of Energy contracts')).toBeVisible();
});

test('an editor saves a checklist as a template of the workspace and it is offered for new checklists', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.editor.email);
  const tag = uniqueTag();
  const templateName = `Lease exposure (hosting sites ${tag})`;
  await page.goto(`/deals/${demoDeal.id}`);
  await page.getByRole('link', { name: `Save ${demoChecklists.leaseExposure.title} as a template` }).click();
  await page.getByLabel('Template name').fill(templateName);
  await page.getByLabel('Description').fill('From the CoreWeave / Core Scientific deal');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByRole('status')).toContainText(`Saved the template “${templateName}”`);

  // the same name again is refused with a clear message
  await page.goto(`/checklists/${demoChecklists.leaseExposure.id}/template`);
  await page.getByLabel('Template name').fill(templateName);
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByRole('alert')).toContainText('already has a template');

  await page.goto(`/deals/${demoDeal.id}/checklists/new?workstream=${demoChecklists.leaseExposure.workstreamId}`);
  const own = page.getByRole('radio', { name: new RegExp(templateName.replace(/[()]/g, '\\$&')) });
  await expect(own).toBeChecked();
  await page.getByLabel('Title', { exact: true }).fill(`Lease exposure: Denton ${tag}`);
  await page.getByRole('button', { name: 'Create checklist' }).click();
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1, name: `Lease exposure: Denton ${tag}` })).toBeVisible();
});

for (const who of ['viewer', 'reviewer'] as const) {
  test(`a ${who} sees no create controls and the server refuses creation`, async ({ signedInPage }) => {
    const page = await signedInPage(demoUsers[who].email);
    await page.goto('/');
    await expect(page.getByRole('link', { name: new RegExp(demoDeal.name) }).first()).toBeVisible();
    await expect(page.getByRole('link', { name: /New deal/ })).toHaveCount(0);

    await page.goto(`/deals/${demoDeal.id}`);
    await expect(page.getByRole('heading', { level: 1, name: demoDeal.name })).toBeVisible();
    await expect(page.getByRole('link', { name: /New checklist/ })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Add workstream' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: /Import requests/ })).toHaveCount(0);

    const form = await page.goto(`/deals/new?workspace=${demoWorkspace.id}`);
    expect(form?.status()).toBe(403);
    await expect(page.getByRole('alert')).toContainText('Only editors and owners of this workspace can do this');
    for (const path of [
      `/deals/${demoDeal.id}/checklists/new`,
      `/checklists/${demoChecklists.energyContracts.id}/import`,
      `/checklists/${demoChecklists.energyContracts.id}/template`,
    ]) {
      expect((await page.goto(path))?.status(), path).toBe(403);
    }

    // posting the forms directly is refused by the actions (and the database's policies behind them)
    const deal = await page.request.post('/deals/new', {
      form: { workspaceId: demoWorkspace.id, name: `Sneaky deal by ${who}` },
    });
    expect(deal.status()).toBe(403);
    expect(await deal.text()).toContain('Only editors and owners');
    const workstream = await page.request.post(`/deals/${demoDeal.id}`, { form: { kind: 'custom', name: 'Sneaky' } });
    expect(workstream.status()).toBe(403);
    await page.goto('/');
    await expect(page.getByText(`Sneaky deal by ${who}`)).toHaveCount(0);
  });
}
