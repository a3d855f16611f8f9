// The website chat widget, end to end: a visitor on a web page and an agent in the app chat
// live in both directions, and the visitor keeps the history across a reload.
import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("a visitor chats with an agent through the website widget, live both ways", async ({ page, browser }) => {
  await signUp(page);

  // The manager creates the widget in Settings and sees its snippet and demo page.
  await page.goto("/settings/channels");
  await page.getByRole("button", { name: "Add channel" }).click();
  await page.getByRole("dialog", { name: "Add channel" }).getByRole("radio", { name: /Website chat widget/ }).check();
  const form = page.getByRole("dialog", { name: "Add website chat widget" });
  await form.getByLabel("Widget name").fill("Acme website");
  await form.getByLabel("Greeting", { exact: true }).fill("Hi! How can we help?");
  await expect(form.getByRole("figure", { name: "Widget preview" })).toContainText("Hi! How can we help?");
  await form.getByRole("button", { name: "Create channel" }).click();
  const ready = page.getByRole("dialog", { name: "Chat widget ready" });
  await expect(ready.getByLabel("Embed snippet", { exact: true })).toContainText(/<script src=".*\/widget\.js" data-channel="wc_/);
  const demo = await ready.getByRole("link", { name: "Open demo page" }).getAttribute("href");
  expect(demo).toMatch(/^\/widget\/demo\?channel=wc_/);
  await ready.getByRole("button", { name: "Done" }).click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Inbox" }).click();

  // A visitor, in a browser of their own, opens the website and writes.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await visitor.goto(demo!);
  await visitor.getByRole("button", { name: "Open chat" }).click();
  const chat = visitor.getByRole("dialog", { name: "Chat" });
  await expect(chat).toContainText("Hi! How can we help?");
  await chat.getByRole("textbox", { name: "Message" }).fill("Hello from the website");
  await chat.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(chat.getByText("Hello from the website")).toBeVisible();

  // The agent sees the new thread arrive live and answers.
  const row = page.getByRole("link", { name: /Hello from the website/ });
  await expect(row).toBeVisible();
  await row.click();
  const reply = page.getByRole("textbox", { name: "Reply" });
  await reply.fill("Hi there! What can I do for you?");
  await reply.press("Enter");

  // The visitor sees the answer live, without reloading.
  await expect(chat.getByText("Hi there! What can I do for you?")).toBeVisible();

  // The visitor leaves a name and e-mail: the agent's view of the contact follows.
  await chat.getByRole("button", { name: "Leave your name and e-mail" }).click();
  await chat.getByLabel("Name", { exact: true }).fill("Vera Visitor");
  await chat.getByLabel("E-mail", { exact: true }).fill("vera@example.test");
  await chat.getByRole("button", { name: "Save details" }).click();
  await expect(chat.getByRole("textbox", { name: "Message" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Vera Visitor" }).first()).toBeVisible();

  // After a reload the visitor is still the same visitor, with the whole chat.
  await visitor.reload();
  await visitor.getByRole("button", { name: "Open chat" }).click();
  const again = visitor.getByRole("dialog", { name: "Chat" });
  await expect(again.getByText("Hello from the website")).toBeVisible();
  await expect(again.getByText("Hi there! What can I do for you?")).toBeVisible();

  // And the visitor writing again lands in the same thread for the agent.
  await again.getByRole("textbox", { name: "Message" }).fill("Where is my order?");
  await again.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(page.getByText("Where is my order?").first()).toBeVisible();
  await visitorContext.close();
});
