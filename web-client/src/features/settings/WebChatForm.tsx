// The website chat widget's settings, with a live preview of how the bubble and the chat
// window will look on a website, and (for a saved channel) the snippet to embed.
import { useState, type FormEvent } from "react";
import { Button, Field, FormError } from "../../components/ui";
import type { ChannelDraft, ChannelFormProps } from "./channelKinds";
import { CopyValue } from "./OneTimeSecret";
import type { Channel } from "./queries";

type WebChatConfig = {
  greeting?: string | null;
  color?: string | null;
  position?: string | null;
  allowed_origins?: string[];
  ask_details?: boolean;
  offline_message?: string | null;
  welcome_event?: boolean;
};

function fieldError(error: ChannelFormProps["error"], name: string): string | undefined {
  if (!error || !("field" in error)) return undefined;
  return error.field(name) ?? error.problem.errors?.find((e) => e.field.startsWith(`${name}[`))?.message;
}

export function WebChatForm({ channel, error, busy, submitLabel, onSubmit, onCancel }: ChannelFormProps) {
  const config = (channel?.config ?? {}) as WebChatConfig;
  const [name, setName] = useState(channel?.name ?? "");
  const [greeting, setGreeting] = useState(config.greeting ?? "Hi! How can we help you today?");
  const [color, setColor] = useState(config.color ?? "#3b5bdb");
  const [position, setPosition] = useState(config.position ?? "right");
  const [origins, setOrigins] = useState((config.allowed_origins ?? []).join("\n"));
  const [askDetails, setAskDetails] = useState(config.ask_details ?? false);
  const [offline, setOffline] = useState(config.offline_message ?? "");
  const [welcome, setWelcome] = useState(config.welcome_event ?? false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const draft: ChannelDraft = {
      name: name.trim(),
      config: {
        greeting: greeting.trim() || null,
        color,
        position,
        allowed_origins: origins
          .split(/[\s,]+/)
          .map((o) => o.trim())
          .filter(Boolean),
        ask_details: askDetails,
        offline_message: offline.trim() || null,
        welcome_event: welcome,
      },
    };
    onSubmit(draft);
  };
  // Field errors show under their fields; anything else (or a field this form lacks) above the buttons.
  const shown = ["name", "config.greeting", "config.allowed_origins", "config.offline_message", "config.welcome_event"];
  const fields = error && "problem" in error ? (error.problem.errors ?? []) : [];
  const named = fields.length > 0 && fields.every((f) => shown.some((s) => f.field === s || f.field.startsWith(`${s}[`)));
  return (
    <form className="form" onSubmit={submit}>
      <Field label="Widget name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, "name")} hint="Shown in the chat window's header." autoFocus />
      <div className="field">
        <label htmlFor="wc-greeting">Greeting</label>
        <textarea id="wc-greeting" rows={2} maxLength={1000} value={greeting} onChange={(e) => setGreeting(e.target.value)} aria-invalid={fieldError(error, "config.greeting") ? true : undefined} />
        {fieldError(error, "config.greeting") ? <div className="field-error" role="alert">{fieldError(error, "config.greeting")}</div> : null}
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="wc-color">Colour</label>
          <input id="wc-color" type="color" value={color} onChange={(e) => setColor(e.target.value)} />
        </div>
        <div className="field grow">
          <label htmlFor="wc-position">Position</label>
          <select id="wc-position" value={position} onChange={(e) => setPosition(e.target.value)}>
            <option value="right">Bottom right</option>
            <option value="left">Bottom left</option>
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor="wc-origins">Allowed websites</label>
        <textarea id="wc-origins" rows={3} placeholder={"https://www.example.com\nhttps://example.com"} value={origins} onChange={(e) => setOrigins(e.target.value)} aria-invalid={fieldError(error, "config.allowed_origins") ? true : undefined} />
        <div className="hint">One per line: scheme and host, no path. The chat only works on these sites (and on this server's demo page).</div>
        {fieldError(error, "config.allowed_origins") ? <div className="field-error" role="alert">{fieldError(error, "config.allowed_origins")}</div> : null}
      </div>
      <div className="field">
        <label htmlFor="wc-offline">Offline message</label>
        <textarea id="wc-offline" rows={2} maxLength={1000} placeholder="We're away right now — leave a message and we'll get back to you." value={offline} onChange={(e) => setOffline(e.target.value)} />
        <div className="hint">Shown instead of the greeting while no teammate is online.</div>
        {fieldError(error, "config.offline_message") ? <div className="field-error" role="alert">{fieldError(error, "config.offline_message")}</div> : null}
      </div>
      <label className="choice">
        <input type="checkbox" checked={askDetails} onChange={(e) => setAskDetails(e.target.checked)} />
        <span>
          <strong>Ask for name and e-mail before chatting</strong>
        </span>
      </label>
      <label className="choice">
        <input type="checkbox" checked={welcome} onChange={(e) => setWelcome(e.target.checked)} />
        <span>
          <strong>Greet new visitors in the chat</strong>
          <span className="hint choice-hint">A visitor's first visit opens a conversation with the greeting as your first message.</span>
        </span>
      </label>
      {fieldError(error, "config.welcome_event") ? <div className="field-error" role="alert">{fieldError(error, "config.welcome_event")}</div> : null}
      <WidgetPreview name={name || "Chat"} greeting={greeting} color={color} position={position} askDetails={askDetails} />
      {named ? null : <FormError error={error} />}
      <div className="row end">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

/** A still picture of the widget with the current settings. */
export function WidgetPreview(p: { name: string; greeting: string; color: string; position: string; askDetails: boolean }) {
  const side = p.position === "left" ? "flex-start" : "flex-end";
  return (
    <figure className="widget-preview" aria-label="Widget preview">
      <div className="widget-preview-window" style={{ alignSelf: side }}>
        <div className="widget-preview-header" style={{ background: p.color }}>
          {p.name}
        </div>
        <div className="widget-preview-body">
          {p.greeting ? <div className="widget-preview-greeting">{p.greeting}</div> : null}
          {p.askDetails ? <div className="muted small">Asks for name and e-mail first</div> : null}
          <div className="widget-preview-visitor" style={{ background: p.color }}>
            Hello!
          </div>
        </div>
      </div>
      <div className="widget-preview-bubble" style={{ background: p.color, alignSelf: side }} aria-hidden>
        💬
      </div>
      <figcaption className="sr-only">Preview of the chat widget</figcaption>
    </figure>
  );
}

/** How to put a saved widget on a website, and a page to try it on right away. */
export function WidgetEmbed({ channel }: { channel: Channel }) {
  if (!channel.widget) return null;
  const demo = `/widget/demo?channel=${encodeURIComponent(channel.widget.key)}`;
  return (
    <div className="stack">
      <CopyValue label="Embed snippet" value={channel.widget.snippet} />
      <p className="hint">
        Paste it before <code>&lt;/body&gt;</code> on every page of your website (see the README for WordPress,
        Shopify, Wix, Squarespace and Joomla) and add the site to the allowed websites.
      </p>
      <a className="btn btn-secondary" href={demo} target="_blank" rel="noopener">
        Open demo page
      </a>
    </div>
  );
}
