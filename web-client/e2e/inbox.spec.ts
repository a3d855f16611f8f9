import { expect, test, type Page } from "@playwright/test";
import { accessToken, apiAs, customerWrites, signUp } from "./helpers";

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
  await expect(page.getByRole("heading", { name: "Maria Customer" }).first()).toBeVisible();
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

test("the list: many threads scroll in, keyboard moves through them, search, bulk actions with per-item results, custom inbox", async ({
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
  for (let n = 1; n <= 130; n++) {
    const nn = String(n).padStart(3, "0");
    await customerWrites(request, channel, `c${nn}`, `Question number ${nn}`, { firstName: "Customer", lastName: nn });
  }
  await page.reload();
  const list = page.getByRole("list", { name: /threads/ });
  // Newest first; only the rows on screen are rendered, the rest load as the list scrolls.
  await expect(list.getByRole("link").first()).toContainText("Customer 130");
  await expect(page.getByText("100+ threads")).toBeVisible();
  expect(await list.getByRole("listitem").count()).toBeLessThan(40);
  await list.hover();
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 3000);
  await expect(page.getByText("130 threads")).toBeVisible();
  await expect(list.getByRole("link", { name: /Customer 001/ })).toBeVisible();

  // Keyboard: j/k and the arrows move through the threads and open them.
  await list.getByRole("link", { name: /Customer 001/ }).click();
  await expect(page.getByRole("heading", { name: "Customer 001" }).first()).toBeVisible();
  await page.keyboard.press("k");
  await expect(page.getByRole("heading", { name: "Customer 002" }).first()).toBeVisible();
  await expect(list.getByRole("link", { name: /Customer 002/ })).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(page.getByRole("heading", { name: "Customer 003" }).first()).toBeVisible();
  await page.keyboard.press("j");
  await expect(page.getByRole("heading", { name: "Customer 002" }).first()).toBeVisible();

  // Search narrows the list.
  await page.getByLabel("Search conversations").fill("Customer 007");
  await expect(page).toHaveURL(/search=Customer/);
  await expect(list.getByRole("link")).toHaveCount(1);
  await expect(list.getByRole("link")).toContainText("Customer 007");
  await page.getByLabel("Search conversations").fill("");
  await expect(page.getByText("130 threads")).toBeVisible();

  // Bulk: every visible thread assigned to me at once.
  await page.getByLabel("Select all visible").check();
  const bulk = page.getByRole("region", { name: "Bulk actions" });
  await expect(bulk).toContainText("130 selected");
  await bulk.getByLabel("Assign selected to").selectOption({ label: "Ana Lima" });
  const report = page.getByRole("status", { name: "Bulk results" });
  await expect(report).toContainText("Assigned 130 conversations.");
  const views = page.getByRole("navigation", { name: "Inboxes" });
  await expect(views.getByRole("link", { name: /Mine/ })).toContainText("130");
  await expect(views.getByRole("link", { name: /Unassigned/ })).toContainText("0");
  await expect(list.getByRole("link", { name: /Customer 130/ })).toContainText("Assigned to Ana Lima");

  // Opening threads that are already open is refused one by one, and says why; the refused
  // ones stay selected for the next action.
  await list.getByLabel("Select Customer 130").check();
  await list.getByLabel("Select Customer 129").check();
  await bulk.getByRole("button", { name: "Open" }).click();
  await expect(report).toContainText("Opened 0 conversations; 2 failed.");
  await expect(report.getByRole("listitem")).toHaveCount(2);
  await expect(report.getByRole("listitem").filter({ hasText: "Customer 129" })).toContainText(/open/i);
  await expect(bulk).toContainText("2 selected");
  await bulk.getByRole("button", { name: "Unassign" }).click();
  await expect(report).toContainText("Unassigned 2 conversations.");
  await expect(views.getByRole("link", { name: /Unassigned/ })).toContainText("2");

  // A custom inbox saved from the filters on screen.
  await views.getByRole("link", { name: /Unassigned/ }).click();
  await expect(page.getByText("2 threads")).toBeVisible();
  await page.getByRole("button", { name: "New custom inbox from the current filters" }).click();
  const dialog = page.getByRole("dialog", { name: "New custom inbox" });
  await dialog.getByLabel("Name").fill("Nobody's yet");
  await expect(dialog).toContainText("assignee unassigned");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(views.getByRole("link", { name: "Nobody's yet" })).toHaveAttribute("aria-current", "page");
  await expect(page).toHaveURL(/inbox=\d+/);
  await expect(page.getByText("2 threads")).toBeVisible();
  await expect(list.getByRole("link", { name: /Customer 129/ })).toBeVisible();

  // Closing many at once goes through the close dialog.
  await page.getByLabel("Select all visible").check();
  await bulk.getByRole("button", { name: "Close" }).click();
  const closeDialog = page.getByRole("dialog", { name: "Close conversation" });
  await expect(closeDialog).toContainText("2 conversations");
  await closeDialog.getByLabel(/Summary/).fill("Handled in bulk");
  await closeDialog.getByRole("button", { name: "Close conversation" }).click();
  await expect(report).toContainText("Closed 2 conversations.");
  await expect(page.getByText("No threads here")).toBeVisible();
  await expect(views.getByRole("link", { name: /All/ })).toContainText("128");

  // The custom inbox is renamed, then deleted.
  await views.getByRole("button", { name: /Edit “Nobody's yet”/ }).click();
  const edit = page.getByRole("dialog", { name: "Edit custom inbox" });
  await edit.getByLabel("Name").fill("Unclaimed");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(views.getByRole("link", { name: "Unclaimed" })).toBeVisible();
  await views.getByRole("button", { name: /Edit “Unclaimed”/ }).click();
  await edit.getByRole("button", { name: "Delete" }).click();
  await edit.getByRole("button", { name: "Really delete?" }).click();
  await expect(views.getByRole("link", { name: "Unclaimed" })).toHaveCount(0);
  await expect(views.getByRole("link", { name: /All/ })).toHaveAttribute("aria-current", "page");
});

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

/** A tenth of a second of silence as an 8 kHz 8-bit mono WAV. */
function wav(): Buffer {
  const samples = 800;
  const b = Buffer.alloc(44 + samples, 128);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + samples, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write("data", 36);
  b.writeUInt32LE(samples, 40);
  return b;
}

test("the thread shows notes, activity, delivery failures with their reason, images, audio and files", async ({
  page,
  request,
}) => {
  await signUp(page);
  const as = await apiAs(page, request);
  const token = await accessToken(page);
  const channel = await as.post("/channels", {
    kind: "custom",
    name: "Bridge",
    config: { api_base_url: "http://127.0.0.1:9/bridge", id_type: "custom" },
  });
  await customerWrites(request, channel, "maria_2", "Here is my question");
  const contact = (await as.get("/contacts?search=Maria")).items[0];

  const upload = async (name: string, mimeType: string, buffer: Buffer) => {
    const res = await request.post("/api/v1/files", {
      headers: { Authorization: `Bearer ${token}` },
      multipart: { file: { name, mimeType, buffer } },
    });
    expect(res.ok(), await res.text()).toBeTruthy();
    return (await res.json()).id as number;
  };
  const image = await upload("parcel.png", "image/png", PNG);
  const audio = await upload("hello.wav", "audio/wav", wav());
  const doc = await upload("invoice.txt", "text/plain", Buffer.from("Invoice 42\n"));
  for (const id of [image, audio, doc])
    await as.post(`/contacts/${contact.id}/messages`, { type: "attachment", file_ids: [id] });
  await as.post(`/contacts/${contact.id}/comments`, { text: "VIP customer, be quick" });

  await page.getByRole("link", { name: /Maria Customer/ }).click();
  const log = page.getByRole("log", { name: /Conversation with/ });
  await expect(log).toContainText("Here is my question");

  // The private note looks like one.
  const note = log.getByRole("article", { name: /Private note by Ana Lima/ });
  await expect(note).toContainText("Private note");
  await expect(note).toContainText("VIP customer, be quick");

  // Media: the image inline, the audio playable, the file downloadable.
  await expect(log.getByRole("img", { name: "parcel.png" })).toBeVisible();
  await expect(log.locator("audio[controls]")).toHaveCount(1);
  const download = page.waitForEvent("download");
  await log.getByRole("button", { name: "Download invoice.txt" }).click();
  expect((await download).suggestedFilename()).toBe("invoice.txt");

  // The bridge does not answer: the replies fail, each showing why.
  await expect(log.getByRole("img", { name: "Failed" })).toHaveCount(3, { timeout: 30_000 });
  await expect(log.getByText(/Not delivered:/).first()).toBeVisible();

  // Assigning from the header shows up in the thread as it happens.
  await page.getByRole("combobox", { name: "Assignee", exact: true }).selectOption({ label: "Ana Lima" });
  await expect(log).toContainText("Ana Lima took the conversation");
  await page.getByRole("combobox", { name: "Assignee", exact: true }).selectOption({ label: "Unassigned" });
  await expect(log).toContainText("Ana Lima unassigned themselves");
});

test("a long thread scrolls back through its history and follows new messages at the bottom", async ({
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
  for (let n = 1; n <= 70; n++)
    await customerWrites(request, channel, "talker", `Line ${String(n).padStart(2, "0")}`, { firstName: "Tom", lastName: "Talker" });

  await page.getByRole("link", { name: /Tom Talker/ }).click();
  const log = page.getByRole("log", { name: /Conversation with/ });
  // The newest message is at the bottom, in view; the oldest is not loaded yet.
  await expect(log.getByText("Line 70")).toBeInViewport();
  await expect(log.getByText("Line 01")).toHaveCount(0);

  // Scrolling up loads older history and keeps what was on screen in place.
  await log.hover();
  await expect(log.getByText("Line 40")).toHaveCount(0);
  await page.mouse.wheel(0, -3000);
  await expect(log.getByText("Line 40")).toBeAttached();
  await expect(log.getByText("Line 41")).toBeInViewport();
  await page.mouse.wheel(0, -100000);
  await page.mouse.wheel(0, -100000);
  await expect(log.getByText("Line 01")).toBeAttached();
  await expect(log.getByText("Beginning of the conversation")).toBeAttached();
  await log.getByText("Line 01").scrollIntoViewIfNeeded();
  await expect(log.getByText("Line 70")).not.toBeInViewport();

  // Away from the bottom, a new message does not pull the view down but says it is there.
  await customerWrites(request, channel, "talker", "Line 71", { firstName: "Tom", lastName: "Talker" });
  await expect(log.getByText("Line 71")).toBeAttached();
  await expect(log.getByText("Line 01")).toBeInViewport();
  await page.getByRole("button", { name: /1 new item/ }).click();
  await expect(log.getByText("Line 71")).toBeInViewport();

  // At the bottom, the view follows what arrives.
  await customerWrites(request, channel, "talker", "Line 72", { firstName: "Tom", lastName: "Talker" });
  await expect(log.getByText("Line 72")).toBeInViewport();
});
