import { describe, expect, it } from "vitest";
import { renderSnippet, splitName, unknownVariables, type RenderValues } from "./variables";

const values: RenderValues = {
  contact: {
    id: "42",
    firstname: "Maria",
    lastname: "Souza",
    email: "maria@acme.test",
    phone: "+60123456789",
    country: "MY",
    language: null,
    custom: { membership: "gold", nickname: "  " },
  },
  assignee: { ...splitName("Bruno de Castro"), email: "bruno@acme.test" },
  timezone: "Asia/Kuala_Lumpur",
  now: new Date("2026-03-01T20:30:05Z"),
};

describe("renderSnippet", () => {
  it("fills contact, assignee and custom variables", () => {
    expect(renderSnippet("Hi $contact.firstname ($contact.name, #$contact.id), I am $assignee.firstname.", values)).toBe(
      "Hi Maria (Maria Souza, #42), I am Bruno.",
    );
    expect(renderSnippet("$assignee.lastname <$assignee.email>", values)).toBe("de Castro <bruno@acme.test>");
    expect(renderSnippet("Your tier: $contact.membership / {{membership}}", values)).toBe("Your tier: gold / gold");
  });

  it("uses the fallback, or nothing, when a value is missing or blank", () => {
    expect(renderSnippet('Hello {{contact.language | "en"}}, {{ nickname | "friend" }}!', values)).toBe("Hello en, friend!");
    expect(renderSnippet("[$contact.language]", values)).toBe("[]");
    const nobody: RenderValues = { ...values, contact: { custom: {} }, assignee: {} };
    expect(renderSnippet('Hi {{contact.firstname | "there"}}, $assignee.name here', nobody)).toBe("Hi there,  here");
  });

  it("tells the date and time in the workspace's time zone", () => {
    expect(renderSnippet("$system.current_datetime | $system.current_date | $system.current_time", values)).toBe(
      "2026-03-02 04:30:05 | 2026-03-02 | 04:30:05",
    );
  });

  it("leaves text that is not a variable alone", () => {
    expect(renderSnippet("Costs $5, {{not closed, $contact. and {{Upper}}", values)).toBe(
      "Costs $5, {{not closed, $contact. and {{Upper}}",
    );
  });
});

describe("unknownVariables", () => {
  it("names each unknown variable once, in order, knowing the custom field keys", () => {
    expect(
      unknownVariables("$contact.nick $contact.membership {{contact.nick}} $assignee.phone $system.today $contact.email", [
        "membership",
      ]),
    ).toEqual(["contact.nick", "assignee.phone", "system.today"]);
  });
});
