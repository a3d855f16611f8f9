import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("a new user signs up, logs out and logs back in", async ({ page }) => {
  const owner = await signUp(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toContainText(owner.workspace);
  await expect(page.getByRole("link", { name: "Settings" })).toBeVisible();

  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);

  // A protected page now sends the user to the login, and back after signing in.
  await page.goto("/contacts");
  await expect(page).toHaveURL(/\/login\?redirect=/);
  await page.getByLabel("E-mail").fill(owner.email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/contacts/);
});

test("an expired access token is refreshed silently; a dead session goes to login", async ({ page }) => {
  await signUp(page);
  // Make the stored access token look expired: the app must refresh before calling the API.
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem("ism.session")!);
    s.expires_at = Date.now() - 1000;
    s.access_token = "expired";
    localStorage.setItem("ism.session", JSON.stringify(s));
  });
  await page.reload();
  await expect(page.getByRole("link", { name: "Inbox" })).toBeVisible();
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem("ism.session")!));
  expect(after.access_token).not.toBe("expired");

  // A revoked refresh token and a rejected access token end the session.
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem("ism.session")!);
    s.access_token = "bogus";
    s.refresh_token = "bogus";
    localStorage.setItem("ism.session", JSON.stringify(s));
  });
  await page.reload();
  await expect(page).toHaveURL(/\/login/);
});
