import { expect, test, type Page } from "@playwright/test";
import { apiAs, customerWrites, signUp } from "./helpers";

const threads = (page: Page) => page.getByRole("region", { name: "Threads" });
const thread = (page: Page) => page.getByRole("log", { name: /Conversation with/ });

test("a customer writes, the agent closes with the required category, and nothing is lost across a network drop", async ({
  page,
  request,
}) => {
  await signUp(page);
  const as = await apiAs(page, request);
  const channel = await as.post("/channels", {
    kind: "custom",
    name: "Bridge",
    config: { api_base_url: "http://127.0.0.1:9/bridge", id_type: "custom" },
  });
  await expect(threads(page)).toContainText("No threads here");

  // The customer writes: the thread appears in the list without a reload, unread.
  await customerWrites(request, channel, "maria_1", "Hello, my order never arrived");
  const row = threads(page).getByRole("link", { name: /Maria Customer/ });
  await expect(row).toBeVisible();
  await expect(row.getByRole("img", { name: "Unread" })).toBeVisible();
  await expect(row).toContainText("Hello, my order never arrived");
  await expect(page.getByRole("link", { name: /All/ })).toContainText("1");

  // Opening it shows the message and clears the unread mark.
  await row.click();
  await expect(page).toHaveURL(/\/inbox\/\d+/);
  await expect(thread(page)).toContainText("Hello, my order never arrived");
  await expect(page.getByRole("heading", { name: "Maria Customer" })).toBeVisible();
  await expect(row.getByRole("img", { name: "Unread" })).toHaveCount(0);

  // The workspace now requires a category to close, and has one.
  await as.patch("/workspace", { closing_notes_mode: "category_required" });
  await as.post("/closing-note-categories", { name: "Delivery", description: "Where is my parcel" });

  await page.getByRole("button", { name: "Close conversation" }).click();
  const dialog = page.getByRole("dialog", { name: "Close conversation" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel(/Category/)).toContainText("Delivery — Where is my parcel");
  await dialog.getByRole("button", { name: "Close conversation" }).click();
  await expect(dialog.getByRole("alert")).toContainText("is required to close a conversation");
  await expect(page.getByLabel("Status: Open")).toBeVisible();

  await dialog.getByLabel(/Category/).selectOption("Delivery");
  await dialog.getByLabel(/Summary/).fill("Parcel was re-sent");
  await dialog.getByRole("button", { name: "Close conversation" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByLabel("Status: Closed")).toBeVisible();
  await expect(thread(page)).toContainText("Ana Lima closed the conversation");
  await expect(thread(page)).toContainText("Category: Delivery");
  await expect(thread(page)).toContainText("Parcel was re-sent");

  // It leaves the open list and shows under Closed.
  await expect(threads(page).getByRole("link", { name: /Maria Customer/ })).toHaveCount(0);
  await page.getByRole("navigation", { name: "Inboxes" }).getByRole("link", { name: /Closed/ }).click();
  await expect(page).toHaveURL(/view=closed/);
  await expect(threads(page).getByRole("link", { name: /Maria Customer/ })).toBeVisible();

  // The network drops while the customer writes twice; after it comes back both are there.
  await threads(page).getByRole("link", { name: /Maria Customer/ }).click();
  await expect(thread(page)).toContainText("Category: Delivery");
  await page.context().setOffline(true);
  await expect(page.getByRole("status").filter({ hasText: "Offline" })).toBeVisible();
  await customerWrites(request, channel, "maria_1", "Are you there?");
  await customerWrites(request, channel, "maria_1", "Hello again");
  await page.context().setOffline(false);
  await expect(thread(page)).toContainText("Are you there?");
  await expect(thread(page)).toContainText("Hello again");
  await expect(page.getByLabel("Status: Open")).toBeVisible();
  // The new message reopened the conversation: it left Closed and is back under All.
  await expect(threads(page).getByRole("link", { name: /Maria Customer/ })).toHaveCount(0);
  await page.getByRole("navigation", { name: "Inboxes" }).getByRole("link", { name: /^All/ }).click();
  await expect(threads(page).getByRole("link", { name: /Maria Customer/ })).toContainText("Hello again");
});
