// The IS-Messenger website chat widget. A page embeds it with
//   <script src="https://<server>/widget.js" data-channel="wc_…" async></script>
// It draws a launcher bubble and a chat window inside a Shadow DOM, and talks to the
// server's visitor API with an anonymous token kept in this browser.
import { VisitorApi } from "./api";
import { Chat, messageOf, type Entry } from "./chat";
import { styles } from "./styles";

const EMOJIS = "😀 😂 😊 😍 🤔 😅 😢 😡 👍 👎 👏 🙏 🙌 💪 👋 🎉 ❤️ 🔥 ✅ ❌ ⭐ 💡 📦 🚚 💳 📞 📧 ⏰ ☕ 🎁 🙂 😉".split(" ");

type Attrs = Record<string, string | boolean | ((e: Event) => void)>;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...kids: (Node | string | null)[]) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === "function") node.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) node.setAttribute(k, "");
    else if (v !== false) node.setAttribute(k, v);
  }
  for (const kid of kids) if (kid !== null) node.append(kid);
  return node;
}

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg>';

function mount(script: HTMLScriptElement) {
  const key = script.dataset.channel;
  if (!key) {
    console.warn("IS-Messenger widget: the script tag needs data-channel");
    return;
  }
  const base = new URL(script.src, location.href).origin;
  let storage: Storage | null = null;
  try {
    storage = window.localStorage;
  } catch {
    storage = null;
  }
  const api = new VisitorApi(base, key, storage);

  const host = el("div", { id: "ism-chat-widget" });
  document.body.append(host);
  const root = host.attachShadow({ mode: "open" });
  const style = el("style");
  root.append(style);

  let open = false;
  let unread = 0;
  let stickToBottom = true;

  const badge = el("span", { class: "unread", hidden: true, "aria-label": "unread messages" });
  const launcher = el("button", { class: "launcher", type: "button", "aria-label": "Open chat", "aria-expanded": "false" });
  launcher.innerHTML = CHAT_ICON;
  launcher.append(badge);

  const title = el("div", { class: "title" });
  const presence = el("div", { class: "presence", role: "status" });
  const closeBtn = el("button", { class: "close", type: "button", "aria-label": "Close chat" }, "×");
  // Visitors may leave their name and e-mail at any time, so the team can write back later.
  let wantDetails = false;
  const detailsBtn = el("button", { class: "icon details-btn", type: "button", "aria-label": "Leave your name and e-mail", title: "Leave your name and e-mail" }, "✉");
  const header = el("header", {}, el("div", {}, title, presence), detailsBtn, closeBtn);
  const list = el("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages" });
  const error = el("div", { class: "error", role: "alert", hidden: true });

  const textarea = el("textarea", { rows: "1", placeholder: "Write a message…", "aria-label": "Message" });
  const fileInput = el("input", { type: "file", class: "sr", "aria-label": "Attach a file", tabindex: "-1" });
  const attach = el("button", { class: "icon", type: "button", "aria-label": "Attach a file", title: "Attach a file" }, "📎");
  const emojiBtn = el("button", { class: "icon", type: "button", "aria-label": "Insert emoji", title: "Emoji" }, "😊");
  const emojiPanel = el("div", { class: "emojis", hidden: true, role: "listbox", "aria-label": "Emoji" });
  const sendBtn = el("button", { class: "send", type: "submit" }, "Send");
  const composer = el("form", { class: "composer" }, emojiPanel, emojiBtn, attach, fileInput, textarea, sendBtn);

  const nameInput = el("input", { type: "text", autocomplete: "name", required: true });
  const emailInput = el("input", { type: "email", autocomplete: "email", required: true });
  const detailsError = el("div", { class: "error", role: "alert", hidden: true });
  const details = el(
    "form",
    { class: "details", "aria-label": "Your details" },
    el("div", {}, "Tell us who you are, so we can get back to you."),
    el("label", {}, "Name", nameInput),
    el("label", {}, "E-mail", emailInput),
    detailsError,
    el("button", { class: "send", type: "submit" }, "Save details"),
  );

  const win = el("div", { class: "window", role: "dialog", "aria-label": "Chat", hidden: true }, header, list, error, details, composer);
  root.append(launcher, win);

  for (const e of EMOJIS) {
    emojiPanel.append(
      el("button", {
        type: "button",
        role: "option",
        "aria-label": e,
        onclick: () => {
          const at = textarea.selectionStart ?? textarea.value.length;
          textarea.value = textarea.value.slice(0, at) + e + textarea.value.slice(at);
          emojiPanel.hidden = true;
          textarea.focus();
        },
      }, e),
    );
  }

  const chat = new Chat(api, {
    changed: () => render(),
    incoming: () => {
      if (!open) {
        unread += 1;
        renderBadge();
      }
    },
  });

  function renderBadge() {
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
  }

  function bubble(m: Entry): HTMLElement {
    const cls = `msg ${m.from}${m.local === "failed" ? " failed" : ""}`;
    const node = el("div", { class: cls, "data-from": m.from });
    if (m.from === "business" && m.agent?.name) node.append(el("div", { class: "who" }, m.agent.name));
    const a = m.attachment;
    if (a && a.kind === "image") node.append(el("img", { src: a.url, alt: a.name }));
    else if (a && (a.kind === "audio" || a.kind === "video")) node.append(el(a.kind, { src: a.url, controls: true }));
    else if (a) node.append(el("a", { href: a.url, target: "_blank", rel: "noopener" }, `📄 ${a.name}`));
    if (m.text && !(a && m.text === a.name)) node.append(el("div", {}, m.text));
    if (m.local === "sending") node.append(el("div", { class: "meta" }, "Sending…"));
    else if (m.local === "failed")
      node.append(
        el("div", { class: "meta" }, `${m.error ?? "Not sent"} `,
          el("button", { type: "button", class: "older", onclick: () => chat.retry(m) }, "Retry")),
      );
    else
      node.append(
        el("div", { class: "meta" },
          new Date(m.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })),
      );
    return node;
  }

  function render() {
    const s = chat.session;
    if (!s) return;
    style.textContent = styles(s.widget.color || "#3b5bdb", s.widget.position === "left" ? "left" : "right");
    title.textContent = s.widget.name;
    presence.replaceChildren(
      el("span", { class: chat.online ? "dot on" : "dot" }),
      chat.online ? (chat.agent ? `${chat.agent.name} is online` : "We're online") : "We're away",
    );
    stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const kids: HTMLElement[] = [];
    if (chat.nextCursor)
      kids.push(el("button", { type: "button", class: "older", onclick: () => void chat.older() }, "Earlier messages"));
    const intro = chat.online ? s.widget.greeting : s.widget.offline_message || s.widget.greeting;
    if (intro && !chat.nextCursor) kids.push(el("div", { class: "greeting" }, intro));
    for (const m of chat.list()) kids.push(bubble(m));
    if (chat.conversation === "closed") kids.push(el("div", { class: "notice" }, "This conversation was closed. Write again any time."));
    list.replaceChildren(...kids);
    if (stickToBottom) list.scrollTop = list.scrollHeight;
    if (open && document.visibilityState === "visible") chat.markRead();
    const ask = chat.needsDetails() || wantDetails;
    details.hidden = !ask;
    composer.hidden = ask;
    if (ask) {
      nameInput.value ||= s.visitor.name ?? "";
      emailInput.value ||= s.visitor.email ?? "";
    }
  }

  function toggle(to = !open) {
    open = to;
    win.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", open ? "Close chat" : "Open chat");
    if (open) {
      unread = 0;
      renderBadge();
      stickToBottom = true;
      render();
      list.scrollTop = list.scrollHeight;
      (chat.needsDetails() ? nameInput : textarea).focus();
    }
  }

  launcher.addEventListener("click", () => toggle());
  detailsBtn.addEventListener("click", () => {
    wantDetails = !wantDetails;
    render();
    if (wantDetails) nameInput.focus();
  });
  closeBtn.addEventListener("click", () => toggle(false));
  emojiBtn.addEventListener("click", () => (emojiPanel.hidden = !emojiPanel.hidden));
  attach.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const f = fileInput.files?.[0];
    if (f) void chat.upload(f);
    fileInput.value = "";
  });
  const submit = () => {
    const text = textarea.value.trim();
    if (!text) return;
    textarea.value = "";
    stickToBottom = true;
    void chat.send(text);
  };
  composer.addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  details.addEventListener("submit", (e) => {
    e.preventDefault();
    detailsError.hidden = true;
    chat.saveDetails(nameInput.value.trim(), emailInput.value.trim()).then(() => {
      wantDetails = false;
      render();
    }, (err) => {
      detailsError.textContent = messageOf(err);
      detailsError.hidden = false;
    });
  });

  chat
    .start()
    .then(() => {
      error.hidden = true;
    })
    .catch((e) => {
      // Not allowed on this site, or the server is away: show nothing rather than a broken bubble.
      console.warn("IS-Messenger widget:", messageOf(e));
      host.remove();
    });
}

const current = document.currentScript as HTMLScriptElement | null;
const script =
  current ?? (document.querySelector('script[src*="widget.js"][data-channel]') as HTMLScriptElement | null);
if (script) {
  if (document.body) mount(script);
  else document.addEventListener("DOMContentLoaded", () => mount(script));
}
