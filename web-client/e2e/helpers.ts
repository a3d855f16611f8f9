// Steps shared by the end-to-end tests, written as what a person does.
import { expect, type APIRequestContext, type Page } from "@playwright/test";

let counter = 0;
/** A unique e-mail per test run, so tests never collide on the shared server. */
export function uniqueEmail(who: string): string {
  counter += 1;
  return `${who}.${Date.now()}.${counter}@e2e.test`;
}

export type Owner = { email: string; password: string; workspace: string; name: string };

/** Signs up a new workspace through the UI and lands in the inbox. */
export async function signUp(page: Page, workspace = "Acme Support"): Promise<Owner> {
  const owner = { email: uniqueEmail("owner"), password: "a long password", workspace, name: "Ana Lima" };
  await page.goto("/signup");
  await page.getByLabel("Workspace name").fill(owner.workspace);
  await page.getByLabel("Your name").fill(owner.name);
  await page.getByLabel("E-mail").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page).toHaveURL(/\/inbox/);
  return owner;
}

/** The signed-in page's access token, for setting things up through the API. */
export async function accessToken(page: Page): Promise<string> {
  const raw = await page.evaluate(() => localStorage.getItem("ism.session"));
  if (!raw) throw new Error("not signed in");
  return (JSON.parse(raw) as { access_token: string }).access_token;
}

/** Calls the API as the page's user. */
export async function apiAs(page: Page, request: APIRequestContext) {
  const token = await accessToken(page);
  const headers = { Authorization: `Bearer ${token}` };
  return {
    async post(path: string, data: unknown) {
      const res = await request.post(`/api/v1${path}`, { headers, data });
      expect(res.ok(), `${path}: ${res.status()} ${await res.text()}`).toBeTruthy();
      return res.json();
    },
    async get(path: string) {
      const res = await request.get(`/api/v1${path}`, { headers });
      expect(res.ok(), `${path}: ${res.status()}`).toBeTruthy();
      return res.json();
    },
    async patch(path: string, data: unknown) {
      const res = await request.patch(`/api/v1${path}`, { headers, data });
      expect(res.ok(), `${path}: ${res.status()} ${await res.text()}`).toBeTruthy();
      return res.json();
    },
  };
}

/** What a custom channel's bridge does when a customer writes: posts to the webhook. */
export async function customerWrites(
  request: APIRequestContext,
  channel: { webhook_url: string; api_token: string; id: number },
  contactId: string,
  text: string,
  contact: Record<string, unknown> = { firstName: "Maria", lastName: "Customer" },
) {
  const url = new URL(channel.webhook_url);
  const res = await request.post(url.pathname, {
    headers: { Authorization: `Bearer ${channel.api_token}` },
    data: {
      channelId: String(channel.id),
      contactId,
      events: [
        {
          type: "message",
          mId: `m-${Date.now()}-${Math.random().toString(36).slice(2)}`,
          timestamp: Date.now(),
          message: { type: "text", text },
        },
      ],
      contact,
    },
  });
  expect(res.ok(), `webhook: ${res.status()} ${await res.text()}`).toBeTruthy();
}
