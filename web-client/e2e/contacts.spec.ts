import { expect, test } from "@playwright/test";
import { accessToken, apiAs, signUp, uniqueEmail } from "./helpers";

test("a member creates a contact, finds it by search and opens its page", async ({ page, request }) => {
  await signUp(page);
  const api = await apiAs(page, request);
  await api.post("/contacts", { first_name: "Pedro", last_name: "Other" });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).click();
  await expect(page.getByRole("table", { name: "Contacts" })).toContainText("Pedro Other");
  await page.getByRole("button", { name: "New contact" }).click();
  const dialog = page.getByRole("dialog", { name: "New contact" });
  await dialog.getByLabel("Name").fill("Maria Souza");
  const email = uniqueEmail("maria");
  await dialog.getByLabel("E-mail").fill(email);
  await dialog.getByLabel("Phone").fill("12");
  await dialog.getByRole("button", { name: "Create contact" }).click();
  // The server wants a country code, and says so under the field.
  await expect(dialog.getByRole("alert")).toBeVisible();
  await expect(dialog.getByLabel("Phone")).toHaveAttribute("aria-invalid", "true");
  await dialog.getByLabel("Phone").fill("+60 12-345 6789");
  await dialog.getByRole("button", { name: "Create contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Maria Souza" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Details" }).getByText("+60123456789")).toBeVisible();

  await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Contacts" }).click();
  const table = page.getByRole("table", { name: "Contacts" });
  await expect(table).toContainText("Pedro Other");
  await page.getByLabel("Search contacts").fill("souza");
  await expect(page).toHaveURL(/search=souza/);
  await expect(table).not.toContainText("Pedro Other");
  await expect(table).toContainText("Maria Souza");

  // The search survives a reload, and leads to the contact's page.
  await page.reload();
  await expect(page.getByLabel("Search contacts")).toHaveValue("souza");
  await page.getByRole("link", { name: "Maria Souza" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Maria Souza" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Details" }).getByText(email)).toBeVisible();
  await expect(page.getByRole("link", { name: "Open in inbox" })).toHaveAttribute("href", /\/inbox\/\d+$/);

  // Deleting asks first; cancelling keeps the contact.
  await page.getByRole("button", { name: "Delete contact" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete contact" });
  await expect(confirm).toContainText("cannot be undone");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Maria Souza" })).toBeVisible();
  await page.getByRole("button", { name: "Delete contact" }).click();
  await confirm.getByRole("button", { name: "Delete contact" }).click();
  await expect(page).toHaveURL(/\/contacts(\?|$)/);
  await expect(table).toContainText("Pedro Other");
  await expect(table).not.toContainText("Maria Souza");
});

test("an owner merges two contacts that share an e-mail from the suggestions", async ({ page, request }) => {
  await signUp(page);
  const api = await apiAs(page, request);
  const email = uniqueEmail("twin");
  const older = await api.post("/contacts", { first_name: "Joana", last_name: "Old", email, tags: ["vip"] });
  const newer = await api.post("/contacts", { first_name: "Joana", last_name: "New", email, phone: "+60123456780" });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).click();
  await page.getByRole("link", { name: "Merge suggestions" }).click();
  const card = page.getByRole("listitem", { name: "Joana Old and Joana New" });
  await expect(card).toContainText("Same e-mail");
  // Keep the newer one this time.
  await card.getByRole("radio", { name: `Keep Joana New (#${newer.id})` }).check();
  await card.getByRole("button", { name: "Merge…" }).click();
  const confirm = page.getByRole("dialog", { name: "Merge contacts" });
  await expect(confirm).toContainText(`Joana New (#${newer.id})`);
  await confirm.getByRole("button", { name: "Merge contacts" }).click();

  await expect(page).toHaveURL(new RegExp(`/contacts/${newer.id}$`));
  await expect(page.getByRole("heading", { level: 1, name: "Joana New" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Tags of this contact" })).toContainText("vip");

  await page.goto(`/contacts/${older.id}`);
  await expect(page.getByRole("alert")).toBeVisible();
  await page.goto("/contacts/merge");
  await expect(page.getByText("No duplicates found")).toBeVisible();
});

test("the contact list filters by tag and assignee and loads more on request", async ({ page, request }) => {
  await signUp(page);
  const api = await apiAs(page, request);
  const me = await api.get("/me");
  const vip = await api.post("/contacts", { first_name: "Vera", last_name: "Vip", tags: ["vip"] });
  for (let i = 1; i <= 52; i++) await api.post("/contacts", { first_name: "Bulk", last_name: `Person ${i}` });
  const mine = await api.post("/contacts", { first_name: "Mina", last_name: "Mine" });
  const assign = await request.put(`/api/v1/contacts/${mine.id}/assignee`, {
    headers: { Authorization: `Bearer ${await accessToken(page)}` },
    data: { user_id: me.member.id },
  });
  expect(assign.ok()).toBeTruthy();

  await page.goto("/contacts");
  const table = page.getByRole("table", { name: "Contacts" });
  const rows = table.getByRole("row");
  await expect(rows).toHaveCount(51); // a header and the first 50
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(rows).toHaveCount(55);
  await expect(page.getByText("54 contacts")).toBeVisible();
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);

  await page.getByLabel("Tag").selectOption("vip");
  await expect(page).toHaveURL(/tag=vip/);
  await expect(rows).toHaveCount(2);
  await expect(table).toContainText(vip.name);

  await page.getByLabel("Tag").selectOption("");
  await page.getByLabel("Assignee").selectOption("me");
  await expect(page).toHaveURL(/assignee=me/);
  await expect(rows).toHaveCount(2);
  await expect(table).toContainText("Mina Mine");

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(table).toContainText("Bulk Person 1");
  await expect(table).toContainText(vip.name);
});
