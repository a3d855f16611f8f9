// The settings sections, in navigation order. Each is one page component.
import type { ComponentType } from "react";
import { GeneralSettings } from "./GeneralSettings";

export type SettingsPage = { slug: string; title: string; component: ComponentType };

export const settingsPages: SettingsPage[] = [
  { slug: "general", title: "General", component: GeneralSettings },
];
