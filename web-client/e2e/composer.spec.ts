// The composer and the contact panel in a real browser against the real server: a customer
// writes on a custom channel, the agent answers with a snippet picked by "/" (filled in with
// the contact's first name), adds a private note mentioning a teammate, and tags the contact.
// Expects /inbox/<contactId> to show the thread with the Composer and the ContactPanel.
import { expect, test, type Page } from "@playwright/test";
import { apiAs, customerWrites, signUp } from "./helpers";

/**
 * The text is on the page (the thread; the inbox list may show it too as a preview, hence
 * `first()`). When merged with the inbox branch, scope this to the thread's landmark.
 */
const shown = (page: Page, text: string) => page.getByText(text).first();

test("an agent replies with a snippet and adds a private note with a mention", async ({ page, request }) => {
  const owner = await signUp(page);
  const api = await apiAs(page, request);
  const me = await api.get("/me");
  const channel = await api.post("/channels", {
    kind: "custom",
    name: "SMS bridge",
    // No bridge listens there: replies are stored and then fail to deliver, which is fine here.
    config: { api_base_url: `${new URL(page.url()).origin}/no-bridge`, id_type: "custom" },
  });
  await api.post("/snippets", {
    name: "Greeting",
    content: 'Hi {{contact.firstname | "there"}}, thanks for writing!',
  });
  await customerWrites(request, channel, "maria_1", "Where is my order?");
  const contacts = await api.get("/contacts?search=Maria");
  const contactId: number = contacts.items[0].id;

  await page.goto(`/inbox/${contactId}`);
  await expect(shown(page, "Where is my order?")).toBeVisible();

  // Reply with the snippet: "/" opens the list, typing filters it, Enter picks.
  const reply = page.getByRole("textbox", { name: "Reply" });
  await reply.click();
  await reply.pressSequentially("/Greet");
  const snippets = page.getByRole("listbox", { name: "Snippets" });
  await expect(snippets.getByRole("option")).toHaveCount(1);
  await expect(snippets.getByRole("option", { name: /Greeting/ })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(reply).toHaveValue("Hi Maria, thanks for writing!");
  await page.keyboard.press("Enter");
  await expect(reply).toHaveValue("");
  await expect(shown(page, "Hi Maria, thanks for writing!")).toBeVisible();
  const thread = await api.get(`/contacts/${contactId}/messages`);
  const sent = thread.items.find((i: { message?: { direction: string } }) => i.message?.direction === "outgoing");
  expect(sent.message.text).toBe("Hi Maria, thanks for writing!");

  // A private note mentioning a teammate (here the owner): shown by name, sent by id.
  await page.getByRole("radio", { name: "Private note" }).click();
  const note = page.getByRole("textbox", { name: "Private note" });
  await note.pressSequentially("Please check @Ana");
  await page.getByRole("listbox", { name: "Mention a teammate" }).getByRole("option", { name: new RegExp(owner.name) }).click();
  await expect(note).toHaveValue(`Please check @${owner.name} `);
  await note.pressSequentially("the delivery date ");
  // An emoji from the picker goes in at the caret.
  await page.getByRole("button", { name: "Insert emoji" }).click();
  await page.getByRole("dialog", { name: "Emoji" }).getByRole("button", { name: /grinning face/ }).first().click();
  await expect(note).toHaveValue(`Please check @${owner.name} the delivery date 😀`);
  await page.keyboard.press("Escape");
  await note.press("Enter");
  await expect(note).toHaveValue("");
  await expect(shown(page, `Please check @${owner.name} the delivery date 😀`)).toBeVisible();
  const after = await api.get(`/contacts/${contactId}/messages`);
  const comment = after.items.find((i: { kind: string }) => i.kind === "comment").comment;
  expect(comment.mentions).toEqual([me.member.id]);

  // The side panel: the contact's channel, and a tag added from it.
  const panel = page.getByRole("complementary", { name: "Contact details" });
  await expect(panel.getByRole("list", { name: "Channels of this contact" })).toContainText("SMS bridge");
  await panel.getByRole("combobox", { name: "Add a tag" }).fill("vip");
  await panel.getByRole("button", { name: "Add" }).click();
  await expect(panel.getByRole("list", { name: "Tags of this contact" })).toContainText("vip");
  await expect(panel.getByRole("list", { name: "Activity" })).toContainText("Tag “vip” added");
});

test("an agent records a voice note, plays it back and sends it", async ({ page, request }) => {
  await signUp(page);
  const api = await apiAs(page, request);
  const channel = await api.post("/channels", {
    kind: "custom",
    name: "SMS bridge",
    config: { api_base_url: `${new URL(page.url()).origin}/no-bridge`, id_type: "custom", voice_notes: true },
  });
  await customerWrites(request, channel, "joao_1", "Can you call me?", { firstName: "João" });
  const contactId: number = (await api.get("/contacts?search=João")).items[0].id;

  await page.goto(`/inbox/${contactId}`);
  await page.getByRole("button", { name: "Record a voice note" }).click();
  const voice = page.getByRole("group", { name: "Voice note" });
  await expect(voice.getByRole("timer")).toContainText("/ 5:00");
  await expect(voice.getByRole("timer")).not.toContainText("0:00 /");
  await voice.getByRole("button", { name: "Stop recording" }).click();
  await expect(voice.getByLabel("Voice note preview")).toBeVisible();
  // Deleting throws the recording away; a second one is sent.
  await voice.getByRole("button", { name: "Delete voice note" }).click();
  await page.getByRole("button", { name: "Record a voice note" }).click();
  await expect(voice.getByRole("timer")).not.toContainText("0:00 /");
  await voice.getByRole("button", { name: "Stop recording" }).click();
  await voice.getByRole("button", { name: "Send voice note" }).click();
  await expect(page.getByRole("button", { name: "Record a voice note" })).toBeVisible();
  const thread = await api.get(`/contacts/${contactId}/messages`);
  const sent = thread.items.find((i: { message?: { direction: string } }) => i.message?.direction === "outgoing");
  expect(sent.message.attachment).toMatchObject({ type: "audio", voice: true });
});

test("the side panel edits the contact's details and custom fields", async ({ page, request }) => {
  await signUp(page);
  const api = await apiAs(page, request);
  const channel = await api.post("/channels", {
    kind: "custom",
    name: "SMS bridge",
    config: { api_base_url: `${new URL(page.url()).origin}/no-bridge`, id_type: "custom" },
  });
  await api.post("/contact-fields", { key: "membership", name: "Membership", type: "list", options: ["silver", "gold"] });
  await customerWrites(request, channel, "lia_1", "Hello", { firstName: "Lia" });
  const contactId: number = (await api.get("/contacts?search=Lia")).items[0].id;

  await page.goto(`/inbox/${contactId}`);
  const panel = page.getByRole("complementary", { name: "Contact details" });
  await panel.getByRole("button", { name: "Edit contact details" }).click();
  const details = panel.getByRole("form", { name: "Contact details" });
  await details.getByLabel("Last name").fill("Souza");
  await details.getByLabel("Phone").fill("12345");
  await details.getByRole("button", { name: "Save" }).click();
  // The server refuses a phone without a country code; the message sits under the field.
  await expect(details.getByLabel("Phone")).toHaveAttribute("aria-invalid", "true");
  await details.getByLabel("Phone").fill("+60 12 345 6789");
  await details.getByRole("button", { name: "Save" }).click();
  await expect(details).toBeHidden();
  await expect(panel.getByRole("heading", { name: "Lia Souza" })).toBeVisible();
  await expect(panel).toContainText("+60123456789");

  const fields = panel.getByRole("form", { name: "Custom fields" });
  await fields.getByLabel("Membership").selectOption("gold");
  await fields.getByRole("button", { name: "Save fields" }).click();
  await expect(panel.getByRole("list", { name: "Activity" })).toContainText("Membership set to gold");
  const contact = await api.get(`/contacts/${contactId}`);
  expect(contact).toMatchObject({ last_name: "Souza", phone: "+60123456789", fields: { membership: "gold" } });
});
