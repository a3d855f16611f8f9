// Snippet variables, filled in the browser for a draft that is not saved yet. The same
// grammar and values as the server (domain/src/variables.rs, README "Snippets"):
//   $contact.firstname, $assignee.email, $system.current_date, …
//   {{contact.firstname | "there"}}, {{membership}} (a bare custom field key)
// A variable without a value renders its fallback or nothing.

export const CONTACT_VARIABLES = ["name", "firstname", "lastname", "email", "phone", "country", "language", "id"];
export const ASSIGNEE_VARIABLES = ["name", "firstname", "lastname", "email"];
export const SYSTEM_VARIABLES = ["current_datetime", "current_date", "current_time"];
const NAMESPACES = ["contact", "assignee", "system"] as const;
type Namespace = (typeof NAMESPACES)[number];

export type RenderValues = {
  contact: {
    id?: string | null;
    firstname?: string | null;
    lastname?: string | null;
    email?: string | null;
    phone?: string | null;
    country?: string | null;
    language?: string | null;
    custom: Record<string, string | null | undefined>;
  };
  assignee: { firstname?: string | null; lastname?: string | null; email?: string | null };
  timezone: string;
  now: Date;
};

type Segment = { text: string } | { ns: Namespace; name: string; fallback?: string };

const nameChar = /[a-z0-9_]/;
const isName = (s: string) => /^[a-z0-9_]+$/.test(s);

function dollarVar(s: string): [Segment, number] | null {
  for (const ns of NAMESPACES) {
    const prefix = `$${ns}.`;
    if (!s.startsWith(prefix)) continue;
    let len = 0;
    const after = s.slice(prefix.length);
    while (len < after.length && nameChar.test(after[len]!)) len++;
    return len > 0 ? [{ ns, name: after.slice(0, len) }, prefix.length + len] : null;
  }
  return null;
}

function bracedVar(s: string): [Segment, number] | null {
  if (!s.startsWith("{{")) return null;
  const rest = s.slice(2);
  const end = rest.indexOf("}}");
  if (end < 0) return null;
  const inner = rest.slice(0, end);
  let namePart = inner.trim();
  let fallback: string | undefined;
  const bar = inner.indexOf("|");
  if (bar >= 0) {
    const fb = inner.slice(bar + 1).trim();
    if (!(fb.length >= 2 && fb.startsWith('"') && fb.endsWith('"'))) return null;
    fallback = fb.slice(1, -1);
    if (fallback.includes('"')) return null;
    namePart = inner.slice(0, bar).trim();
  }
  let ns: Namespace;
  let name: string;
  const dot = namePart.indexOf(".");
  if (dot >= 0) {
    const maybe = namePart.slice(0, dot);
    if (!(NAMESPACES as readonly string[]).includes(maybe)) return null;
    ns = maybe as Namespace;
    name = namePart.slice(dot + 1);
  } else if (/^[a-z]/.test(namePart)) {
    ns = "contact";
    name = namePart;
  } else return null;
  return isName(name) ? [{ ns, name, fallback }, 2 + end + 2] : null;
}

function segments(template: string): Segment[] {
  const out: Segment[] = [];
  let textStart = 0;
  let i = 0;
  while (i < template.length) {
    const rest = template.slice(i);
    const found = rest[0] === "$" ? dollarVar(rest) : rest[0] === "{" ? bracedVar(rest) : null;
    if (found) {
      if (textStart < i) out.push({ text: template.slice(textStart, i) });
      out.push(found[0]);
      i += found[1];
      textStart = i;
    } else i += 1;
  }
  if (textStart < template.length) out.push({ text: template.slice(textStart) });
  return out;
}

const present = (v: string | null | undefined) => {
  const t = v?.trim();
  return t ? t : undefined;
};
const fullName = (first?: string | null, last?: string | null) =>
  [present(first), present(last)].filter(Boolean).join(" ") || undefined;

function inZone(now: Date, timezone: string): { date: string; time: string } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    }).formatToParts(now);
  } catch {
    return inZone(now, "UTC");
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "00";
  return { date: `${get("year")}-${get("month")}-${get("day")}`, time: `${get("hour")}:${get("minute")}:${get("second")}` };
}

function value(ns: Namespace, name: string, v: RenderValues): string | undefined {
  const c = v.contact;
  const a = v.assignee;
  if (ns === "contact") {
    switch (name) {
      case "name":
        return fullName(c.firstname, c.lastname);
      case "firstname":
      case "lastname":
      case "email":
      case "phone":
      case "country":
      case "language":
      case "id":
        return present(c[name]);
      default:
        return present(c.custom[name]);
    }
  }
  if (ns === "assignee") {
    switch (name) {
      case "name":
        return fullName(a.firstname, a.lastname);
      case "firstname":
      case "lastname":
      case "email":
        return present(a[name]);
      default:
        return undefined;
    }
  }
  const { date, time } = inZone(v.now, v.timezone);
  if (name === "current_datetime") return `${date} ${time}`;
  if (name === "current_date") return date;
  if (name === "current_time") return time;
  return undefined;
}

/** The text with every variable replaced by its value, its fallback, or nothing. */
export function renderSnippet(template: string, values: RenderValues): string {
  return segments(template)
    .map((s) => ("text" in s ? s.text : (value(s.ns, s.name, values) ?? s.fallback ?? "")))
    .join("");
}

/** Variables the server would refuse (`contact.nickname`, …), each named once, in order. */
export function unknownVariables(template: string, customKeys: string[]): string[] {
  const out: string[] = [];
  for (const s of segments(template)) {
    if ("text" in s) continue;
    const known =
      s.ns === "contact"
        ? CONTACT_VARIABLES.includes(s.name) || customKeys.includes(s.name)
        : s.ns === "assignee"
          ? ASSIGNEE_VARIABLES.includes(s.name)
          : SYSTEM_VARIABLES.includes(s.name);
    const dotted = `${s.ns}.${s.name}`;
    if (!known && !out.includes(dotted)) out.push(dotted);
  }
  return out;
}

/** A member's single name as first name and the rest as last name (as the server does). */
export function splitName(name: string): { firstname?: string; lastname?: string } {
  const t = name.trim();
  const i = t.search(/\s/);
  if (i < 0) return { firstname: t || undefined };
  return { firstname: t.slice(0, i), lastname: t.slice(i).trim() || undefined };
}
