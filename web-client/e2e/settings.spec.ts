import { expect, test, type Page } from "@playwright/test";
import { apiAs, customerWrites, signUp, uniqueEmail } from "./helpers";

async function openSettings(page: Page, section: string) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: section }).click();
}

test("an owner connects a custom channel and sees its webhook URL and token once", async ({ page, request }) => {
  await signUp(page);
  await openSettings(page, "Channels");
  await expect(page.getByText("No channels yet")).toBeVisible();
  await page.getByRole("button", { name: "Add channel" }).click();
  await page.getByRole("dialog", { name: "Add channel" }).getByRole("radio", { name: /Custom channel/ }).check();
  const form = page.getByRole("dialog", { name: "Add custom channel" });
  await form.getByLabel("Channel name").fill("SMS bridge");
  await form.getByLabel("Contact ID type").selectOption("custom");
  await form.getByLabel("Reply window (hours)").fill("24");
  await form.getByLabel("Bridge API base URL").fill("http://127.0.0.1:9/bridge");
  await form.getByRole("button", { name: "Create channel" }).click();

  const created = page.getByRole("dialog", { name: "Channel connected" });
  const webhookUrl = await created.getByLabel("Inbound webhook URL", { exact: true }).textContent();
  const token = await created.getByLabel("API token", { exact: true }).textContent();
  expect(webhookUrl).toMatch(/\/webhooks\/channels\/\d+$/);
  expect(token?.length).toBeGreaterThan(10);
  await expect(created.getByText(/shown only once/)).toBeVisible();
  await created.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("table", { name: "Channels" })).toContainText("SMS bridge");

  // The token shown is the one the bridge must use: the webhook accepts it.
  const id = Number(webhookUrl!.split("/").pop());
  await customerWrites(request, { id, webhook_url: webhookUrl!, api_token: token! }, "cust_1", "Hello there");

  // Never again: not after reloading, not in the channel's configuration.
  await page.reload();
  await expect(page.getByRole("table", { name: "Channels" })).toContainText("SMS bridge");
  await expect(page.getByText(token!)).toHaveCount(0);
  await page.getByRole("button", { name: "Configure SMS bridge" }).click();
  const configure = page.getByRole("dialog", { name: "Configure SMS bridge" });
  await expect(configure.getByLabel("Inbound webhook URL", { exact: true })).toHaveText(webhookUrl!);
  await expect(configure.getByLabel("Contact ID type")).toHaveValue("custom");
  await expect(configure.getByLabel("Reply window (hours)")).toHaveValue("24");
  await expect(page.getByText(token!)).toHaveCount(0);
});

test("an owner creates an API token whose secret is shown once", async ({ page, request }) => {
  await signUp(page);
  await openSettings(page, "API tokens");
  await page.getByRole("button", { name: "New API token" }).click();
  await page.getByLabel("Token name").fill("CRM sync");
  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog", { name: "API token created" });
  const secret = (await dialog.getByLabel("Secret", { exact: true }).textContent())!;
  expect(secret).toMatch(/^ism_/);
  await dialog.getByRole("button", { name: "Done" }).click();

  const table = page.getByRole("table", { name: "API tokens" });
  await expect(table).toContainText("CRM sync");
  await expect(page.getByText(secret)).toHaveCount(0);
  // The secret works for an integration.
  const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.ok()).toBeTruthy();

  await page.reload();
  await expect(table).toContainText("CRM sync");
  await expect(page.getByText(secret)).toHaveCount(0);
});

test("an owner adds a closing-note category and changes the closing-notes mode", async ({ page }) => {
  await signUp(page);
  await openSettings(page, "Closing notes");
  await page.getByRole("button", { name: "New category" }).click();
  await page.getByLabel("Category name").fill("Billing");
  await page.getByLabel("Description").fill("Invoices and payments");
  await page.getByRole("button", { name: "Create category" }).click();
  const table = page.getByRole("table", { name: "Closing-note categories" });
  await expect(table.getByRole("row", { name: /Billing/ })).toContainText("Invoices and payments");

  // A name is fixed; the description can change.
  await page.getByRole("button", { name: "Edit Billing" }).click();
  await expect(page.getByLabel("Category name")).toHaveAttribute("readonly", "");
  await page.getByLabel("Description").fill("Invoices, refunds and payments");
  await page.getByRole("button", { name: "Save description" }).click();
  await expect(table.getByRole("row", { name: /Billing/ })).toContainText("Invoices, refunds and payments");

  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "General" }).click();
  await page.getByRole("radio", { name: /Category required/ }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Workspace settings saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("radio", { name: /Category required/ })).toBeChecked();
  await expect(page.getByRole("radio", { name: /^Optional/ })).not.toBeChecked();
});

test("an invited agent joins and sees only what an agent may", async ({ page, request, browser }) => {
  await signUp(page);
  const owner = await apiAs(page, request);
  await owner.post("/contacts", { first_name: "Carla", last_name: "Customer", email: uniqueEmail("carla") });

  await openSettings(page, "Users");
  await page.getByRole("button", { name: "Invite user" }).click();
  const agentEmail = uniqueEmail("agent");
  const invite = page.getByRole("dialog", { name: "Invite user" });
  await invite.getByLabel("E-mail").fill(agentEmail);
  await invite.getByLabel("Role").selectOption("agent");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  const created = page.getByRole("dialog", { name: "Invitation created" });
  const link = (await created.getByLabel("Invitation link", { exact: true }).textContent())!;
  expect(link).toContain("/invite/");
  await created.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("table", { name: "Pending invitations" })).toContainText(agentEmail);

  // The agent, in a browser of their own.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await agent.goto(link);
  await agent.getByLabel("Your name").fill("Bruno Agent");
  await agent.getByLabel("Choose a password").fill("another long password");
  await agent.getByRole("button", { name: "Accept invitation" }).click();
  await expect(agent).toHaveURL(/\/inbox/);
  const nav = agent.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Contacts" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Settings" })).toHaveCount(0);

  await agent.goto("/settings/users");
  await expect(agent.getByText("Settings are for owners and managers")).toBeVisible();
  await expect(agent.getByRole("button", { name: "Invite user" })).toHaveCount(0);

  await nav.getByRole("link", { name: "Contacts" }).click();
  await expect(agent.getByRole("link", { name: "Merge suggestions" })).toHaveCount(0);
  await agent.getByRole("link", { name: "Carla Customer" }).click();
  await expect(agent.getByRole("heading", { level: 1, name: "Carla Customer" })).toBeVisible();
  await expect(agent.getByRole("link", { name: "Open in inbox" })).toBeVisible();
  await expect(agent.getByRole("button", { name: "Delete contact" })).toHaveCount(0);
  await agentContext.close();

  // The owner now sees the agent as a member.
  await page.reload();
  await expect(page.getByRole("table", { name: "Members" })).toContainText("Bruno Agent");
  await expect(page.getByRole("table", { name: "Pending invitations" })).toHaveCount(0);
});
