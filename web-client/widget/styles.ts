// The widget's styles, applied inside its Shadow DOM so the host page's CSS never touches it
// (and ours never touches the page).
export const styles = (color: string, side: string) => `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.launcher { position: fixed; bottom: 20px; ${side}: 20px; width: 56px; height: 56px; border-radius: 50%;
  border: 0; background: ${color}; color: #fff; cursor: pointer; box-shadow: 0 6px 20px rgb(0 0 0 / .25);
  display: grid; place-items: center; z-index: 2147483000; }
.launcher svg { width: 26px; height: 26px; fill: currentColor; }
.unread { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 6px;
  border-radius: 10px; background: #e03131; color: #fff; font-size: 12px; font-weight: 700; display: grid; place-items: center; }
.window { position: fixed; bottom: 88px; ${side}: 20px; width: 360px; max-width: calc(100vw - 40px);
  height: 540px; max-height: calc(100vh - 110px); background: #fff; color: #1d2330; border-radius: 14px;
  box-shadow: 0 12px 40px rgb(0 0 0 / .25); display: flex; flex-direction: column; overflow: hidden;
  z-index: 2147483000; font-size: 14px; line-height: 1.45; }
.window[hidden] { display: none; }
header { background: ${color}; color: #fff; padding: 14px 16px; display: flex; align-items: center; gap: 10px; }
header .title { font-weight: 700; font-size: 15px; }
header .presence { font-size: 12px; opacity: .9; display: flex; align-items: center; gap: 6px; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #adb5bd; display: inline-block; }
.dot.on { background: #69db7c; }
header .details-btn { margin-left: auto; color: inherit; }
header .close { background: none; border: 0; color: inherit; font-size: 22px; cursor: pointer; line-height: 1; }
.messages { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 6px; background: #f6f7f9; }
.notice { align-self: center; text-align: center; color: #6b7385; font-size: 13px; padding: 6px 10px; }
.greeting { background: #fff; border: 1px solid #e3e6eb; border-radius: 12px; padding: 10px 12px; align-self: flex-start; max-width: 85%; }
.msg { max-width: 80%; padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; word-wrap: break-word; }
.msg.visitor { align-self: flex-end; background: ${color}; color: #fff; border-bottom-right-radius: 4px; }
.msg.business { align-self: flex-start; background: #fff; border: 1px solid #e3e6eb; border-bottom-left-radius: 4px; }
.msg .who { font-size: 11px; font-weight: 600; color: #6b7385; margin-bottom: 2px; }
.msg .meta { font-size: 11px; opacity: .75; margin-top: 2px; text-align: right; }
.msg.failed { background: #fff0f0; color: #c92a2a; border: 1px solid #ffc9c9; }
.msg img { max-width: 100%; border-radius: 8px; display: block; }
.msg a { color: inherit; }
.older { align-self: center; background: none; border: 0; color: ${color}; cursor: pointer; font-size: 12px; }
form.composer { display: flex; align-items: flex-end; gap: 6px; padding: 8px; border-top: 1px solid #e3e6eb; background: #fff; position: relative; }
textarea { flex: 1; resize: none; border: 1px solid #e3e6eb; border-radius: 10px; padding: 8px 10px; font: inherit; max-height: 120px; min-height: 38px; color: inherit; }
textarea:focus, input:focus { outline: 2px solid ${color}; outline-offset: 0; }
.icon { background: none; border: 0; cursor: pointer; font-size: 20px; padding: 4px; border-radius: 6px; color: #6b7385; }
.icon:hover { background: #f1f3f5; }
.send { background: ${color}; color: #fff; border: 0; border-radius: 10px; height: 38px; padding: 0 14px; cursor: pointer; font-weight: 600; }
.send:disabled { opacity: .5; cursor: default; }
.emojis { position: absolute; bottom: 54px; left: 8px; background: #fff; border: 1px solid #e3e6eb; border-radius: 10px;
  box-shadow: 0 6px 20px rgb(0 0 0 / .15); padding: 6px; display: grid; grid-template-columns: repeat(8, 1fr); gap: 2px; }
.emojis[hidden] { display: none; }
.emojis button { background: none; border: 0; font-size: 20px; cursor: pointer; padding: 4px; border-radius: 6px; }
.emojis button:hover { background: #f1f3f5; }
.details { padding: 16px; display: flex; flex-direction: column; gap: 10px; border-top: 1px solid #e3e6eb; background: #fff; }
.details label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; font-weight: 600; }
.details input { border: 1px solid #e3e6eb; border-radius: 8px; padding: 8px 10px; font: inherit; font-weight: 400; }
.error { color: #c92a2a; font-size: 12px; padding: 0 12px 6px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
