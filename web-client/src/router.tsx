// Every route of the app, typed: paths, params and search params are checked by tsc.
import {
  createRootRoute,
  createRoute,
  createRouter,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { loadTokens } from "./api/session";
import { LoginPage } from "./features/auth/LoginPage";
import { SignupPage } from "./features/auth/SignupPage";
import { AcceptInvitePage } from "./features/auth/AcceptInvitePage";
import { AppShell } from "./features/shell/AppShell";
import { InboxPage } from "./features/inbox/InboxPage";
import { ContactsPage } from "./features/contacts/ContactsPage";
import { ContactPage } from "./features/contacts/ContactPage";
import { MergePage } from "./features/contacts/MergePage";
import { SettingsLayout } from "./features/settings/SettingsLayout";
import { settingsPages } from "./features/settings/pages";
import { NotFound } from "./components/NotFound";
import { parseInboxSearch } from "./features/inbox/search";
import { parseContactsSearch } from "./features/contacts/search";

const rootRoute = createRootRoute({
  component: Outlet,
  notFoundComponent: NotFound,
});

const publicOnly = () => {
  if (loadTokens()) throw redirect({ to: "/inbox" });
};

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: (s: Record<string, unknown>): { redirect?: string } => ({
    redirect: typeof s.redirect === "string" && s.redirect.startsWith("/") ? s.redirect : undefined,
  }),
  beforeLoad: publicOnly,
  component: LoginPage,
});

const signupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/signup",
  beforeLoad: publicOnly,
  component: SignupPage,
});

const inviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/invite/$token",
  component: AcceptInvitePage,
});

/** Everything behind sign-in. */
export const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: ({ location }) => {
    if (!loadTokens()) {
      throw redirect({ to: "/login", search: { redirect: location.href } });
    }
  },
  component: AppShell,
});

const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/inbox" });
  },
});

export const inboxRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/inbox",
  validateSearch: parseInboxSearch,
  component: InboxPage,
});

export const inboxThreadRoute = createRoute({
  getParentRoute: () => inboxRoute,
  path: "$contactId",
  params: {
    parse: (p: { contactId: string }) => ({ contactId: Number(p.contactId) }),
    stringify: (p: { contactId: number }) => ({ contactId: String(p.contactId) }),
  },
});

export const contactsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/contacts",
  validateSearch: parseContactsSearch,
  component: ContactsPage,
});

export const mergeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/contacts/merge",
  component: MergePage,
});

export const contactRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/contacts/$contactId",
  params: {
    parse: (p: { contactId: string }) => ({ contactId: Number(p.contactId) }),
    stringify: (p: { contactId: number }) => ({ contactId: String(p.contactId) }),
  },
  component: ContactPage,
});

export const settingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings",
  component: SettingsLayout,
});

const settingsIndexRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/settings/$page", params: { page: "general" } });
  },
});

export const settingsPageRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "$page",
  component: function SettingsPage() {
    const { page } = settingsPageRoute.useParams();
    const found = settingsPages.find((p) => p.slug === page);
    return found ? <found.component /> : <NotFound />;
  },
});

const routeTree = rootRoute.addChildren([
  loginRoute,
  signupRoute,
  inviteRoute,
  appRoute.addChildren([
    indexRoute,
    inboxRoute.addChildren([inboxThreadRoute]),
    contactsRoute,
    mergeRoute,
    contactRoute,
    settingsRoute.addChildren([settingsIndexRoute, settingsPageRoute]),
  ]),
]);

export const router = createRouter({ routeTree, defaultPreload: "intent" });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
