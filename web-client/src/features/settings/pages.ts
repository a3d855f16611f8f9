// The settings sections, in navigation order. Each is one page component.
import type { ComponentType } from "react";
import { ApiTokensSettings } from "./ApiTokensSettings";
import { CategoriesSettings } from "./CategoriesSettings";
import { ChannelsSettings } from "./ChannelsSettings";
import { ContactFieldsSettings } from "./ContactFieldsSettings";
import { FilesSettings } from "./FilesSettings";
import { GeneralSettings } from "./GeneralSettings";
import { SnippetsSettings } from "./snippets/SnippetsSettings";
import { TeamsSettings } from "./TeamsSettings";
import { UsersSettings } from "./UsersSettings";
import "./settings.css";

export type SettingsPage = { slug: string; title: string; component: ComponentType };

export const settingsPages: SettingsPage[] = [
  { slug: "general", title: "General", component: GeneralSettings },
  { slug: "users", title: "Users", component: UsersSettings },
  { slug: "teams", title: "Teams", component: TeamsSettings },
  { slug: "channels", title: "Channels", component: ChannelsSettings },
  { slug: "contact-fields", title: "Contact fields", component: ContactFieldsSettings },
  { slug: "closing-notes", title: "Closing notes", component: CategoriesSettings },
  { slug: "snippets", title: "Snippets", component: SnippetsSettings },
  { slug: "files", title: "Files", component: FilesSettings },
  { slug: "api-tokens", title: "API tokens", component: ApiTokensSettings },
];
